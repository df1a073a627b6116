"""SQLite storage for conversations, respondents and answers (sqlite-utils, WAL, one transaction per turn)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage._schema import migrations

__all__ = ["PRAGMAS", "Answer", "Store", "connect"]

# The same pragmas are used by bench/ for its raw-commit baseline, so the comparison is fair.
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)
BUSY_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class Answer:
    """One stored answer: a choice code (None for free-text questions) and an optional comment."""

    choice: str | None
    comment: str | None
    answered_at: str


def connect(path: str | Path) -> sqlite3.Connection:
    """Open a connection with our pragmas, a busy timeout and explicit transaction control."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
    for pragma in PRAGMAS:
        _execute_when_free(conn, pragma)
    return conn


def _execute_when_free(conn: sqlite3.Connection, sql: str) -> None:
    """Run a statement, retrying while the file is locked.

    SQLite does not call the busy handler when switching journal mode, so two processes opening a
    new file at the same moment (say the Telegram and Slack bots) can see "database is locked".
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            conn.execute(sql)
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


class Store:
    """All reads and writes the engine, exports and reports make. Not thread-safe: callers serialise."""

    def __init__(self, db: Database):
        self.db = db
        self.conn = db.conn

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating and migrating as needed) the database at `path`; ':memory:' works for tests."""
        conn = connect(path)
        store = cls(Database(conn, execute_plugins=False))
        # One immediate transaction around all migrations: a second process opening a new file at
        # the same moment waits, then finds them applied. sqlite-utils nests its own steps as savepoints.
        with store.transaction():
            migrations.apply(store.db)
        return store

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, taken up front (BEGIN IMMEDIATE) so concurrent writers queue, not fail."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # ------------------------------------------------------------ inbound de-duplication

    def claim_message(self, channel: str, message_id: str, now: str, user_id: str | None = None) -> bool:
        """Record an inbound message id; False if it was already processed (a duplicate delivery)."""
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO inbound_seen (channel, message_id, at, user_id) VALUES (?, ?, ?, ?)",
            (channel, message_id, now, user_id),
        )
        return cursor.rowcount == 1

    # ------------------------------------------------------------ conversations

    def conversation(self, channel: str, user_id: str) -> dict[str, Any] | None:
        """The conversation row for this person on this channel, or None.

        The respondent row, if any, comes with it under "respondent" (one query per turn, not two).
        """
        cursor = self.conn.execute(
            "SELECT c.respondent_id, c.display_name, c.state, r.* FROM conversations c"
            " LEFT JOIN respondents r ON r.id = c.respondent_id WHERE c.channel = ? AND c.user_id = ?",
            (channel, user_id),
        )
        row = cursor.fetchone()
        if row is None:
            return None
        columns = [c[0] for c in cursor.description[3:]]
        respondent = dict(zip(columns, row[3:], strict=True)) if row[0] is not None else None
        return {"respondent_id": row[0], "display_name": row[1], "state": row[2], "respondent": respondent}

    def save_conversation(
        self,
        channel: str,
        user_id: str,
        *,
        respondent_id: int | None,
        display_name: str | None,
        state: str,
        now: str,
    ) -> None:
        """Insert or update the conversation row."""
        self.conn.execute(
            "INSERT INTO conversations (channel, user_id, respondent_id, display_name, state, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (channel, user_id) DO UPDATE SET respondent_id = excluded.respondent_id,"
            " display_name = coalesce(excluded.display_name, display_name), state = excluded.state,"
            " updated_at = excluded.updated_at",
            (channel, user_id, respondent_id, display_name, state, now, now),
        )

    # ------------------------------------------------------------ respondents

    def respondent(self, respondent_id: int) -> dict[str, Any] | None:
        """A respondent row as a dict, or None."""
        cursor = self.conn.execute("SELECT * FROM respondents WHERE id = ?", (respondent_id,))
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=False))

    def create_respondent(self, channel: str, user_id: str, display_name: str | None, now: str) -> int:
        """Create a respondent (status in_progress) and return its id."""
        cursor = self.conn.execute(
            "INSERT INTO respondents (channel, user_id, display_name, status, started_at, updated_at)"
            " VALUES (?, ?, ?, 'in_progress', ?, ?)",
            (channel, user_id, display_name, now, now),
        )
        return int(cursor.lastrowid)

    _RESPONDENT_FIELDS = frozenset(
        {
            "name",
            "role",
            "school",
            "school_type",
            "school_urn",
            "quote_consent",
            "status",
            "reference",
            "submitted_at",
            "amended_at",
            "display_name",
        }
    )

    def update_respondent(self, respondent_id: int, now: str, **fields: Any) -> None:
        """Set some respondent fields and touch updated_at."""
        unknown = set(fields) - self._RESPONDENT_FIELDS
        if unknown:
            raise ValueError(f"unknown respondent fields: {sorted(unknown)}")
        assignments = "".join(f"{name} = ?, " for name in fields)
        self.conn.execute(
            f"UPDATE respondents SET {assignments}updated_at = ? WHERE id = ?",
            (*fields.values(), now, respondent_id),
        )

    def next_reference(self, prefix: str) -> str:
        """The next free reference number, e.g. ELP-2026-0042 (call inside the submitting transaction)."""
        row = self.conn.execute(
            "SELECT max(CAST(substr(reference, ?) AS INTEGER)) FROM respondents WHERE reference LIKE ?",
            (len(prefix) + 2, prefix + "-%"),
        ).fetchone()
        return f"{prefix}-{(row[0] or 0) + 1:04d}"

    # ------------------------------------------------------------ answers

    def answers(self, respondent_id: int) -> dict[str, Answer]:
        """All current answers of one respondent, by question id."""
        rows = self.conn.execute(
            "SELECT question_id, choice, comment, answered_at FROM answers WHERE respondent_id = ?",
            (respondent_id,),
        )
        return {qid: Answer(choice, comment, at) for qid, choice, comment, at in rows}

    def save_answer(
        self,
        respondent_id: int,
        question_id: str,
        *,
        choice: str | None,
        comment: str | None,
        now: str,
        after_submission: bool,
    ) -> None:
        """Store the current answer and append the change to the audit log."""
        self.conn.execute(
            "INSERT INTO answers (respondent_id, question_id, choice, comment, answered_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (respondent_id, question_id) DO UPDATE SET choice = excluded.choice,"
            " comment = excluded.comment, answered_at = excluded.answered_at",
            (respondent_id, question_id, choice, comment, now),
        )
        self.conn.execute(
            "INSERT INTO answer_log (respondent_id, question_id, choice, comment, at, after_submission)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (respondent_id, question_id, choice, comment, now, int(after_submission)),
        )

    # ------------------------------------------------------------ questions the assistant could not answer

    def log_unanswered(
        self, channel: str | None, user_id: str | None, question: str, normalised: str, suggestions: str, now: str
    ) -> None:
        """Record a question that got no confident answer, for the ELP team."""
        self.conn.execute(
            "INSERT INTO unanswered (channel, user_id, question, normalised, suggestions, asked_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (channel, user_id, question[:500], normalised or question[:500].casefold(), suggestions, now),
        )

    def unanswered_by(self, channel: str, user_id: str) -> list[dict[str, Any]]:
        """The logged questions one person asked, oldest first."""
        return list(
            self.db.query(
                "SELECT question, asked_at FROM unanswered WHERE channel = ? AND user_id = ? ORDER BY id",
                [channel, user_id],
            )
        )

    def unanswered_summary(self, limit: int = 50) -> list[dict[str, Any]]:
        """Unanswered questions grouped by their normalised form, most frequent first."""
        return list(
            self.db.query(
                "SELECT normalised, count(*) AS times, max(asked_at) AS last_asked,"
                " (SELECT question FROM unanswered u2 WHERE u2.normalised = u.normalised ORDER BY id DESC LIMIT 1)"
                " AS example FROM unanswered u GROUP BY normalised ORDER BY times DESC, last_asked DESC LIMIT ?",
                [limit],
            )
        )

    # ------------------------------------------------------------ erasure (UK GDPR)

    def erase_person(self, channel: str, user_id: str) -> dict[str, int]:
        """Delete everything about one person on one channel; returns rows deleted per table."""
        row = self.conn.execute(
            "SELECT id FROM respondents WHERE channel = ? AND user_id = ?", (channel, user_id)
        ).fetchone()
        deleted: dict[str, int] = {}
        if row is not None:
            for table in ("answer_log", "answers"):
                deleted[table] = self.conn.execute(f"DELETE FROM {table} WHERE respondent_id = ?", (row[0],)).rowcount
            deleted["respondents"] = self.conn.execute("DELETE FROM respondents WHERE id = ?", (row[0],)).rowcount
        for table in ("conversations", "unanswered", "inbound_seen", "reminder_log"):
            deleted[table] = self.conn.execute(
                f"DELETE FROM {table} WHERE channel = ? AND user_id = ?", (channel, user_id)
            ).rowcount
        if channel == "msteams":  # teams branch: references and sent cards are keyed by the Teams user only
            for table in ("teams_references", "teams_cards"):
                deleted[table] = self.conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,)).rowcount
        return deleted

    # ------------------------------------------------------------ reading for exports

    def respondents(self) -> list[dict[str, Any]]:
        """Every respondent, oldest first."""
        return list(self.db.query("SELECT * FROM respondents ORDER BY id"))

    def all_answers(self) -> dict[int, dict[str, Answer]]:
        """Every current answer, grouped by respondent id."""
        grouped: dict[int, dict[str, Answer]] = {}
        for row in self.db.query("SELECT * FROM answers"):
            grouped.setdefault(row["respondent_id"], {})[row["question_id"]] = Answer(
                row["choice"], row["comment"], row["answered_at"]
            )
        return grouped

    def answer_log(self, respondent_id: int) -> list[dict[str, Any]]:
        """The audit trail of one respondent, oldest first."""
        return list(self.db.query("SELECT * FROM answer_log WHERE respondent_id = ? ORDER BY id", [respondent_id]))

    # ------------------------------------------------------------ Teams references and cards, reminders (teams branch)

    def save_teams_reference(self, user_id: str, conversation_id: str, reference: str, now: str) -> None:
        """Keep the latest conversation reference (JSON) of a Teams user, for proactive messages."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO teams_references (user_id, conversation_id, reference, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET conversation_id = excluded.conversation_id,"
                " reference = excluded.reference, updated_at = excluded.updated_at",
                (user_id, conversation_id, reference, now),
            )

    def teams_reference(self, user_id: str) -> str | None:
        """The stored conversation reference (JSON) of a Teams user, or None."""
        row = self.conn.execute("SELECT reference FROM teams_references WHERE user_id = ?", (user_id,)).fetchone()
        return row[0] if row else None

    def save_teams_card(self, conversation_id: str, activity_id: str, user_id: str, card: str, now: str) -> None:
        """Remember a card we sent (JSON with its text and buttons), so a press can update it in place."""
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO teams_cards (conversation_id, activity_id, user_id, card, sent_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (conversation_id, activity_id, user_id, card, now),
            )

    def teams_card(self, conversation_id: str, activity_id: str, user_id: str) -> str | None:
        """A card we sent to this user in this conversation (JSON), or None."""
        row = self.conn.execute(
            "SELECT card FROM teams_cards WHERE conversation_id = ? AND activity_id = ? AND user_id = ?",
            (conversation_id, activity_id, user_id),
        ).fetchone()
        return row[0] if row else None

    def reminder_candidates(self, channels: tuple[str, ...], not_since: str) -> list[dict[str, Any]]:
        """In-progress respondents on these channels not reminded since `not_since`, with answers counted.

        Teams respondents are included only where a conversation reference is stored.
        """
        marks = ", ".join("?" for _ in channels)
        return list(
            self.db.query(
                "SELECT r.id, r.channel, r.user_id, (SELECT count(*) FROM answers a WHERE a.respondent_id = r.id)"
                " AS answered FROM respondents r WHERE r.status = 'in_progress' AND r.channel IN (" + marks + ")"
                " AND (r.channel != 'msteams' OR EXISTS (SELECT 1 FROM teams_references t WHERE t.user_id = r.user_id))"
                " AND NOT EXISTS (SELECT 1 FROM reminder_log l WHERE l.channel = r.channel AND l.user_id = r.user_id"
                " AND l.sent_at > ?) ORDER BY r.id",
                [*channels, not_since],
            )
        )

    def log_reminder(self, channel: str, user_id: str, now: str) -> None:
        """Record that a reminder was sent."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO reminder_log (channel, user_id, sent_at) VALUES (?, ?, ?)", (channel, user_id, now)
            )

    def reminders_sent(self, channel: str, user_id: str) -> list[str]:
        """When reminders were sent to one person, oldest first."""
        rows = self.conn.execute(
            "SELECT sent_at FROM reminder_log WHERE channel = ? AND user_id = ? ORDER BY id", (channel, user_id)
        )
        return [row[0] for row in rows]
