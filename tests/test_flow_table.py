"""The step table: every StepId has a step, every step is reachable, every step answers back/skip/help."""

from __future__ import annotations

import pytest

from bot.flow.base import Step
from bot.flow.state import StepId
from bot.flow.table import STEPS

from ._flow import ROUTES, step_of


def test_every_step_id_has_exactly_one_step() -> None:
    assert set(STEPS) == set(StepId)
    for step_id, step in STEPS.items():
        assert isinstance(step, Step) and step.id == step_id


def test_every_step_has_a_route() -> None:
    assert set(ROUTES) == set(StepId)


@pytest.mark.parametrize("step_id", list(StepId))
def test_every_step_is_reachable_from_the_start(step_id: StepId, make_chat) -> None:
    chat = make_chat(f"reach-{step_id}")
    ROUTES[step_id](chat)
    assert step_of(chat) == step_id


@pytest.mark.parametrize("word", ["back", "skip", "help"])
@pytest.mark.parametrize("step_id", list(StepId))
def test_every_step_answers_back_skip_and_help(step_id: StepId, word: str, make_chat) -> None:
    chat = make_chat(f"{word}-{step_id}")
    ROUTES[step_id](chat)
    replies = chat.send(word)
    assert replies and all(r.text for r in replies), f"{word} at {step_id} got no reply"
    assert "something went wrong" not in chat.text
