"""Console channel: a terminal chat, buttons shown as numbered options, scriptable through stdin."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from bot import Button, Engine, Inbound, Outbound

CHANNEL = "console"


def to_inbound(line: str, *, user_id: str, buttons: list[Button], display_name: str | None = None) -> Inbound:
    """Read a typed line: a button's number or exact label presses that button; anything else is text."""
    stripped = line.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
        return Inbound(CHANNEL, user_id, action=buttons[int(stripped) - 1].action, display_name=display_name)
    for button in buttons:
        if stripped and stripped.casefold() == button.label.casefold():
            return Inbound(CHANNEL, user_id, action=button.action, display_name=display_name)
    return Inbound(CHANNEL, user_id, text=line, display_name=display_name)


def render(replies: Iterable[Outbound]) -> tuple[str, list[Button]]:
    """Replies as terminal text with buttons numbered [1], [2]… across the whole turn."""
    blocks: list[str] = []
    buttons: list[Button] = []
    for reply in replies:
        lines = [reply.text]
        options = []
        for button in reply.buttons:
            buttons.append(button)
            options.append(f"[{len(buttons)}] {button.label}")
        if options:
            lines.append("   ".join(options))
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

    def handle(self, inbound: Inbound) -> None:
        """Send one message to the engine and print the replies."""
        text, self.buttons = render(self.engine.handle(inbound))
        if text:
            self.stdout.write(text + "\n\n")
            self.stdout.flush()

    def run(self) -> None:
        """Greet, then read lines until end of input (or Ctrl-C); every answer is already saved."""
        self.handle(Inbound(CHANNEL, self.user_id, text="hello", display_name=self.display_name))
        try:
            while True:
                line = self._read()
                if line is None:
                    break
                self.handle(
                    to_inbound(line, user_id=self.user_id, buttons=self.buttons, display_name=self.display_name)
                )
        except KeyboardInterrupt:
            self.stdout.write("\n")
        self.stdout.write("Goodbye. Everything you answered is saved.\n")
        self.stdout.flush()

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
