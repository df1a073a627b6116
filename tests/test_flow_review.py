"""Review and confirm_submit: what they show, back, and submitting."""

from __future__ import annotations

import pytest

from bot.flow.state import StepId

from ._flow import step_of
from .conftest import Chat


@pytest.mark.parametrize(("command", "step"), [("review", StepId.REVIEW), ("submit", StepId.CONFIRM_SUBMIT)])
def test_back_goes_to_the_last_question(chat: Chat, command: str, step: StepId) -> None:
    chat.identify()
    chat.send(command)
    assert step_of(chat) == step
    chat.send("back")
    assert chat.question_id == "q5.11"


def test_review_display_twice_changes_nothing(chat: Chat) -> None:
    chat.identify()
    chat.send("review")
    submit = chat.button("Submit my response").action
    chat.send("review")
    chat.send(action=submit)
    assert "15 question(s) are not answered yet" in chat.text, "the first review's button still works"


def test_confirm_submit_then_submit_again(chat: Chat) -> None:
    chat.identify()
    chat.send("submit")
    chat.press("Submit anyway")
    assert "ELP-2026-0001" in chat.text and step_of(chat) == StepId.NONE
    chat.send("submit")
    assert "already submitted" in chat.text.casefold() or "ELP-2026-0001" in chat.text


def test_submit_anyway_after_closing_is_refused(chat: Chat, clock) -> None:
    chat.identify()
    chat.send("submit")
    clock.now = clock.now.replace(year=2027, month=4)
    chat.press("Submit anyway")
    assert "closed on 31 March 2027" in chat.text
    assert chat.engine.store.respondent(1)["status"] == "in_progress"
