"""Writing command output (exports, reports) to a file: all or nothing, with one clear error."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class OutputError(Exception):
    """The output file could not be written; the message says which file, why, and what to do."""


def _hint(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return "the disk is full: free some space or choose another --out"
    if exc.errno in {errno.EACCES, errno.EPERM, errno.EROFS}:
        return "the folder is read-only: choose another --out"
    if exc.errno == errno.ENOENT:
        return "the folder does not exist: create it or choose another --out"
    if exc.errno == errno.EISDIR:
        return "that is a folder: give a file name"
    return "choose another --out"


def write_file(path: str | Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8, as given) to `path`; an existing file is replaced only once all is written.

    A regular file is written beside the target and renamed over it, so a full disk or a crash
    never leaves a truncated report. Anything else (a pipe, /dev/stdout) is written directly.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}: {_hint(exc)}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {target}: it is a folder: give a file name")
    if mode is not None and not stat.S_ISREG(mode):
        try:
            with target.open("wb") as handle:
                handle.write(payload)
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror}: {_hint(exc)}") from None
        return
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}: {_hint(exc)}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {exc.strerror}: {_hint(exc)}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
