"""Conversation state survives storage, and a damaged state row never breaks a turn."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot._state import INTERRUPTIONS, KINDS, State


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


def test_every_kind_the_engine_moves_to_is_known() -> None:
    """A kind missing from KINDS would silently reset people's place on the next turn."""
    source = (Path(__file__).parents[1] / "bot" / "engine.py").read_text(encoding="utf-8")
    used = set(re.findall(r'goto\("([a-z_]+)"', source)) | set(re.findall(r'begin_fee\("([a-z_]+)"', source))
    assert used and used <= KINDS, used - KINDS
    assert INTERRUPTIONS <= KINDS
