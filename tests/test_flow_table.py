"""The step table: every StepId has a step, every step is reachable, every step answers back/skip/help."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.flow.base import Step
from bot.flow.state import StepId
from bot.flow.table import STEPS

from ._flow import load_directory, step_of
from .conftest import Chat


def _start(chat: Chat) -> None:
    chat.send("hi")
    chat.press("Start the consultation")


def _details(presses: int) -> Callable[[Chat], None]:
    """Start, type an unknown school, then press the first `presses` of: Primary, Headteacher, Skip."""

    def drive(chat: Chat) -> None:
        _start(chat)
        chat.send("Little Learners Montessori")
        for label in ("Primary", "Headteacher", "Skip")[:presses]:
            chat.press(label)

    return drive


# How to reach each step through the public API only (Engine.handle), from a person's first message.
ROUTES: dict[StepId, Callable[[Chat], object]] = {
    StepId.NONE: lambda chat: chat.send("hi"),
    StepId.SCHOOL: _start,
    StepId.SCHOOL_PICK: lambda chat: (load_directory(chat), _start(chat), chat.send("castlebar")),
    StepId.SCHOOL_TYPE: _details(0),
    StepId.ROLE: _details(1),
    StepId.NAME: _details(2),
    StepId.CONSENT: _details(3),
    StepId.QUESTION: lambda chat: chat.identify(),
    StepId.COMMENT: lambda chat: (chat.identify(), chat.press("Partly")),
    StepId.REVIEW: lambda chat: (chat.identify(), chat.send("review")),
    StepId.CONFIRM_SUBMIT: lambda chat: (chat.identify(), chat.send("submit")),
    StepId.FEE_BAND: lambda chat: (chat.send("hi"), chat.send("fee")),
    StepId.FEE_PRU: lambda chat: (chat.send("hi"), chat.send("how much does our PRU pay?")),
    StepId.FEE_PUPILS: lambda chat: (chat.send("hi"), chat.send("fee"), chat.press("Primary")),
    StepId.ASK: lambda chat: (chat.send("hi"), chat.press("Ask a question")),
    StepId.CONFIRM_ERASE: lambda chat: (chat.identify(), chat.send("delete my data")),
}


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
