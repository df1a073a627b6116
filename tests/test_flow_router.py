"""Routing: read-only turns take no write lock; buttons are checked against what was offered."""

from __future__ import annotations

import sqlite3

from bot import Inbound
from bot.flow.router import predicts_read_only

from ._flow import session_of
from .conftest import Chat


def test_read_only_turns_run_while_another_process_holds_the_write_lock(chat: Chat, db_path) -> None:
    chat.identify()
    more = chat.button("Tell me more").action
    before = chat.engine.store.conversation("test", "u1")
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert "change 3" in chat.engine.handle(Inbound("test", "u1", text="help"))[0].text
        assert chat.engine.handle(Inbound("test", "u1", action=more))[0].text
        assert "You reach us through" in chat.engine.handle(Inbound("test", "u1", text="my data"))[0].text
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert chat.engine.store.conversation("test", "u1") == before, "the conversation row is not rewritten"


def test_a_predicted_read_that_writes_is_run_again_as_a_write(make_chat) -> None:
    chat = make_chat("new")
    assert predicts_read_only(Inbound("test", "new", text="hi"))
    chat.send("hi")  # first contact creates the conversation row
    assert chat.engine.store.conversation("test", "new") is not None


def test_predictions() -> None:
    assert predicts_read_only(Inbound("t", "u", text="help"))
    assert predicts_read_only(Inbound("t", "u", action="more:aims"))
    assert not predicts_read_only(Inbound("t", "u", text="yes"))
    assert not predicts_read_only(Inbound("t", "u", action="ans:q1:yes:3"))
    assert not predicts_read_only(Inbound("t", "u", action="garbage"))


def test_answer_buttons_shown_are_remembered_with_their_serial(chat: Chat) -> None:
    chat.identify()
    session = session_of(chat)
    assert f"ans:q1:{session.serial}" in session.offers


def test_a_redelivered_read_only_message_is_not_a_duplicate_of_nothing(chat: Chat) -> None:
    chat.identify()
    assert chat.send("help", message_id="h-1")
    assert chat.send("yes", message_id="w-1")
    assert chat.send("yes", message_id="w-1") == [], "a write turn's delivery id is claimed"
