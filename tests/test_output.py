"""Writing exports and reports: all or nothing, one clear error (bot/_output.py)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from bot import _output
from bot._output import OutputError, write_file


def test_writes_text_and_bytes(tmp_path: Path) -> None:
    write_file(tmp_path / "a.txt", "café\n")
    write_file(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "a.txt").read_bytes() == "café\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin"]


def test_full_disk_keeps_the_old_file_and_leaves_no_partial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("last week's report", encoding="utf-8")
    real_fsync = os.fsync

    def full(descriptor: int) -> None:
        real_fsync(descriptor)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_output.os, "fsync", full)
    with pytest.raises(OutputError, match=r"^cannot write .*report\.html: No space left on device: the disk is full"):
        write_file(target, "x" * 100_000)
    assert target.read_text(encoding="utf-8") == "last week's report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_missing_folder_and_folder_target(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="the folder does not exist"):
        write_file(tmp_path / "no" / "r.html", "x")
    with pytest.raises(OutputError, match="it is a folder"):
        write_file(tmp_path, "x")


def test_device_is_written_directly() -> None:
    write_file("/dev/null", "discarded")  # not replaced by a regular file
    assert Path("/dev/null").is_char_device()
    with pytest.raises(OutputError, match="/dev/full: No space left on device: the disk is full"):
        write_file("/dev/full", "x" * 10_000)
