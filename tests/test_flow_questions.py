"""Question and comment steps: answers by button or typed, comments, skip/back, earlier questions' buttons."""

from __future__ import annotations

from bot.flow.state import StepId

from ._flow import step_of
from .conftest import Chat


def test_comment_step_back_returns_to_its_question(chat: Chat) -> None:
    chat.identify()
    chat.press("No")
    assert step_of(chat) == StepId.COMMENT
    chat.send("back")
    assert step_of(chat) == StepId.QUESTION and chat.question_id == "q1"
    assert "Your answer so far: No" in chat.text


def test_free_text_question_takes_nothing_to_add_as_skip(chat: Chat) -> None:
    chat.identify()
    chat.send("section 3")
    for _ in range(10):
        chat.press("Yes")
    assert chat.question_id == "q5.11"
    chat.send("nothing")
    assert "Your answers" in chat.text and step_of(chat) == StepId.REVIEW


def test_a_changed_earlier_answer_keeps_its_comment(chat: Chat) -> None:
    chat.identify()
    q1_yes = chat.button("Yes").action
    chat.send("No, too vague")
    chat.send(action=q1_yes)
    assert "Changed your answer to Q1: Yes" in chat.text
    assert chat.engine.store.answers(1)["q1"].comment == "too vague"
    assert chat.question_id == "q2"


def test_where_is_the_question_number(chat: Chat) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("pause")
    assert "Question 2 of 15 (Q2)" in chat.text
