"""The fallbacks table: what each command needs is checked once, before it runs."""

from __future__ import annotations

import pytest

from bot._text import COMMAND_NAMES
from bot.commands import FALLBACKS

from ._flow import stored
from .conftest import Chat


def test_every_command_word_has_a_fallback() -> None:
    assert set(COMMAND_NAMES) <= set(FALLBACKS)


def test_commands_needing_details_take_a_newcomer_to_the_start(chat: Chat) -> None:
    chat.send("hi")
    chat.send("sections")
    assert "Which school" in chat.text


def test_admin_commands_refuse_others(chat: Chat) -> None:
    chat.send("hi")
    chat.send("unanswered")
    assert "only for the ELP team" in chat.text


def test_read_only_commands_are_marked() -> None:
    assert {name for name, f in FALLBACKS.items() if f.read_only} == {
        "help",
        "menu",
        "hello",
        "pause",
        "mydata",
        "stats",
        "unanswered",
        "review",
    }


@pytest.mark.parametrize(
    ("channel", "words"),
    [
        ("console", "Terminal"),
        ("telegram", "Telegram"),
        ("slack", "Slack"),
        ("msteams", "Microsoft Teams"),
        ("web", "Web link"),
    ],
)
def test_my_data_names_the_channel_in_words(make_chat, channel: str, words: str) -> None:
    chat = make_chat("h7", channel=channel)
    chat.send("hi")
    chat.send("my data")
    assert f"You reach us through: {words} (id h7), and we keep where you are in the conversation." in chat.text
    assert "Chat account" not in chat.text and "shown as" not in chat.text


@pytest.mark.parametrize(
    "typed",
    ["add a comment to q1: the aims are too vague to measure", "comment on Q1 - the aims are too vague to measure"],
)
def test_a_comment_typed_for_a_named_question_is_saved_on_it(chat: Chat, db_path, typed: str) -> None:
    chat.identify()
    chat.press("No")
    chat.press("No comment")
    chat.press("Yes")
    if "say why" in chat.text:
        chat.press("No comment")
    assert chat.question_id == "q3"
    chat.send(typed)
    assert "Saved your comment on Q1." in chat.text and chat.question_id == "q3"
    assert stored(db_path) == {"q1": ("no", "the aims are too vague to measure"), "q2": ("yes", None)}


def test_a_comment_typed_for_an_unanswered_question_waits_there_for_its_answer(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("comment on q2: convictions are fine but vague")
    assert chat.question_id == "q2" and "Which answer goes with it?" in chat.text
    chat.press("Partly")
    assert stored(db_path)["q2"] == ("partly", "convictions are fine but vague")


def test_a_typed_comment_asks_before_replacing_one_already_saved(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("partly - too expensive for small schools")
    chat.send("comment on q1: also unfair to PRUs")
    assert "Replace your comment on Q1" in chat.text
    assert stored(db_path)["q1"] == ("partly", "too expensive for small schools")
    chat.press("Yes, replace it")
    assert stored(db_path)["q1"] == ("partly", "also unfair to PRUs")


def test_a_typed_comment_takes_a_question_by_its_position(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("comment on q7: the DSL hub matters most")
    assert chat.question_id == "q5.3" and "Which answer goes with it?" in chat.text
