"""Opening the database file: one clear error per unusable path, read-only opening, the schema version check."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from storage._schema import migrations

# Every migration this code knows, in order (pending() on an empty database lists them all; public API).
KNOWN_MIGRATIONS = tuple(m.name for m in migrations.pending(Database(memory=True)))
_WHERE = "--db / ELP_DB"


class StorageError(Exception):
    """The database cannot be used as asked; the message says what failed and how to fix it, in one line."""


class SchemaTooNew(StorageError):
    """The database was written by a newer elp-bot: more migrations applied than this code knows."""


def is_memory(path: str | Path) -> bool:
    """Whether `path` names an in-memory database rather than a file."""
    return str(path) in {":memory:", ""}


def check_path(path: str | Path, *, read_only: bool) -> None:
    """Refuse, before SQLite touches anything, a path that cannot work: missing folder, a folder, read-only."""
    if is_memory(path):
        return
    file = Path(path)
    folder = file.absolute().parent
    if file.is_dir():
        raise StorageError(f"{file} is a folder, not a database file: set {_WHERE} to a file")
    if not folder.is_dir():
        raise StorageError(f"cannot open {file}: the folder {folder} does not exist: create it or set {_WHERE}")
    if read_only:
        if not file.exists():
            raise StorageError(f"no database at {file} (set {_WHERE})")
        if not os.access(file, os.R_OK):
            raise StorageError(f"cannot read {file}: permission denied: make it readable or set {_WHERE}")
        return
    if not file.exists():
        if not os.access(folder, os.W_OK):
            raise StorageError(
                f"cannot create {file}: the folder {folder} is read-only: make it writable or set {_WHERE}"
            )
        return
    if not os.access(file, os.W_OK):
        raise StorageError(f"{file} is read-only: make it writable (this command saves to it) or set {_WHERE}")
    if not os.access(folder, os.W_OK):
        raise StorageError(
            f"cannot write {file}: SQLite keeps {file.name}-wal and {file.name}-shm next to it and the folder "
            f"{folder} is read-only: make the folder writable or move the database"
        )


def describe(exc: BaseException, path: str | Path) -> str:
    """One line saying what went wrong with the database at `path` and how to fix it."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    code = getattr(exc, "errno", None)
    if name == "SQLITE_NOTADB":
        return f"{path} is not an SQLite database (SQLite says: {exc}): check {_WHERE} names the elp-bot database"
    if name.startswith("SQLITE_CORRUPT"):
        return f"{path} is damaged (SQLite says: {exc}): restore it from a backup"
    if name == "SQLITE_FULL" or code == errno.ENOSPC:
        return f"the disk holding {path} is full: free some space and try again (nothing was saved)"
    if name.startswith("SQLITE_READONLY") or code in {errno.EACCES, errno.EPERM, errno.EROFS}:
        return f"cannot write {path} ({exc}): make the file and its folder writable or set {_WHERE}"
    if name.startswith("SQLITE_CANTOPEN"):
        return f"cannot open {path} ({exc}): check the file and its folder exist and are readable, or set {_WHERE}"
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED"):
        return f"{path} stayed locked by another process ({exc}): try again when it has finished"
    return f"cannot use {path}: {exc}"


def check_schema(db: Database, path: str | Path) -> list[str]:
    """Refuse a database from a newer elp-bot, or a foreign SQLite file; return the migrations still to apply."""
    applied = [m.name for m in migrations.applied(db)]
    unknown = [name for name in applied if name not in KNOWN_MIGRATIONS]
    if unknown:
        raise SchemaTooNew(
            f"{path} was written by a newer version of elp-bot (schema {len(applied)}; this version knows "
            f"{len(KNOWN_MIGRATIONS)}): upgrade elp-bot"
        )
    if not applied and any(not t.startswith("sqlite_") for t in db.table_names()):
        raise StorageError(f"{path} is an SQLite database but not an elp-bot one: check {_WHERE}")
    return [name for name in KNOWN_MIGRATIONS if name not in applied]


def _read_only_uri(path: str | Path, *, immutable: bool) -> str:
    return f"file:{quote(str(Path(path).absolute()))}?mode=ro" + ("&immutable=1" if immutable else "")


def _has_unmerged_wal(path: str | Path) -> bool:
    wal = Path(f"{path}-wal")
    return wal.exists() and wal.stat().st_size > 0


def connect_read_only(path: str | Path, timeout: float) -> sqlite3.Connection:
    """A read-only connection (no migrations, no journal-mode switch, nothing written to the file).

    A WAL database in a folder this process cannot write needs its -shm file, which SQLite cannot
    create there (SQLITE_READONLY_DIRECTORY). If no -wal file holds unmerged changes, the file alone
    is the whole database, so it is opened as immutable instead; if one does, the two are merged in a
    private temporary copy and read into memory.
    """
    check_path(path, read_only=True)
    conn = sqlite3.connect(
        _read_only_uri(path, immutable=False), uri=True, timeout=timeout, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.Error as exc:
        conn.close()
        cannot_share = getattr(exc, "sqlite_errorname", "") in {"SQLITE_READONLY_DIRECTORY", "SQLITE_CANTOPEN"}
        if not cannot_share:
            raise StorageError(describe(exc, path)) from None
        if _has_unmerged_wal(path):
            return _merged_in_memory(path, exc)
    conn = sqlite3.connect(
        _read_only_uri(path, immutable=True), uri=True, timeout=timeout, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        conn.close()
        raise StorageError(describe(exc, path)) from None
    return conn


def _merged_in_memory(path: str | Path, cause: sqlite3.Error) -> sqlite3.Connection:
    """A WAL snapshot (file and -wal, no -shm) in a folder we cannot write: merged in a private temporary
    folder and read into memory, so the changes still in the -wal are not lost. Nothing is written next to it."""
    try:
        with tempfile.TemporaryDirectory(prefix="elp-snapshot-") as folder:
            copy = Path(folder) / "snapshot.db"
            shutil.copyfile(path, copy)
            shutil.copyfile(f"{path}-wal", f"{copy}-wal")
            disk = sqlite3.connect(copy, isolation_level=None)
            try:
                memory = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
                disk.backup(memory)
            finally:
                disk.close()
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(describe(exc if isinstance(exc, sqlite3.Error) else cause, path)) from None
    return memory


def check_before_writing(path: str | Path, timeout: float) -> None:
    """Look at an existing file read-only first: a foreign or newer database is refused before anything is written.

    (Switching a file to WAL rewrites its header, so this cannot wait for the read-write connection.)
    """
    if is_memory(path) or not Path(path).is_file() or Path(path).stat().st_size == 0:
        return
    conn = connect_read_only(path, timeout)
    try:
        check_schema(Database(conn, execute_plugins=False), path)
    except sqlite3.Error as exc:
        raise StorageError(describe(exc, path)) from None
    finally:
        conn.close()


def open_read_only(path: str | Path, timeout: float) -> Database:
    """The database at `path`, read-only; an older schema is migrated in a private in-memory copy, never on disk."""
    conn = connect_read_only(path, timeout)
    try:
        db = Database(conn, execute_plugins=False)
        if not check_schema(db, path):
            return db
        copy = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        conn.backup(copy)
    except sqlite3.Error as exc:
        conn.close()
        raise StorageError(describe(exc, path)) from None
    except BaseException:
        conn.close()
        raise
    conn.close()
    db = Database(copy, execute_plugins=False)
    migrations.apply(db)
    return db
