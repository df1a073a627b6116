"""Running the real `elp-bot` command in a subprocess, as a user would, and checking it failed in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OPEN_ENV = {"ELP_OPENS": "2020-01-01", "ELP_CLOSES": "2099-12-31"}


def elp(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str = "", stdout: Any = subprocess.PIPE
) -> subprocess.CompletedProcess:
    """Run `python -m bot ARGS` in a clean environment (no ELP_* from the shell running the tests)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ELP_", "TELEGRAM_", "SLACK_"))}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )


def assert_one_line(result: subprocess.CompletedProcess, *fragments: str) -> str:
    """Exit status 1, exactly one line on stderr containing every fragment, no traceback."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + (result.stdout or "")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]
