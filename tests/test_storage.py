"""Storage: migrations, pragmas, transactions, the audit trail, references, two processes on one file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from storage import Answer, ReadOnlyTransaction, Store
from storage._schema import migrations


@pytest.fixture
def store(tmp_path: Path):
    opened = Store.open(tmp_path / "s.db")
    yield opened
    opened.close()


def test_schema_and_pragmas(store: Store) -> None:
    assert {"conversations", "respondents", "answers", "answer_log", "inbound_seen"} <= set(store.db.table_names())
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000


def test_migrations_apply_once(tmp_path: Path) -> None:
    for _ in range(3):
        Store.open(tmp_path / "m.db").close()
    conn = sqlite3.connect(tmp_path / "m.db")
    names = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    conn.close()
    assert names[:2] == ["m001_initial", "m002_schools_and_unanswered"]
    assert len(names) == len(set(names)), "each migration applied once"
    store = Store.open(tmp_path / "m.db")
    assert migrations.pending(store.db) == []
    store.close()


def test_answers_upsert_and_log_every_change(store: Store) -> None:
    with store.transaction():
        rid = store.create_respondent("test", "u", None, "t0")
        store.save_answer(rid, "q1", choice="yes", comment=None, now="t1", after_submission=False)
        store.save_answer(rid, "q1", choice="no", comment="why", now="t2", after_submission=True)
    assert store.answers(rid) == {"q1": Answer("no", "why", "t2")}
    assert [(r["choice"], r["at"], r["after_submission"]) for r in store.answer_log(rid)] == [
        ("yes", "t1", 0),
        ("no", "t2", 1),
    ]


def test_audit_log_cannot_be_edited(store: Store) -> None:
    with store.transaction():
        rid = store.create_respondent("test", "u", None, "t0")
        store.save_answer(rid, "q1", choice="yes", comment=None, now="t1", after_submission=False)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"), store.transaction():
        store.conn.execute("UPDATE answer_log SET choice = 'no'")
    assert store.answer_log(rid)[0]["choice"] == "yes"


def test_transaction_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.create_respondent("test", "u", None, "t0")
        raise RuntimeError("boom")
    assert store.respondents() == []


def test_claim_message_once(store: Store) -> None:
    with store.transaction():
        assert store.claim_message("telegram", "1001", "t")
        assert not store.claim_message("telegram", "1001", "t")
        assert store.claim_message("slack", "1001", "t")


def test_references_count_up(store: Store) -> None:
    with store.transaction():
        for n in range(1, 4):
            rid = store.create_respondent("test", f"u{n}", None, "t")
            store.update_respondent(rid, "t", reference=store.next_reference("ELP-2026"), status="submitted")
    assert [r["reference"] for r in store.respondents()] == ["ELP-2026-0001", "ELP-2026-0002", "ELP-2026-0003"]


def test_update_respondent_refuses_unknown_fields(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown respondent fields"):
        store.update_respondent(1, "t", id=5)


WRITER = textwrap.dedent(
    """
    import datetime as dt, sys
    from bot import Engine, Inbound
    clock = lambda: dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
    engine = Engine.open(sys.argv[1], clock=clock)
    channel = sys.argv[2]
    for n in range(int(sys.argv[3])):
        user = f"{channel}-{n}"
        send = lambda **kw: engine.handle(Inbound(channel, user, **kw))
        replies = send(text="hi")
        replies = send(action=replies[-1].buttons[0].action)
        send(text="School " + user)
        for _ in range(3):
            replies = send(text="1")
        replies = send(text="2")
        for _ in range(5):
            replies = send(text="yes")
    engine.close()
    """
)


def test_two_processes_share_one_file(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    users = 15
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db), channel, str(users)], stderr=subprocess.PIPE)
        for channel in ("telegram", "slack")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    store = Store.open(db)
    try:
        respondents = store.respondents()
        assert len(respondents) == 2 * users
        answers = store.all_answers()
        for respondent in respondents:
            mine = answers[respondent["id"]]
            assert set(mine) == {"q1", "q2", "q3", "q4", "q5.1"}, respondent
            assert respondent["school"] == f"School {respondent['user_id']}"
    finally:
        store.close()


OPENER = "import sys; from storage import Store; Store.open(sys.argv[1]).close()"


def test_processes_creating_the_same_new_file_at_once(tmp_path: Path) -> None:
    """Switching to WAL does not wait for locks by itself; opening must retry rather than fail."""
    for attempt in range(4):
        db = tmp_path / f"new-{attempt}.db"
        procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(db)], stderr=subprocess.PIPE) for _ in range(4)]
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err.decode()


def _submit(store: Store, user: str) -> str:
    with store.transaction():
        rid = store.create_respondent("test", user, None, "t")
        reference = store.next_reference("ELP-2026")
        store.update_respondent(rid, "t", reference=reference, status="submitted")
    return reference


def test_references_are_never_reused_after_an_erasure(store: Store) -> None:
    assert _submit(store, "alice") == "ELP-2026-0001"
    with store.transaction():
        store.erase_person("test", "alice")
    assert _submit(store, "bob") == "ELP-2026-0002"
    assert _submit(store, "carol") == "ELP-2026-0003"


def test_reference_sequence_carries_on_from_references_already_given(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = Store.open(path)
    with store.transaction():
        rid = store.create_respondent("test", "old", None, "t")
        store.update_respondent(rid, "t", reference="ELP-2026-0041", status="submitted")
        store.conn.execute("DELETE FROM reference_sequence")
        store.conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_results_reference_sequence'")
        store.conn.execute("DROP TABLE reference_sequence")
        store.conn.execute("ALTER TABLE respondents DROP COLUMN pupils")
    store.close()
    store = Store.open(path)  # m004 runs again, as on a database from before it
    assert _submit(store, "new") == "ELP-2026-0042"
    store.close()


def test_erasure_leaves_no_copy_in_the_database_or_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    store = Store.open(path)
    assert store.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    secrets = ("chat-id-7731-zq", "Zebedee Quarrington", "pupils-1462-state", "comment-Xylophonic")
    with store.transaction():
        store.claim_message("test", "msg-1", "t", user_id=secrets[0])
        rid = store.create_respondent("test", secrets[0], secrets[1], "t")
        store.update_respondent(rid, "t", name=secrets[1], pupils=1462)
        store.save_conversation(
            "test", secrets[0], respondent_id=rid, display_name=secrets[1], state=f'{{"p": "{secrets[2]}"}}', now="t"
        )
        store.save_answer(rid, "q1", choice="yes", comment=secrets[3], now="t", after_submission=False)
    for n in range(3):  # more versions of the conversation row in the WAL
        with store.transaction():
            store.save_conversation(
                "test", secrets[0], respondent_id=rid, display_name=None, state=secrets[2] * n, now="t"
            )
    other = sqlite3.connect(path)  # a second process with the file open
    assert other.execute("SELECT count(*) FROM respondents").fetchone()[0] == 1

    def stored_bytes() -> bytes:
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())

    assert all(s.encode() in stored_bytes() for s in secrets), "the values are on disk before the erasure"
    with store.transaction():
        store.erase_person("test", secrets[0])
    left = stored_bytes()
    assert [s for s in secrets if s.encode() in left] == []
    assert other.execute("SELECT count(*) FROM respondents").fetchone()[0] == 0
    other.close()
    store.close()


def test_nested_transactions_are_savepoints(store: Store) -> None:
    with store.transaction():
        rid = store.create_respondent("t", "outer", None, "t0")
        with pytest.raises(RuntimeError), store.transaction():
            store.create_respondent("t", "inner", None, "t0")
            raise RuntimeError("the inner block fails")
        with store.transaction():
            store.update_respondent(rid, "t1", name="kept")
    assert [r["user_id"] for r in store.respondents()] == ["outer"], "only the inner block rolled back"
    assert store.respondent(rid)["name"] == "kept"


def test_read_transaction_refuses_writes_and_takes_no_write_lock(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "r.db")
    other = sqlite3.connect(tmp_path / "r.db", timeout=0.1, isolation_level=None)
    try:
        with store.transaction(write=False):
            assert store.conversation("t", "u") is None
            other.execute("BEGIN IMMEDIATE")  # another writer is not blocked by a reader
            other.execute("INSERT INTO inbound_seen (channel, message_id, at) VALUES ('t', 'x', 't')")
            other.execute("COMMIT")
            with pytest.raises(ReadOnlyTransaction):
                store.claim_message("t", "m1", "t0", "u")
        assert not store.conn.in_transaction
        with store.transaction():
            assert store.claim_message("t", "m1", "t0", "u")
        assert store.seen_message("t", "m1") and store.seen_message("t", "x")
    finally:
        other.close()
        store.close()


def test_erasure_while_another_process_reads_neither_stalls_nor_leaves_a_copy(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    store = Store.open(path)
    secret = "comment-Quixotic-4417"
    with store.transaction():
        rid = store.create_respondent("test", "reader-race", None, "t")
        store.save_answer(rid, "q1", choice="no", comment=secret, now="t", after_submission=False)
    reader = sqlite3.connect(path, isolation_level=None)  # an export in another process, mid-read
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM answers").fetchone()[0] == 1

    def wal() -> bytes:
        return Path(f"{path}-wal").read_bytes()

    started = time.monotonic()
    with store.transaction():
        store.erase_person("test", "reader-race")
    assert time.monotonic() - started < 2, "the erasing turn waited for the reader instead of moving on"
    assert secret.encode() in wal(), "the reader's snapshot still needs the old pages"
    reader.execute("COMMIT")
    time.sleep(1.1)  # CHECKPOINT_RETRY_SECONDS
    with store.transaction():  # the next turn's commit completes the checkpoint the erasure owes
        store.claim_message("test", "next-turn", "t")
    assert secret.encode() not in wal() + path.read_bytes()
    reader.close()
    store.close()


def test_a_checkpoint_still_owed_is_done_at_close(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = Store.open(path)
    with store.transaction():
        store.create_respondent("test", "closer-Zq81", None, "t")
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM respondents").fetchone()
    with store.transaction():
        store.erase_person("test", "closer-Zq81")
    reader.execute("COMMIT")  # still connected, idle: closing the store is not the file's last close
    store.close()
    assert b"closer-Zq81" not in Path(f"{path}-wal").read_bytes() + path.read_bytes()
    reader.close()


def test_keep_unsent_trims_an_unsent_batch_only(store: Store) -> None:
    """fix-chan: part of a batch was sent: only the rest stays; a batch already marked sent is not revived."""
    with store.transaction():
        batch = store.add_outbox("slack", "U1", "ev:1", '["a", "b"]', "2026-01-01T00:00:00")
        store.keep_unsent(batch, '["b"]')
    assert store.unsent_for("slack", "ev:1")["replies"] == '["b"]'
    with store.transaction():
        store.mark_sent(batch, "2026-01-01T00:00:01")
        store.keep_unsent(batch, '["b"]')
    assert store.unsent("slack") == [] and store.conn.execute("SELECT replies FROM outbox").fetchone()[0] == "[]"
