"""The conversation as a table of steps: `table.STEPS` maps every `StepId` to the `Step` that handles it."""
