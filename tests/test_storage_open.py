"""Opening the database (storage/_open.py): clear errors, read-only opening, the schema version check."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from bot import Engine, Inbound
from storage import SchemaTooNew, StorageError, Store
from storage._open import KNOWN_MIGRATIONS, describe
from storage._schema import migrations


def _older_database(path: Path) -> None:
    """A database at schema 1 (only the first migration applied), as an old elp-bot left it."""
    db = Database(path)
    migrations.apply(db, stop_before=KNOWN_MIGRATIONS[1])
    db["respondents"].insert(
        {"channel": "c", "user_id": "u", "status": "in_progress", "started_at": "t", "updated_at": "t"}
    )
    db.close()


def test_read_only_store_migrates_an_older_schema_in_memory_only(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _older_database(path)
    before = path.read_bytes()
    store = Store.open(path, read_only=True)
    try:
        assert [r["user_id"] for r in store.respondents()] == ["u"]
        assert "schools" in store.db.table_names()  # the newer tables exist, in the private copy
    finally:
        store.close()
    assert path.read_bytes() == before


def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    Store.open(tmp_path / "a.db").close()
    store = Store.open(tmp_path / "a.db", read_only=True)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.conn.execute("DELETE FROM respondents")
    finally:
        store.close()


def test_read_only_open_of_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="no database at"):
        Store.open(tmp_path / "none.db", read_only=True)
    assert list(tmp_path.iterdir()) == []


def test_13_14_engine_open_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "elp.db"
    engine = Engine.open(path)
    engine.handle(Inbound("test", "u1", text="hi"))
    engine.close()
    with sqlite3.connect(path) as conn:
        for n in range(len(KNOWN_MIGRATIONS) + 1, 13):
            conn.execute(
                "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('elp', ?, '')",
                (f"m{n:03d}_future",),
            )
    conn.close()
    message = (
        f"{path} was written by a newer version of elp-bot (schema 12; this version knows {len(KNOWN_MIGRATIONS)})"
    )
    with pytest.raises(
        SchemaTooNew, match=r"^" + message.replace("(", r"\(").replace(")", r"\)") + ": upgrade elp-bot$"
    ):
        Engine.open(path)
    with pytest.raises(SchemaTooNew):
        Store.open(path, read_only=True)


def test_another_migration_set_does_not_count(tmp_path: Path) -> None:
    path = tmp_path / "elp.db"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('plugin', 'p1', '')")
    conn.close()
    Store.open(path).close()


@pytest.mark.parametrize(
    ("error", "says"),
    [
        ("SQLITE_NOTADB", "is not an SQLite database"),
        ("SQLITE_CORRUPT", "is damaged"),
        ("SQLITE_FULL", "is full"),
        ("SQLITE_READONLY", "make the file and its folder writable"),
        ("SQLITE_BUSY", "stayed locked"),
    ],
)
def test_describe_says_what_to_do(error: str, says: str) -> None:
    exc = sqlite3.OperationalError("boom")
    exc.sqlite_errorname = error  # type: ignore[attr-defined]
    assert says in describe(exc, "elp.db") and "\n" not in describe(exc, "elp.db")
