"""Bad environments through the real `elp-bot` process (issue 13 points 13 and 14): one line, status 1, no damage."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from storage import Store
from storage._open import KNOWN_MIGRATIONS
from tests.elp_process import OPEN_ENV, assert_one_line, elp


def digest(folder: Path) -> dict[str, str]:
    """Name → sha256 of every file in a folder, to show nothing was changed.

    An empty -wal and its -shm index, which SQLite creates to read a WAL database, are left out.
    """
    files = [p for p in sorted(folder.iterdir()) if p.is_file()]
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
        if not (p.name.endswith("-shm") or (p.name.endswith("-wal") and p.stat().st_size == 0))
    }


def make_database(path: Path) -> None:
    """A database with one respondent, made through the real chat."""
    result = elp("chat", "--db", str(path), "--user", "u1", cwd=path.parent, env=OPEN_ENV, stdin="1\nMy School\n")
    assert result.returncode == 0, result.stderr


@dataclass
class Lockable:
    """A folder that can be made read-only for real (a read-only tmpfs when root, chmod otherwise)."""

    path: Path
    mounted: bool

    def lock(self) -> None:
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)
        else:
            for child in self.path.iterdir():
                child.chmod(0o444)
            self.path.chmod(0o555)


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    if result.returncode != 0:
        pytest.skip("running as root without permission to mount: cannot make a folder read-only or full")
    return True


@pytest.fixture
def lockable(tmp_path: Path) -> Iterator[Lockable]:
    folder = tmp_path / "locked"
    folder.mkdir()
    mounted = _mount_tmpfs(folder, "16m")
    yield Lockable(folder, mounted)
    if mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)
    else:
        folder.chmod(0o755)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "elp.db"
    make_database(path)
    return path


# ---------------------------------------------------------------- 13.13 unusable database paths


def test_13_13_db_in_read_only_folder_one_line(lockable: Lockable) -> None:
    make_database(lockable.path / "elp.db")
    lockable.lock()
    before = digest(lockable.path)
    result = elp("chat", "--db", str(lockable.path / "elp.db"), cwd=lockable.path.parent, env=OPEN_ENV, stdin="hi\n")
    assert_one_line(result, "elp.db", "read-only", "writable")
    new = elp("chat", "--db", str(lockable.path / "new.db"), cwd=lockable.path.parent, env=OPEN_ENV, stdin="hi\n")
    assert_one_line(new, "cannot create", "new.db", "read-only")
    assert digest(lockable.path) == before


def test_13_13_file_that_is_not_sqlite_one_line(tmp_path: Path) -> None:
    impostor = tmp_path / "elp.db"
    impostor.write_text("name,school\nAda,St Mark's\n" * 20, encoding="utf-8")
    before = digest(tmp_path)
    for command in (["chat"], ["export"], ["report", "--out", "r.html"], ["responses"], ["unanswered"]):
        result = elp(*command, "--db", str(impostor), cwd=tmp_path, env=OPEN_ENV, stdin="hi\n")
        assert_one_line(result, "elp.db", "is not an SQLite database")
    assert digest(tmp_path) == before


def test_13_13_sqlite_file_of_another_program_one_line(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.close()
    before = digest(tmp_path)
    assert_one_line(elp("chat", "--db", str(other), cwd=tmp_path, stdin="hi\n"), "not an elp-bot one")
    assert digest(tmp_path) == before


def test_13_13_db_folder_missing_one_line(tmp_path: Path) -> None:
    result = elp("chat", "--db", str(tmp_path / "no" / "such" / "elp.db"), cwd=tmp_path, env=OPEN_ENV, stdin="hi\n")
    assert_one_line(result, "folder", "does not exist", "--db")
    assert not (tmp_path / "no").exists()


# ---------------------------------------------------------------- 13.13 output that cannot be written


def test_13_13_export_and_report_into_read_only_folder_one_line(database: Path, lockable: Lockable) -> None:
    lockable.lock()
    out = lockable.path / "r.json"
    assert_one_line(elp("export", "--db", str(database), "--out", str(out), cwd=database.parent), "r.json", "read-only")
    assert_one_line(elp("report", "--db", str(database), "--out", str(out), cwd=database.parent), "r.json", "read-only")
    xlsx = elp("export", "--format", "xlsx", "--db", str(database), "--out", str(out), cwd=database.parent)
    assert_one_line(xlsx, "read-only")
    assert list(lockable.path.iterdir()) == []


def test_13_13_report_into_full_device_one_line(database: Path) -> None:
    result = elp("report", "--db", str(database), "--out", "/dev/full", cwd=database.parent)
    assert_one_line(result, "/dev/full", "disk is full")
    for fmt in ("csv", "json", "xlsx"):
        result = elp("export", "--format", fmt, "--db", str(database), "--out", "/dev/full", cwd=database.parent)
        assert_one_line(result, "/dev/full", "disk is full")


def test_13_13_export_to_a_full_stdout_one_line(database: Path) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        result = elp("export", "--db", str(database), cwd=database.parent, stdout=full)
    assert_one_line(result, "No space left on device", "the disk is full")


def test_13_13_report_onto_full_disk_keeps_the_old_file(database: Path, tmp_path: Path) -> None:
    small = tmp_path / "small"
    small.mkdir()
    if not _mount_tmpfs(small, "64k"):
        pytest.skip("a full disk needs a tiny tmpfs (root); /dev/full and tests/test_output.py cover the rest")
    try:
        old = small / "report.html"
        old.write_text("last week's report", encoding="utf-8")
        with open(small / "filler", "wb", buffering=0) as filler, pytest.raises(OSError):
            while True:  # fill the disk to the last byte
                filler.write(b"\0" * 4096)
        result = elp("report", "--db", str(database), "--out", str(old), cwd=tmp_path)
        assert_one_line(result, "report.html", "disk is full")
        assert old.read_text(encoding="utf-8") == "last week's report"
        xlsx = elp("export", "--format", "xlsx", "--db", str(database), "--out", str(small / "r.xlsx"), cwd=tmp_path)
        assert_one_line(xlsx, "r.xlsx", "disk is full")
        assert sorted(p.name for p in small.iterdir()) == ["filler", "report.html"]
    finally:
        subprocess.run(["umount", "-l", str(small)], check=False)


# ---------------------------------------------------------------- 13.13 read-only database files


def test_13_13_export_and_report_work_on_read_only_database(database: Path, lockable: Lockable) -> None:
    copy = lockable.path / "elp.db"
    copy.write_bytes(database.read_bytes())  # a cleanly closed WAL database: no -wal, no -shm beside it
    lockable.lock()
    before = digest(lockable.path)
    exported = elp("export", "--db", str(copy), cwd=database.parent)
    assert exported.returncode == 0, exported.stderr
    assert '"school": "My School"' in exported.stdout
    report = elp("report", "--db", str(copy), "--out", str(database.parent / "r.html"), cwd=database.parent)
    assert report.returncode == 0, report.stderr
    assert (database.parent / "r.html").read_text(encoding="utf-8").lower().startswith("<!doctype html>")
    assert elp("unanswered", "--db", str(copy), cwd=database.parent).stdout.startswith("0 distinct")
    assert elp("schools", "list", "--db", str(copy), cwd=database.parent).stdout.startswith("0 school(s)")
    assert_one_line(elp("responses", "--db", str(copy), cwd=database.parent), "school directory is empty")
    assert digest(lockable.path) == before


def test_13_13_read_only_wal_file_with_unmerged_changes(tmp_path: Path, lockable: Lockable) -> None:
    """A WAL database copied with its -wal (changes not yet merged) into a read-only folder: read through the WAL."""
    source = tmp_path / "elp.db"
    make_database(source)
    holder = sqlite3.connect(source)  # keeps -wal and -shm from being merged and removed, as a running bot would
    try:
        holder.execute("PRAGMA wal_autocheckpoint=0")
        holder.execute("UPDATE respondents SET school = 'Changed School'")
        holder.commit()
        for suffix in ("", "-wal", "-shm"):
            (lockable.path / f"elp.db{suffix}").write_bytes(Path(f"{source}{suffix}").read_bytes())
    finally:
        holder.close()
    (lockable.path / "alone.db").write_bytes((lockable.path / "elp.db").read_bytes())
    (lockable.path / "alone.db-wal").write_bytes((lockable.path / "elp.db-wal").read_bytes())  # no -shm
    lockable.lock()
    exported = elp("export", "--db", str(lockable.path / "elp.db"), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert "Changed School" in exported.stdout
    alone = elp("export", "--db", str(lockable.path / "alone.db"), cwd=tmp_path)  # results branch: now read too
    assert alone.returncode == 0 and "Changed School" in alone.stdout, alone.stderr
    left = sorted(p.name for p in lockable.path.iterdir())
    assert left == ["alone.db", "alone.db-wal", "elp.db", "elp.db-shm", "elp.db-wal"], "nothing written there"


# ---------------------------------------------------------------- 13.14 a newer schema


def test_13_14_newer_schema_refused_naming_both_versions(database: Path) -> None:
    with sqlite3.connect(database) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, '')",
            ("elp", "m099_from_the_future"),
        )
    conn.close()
    before = digest(database.parent)
    known = len(KNOWN_MIGRATIONS)
    expected = f"schema {known + 1}; this version knows {known}"
    for command in (["chat"], ["export"], ["report"], ["schools", "list"]):
        result = elp(*command, "--db", str(database), cwd=database.parent, env=OPEN_ENV, stdin="hi\n")
        assert_one_line(result, "elp.db was written by a newer version of elp-bot", expected, "upgrade elp-bot")
    assert digest(database.parent) == before


def test_13_14_current_schema_opens(database: Path) -> None:
    store = Store.open(database)
    try:
        assert len(KNOWN_MIGRATIONS) == store.db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    finally:
        store.close()
