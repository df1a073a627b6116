"""Writing command output (exports, reports) to a file: all or nothing, with one clear error."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class OutputError(Exception):
    """The output file could not be written; the message says which file, why, and what to do."""


def _hint(exc: OSError) -> str:
    if exc.errno in {errno.ENOSPC, errno.EDQUOT}:
        return "the disk is full: free some space or choose another --out"
    if exc.errno in {errno.EACCES, errno.EPERM, errno.EROFS}:
        return "the folder is read-only: choose another --out"
    if exc.errno == errno.ENOENT:
        return "the folder does not exist: create it or choose another --out"
    if exc.errno == errno.EISDIR:
        return "that is a folder: give a file name"
    return "choose another --out"


def _failed(target: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {target}: {exc.strerror or exc}: {_hint(exc)}")


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """The path to write `path`'s new content to; it replaces `path` only if the block finishes.

    A regular file is written beside the target and renamed over it once synced, so a full disk or
    a crash never leaves a truncated report and never destroys the previous one. Anything else (a
    pipe, /dev/stdout, /dev/full) is written directly. Any OSError becomes one OutputError line.
    """
    target = Path(path)
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _failed(target, exc) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {target}: it is a folder: give a file name")
    if mode is not None and not stat.S_ISREG(mode):
        try:
            yield target
        except OSError as exc:
            raise _failed(target, exc) from None
        return
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as exc:
        raise _failed(target, exc) from None
    try:
        yield partial
        descriptor = os.open(partial, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise _failed(target, exc) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_file(path: str | Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path`, all or nothing (see `atomic_path`)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path) as writable, open(writable, "wb") as handle:
        handle.write(payload)
