"""Button actions: grammar, the 64-byte limit, and refusal of anything forged."""

from __future__ import annotations

import pytest

from bot._actions import MAX_ACTION_BYTES, Action, decode, make


def test_round_trip() -> None:
    text = make("ans", "q5.10", "unsure", serial=123456)
    assert text == "ans:q5.10:unsure:123456"
    assert decode(text) == Action("ans", ("q5.10", "unsure"), 123456)
    assert decode(make("more", "area.3")) == Action("more", ("area.3",), None)


def test_longest_action_fits_telegram() -> None:
    assert len(make("ans", "q5.10", "unsure", serial=999_999_999).encode()) <= MAX_ACTION_BYTES


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "ans",
        "ans:q1:yes",
        "ans:q1:yes:x",
        "ans:Q1:YES:1",
        "ans:q1:yes:1:2",
        "zap:q1:1",
        "more",
        "ans:q1:yes:" + "9" * 12,
        "more:" + "a" * 70,
        "ans:q1:y es:1",
        "ans:q1:yés:1",
        "ans:q1:\ud800:1",
    ],
)
def test_decode_refuses_malformed(forged: str | None) -> None:
    assert decode(forged) is None


def test_make_refuses_what_decode_would_refuse() -> None:
    with pytest.raises(ValueError):
        make("ans", "q1", serial=1)
    with pytest.raises(ValueError):
        make("ans", "q1", "bad value", serial=1)
    with pytest.raises(ValueError):
        make("nav", "start")


def test_every_topic_has_an_encodable_more_button(content) -> None:
    """Vision topic ids are long ("pledges:decent-living-incomes-and-good-growth"): all must fit."""
    topics = ["aims", "convictions", "fees", "external_membership", "areas", "contact", "dates"]
    topics += [f"area:{a.number}" for a in content.offer.activity_areas]
    topics += [f"priority:{p.id}" for p in content.vision.priorities]
    topics += [f"pledges:{t.id}" for t in content.vision.pledge_themes]
    for topic in topics:
        action = make("more", topic.replace(":", ".", 1))
        assert len(action.encode()) <= MAX_ACTION_BYTES
        assert decode(action) is not None
