"""The fallbacks table: what each command needs is checked once, before it runs."""

from __future__ import annotations

from bot._text import COMMAND_NAMES
from bot.commands import FALLBACKS

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
