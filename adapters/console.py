"""Console channel: a terminal chat, buttons shown as numbered options, scriptable through stdin.

Built on the adapter contract in `adapters/base.py`: `to_inbound` (a typed line in), `render`
(replies out, wrapped to the terminal's width, never mid-word) and `ConsoleChat.handle`. In a
terminal, readline gives line editing and history (arrow keys); `quit`, `exit` (any of bot's
"pause" words) leave. Whatever happens in a turn, the console never shows a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import textwrap
from collections.abc import Iterable
from typing import TextIO

from adapters.base import parse_command
from bot import Button, Engine, Inbound, Outbound

CHANNEL = "console"
log = logging.getLogger("elp.console")


def to_inbound(line: str, *, user_id: str, buttons: list[Button], display_name: str | None = None) -> Inbound:
    """Read a typed line: a button's number or exact label presses that button; anything else is text."""
    stripped = line.strip()
    if stripped.isascii() and stripped.isdigit() and 1 <= int(stripped) <= len(buttons):  # not "²" or "①"
        return Inbound(CHANNEL, user_id, action=buttons[int(stripped) - 1].action, display_name=display_name)
    for button in buttons:
        if stripped and stripped.casefold() == button.label.casefold():
            return Inbound(CHANNEL, user_id, action=button.action, display_name=display_name)
    return Inbound(CHANNEL, user_id, text=line, display_name=display_name)


def wrap(text: str, width: int | None) -> str:
    """Each line wrapped to `width` columns at spaces (never inside a word); None leaves it as is."""
    if not width:
        return text
    return "\n".join(
        textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False, subsequent_indent=_indent(line))
        if line.strip()
        else line
        for line in text.split("\n")
    )


def _indent(line: str) -> str:
    """Continuation lines of a bullet ("• …") line up under its text."""
    return "  " if line.lstrip().startswith(("•", "-", "*")) else ""


def _options(labels: list[str], width: int | None) -> list[str]:
    """Numbered options, as many to a line as fit; one option is never split across lines."""
    lines: list[str] = []
    for label in labels:
        if lines and width and len(lines[-1]) + 3 + len(label) > width:
            lines.append(label)
        elif lines:
            lines[-1] += "   " + label
        else:
            lines.append(label)
    return lines


def render(replies: Iterable[Outbound], width: int | None = None) -> tuple[str, list[Button]]:
    """Replies as terminal text with buttons numbered [1], [2]… across the whole turn."""
    blocks: list[str] = []
    buttons: list[Button] = []
    for reply in replies:
        lines = [wrap(reply.text, width)]
        options = []
        for button in reply.buttons:
            buttons.append(button)
            options.append(f"[{len(buttons)}] {button.label}")
        lines.extend(_options(options, width))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks), buttons


class ConsoleChat:
    """One person's chat in a terminal (or a script piped into stdin)."""

    def __init__(
        self,
        *,
        engine: Engine,
        user_id: str,
        stdin: TextIO,
        stdout: TextIO,
        interactive: bool,
        display_name: str | None = None,
    ):
        self.engine, self.user_id = engine, user_id
        self.stdin, self.stdout, self.interactive = stdin, stdout, interactive
        self.display_name = display_name
        self.buttons: list[Button] = []
        self.width = shutil.get_terminal_size().columns - 1 if interactive else None

    def handle(self, inbound: Inbound) -> None:
        """Send one message to the engine and print the replies; never raises."""
        try:
            replies = self.engine.handle(inbound)
        except Exception:  # the engine answers its own failures; this is the last line of defence
            log.exception("console turn failed")
            replies = [Outbound(self.engine.say("error"))]
        text, self.buttons = render(replies, self.width)
        if text:
            self.print(text + "\n")

    def print(self, text: str) -> None:
        """Write a paragraph (wrapped in a terminal) and a newline."""
        self.stdout.write(wrap(text, self.width) + "\n")
        self.stdout.flush()

    def run(self) -> None:
        """Greet, then read lines until quit/exit, end of input or Ctrl-C; every answer is already saved."""
        _one_line_logs()
        if self.interactive:
            _enable_line_editing()
        self.handle(Inbound(CHANNEL, self.user_id, text="hello", display_name=self.display_name))
        self.print(self.engine.say("console_how_to_leave") + "\n")
        try:
            while True:
                line = self._read()
                if line is None:
                    break
                self.handle(
                    to_inbound(line, user_id=self.user_id, buttons=self.buttons, display_name=self.display_name)
                )
                command = parse_command(line)
                if command is not None and command.name == "pause":  # quit, exit, bye, later…
                    break
        except KeyboardInterrupt:
            self.stdout.write("\n")
        self.print(self.engine.say("console_goodbye"))

    def _read(self) -> str | None:
        if self.interactive:
            try:
                return input("> ")
            except EOFError:
                self.stdout.write("\n")
                return None
        line = self.stdin.readline()
        if not line:
            return None
        line = line.rstrip("\n")
        self.stdout.write(f"> {line}\n")
        return line


def _enable_line_editing() -> None:
    """Arrow keys, editing and history for input(): importing readline is enough, where it exists."""
    with contextlib.suppress(ImportError):  # Windows without pyreadline: plain input still works
        import readline  # noqa: F401


class _OneLine(logging.Formatter):
    """A log line without the traceback: the person at the console sees what failed, not a stack."""

    def format(self, record: logging.LogRecord) -> str:
        reason = f": {record.exc_info[0].__name__}" if record.exc_info and record.exc_info[0] else ""
        return f"({record.name}: {record.getMessage()}{reason})"


def _one_line_logs() -> None:
    """Unless logging is already set up, warnings go to stderr as one line each, never a traceback."""
    if logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(_OneLine())
    handler.setLevel(logging.WARNING)
    logging.getLogger().addHandler(handler)
