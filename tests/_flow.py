"""Helpers for the per-step tests: which step a chat is at, and a directory of schools."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from bot.flow.state import Session, StepId
from storage.schools import decode_csv, import_gias, read_rows

from .conftest import Chat

SAMPLE = Path(__file__).parent / "fixtures" / "gias_ealing_sample.csv"


def stored(db_path: Path) -> dict[str, tuple[str | None, str | None]]:
    """Every stored answer, read through a separate connection (so it was committed)."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT question_id, choice, comment FROM answers").fetchall()
    finally:
        conn.close()
    return {qid: (choice, comment) for qid, choice, comment in rows}


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


def _start(chat: Chat) -> None:
    chat.send("hi")
    chat.press("Start the consultation")


def _details(presses: int) -> Callable[[Chat], None]:
    """Start, type an unknown school, then press the first `presses` of: Primary, Headteacher, Skip."""

    def drive(chat: Chat) -> None:
        _start(chat)
        chat.send("Little Learners Montessori")
        for label in ("Primary", "Headteacher", "Skip")[:presses]:
            chat.press(label)

    return drive


# How to reach each step through the public API only (Engine.handle), from a person's first message.
ROUTES: dict[StepId, Callable[[Chat], object]] = {
    StepId.NONE: lambda chat: chat.send("hi"),
    StepId.SCHOOL: _start,
    StepId.SCHOOL_PICK: lambda chat: (load_directory(chat), _start(chat), chat.send("castlebar")),
    StepId.SCHOOL_TYPE: _details(0),
    StepId.ROLE: _details(1),
    StepId.NAME: _details(2),
    StepId.CONSENT: _details(3),
    StepId.QUESTION: lambda chat: chat.identify(),
    StepId.COMMENT: lambda chat: (chat.identify(), chat.press("Partly")),
    StepId.REVIEW: lambda chat: (chat.identify(), chat.send("review")),
    StepId.CONFIRM_SUBMIT: lambda chat: (chat.identify(), chat.send("submit")),
    StepId.FEE_BAND: lambda chat: (chat.send("hi"), chat.send("fee")),
    StepId.FEE_PRU: lambda chat: (chat.send("hi"), chat.send("how much does our PRU pay?")),
    StepId.FEE_PUPILS: lambda chat: (chat.send("hi"), chat.send("fee"), chat.press("Primary")),
    StepId.ASK: lambda chat: (chat.send("hi"), chat.press("Ask a question")),
    StepId.CONFIRM_ERASE: lambda chat: (chat.identify(), chat.send("delete my data")),
    StepId.CONFIRM_COMMENT: lambda chat: (chat.identify(), chat.press("Yes"), chat.send("strongly support the aims")),
}
