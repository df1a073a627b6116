"""Conversation state survives storage, and a damaged state row never breaks a turn."""

from __future__ import annotations

import pytest

from bot._state import State


def test_round_trip() -> None:
    state = State(kind="question", qid="q5.3", serial=12, after_review=True, resume={"kind": "review"}, pupils=420)
    assert State.from_json(state.to_json()) == state


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "not json",
        "[1, 2]",
        '{"kind": "teleport", "serial": 4}',
        '{"serial": "x"}',
        '{"kind": "question", "unknown": 1}',
    ],
)
def test_damaged_state_starts_afresh(raw: str | None) -> None:
    state = State.from_json(raw)
    assert state.kind in {"none", "question"}
    assert isinstance(state.serial, int)
