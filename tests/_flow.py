"""Helpers for the per-step tests: which step a chat is at, and a directory of schools."""

from __future__ import annotations

from pathlib import Path

from bot.flow.state import Session, StepId
from storage.schools import decode_csv, import_gias, read_rows

from .conftest import Chat

SAMPLE = Path(__file__).parent / "fixtures" / "gias_ealing_sample.csv"


def session_of(chat: Chat) -> Session:
    """The stored session of this chat's person (a fresh one if they have no row)."""
    row = chat.engine.store.conversation(chat.channel, chat.user_id)
    return Session.from_json(row["state"]) if row else Session()


def step_of(chat: Chat) -> StepId:
    """The step this chat's person is at."""
    return session_of(chat).step


def load_directory(chat: Chat) -> None:
    """Import the GIAS sample into the chat's database."""
    _, rows = read_rows(decode_csv(SAMPLE.read_bytes()))
    import_gias(chat.engine.store, rows, la="Ealing", now="t")
