"""Button actions: short strings (≤ 64 bytes, Telegram's limit) that say what a press means.

Actions that change where a person is in the consultation carry the serial of the prompt they
belong to, so a stale or double-tapped button can be recognised (see Engine._on_action).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ACTION_BYTES = 64

# verb -> number of arguments (not counting the serial), and whether the serial is required.
_VERBS: dict[str, tuple[int, bool]] = {
    "ans": (2, True),  # ans:<question id>:<choice code>:<serial>
    "id": (2, True),  # id:<field>:<value>:<serial>        identity steps
    "nav": (1, True),  # nav:<start|back|skip|submit|confirm|changes|review|nocomment|erase|keep>:<serial>
    "chg": (1, True),  # chg:<question id>:<serial>        change one answer
    "sec": (1, True),  # sec:<section id>:<serial>          jump to a section
    "cmt": (1, True),  # cmt:<question id>:<serial>        add a comment to an answer
    "fee": (2, True),  # fee:<band|size>:<value>:<serial>   fee calculator steps
    "more": (1, False),  # more:<topic>                       tell me more (read-only)
    "go": (1, False),  # go:<menu|help|ask|fee|review|sections>   read-only or menu entries
    "page": (2, False),  # page:<mydata>:<n>                   the next part of a long reply (read-only)
}
_ARG = re.compile(r"^[a-z0-9_.-]{1,56}$")  # "more:" + 56 + ":" + serial still fits 64 bytes for short serials


@dataclass(frozen=True, slots=True)
class Action:
    """A decoded action."""

    verb: str
    args: tuple[str, ...]
    serial: int | None

    def encode(self) -> str:
        """The action as the string put on a button."""
        parts = [self.verb, *self.args]
        if self.serial is not None:
            parts.append(str(self.serial))
        return ":".join(parts)


def make(verb: str, *args: str, serial: int | None = None) -> str:
    """Encode an action, checking it against the grammar and the 64-byte limit."""
    arity, needs_serial = _VERBS[verb]
    if len(args) != arity or (needs_serial and serial is None):
        raise ValueError(f"action {verb} takes {arity} argument(s){' and a serial' if needs_serial else ''}")
    text = Action(verb, tuple(args), serial if needs_serial else None).encode()
    if len(text) > MAX_ACTION_BYTES or not all(_ARG.match(arg) for arg in args):
        raise ValueError(f"invalid action {text!r}")
    return text


def decode(text: str | None) -> Action | None:
    """Decode an action string; None for anything that is not a well-formed action (forged, garbled)."""
    if not text or len(text.encode("utf-8", "surrogatepass")) > MAX_ACTION_BYTES:
        return None
    parts = text.split(":")
    spec = _VERBS.get(parts[0])
    if spec is None:
        return None
    arity, needs_serial = spec
    expected = 1 + arity + (1 if needs_serial else 0)
    if len(parts) != expected or not all(_ARG.match(p) for p in parts[1:]):
        return None
    serial = None
    if needs_serial:
        if not parts[-1].isdigit() or len(parts[-1]) > 9:
            return None
        serial = int(parts[-1])
    return Action(parts[0], tuple(parts[1 : 1 + arity]), serial)
