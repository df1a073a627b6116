"""Issue 11, through the engine API: no typed answer lost, a comment on every answer, no dead ends, stable options."""

from __future__ import annotations

import pytest

from adapters.console import render
from bot.flow.state import StepId

from ._flow import step_of, stored
from .conftest import Chat

CHOICES = ["Yes", "Partly", "No", "Not sure"]


# ------------------------------------------------------------------ 1. typed answers are never lost


@pytest.mark.parametrize(
    ("typed", "choice", "comment"),
    [
        (
            "Partly, because the fee rises every year; value for money?",
            "partly",
            "because the fee rises every year; value for money?",
        ),
        ("No. Our budget is cut; why should we pay?", "no", "Our budget is cut; why should we pay?"),
        ("Yes, but how much will it cost?", "yes", "but how much will it cost?"),
        ("No, what would we get for our money?", "no", "what would we get for our money?"),
    ],
)
def test_11_1_choice_with_a_question_is_saved_then_the_question_answered(
    chat: Chat, db_path, typed: str, choice: str, comment: str
) -> None:
    chat.identify()
    chat.send(typed)
    assert stored(db_path)["q1"] == (choice, comment)
    assert chat.replies[0].text.startswith(f"Saved: {chat.engine.choice_labels[choice]}, with your comment.")
    assert len(chat.replies) >= 2, "the question in it gets an answer too"
    if step_of(chat) == StepId.FEE_PUPILS:  # "how much will it cost?" opened the fee calculator
        chat.send("420")
        assert "£6,884.40" in chat.text
    assert step_of(chat) == StepId.QUESTION and chat.question_id == "q2", "and the respondent moves on"


# ------------------------------------------------------------------ 2. a comment on every answer


@pytest.mark.parametrize("way", ["typed", "button"])
def test_11_2_a_comment_after_a_yes_by_typing_or_by_its_button(chat: Chat, db_path, way: str) -> None:
    chat.identify()
    chat.press("Yes")
    if way == "button":
        assert [b.label for b in chat.buttons][:5] == [*CHOICES, "Add a comment on Q1"]
        chat.press("Add a comment on Q1")
        chat.send("strongly support the aims")
    else:
        chat.send("strongly support the aims")
        assert "Add this as your comment on Q1?" in chat.text
        chat.press("Yes, add it")
        assert "Saved your comment on Q1." in chat.text
    assert stored(db_path)["q1"] == ("yes", "strongly support the aims")
    assert chat.question_id == "q2" and step_of(chat) == StepId.QUESTION


def test_11_2_declined_offer_is_answered_as_a_question(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Not sure")
    chat.send("tell me about governors support")
    chat.press("No, it's not a comment")
    assert stored(db_path)["q1"] == ("unsure", None)
    assert chat.question_id == "q2" and "Source:" in chat.text


def test_11_2_review_shows_comments_and_they_can_be_changed_or_removed(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("Yes, clear aims")
    chat.send("review")
    assert "Q1 Aims: Yes – “clear aims”" in chat.text
    chat.press("Change an answer")
    chat.press("Q1 Aims")
    chat.press("Change the comment on Q1")
    assert "Your comment now: “clear aims”" in chat.text
    chat.send("very clear aims")
    assert stored(db_path)["q1"] == ("yes", "very clear aims")
    chat.press("Change the comment on Q1")
    chat.press("Remove the comment")
    assert "Removed your comment on Q1." in chat.text
    assert stored(db_path)["q1"] == ("yes", None)


def test_11_2_persona_comments_on_yes_and_not_sure_are_all_stored_exactly(chat: Chat, db_path) -> None:
    chat.identify()
    expected = {}
    n = 0
    while chat.question_id and chat.question_id != "q5.11":
        qid = chat.question_id
        choice = "Not sure" if n % 3 == 1 else "Yes"
        chat.press(choice)
        if n % 2 == 0:
            remark = f"Our view on {qid}: keep it 👍 “as is”"
            chat.send(remark)
            chat.press("Yes, add it")
            expected[qid] = ("unsure" if choice == "Not sure" else "yes", remark)
        else:
            expected[qid] = ("unsure" if choice == "Not sure" else "yes", None)
        n += 1
    answers = stored(db_path)
    assert {q: answers[q] for q in expected} == expected
    assert len(expected) == 14


# ------------------------------------------------------------------ 3. no dead end


@pytest.mark.parametrize("via", ["review", "submit"])
def test_11_3_answer_the_rest_goes_to_first_unanswered(chat: Chat, via: str) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("skip")
    chat.press("Yes")  # q3; q2 left unanswered
    chat.send(via)
    chat.press("Answer the rest")
    assert chat.question_id == "q2"
    chat.press("No")
    chat.press("No comment")
    assert chat.question_id == "q4", "then on to the next unanswered"


# ------------------------------------------------------------------ 4. options keep their numbers


def _numbered(chat: Chat) -> list[str]:
    _, buttons = render(chat.replies)
    return [b.label for b in buttons]


def test_11_4_choices_keep_their_numbers_on_every_prompt_with_digressions(chat: Chat) -> None:
    chat.identify()
    digressions = ["what is EGFL?", "is there anything for SEND governors?", "pupil premium strategy?", "help"]
    turns = 0
    while chat.question_id and chat.question_id != "q5.11":
        for typed in digressions[turns % len(digressions) : turns % len(digressions) + 1]:
            chat.send(typed)
            if chat.question_id:
                assert _numbered(chat)[:4] == CHOICES, (typed, _numbered(chat))
        chat.press("Tell me more")
        assert _numbered(chat)[:4] == CHOICES
        chat.send("1")  # the console's "1" and the engine's "1" are both Yes
        turns += 1
        if chat.question_id and chat.question_id != "q5.11":
            assert _numbered(chat)[:4] == CHOICES
    assert turns == 14


def test_11_4_no_two_buttons_share_a_label(chat: Chat) -> None:
    chat.identify()
    for typed in ("what is EGFL?", "business support", "what does ELP offer for premises?"):
        chat.send(typed)
        labels = _numbered(chat)
        assert len(labels) == len(set(labels)), labels
