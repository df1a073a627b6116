"""The README's conversation-state diagram is the one generated from the step table."""

from __future__ import annotations

import re
from pathlib import Path

from bot.flow.diagram import diagram
from bot.flow.state import StepId

README = Path(__file__).parents[1] / "README.md"


def test_readme_diagram_is_current() -> None:
    section = README.read_text(encoding="utf-8").split("## Conversation states", 1)[1]
    block = re.search(r"```\n(.*?)\n```", section, re.S)
    assert block is not None
    assert block.group(1) == diagram(), "run `python -m bot.flow.diagram` and paste it into README.md"


def test_diagram_names_every_step() -> None:
    text = diagram()
    for step in StepId:
        assert re.search(rf"\s{step}\s+──►", text), step
