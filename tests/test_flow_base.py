"""What steps inherit: side steps hand back on back/skip; confirm steps read yes/no typed or pressed."""

from __future__ import annotations

import pytest

from bot.flow.base import ConfirmStep
from bot.flow.state import StepId
from bot.flow.table import STEPS

from ._flow import ROUTES, step_of
from .conftest import Chat

CONFIRMS = [step_id for step_id, step in STEPS.items() if isinstance(step, ConfirmStep)]


def test_confirm_steps_are_side_steps() -> None:
    assert set(CONFIRMS) == {StepId.CONFIRM_ERASE, StepId.CONFIRM_COMMENT}
    assert all(STEPS[s].side for s in CONFIRMS)


@pytest.mark.parametrize("step_id", CONFIRMS)
def test_confirm_steps_ask_again_until_yes_or_no(make_chat, step_id: StepId) -> None:
    chat: Chat = make_chat(f"confirm-{step_id}")
    ROUTES[step_id](chat)
    chat.send("perhaps later")
    assert step_of(chat) == step_id and "Please choose one of the options" in chat.text
    chat.send("no")
    assert step_of(chat) == StepId.QUESTION


@pytest.mark.parametrize("step_id", [s for s, step in STEPS.items() if step.side])
def test_side_steps_hand_back_on_back(make_chat, step_id: StepId) -> None:
    chat: Chat = make_chat(f"side-{step_id}")
    ROUTES[step_id](chat)
    chat.send("back")
    assert "OK, leaving that." in chat.text and not STEPS[step_of(chat)].side


def test_where_a_side_step_hands_back_to_and_after_submitting(chat: Chat) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("this is too much for small schools")  # offered as the comment on Q1: a side step
    assert step_of(chat) == StepId.CONFIRM_COMMENT
    chat.send("menu")
    assert "You're at Question 2 of 15 (Q2);" in chat.text and "the start" not in chat.text
    chat.send("submit")
    chat.press("Submit anyway")
    assert "ELP-2026-0001" in chat.text
    chat.send("menu")
    assert "You're at your submitted response;" in chat.text
