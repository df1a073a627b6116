"""SQLite storage for conversations, respondents and answers (sqlite-utils, WAL, one transaction per turn)."""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from storage._open import (
    SchemaTooNew,
    StorageError,
    check_before_writing,
    check_path,
    check_schema,
    describe,
    open_read_only,
)
from storage._schema import migrations

__all__ = ["PRAGMAS", "Answer", "ReadOnlyTransaction", "SchemaTooNew", "StorageError", "Store", "Summary", "connect"]

# The same pragmas are used by bench/ for its raw-commit baseline, so the comparison is fair.
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA secure_delete=ON",  # deleted rows are overwritten with zeros, not left in free pages
)
BUSY_TIMEOUT_SECONDS = 15.0
CHECKPOINT_WAIT_MS = 200  # how long the checkpoint after an erasure waits for other readers before retrying later
CHECKPOINT_RETRY_SECONDS = 1.0  # and how long until it is tried again (after a later commit, or at close)


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


class ReadOnlyTransaction(Exception):
    """A write was attempted inside a read transaction: run the work again in a write transaction."""


class Store:
    """All reads and writes the engine, exports and reports make. Not thread-safe: callers serialise."""

    def __init__(self, db: Database):
        self.db = db
        self.conn = db.conn
        self._checkpoint_due = False  # set by an erasure: truncate the WAL once the transaction commits
        self._next_checkpoint = 0.0  # after a checkpoint a reader blocked, the next try waits until then (monotonic)
        self._read_only = False

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False) -> Store:
        """Open (creating and migrating as needed) the database at `path`; ':memory:' works for tests.

        `read_only` opens an existing file without writing anything to it (exports, reports). Any
        problem with the file raises StorageError with one line saying what failed and how to fix it;
        a database from a newer elp-bot raises SchemaTooNew.
        """
        if read_only:
            return cls(open_read_only(path, BUSY_TIMEOUT_SECONDS))
        check_path(path, read_only=False)
        check_before_writing(path, BUSY_TIMEOUT_SECONDS)
        try:
            conn = connect(path)
        except sqlite3.Error as exc:
            raise StorageError(describe(exc, path)) from None
        store = cls(Database(conn, execute_plugins=False))
        try:
            # One immediate transaction around all migrations: a second process opening a new file at
            # the same moment waits, then finds them applied. sqlite-utils nests its own steps as savepoints.
            with store.transaction():
                check_schema(store.db, path)
                migrations.apply(store.db)
        except (sqlite3.Error, OSError) as exc:
            store.close()
            raise StorageError(describe(exc, path)) from None
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close the connection (after one more try at a checkpoint an erasure still owes)."""
        if self._checkpoint_due and not self.conn.in_transaction:
            self._truncate_wal()
        self.db.close()

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[None]:
        """One transaction; nested calls become savepoints (sqlite-utils' `atomic()`).

        The outermost write transaction is taken up front (BEGIN IMMEDIATE) so concurrent writers
        queue rather than fail. `write=False` opens a read transaction (BEGIN DEFERRED) that never
        takes the write lock: any write inside it raises `ReadOnlyTransaction` instead, so the
        caller can start again as a writer (never upgrading a read snapshot, which in WAL mode can
        fail at once with SQLITE_BUSY_SNAPSHOT).
        """
        if self.conn.in_transaction:
            with self.db.atomic():
                yield
            return
        self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN DEFERRED")
        self._read_only = not write
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
            if self._checkpoint_due and time.monotonic() >= self._next_checkpoint:
                self._truncate_wal()
        finally:
            self._read_only = False

    def _truncate_wal(self) -> None:
        """Copy the WAL into the database and truncate it, so erased values leave no old copies behind.

        A reader still holding an older snapshot (an export running in another process) stops the
        checkpoint: it is then waited for only briefly, never the full busy timeout (a turn must not
        stall everyone), and tried again after the next commit and at close until it completes.
        """
        self.conn.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            row = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.OperationalError:  # locked by a writer in another process: try again later
            row = (1, -1, -1)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        self._checkpoint_due = bool(row and row[0])
        self._next_checkpoint = time.monotonic() + CHECKPOINT_RETRY_SECONDS

    def _write(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one writing statement; refused inside a read transaction (see `transaction`)."""
        if self._read_only:
            raise ReadOnlyTransaction(sql.split(None, 1)[0])
        return self.conn.execute(sql, params)

    # ------------------------------------------------------------ inbound de-duplication

    def claim_message(self, channel: str, message_id: str, now: str, user_id: str | None = None) -> bool:
        """Record an inbound message id; False if it was already processed (a duplicate delivery)."""
        cursor = self._write(
            "INSERT OR IGNORE INTO inbound_seen (channel, message_id, at, user_id) VALUES (?, ?, ?, ?)",
            (channel, message_id, now, user_id),
        )
        return cursor.rowcount == 1

    def seen_message(self, channel: str, message_id: str) -> bool:
        """Whether this inbound message id was already processed (a read: claims nothing)."""
        row = self.conn.execute(
            "SELECT 1 FROM inbound_seen WHERE channel = ? AND message_id = ?", (channel, message_id)
        ).fetchone()
        return row is not None

    # ------------------------------------------------------------ the outbox (adapters branch)

    def add_outbox(self, channel: str, user_id: str, message_id: str | None, replies: str, now: str) -> int:
        """Keep one turn's serialised replies until they are sent; returns the batch id."""
        cursor = self._write(
            "INSERT INTO outbox (channel, user_id, message_id, replies, created_at) VALUES (?, ?, ?, ?, ?)",
            (channel, user_id, message_id, replies, now),
        )
        return int(cursor.lastrowid or 0)

    def unsent_for(self, channel: str, message_id: str) -> dict[str, Any] | None:
        """The unsent batch for one inbound message id, if any."""
        rows = self.db.query(
            "SELECT * FROM outbox WHERE channel = ? AND message_id = ? AND sent_at IS NULL ORDER BY id LIMIT 1",
            [channel, message_id],
        )
        return next(iter(rows), None)

    def unsent(self, channel: str) -> list[dict[str, Any]]:
        """Every unsent batch on a channel, oldest first."""
        return list(self.db.query("SELECT * FROM outbox WHERE channel = ? AND sent_at IS NULL ORDER BY id", [channel]))

    def mark_sent(self, batch_id: int, now: str) -> None:
        """Record that a batch was sent (or given up on); its text is dropped, no longer needed (data minimisation)."""
        self._write("UPDATE outbox SET sent_at = ?, replies = '[]' WHERE id = ?", (now, batch_id))

    def keep_unsent(self, batch_id: int, replies: str) -> None:
        """Part of a batch was sent: keep only the replies still to send (fix-chan: no duplicate after a crash)."""
        self._write("UPDATE outbox SET replies = ? WHERE id = ? AND sent_at IS NULL", (replies, batch_id))

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
        self._write(
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
        cursor = self._write(
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
            "pupils",
        }
    )

    def update_respondent(self, respondent_id: int, now: str, **fields: Any) -> None:
        """Set some respondent fields and touch updated_at."""
        unknown = set(fields) - self._RESPONDENT_FIELDS
        if unknown:
            raise ValueError(f"unknown respondent fields: {sorted(unknown)}")
        assignments = "".join(f"{name} = ?, " for name in fields)
        self._write(
            f"UPDATE respondents SET {assignments}updated_at = ? WHERE id = ?",
            (*fields.values(), now, respondent_id),
        )

    def next_reference(self, prefix: str) -> str:
        """The next reference number, e.g. ELP-2026-0042, from a sequence that never goes back.

        Call inside the submitting transaction; a number freed by an erasure is never handed out again.
        """
        (last,) = self._write(
            "INSERT INTO reference_sequence (prefix, last) VALUES (?, 1)"
            " ON CONFLICT (prefix) DO UPDATE SET last = last + 1 RETURNING last",
            (prefix,),
        ).fetchone()
        return f"{prefix}-{last:04d}"

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
        self._write(
            "INSERT INTO answers (respondent_id, question_id, choice, comment, answered_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (respondent_id, question_id) DO UPDATE SET choice = excluded.choice,"
            " comment = excluded.comment, answered_at = excluded.answered_at",
            (respondent_id, question_id, choice, comment, now),
        )
        self._write(
            "INSERT INTO answer_log (respondent_id, question_id, choice, comment, at, after_submission)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (respondent_id, question_id, choice, comment, now, int(after_submission)),
        )

    # ------------------------------------------------------------ questions the assistant could not answer

    def log_unanswered(
        self, channel: str | None, user_id: str | None, question: str, normalised: str, suggestions: str, now: str
    ) -> None:
        """Record a question that got no confident answer, for the ELP team."""
        self._write(
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

    def unanswered_groups(self) -> int:
        """How many different (normalised) questions went unanswered."""
        return int(self.conn.execute("SELECT count(DISTINCT normalised) FROM unanswered").fetchone()[0])

    # ------------------------------------------------------------ erasure (UK GDPR)

    def erase_person(self, channel: str, user_id: str) -> dict[str, int]:
        """Delete everything about one person on one channel; returns rows deleted per table."""
        row = self.conn.execute(
            "SELECT id FROM respondents WHERE channel = ? AND user_id = ?", (channel, user_id)
        ).fetchone()
        deleted: dict[str, int] = {}
        if row is not None:
            for table in ("answer_log", "answers"):
                deleted[table] = self._write(f"DELETE FROM {table} WHERE respondent_id = ?", (row[0],)).rowcount
            deleted["respondents"] = self._write("DELETE FROM respondents WHERE id = ?", (row[0],)).rowcount
        for table in ("conversations", "unanswered", "inbound_seen", "outbox", "reminder_log", "web_messages"):
            deleted[table] = self._write(
                f"DELETE FROM {table} WHERE channel = ? AND user_id = ?", (channel, user_id)
            ).rowcount
        if channel == "msteams":  # teams branch: references and sent cards are keyed by the Teams user only
            for table in ("teams_references", "teams_cards"):
                deleted[table] = self._write(f"DELETE FROM {table} WHERE user_id = ?", (user_id,)).rowcount
        # secure_delete zeroes the freed space; the old page images still in the WAL go at the checkpoint.
        self._checkpoint_due, self._next_checkpoint = True, 0.0
        if not self.conn.in_transaction:
            self._truncate_wal()
        return deleted

    # ------------------------------------------------------------ reading for exports and reports

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

    def responses(self) -> Iterator[tuple[dict[str, Any], dict[str, Answer]]]:
        """(respondent row, their answers by question id) for every respondent, oldest first, streamed.

        One query, read as it goes: memory stays flat however many respondents there are.
        """
        cursor = self.conn.execute(
            "SELECT r.*, a.question_id AS _qid, a.choice AS _choice, a.comment AS _comment,"
            " a.answered_at AS _at FROM respondents r LEFT JOIN answers a ON a.respondent_id = r.id"
            " ORDER BY r.id"
        )
        columns = [c[0] for c in cursor.description]
        width = columns.index("_qid")
        current: dict[str, Any] | None = None
        answers: dict[str, Answer] = {}
        for row in cursor:
            if current is None or current["id"] != row[0]:
                if current is not None:
                    yield current, answers
                current, answers = dict(zip(columns[:width], row[:width], strict=True)), {}
            if row[width] is not None:
                answers[row[width]] = Answer(row[width + 1], row[width + 2], row[width + 3])
        if current is not None:
            yield current, answers

    def choice_counts(self) -> list[tuple[str, str | None, str | None, str, int]]:
        """(question id, school type, role, choice, count) for every answered choice, counted in SQL."""
        return self.conn.execute(
            "SELECT a.question_id, r.school_type, r.role, a.choice, count(*) FROM answers a"
            " JOIN respondents r ON r.id = a.respondent_id WHERE a.choice IS NOT NULL"
            " GROUP BY a.question_id, r.school_type, r.role, a.choice"
        ).fetchall()

    def quotable_comments(self, question_id: str | None = None) -> Iterator[dict[str, Any]]:
        """Comments from respondents who allowed quoting (named or anonymous), streamed by respondent.

        The school comes only with "named" consent; `question_id` limits it to one question.
        """
        only = " AND a.question_id = ?" if question_id is not None else ""
        return self.db.query(
            "SELECT a.question_id, a.choice, a.comment, r.school_type, r.role, r.quote_consent,"
            " CASE WHEN r.quote_consent = 'named' THEN r.school END AS school FROM answers a"
            " JOIN respondents r ON r.id = a.respondent_id"
            " WHERE r.quote_consent IN ('named', 'anonymous') AND a.comment IS NOT NULL AND a.comment != ''"
            f"{only} ORDER BY r.id, a.question_id",
            [question_id] if question_id is not None else [],
        )

    def quotable_comment_counts(self) -> dict[str, int]:
        """How many quotable comments each question has (the same rule as `quotable_comments`)."""
        return dict(
            self.conn.execute(
                "SELECT a.question_id, count(*) FROM answers a JOIN respondents r ON r.id = a.respondent_id"
                " WHERE r.quote_consent IN ('named', 'anonymous') AND a.comment IS NOT NULL AND a.comment != ''"
                " GROUP BY a.question_id"
            ).fetchall()
        )

    def summary(self) -> Summary:
        """Headline counts: respondents, submitted, in progress, member schools responded, by type and role."""
        result = Summary()
        for school_type, role, submitted, count in self.conn.execute(
            "SELECT coalesce(school_type, 'unknown'), coalesce(role, 'unknown'), status = 'submitted', count(*)"
            " FROM respondents GROUP BY 1, 2, 3"
        ):
            result.respondents += count
            result.submitted += count if submitted else 0
            result.in_progress += 0 if submitted else count
            result.by_type[school_type] += count
            result.by_role[role] += count
        result.members, result.members_responded, result.members_submitted = self.conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE urn IN (SELECT school_urn FROM respondents)),"
            " count(*) FILTER (WHERE urn IN (SELECT school_urn FROM respondents WHERE status = 'submitted'))"
            " FROM schools WHERE member = 1 AND open = 1"
        ).fetchone()
        return result

    _STATUS_BY_SCHOOL = (
        "SELECT s.urn, s.name, s.fee_band, count(r.id) AS respondents,"
        " CASE WHEN max(r.status = 'submitted') THEN 'submitted'"
        " WHEN count(r.id) THEN 'in_progress' ELSE 'not_started' END AS status"
        " FROM schools s LEFT JOIN respondents r ON r.school_urn = s.urn WHERE s.open = 1"
    )

    def school_statuses(self) -> list[dict[str, Any]]:
        """Every member school (or every open school if none are marked) with its response status."""
        marked = self.conn.execute("SELECT count(*) FROM schools WHERE member = 1").fetchone()[0]
        return list(
            self.db.query(
                self._STATUS_BY_SCHOOL + (" AND s.member = 1" if marked else "") + " GROUP BY s.urn ORDER BY s.name"
            )
        )

    def non_member_statuses(self) -> list[dict[str, Any]]:
        """Open directory schools that are not members but have respondents (only when members are marked)."""
        return list(
            self.db.query(
                self._STATUS_BY_SCHOOL + " AND s.member = 0 AND EXISTS (SELECT 1 FROM schools WHERE member = 1)"
                " GROUP BY s.urn HAVING count(r.id) > 0 ORDER BY s.name"
            )
        )

    def respondents_outside_directory(self) -> list[dict[str, Any]]:
        """Respondents whose school is not an open school in the directory: typed name, type, status."""
        return list(
            self.db.query(
                "SELECT r.id, r.school, r.school_type, r.role, r.status, r.reference FROM respondents r"
                " WHERE r.school_urn IS NULL OR r.school_urn NOT IN (SELECT urn FROM schools WHERE open = 1)"
                " ORDER BY r.school COLLATE NOCASE, r.id"
            )
        )

    def answer_log(self, respondent_id: int) -> list[dict[str, Any]]:
        """The audit trail of one respondent, oldest first."""
        return list(self.db.query("SELECT * FROM answer_log WHERE respondent_id = ? ORDER BY id", [respondent_id]))

    # ------------------------------------------------------------ the school directory

    def schools(self, *, members_only: bool = False, include_closed: bool = False) -> list[dict[str, Any]]:
        """Schools in the directory, by name."""
        where = []
        if not include_closed:
            where.append("open = 1")
        if members_only:
            where.append("member = 1")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return list(self.db.query(f"SELECT * FROM schools{clause} ORDER BY name"))

    def school(self, urn: str) -> dict[str, Any] | None:
        """One school by URN, or None."""
        return next(iter(self.db.query("SELECT * FROM schools WHERE urn = ?", [urn])), None)

    def school_urns(self) -> set[str]:
        """Every URN in the directory, open or not."""
        return {row[0] for row in self.conn.execute("SELECT urn FROM schools")}

    _SCHOOL_FIELDS = ("urn", "name", "la", "establishment_type", "type_group", "phase", "pupils", "fee_band")

    def upsert_school(self, school: dict[str, Any], now: str) -> None:
        """Insert or update one open school (keeping its member mark)."""
        values = [school[name] for name in self._SCHOOL_FIELDS]
        updates = ", ".join(f"{name} = excluded.{name}" for name in self._SCHOOL_FIELDS[1:])
        self.conn.execute(
            f"INSERT INTO schools ({', '.join(self._SCHOOL_FIELDS)}, open, member, updated_at)"
            f" VALUES ({', '.join('?' for _ in values)}, 1, 0, ?)"
            f" ON CONFLICT (urn) DO UPDATE SET {updates}, open = 1, updated_at = excluded.updated_at",
            (*values, now),
        )

    def mark_school_closed(self, urn: str, now: str) -> None:
        """Mark a school in the directory as no longer open."""
        self._write("UPDATE schools SET open = 0, updated_at = ? WHERE urn = ?", (now, urn))

    def set_members(self, urns: list[str], now: str) -> None:
        """Make exactly these URNs (already in the directory) the member schools."""
        self._write("UPDATE schools SET member = 0, updated_at = ? WHERE member = 1", (now,))
        self.conn.executemany(
            "UPDATE schools SET member = 1, updated_at = ? WHERE urn = ?", [(now, urn) for urn in urns]
        )

    # ------------------------------------------------------------ Teams references and cards, reminders (teams branch)

    def save_teams_reference(self, user_id: str, conversation_id: str, reference: str, now: str) -> None:
        """Keep the latest conversation reference (JSON) of a Teams user, for proactive messages."""
        with self.transaction():
            self._write(
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
            self._write(
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
            self._write(
                "INSERT INTO reminder_log (channel, user_id, sent_at) VALUES (?, ?, ?)", (channel, user_id, now)
            )

    def reminders_sent(self, channel: str, user_id: str) -> list[str]:
        """When reminders were sent to one person, oldest first."""
        rows = self.conn.execute(
            "SELECT sent_at FROM reminder_log WHERE channel = ? AND user_id = ? ORDER BY id", (channel, user_id)
        )
        return [row[0] for row in rows]

    # ------------------------------------------------------------ web channel (branch web): invitations, sessions, chat

    def add_invitation(
        self,
        *,
        token_hash: str,
        user_key: str,
        role: str,
        now: str,
        school_urn: str | None = None,
        school: str | None = None,
        name: str | None = None,
        email: str | None = None,
    ) -> int:
        """Store a new invitation (only its token's hash) and return its id."""
        cursor = self._write(
            "INSERT INTO web_invitations (token_hash, user_key, role, school_urn, school, name, email, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (token_hash, user_key, role, school_urn, school, name, email, now),
        )
        return int(cursor.lastrowid)

    def invitation_by_hash(self, token_hash: str) -> dict[str, Any] | None:
        """The invitation whose token has this hash, if it is not revoked."""
        rows = list(
            self.db.query("SELECT * FROM web_invitations WHERE token_hash = ? AND revoked_at IS NULL", [token_hash])
        )
        return rows[0] if rows else None

    def invitation(self, invitation_id: int) -> dict[str, Any] | None:
        """One invitation by id (revoked or not)."""
        rows = list(self.db.query("SELECT * FROM web_invitations WHERE id = ?", [invitation_id]))
        return rows[0] if rows else None

    def invitations(self) -> list[dict[str, Any]]:
        """Every invitation, oldest first."""
        return list(self.db.query("SELECT * FROM web_invitations ORDER BY id"))

    def revoke_invitation(self, invitation_id: int, now: str) -> bool:
        """Revoke a link and end its sessions; False if there was no such live invitation."""
        cursor = self._write(
            "UPDATE web_invitations SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (now, invitation_id)
        )
        self._write("DELETE FROM web_sessions WHERE invitation_id = ?", (invitation_id,))
        return cursor.rowcount == 1

    def reissue_invitation(self, invitation_id: int, token_hash: str) -> bool:
        """Give an invitation a new token (the old link stops working; the respondent stays the same)."""
        cursor = self._write(
            "UPDATE web_invitations SET token_hash = ?, revoked_at = NULL WHERE id = ?", (token_hash, invitation_id)
        )
        self._write("DELETE FROM web_sessions WHERE invitation_id = ?", (invitation_id,))
        return cursor.rowcount == 1

    def add_web_session(self, id_hash: str, invitation_id: int, csrf: str, now: str) -> None:
        """Store a browser session (only the hash of its cookie value)."""
        self._write(
            "INSERT INTO web_sessions (id_hash, invitation_id, csrf, created_at) VALUES (?, ?, ?, ?)",
            (id_hash, invitation_id, csrf, now),
        )

    def web_session(self, id_hash: str) -> dict[str, Any] | None:
        """A session with its live invitation's fields, or None (unknown, expired link or revoked)."""
        rows = list(
            self.db.query(
                "SELECT s.id_hash, s.csrf, s.created_at AS session_created_at, i.* FROM web_sessions s"
                " JOIN web_invitations i ON i.id = s.invitation_id WHERE s.id_hash = ? AND i.revoked_at IS NULL",
                [id_hash],
            )
        )
        return rows[0] if rows else None

    def web_turn(self, channel: str, user_id: str, client_id: str) -> list[dict[str, Any]] | None:
        """The stored messages of one client message id (inbound first), or None if it was never recorded."""
        rows = list(
            self.db.query(
                "SELECT direction, text, buttons, at FROM web_messages"
                " WHERE channel = ? AND user_id = ? AND client_id = ? ORDER BY id",
                [channel, user_id, client_id],
            )
        )
        return rows or None

    def add_web_turn(
        self, channel: str, user_id: str, client_id: str, messages: list[tuple[str, str, str]], now: str
    ) -> None:
        """Record one turn of the web chat: (direction 'in' or 'out', text, buttons as JSON) in order."""
        for direction, text, buttons in messages:
            self._write(
                "INSERT INTO web_messages (channel, user_id, client_id, direction, text, buttons, at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (channel, user_id, client_id, direction, text, buttons, now),
            )

    def web_history(self, channel: str, user_id: str, limit: int = 500) -> list[dict[str, Any]]:
        """The latest messages of one person's web chat, oldest first."""
        rows = list(
            self.db.query(
                "SELECT client_id, direction, text, buttons, at FROM web_messages"
                " WHERE channel = ? AND user_id = ? ORDER BY id DESC LIMIT ?",
                [channel, user_id, limit],
            )
        )
        return rows[::-1]

    def web_offered(self, channel: str, user_id: str, buttons_fragment: str) -> str | None:
        """The buttons (JSON) of the newest reply shown to this person that contains this fragment, or None."""
        row = self.conn.execute(
            "SELECT buttons FROM web_messages WHERE channel = ? AND user_id = ? AND direction = 'out'"
            " AND instr(buttons, ?) > 0 ORDER BY id DESC LIMIT 1",
            (channel, user_id, buttons_fragment),
        ).fetchone()
        return row[0] if row else None


@dataclass
class Summary:
    """Headline counts for the ELP team."""

    respondents: int = 0
    submitted: int = 0
    in_progress: int = 0
    members: int = 0
    members_responded: int = 0  # member schools with at least one respondent, submitted or not
    members_submitted: int = 0  # member schools with at least one submitted response
    by_type: Counter[str] = field(default_factory=Counter)
    by_role: Counter[str] = field(default_factory=Counter)
