"""The console channel: numbered buttons, typed labels, and a whole consultation piped through a subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from adapters.console import ConsoleChat, render, to_inbound
from bot import Button, Outbound

BUTTONS = [Button("Yes", "ans:q1:yes:7"), Button("Partly", "ans:q1:partly:7")]


def test_render_numbers_buttons_across_the_turn() -> None:
    text, buttons = render([Outbound("Intro"), Outbound("Question?", BUTTONS, "q1")])
    assert text == "Intro\n\nQuestion?\n[1] Yes   [2] Partly"
    assert buttons == BUTTONS


def test_numbers_and_labels_press_buttons_other_text_is_text() -> None:
    assert to_inbound("2", user_id="u", buttons=BUTTONS).action == "ans:q1:partly:7"
    assert to_inbound(" yes ", user_id="u", buttons=BUTTONS).action == "ans:q1:yes:7"
    assert to_inbound("9", user_id="u", buttons=BUTTONS).text == "9"
    typed = to_inbound("Yes, but too dear", user_id="u", buttons=BUTTONS)
    assert typed.action is None and typed.text == "Yes, but too dear"


def test_console_chat_in_process(engine) -> None:
    out = io.StringIO()
    ConsoleChat(engine=engine, user_id="c1", stdin=io.StringIO("1\nMy School\n"), stdout=out, interactive=False).run()
    printed = out.getvalue()
    assert "[1] Start the consultation" in printed
    assert "> My School" in printed
    assert "What type of school is My School?" in printed
    assert printed.endswith("Goodbye. Everything you answered is saved.\n")


SCRIPT = (
    "\n".join(
        [
            "hi",
            "1",
            "Oakwood Primary",
            "Primary",
            "Headteacher",
            "Jo Bloggs",
            "3",  # start, identity
            "yes",  # q1
            "Partly, the convictions overlap",  # q2 with its comment
            "3",
            "Too dear for small schools",  # q3: No by number, then the comment prompt
            "4",  # q4: Not sure by number
            *["yes"] * 10,  # q5.1 … q5.10
            "A joint training day for business managers",  # q5.11
            "1",
        ]  # review: [1] Submit my response
    )
    + "\n"
)


def run_chat(db: Path, stdin: str, user: str = "head-1", admins: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "ELP_DB": str(db),
        "ELP_OPENS": "2020-01-01",
        "ELP_CLOSES": "2099-12-31",
        "PYTHONIOENCODING": "utf-8",
        "ELP_ADMINS": admins,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--user", user],
        input=stdin,
        text=True,
        capture_output=True,
        env=env,
        timeout=60,
        encoding="utf-8",
    )


def test_whole_consultation_through_piped_stdin(tmp_path: Path) -> None:
    db = tmp_path / "console.db"
    result = run_chat(db, SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Your reference is ELP-2026-0001" in result.stdout
    exported = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
        encoding="utf-8",
    )
    (record,) = json.loads(exported.stdout)
    assert record["status"] == "submitted"
    assert record["respondent"]["name"] == "Jo Bloggs" and record["quote_consent"] == "none"
    answers = record["answers"]
    assert answers["q1"] == {"choice": "yes", "comment": None}
    assert answers["q2"] == {"choice": "partly", "comment": "the convictions overlap"}
    assert answers["q3"] == {"choice": "no", "comment": "Too dear for small schools"}
    assert answers["q4"] == {"choice": "unsure", "comment": None}
    assert answers["q5.11"] == {"choice": None, "comment": "A joint training day for business managers"}
    assert len(answers) == 15


def test_end_of_input_mid_consultation_saves_and_resumes(tmp_path: Path) -> None:
    db = tmp_path / "resume.db"
    first = run_chat(db, "hi\n1\nOakwood Primary\n1\n1\n\n")
    assert first.returncode == 0
    assert "Goodbye. Everything you answered is saved." in first.stdout
    second = run_chat(db, "")
    assert "Welcome back" in second.stdout and "your details" in second.stdout


def test_admin_commands_in_the_console(tmp_path: Path) -> None:
    db = tmp_path / "admin.db"
    run_chat(db, "hi\n1\nOakwood Primary\n1\n1\n\n3\npupil premium?\n", user="head-9")
    env_admin = run_chat(db, "stats\nunanswered\n", user="elp-team", admins="console:elp-team")
    assert "Responses so far: 1 respondents, 0 submitted, 1 in progress." in env_admin.stdout
    assert "1× pupil premium?" in env_admin.stdout
    refused = run_chat(db, "stats\n", user="head-9", admins="console:elp-team")
    assert "only for the ELP team" in refused.stdout and "Responses so far" not in refused.stdout


def test_11_9_quit_and_exit_leave_and_the_welcome_says_how(tmp_path: Path) -> None:
    for word in ("quit", "exit"):
        result = run_chat(tmp_path / f"{word}.db", f"hi\n{word}\nwhat is EGFL?\n")
        assert result.returncode == 0, result.stderr
        assert "Type quit or exit to leave; everything you answered is saved." in result.stdout
        assert f"> {word}" in result.stdout and "> what is EGFL?" not in result.stdout, "nothing read after quit"
        assert result.stdout.rstrip().endswith("Goodbye. Everything you answered is saved.")


def test_13_9_superscripts_and_circled_digits_never_crash_the_console(tmp_path: Path) -> None:
    result = run_chat(tmp_path / "digits.db", "hi\n1\nOakwood Primary\n²\n①\n³\n")
    assert result.returncode == 0
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.count("\n> ") == 6 and "Goodbye" in result.stdout, "every line read, to the end"


def test_render_never_splits_an_option_or_a_word() -> None:
    text, _ = render([Outbound("Partnership " * 10, (Button("Not sure at all", "a"), Button("Partly", "b")))], 30)
    assert all(len(line) <= 30 for line in text.splitlines())
    assert "[1] Not sure at all" in text.splitlines() and "Partnership" in text.split()


def test_11_9_line_editing_history_and_wrapping_in_a_terminal(tmp_path: Path) -> None:
    """A real terminal (pty, 40 columns): readline recalls the last line with ↑; text wraps at spaces."""
    import fcntl
    import pty
    import re
    import select
    import struct
    import termios
    import time

    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 40, 0, 0))
    env = {**os.environ, "ELP_DB": str(tmp_path / "tty.db"), "ELP_OPENS": "2020-01-01", "ELP_CLOSES": "2099-12-31"}
    env.pop("COLUMNS", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--user", "tty"], stdin=child, stdout=child, stderr=child, env=env
    )
    os.close(child)
    output = b""

    def read_until(marker: bytes, count: int, timeout: float = 30) -> None:
        nonlocal output
        deadline = time.monotonic() + timeout
        while output.count(marker) < count:
            assert time.monotonic() < deadline, output.decode(errors="replace")[-2000:]
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    output += os.read(main, 65536)
                except OSError:
                    break

    try:
        read_until(b"> ", 1)
        os.write(main, b"help\r")
        read_until(b"> ", 2)
        os.write(main, b"\x1b[A\r")  # ↑ then Enter: readline recalls "help"
        read_until(b"> ", 3)
        os.write(main, b"exit\r")
        read_until(b"Goodbye", 1)
        process.wait(timeout=30)
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.decode("utf-8", errors="replace")).replace("\r", "")
    assert "Traceback" not in text
    flat = " ".join(text.split())
    assert flat.count("At any time you can type") == 2, "the recalled line was sent again"
    lines = [line for line in text.split("\n") if not line.startswith(">")]
    assert max(len(line) for line in lines) <= 40, [line for line in lines if len(line) > 40]
    assert "Type quit or exit to leave;" in flat
    words = {w for w in re.split(r"\s+", text) if w}
    assert {"Ealing", "Partnership", "consultation"} <= {w.strip(".,:;") for w in words}, "no word cut by wrapping"
