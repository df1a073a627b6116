"""The README's "Conversation states" block, generated from the step table: `python -m bot.flow.diagram`."""

from __future__ import annotations

import textwrap

from bot._text import COMMAND_NAMES
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
        "fallbacks (bot/commands.py), at any step:",
        *_wrapped("typed", [name for name in FALLBACKS if name in COMMAND_NAMES]),
        *_wrapped("buttons", [name for name in FALLBACKS if name not in COMMAND_NAMES]),
    ]
    return "\n".join(lines)


def _wrapped(kind: str, names: list[str]) -> list[str]:
    return textwrap.wrap(f"  {kind:<8}──► " + " · ".join(names), width=100, subsequent_indent=" " * 14)


if __name__ == "__main__":
    print(diagram())
