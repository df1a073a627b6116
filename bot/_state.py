"""Where one person is in the conversation, stored as JSON with their conversation row."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

# Prompts that wait for something specific. "none" means nothing is pending: text is a question.
KINDS = frozenset(
    {
        "none",
        "school",
        "school_pick",
        "school_type",
        "role",
        "name",
        "consent",
        "question",
        "comment",
        "review",
        "confirm_submit",
        "fee_band",
        "fee_pru",
        "fee_pupils",
        "ask",
        "confirm_erase",
    }
)
IDENTITY_KINDS = ("school", "school_type", "role", "name", "consent")
# Prompts that interrupt the consultation and then hand back to where the person was.
INTERRUPTIONS = frozenset({"fee_band", "fee_pru", "fee_pupils", "ask", "confirm_erase"})


@dataclass
class State:
    """The pending prompt and what the engine must remember between turns."""

    kind: str = "none"
    qid: str | None = None
    serial: int = 0
    after_review: bool = False
    last_action: str | None = None
    resume: dict[str, Any] | None = None
    fee_band: str | None = None
    pupils: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """Serialise for storage."""
        data = {f.name: getattr(self, f.name) for f in _FIELDS}
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> State:
        """Load from storage; anything unreadable starts afresh rather than failing the turn."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        known = {f.name for f in _FIELDS}
        state = cls(**{k: v for k, v in data.items() if k in known})
        if state.kind not in KINDS or not isinstance(state.serial, int):
            return cls(serial=state.serial if isinstance(state.serial, int) else 0)
        return state


_FIELDS = fields(State)
