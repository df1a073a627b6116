"""The turn's shared helpers: serials move only with the prompt, and the row is written only when it changed."""

from __future__ import annotations

from bot import Inbound

from ._flow import session_of
from .conftest import Chat


def test_showing_the_same_prompt_again_keeps_its_serial(chat: Chat) -> None:
    chat.identify()
    serial = session_of(chat).serial
    for typed in ("help", "review", "review", "my data"):
        chat.send(typed)
    assert session_of(chat).serial == serial + 1, "only moving to the review made a new prompt"


def test_an_unchanged_conversation_row_is_not_rewritten(chat: Chat) -> None:
    chat.identify()
    store = chat.engine.store
    before = store.db["conversations"].get(("test", "u1"))
    chat.engine.handle(Inbound("test", "u1", text="help"))
    chat.engine.handle(Inbound("test", "u1", text="pause"))
    assert store.db["conversations"].get(("test", "u1")) == before


def test_a_new_display_name_is_saved(make_chat) -> None:
    chat = make_chat("named")
    chat.send("hi")
    chat.display_name = "Priya"
    chat.send("help")
    assert chat.engine.store.db["conversations"].get(("test", "named"))["display_name"] == "Priya"
