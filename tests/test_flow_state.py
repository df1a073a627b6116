"""The session survives storage; damaged or unknown rows start afresh; the first stored format still loads."""

from __future__ import annotations

import json

import pytest

from bot.flow.state import MAX_OFFERS, CommentDraft, FeeDraft, Frame, SchoolPick, Session, StepId


def test_round_trip() -> None:
    session = Session(
        step=StepId.QUESTION,
        qid="q5.3",
        serial=12,
        after_review=True,
        resume=[Frame(StepId.REVIEW), Frame(StepId.QUESTION, "q2")],
        school_pick=SchoolPick("st marks", ["101930", "101931"]),
        fee=FeeDraft("primary", 420),
        offers=["ans:q5.3:12"],
    )
    assert Session.from_json(session.to_json()) == session


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "not json",
        "[1, 2]",
        '{"step": "teleport", "serial": 4}',
        '{"kind": "teleport", "serial": 4}',
        '{"serial": "x"}',
        '{"step": "question", "resume": [{"step": "nowhere"}], "serial": 3}',
        '{"step": "question", "fee": {"pupils": "many"}}',
        '{"step": "question", "unknown": 1}',
    ],
)
def test_damaged_or_unknown_state_starts_afresh(raw: str | None) -> None:
    session = Session.from_json(raw)
    assert session.step in {StepId.NONE, StepId.QUESTION}
    assert isinstance(session.serial, int) and session.serial >= 0
    if raw and "teleport" in raw:
        assert session == Session(serial=4), "an unknown step keeps the serial, so old buttons stay stale"


def test_first_stored_format_still_loads() -> None:
    old = {
        "kind": "fee_pupils",
        "qid": None,
        "serial": 41,
        "after_review": False,
        "last_action": "nav:skip:40",
        "resume": {"kind": "question", "qid": "q3"},
        "fee_band": "primary",
        "pupils": 420,
        "extra": {},
    }
    session = Session.from_json(json.dumps(old))
    assert (session.step, session.serial, session.last_action) == (StepId.FEE_PUPILS, 41, "nav:skip:40")
    assert session.resume == [Frame(StepId.QUESTION, "q3")]
    assert session.fee == FeeDraft("primary", 420)
    picking = {"kind": "school_pick", "serial": 3, "extra": {"typed": "st marks", "candidates": ["101930"]}}
    assert Session.from_json(json.dumps(picking)).school_pick == SchoolPick("st marks", ["101930"])


def test_offers_are_bounded() -> None:
    session = Session()
    for serial in range(MAX_OFFERS + 50):
        session.offer(f"ans:q1:{serial}")
    assert len(session.offers) == MAX_OFFERS and session.offers[-1] == f"ans:q1:{MAX_OFFERS + 49}"
    assert len(Session.from_json(session.to_json()).offers) == MAX_OFFERS


def test_a_remark_waiting_for_its_choice_survives_a_restart() -> None:
    session = Session(step=StepId.QUESTION, qid="q1", serial=7, comment_draft=CommentDraft("q1", "spot on", 7))
    assert Session.from_json(session.to_json()).comment_draft == CommentDraft("q1", "spot on", 7)
    older = '{"step":"question","qid":"q1","serial":7,"comment_draft":{"qid":"q1","text":"spot on"}}'
    assert Session.from_json(older).comment_draft == CommentDraft("q1", "spot on", None)
