"""Identity steps: school (with the directory), school_pick, school_type, role, name, consent."""

from __future__ import annotations

from bot.flow.state import StepId

from ._flow import load_directory, step_of
from .conftest import Chat


def start(chat: Chat, school: str) -> None:
    chat.send("hi")
    chat.press("Start the consultation")
    chat.send(school)


def test_back_walks_the_details_backwards_and_stops_at_the_first(chat: Chat) -> None:
    start(chat, "Little Learners Montessori")
    chat.press("Primary")
    assert step_of(chat) == StepId.ROLE
    chat.send("back")
    assert step_of(chat) == StepId.SCHOOL_TYPE
    chat.send("back")
    assert step_of(chat) == StepId.SCHOOL
    chat.send("back")
    assert "This is the first one" in chat.text and step_of(chat) == StepId.SCHOOL


def test_back_from_school_pick_asks_for_the_school_again(chat: Chat) -> None:
    load_directory(chat)
    start(chat, "castlebar")
    assert step_of(chat) == StepId.SCHOOL_PICK
    chat.send("back")
    assert step_of(chat) == StepId.SCHOOL and "Which school" in chat.text


def test_skip_at_name_skips_it_and_elsewhere_says_nothing_to_skip(chat: Chat) -> None:
    start(chat, "Little Learners Montessori")
    chat.send("skip")
    assert step_of(chat) == StepId.SCHOOL_TYPE and chat.replies
    chat.press("Primary")
    chat.press("Headteacher")
    chat.send("skip")
    assert step_of(chat) == StepId.CONSENT
    assert chat.engine.store.respondent(1)["name"] is None


def test_a_question_at_a_detail_is_answered_and_the_detail_asked_again(chat: Chat) -> None:
    start(chat, "Little Learners Montessori")
    chat.send("What is EGFL?")
    assert "www.egfl.org.uk" in chat.text and step_of(chat) == StepId.SCHOOL_TYPE


def test_a_button_for_another_detail_is_stale(chat: Chat) -> None:
    start(chat, "Little Learners Montessori")
    primary = chat.button("Primary").action
    chat.press("Primary")
    chat.send(action=primary.replace("id:type:primary", "id:role:headteacher"))
    assert "belongs to an earlier message" in chat.text
    assert chat.engine.store.respondent(1)["role"] is None


def test_ok_or_a_number_is_not_taken_as_the_school(chat: Chat) -> None:
    start(chat, "ok")
    for typed in ("ok", "42", "thanks"):
        chat.send(typed)
        assert "school's name in words" in chat.text and step_of(chat) == StepId.SCHOOL
    chat.send("Little Learners Montessori")
    assert step_of(chat) == StepId.SCHOOL_TYPE


def test_ok_is_not_taken_as_a_name(chat: Chat) -> None:
    start(chat, "Little Learners Montessori")
    chat.press("Primary")
    chat.press(chat.buttons[0].label)  # a role
    assert step_of(chat) == StepId.NAME
    chat.send("ok")
    assert "type your name, or choose Skip" in chat.text and step_of(chat) == StepId.NAME


def test_a_number_at_the_name_prompt_chooses_that_option(chat: Chat) -> None:
    start(chat, "Little Learners Montessori")
    chat.press("Primary")
    chat.press(chat.buttons[0].label)  # a role
    chat.send("1")  # the only option: Skip
    assert step_of(chat) == StepId.CONSENT
