"""The README's "Conversation states" block, generated from the step table: `python -m bot.flow.diagram`."""

from __future__ import annotations

import textwrap

from bot.commands import FALLBACKS
from bot.flow.table import STEPS

_GROUP = {"entry": "start", "identity": "details", "questions": "questions", "review": "review"}
_GROUP |= {"fees": "fee calc", "side": "side"}


def diagram() -> str:
    """The step table as text: each step's group, id and where its own input leads; then the fallbacks."""
    lines = []
    for step in STEPS.values():
        group = _GROUP[type(step).__module__.rsplit(".", 1)[-1]]
        leads = " · ".join(step.leads_to)
        if step.side:
            leads = f"{leads} · ↩" if leads else "↩"
        lines.append(f"{group:<10} {step.id:<15} ──► {leads}")
    lines += [
        "",
        "↩  a side step hands back to the step it interrupted (a resume stack in the session);",
        "   a question typed at any step is answered, and may open the fee calculator.",
        *textwrap.wrap(
            "any step ──► " + " · ".join(FALLBACKS) + "  (the fallbacks, bot/commands.py)",
            width=100,
            subsequent_indent="             ",
        ),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(diagram())
