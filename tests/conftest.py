"""Shared fixtures: no network beyond loopback, a fixed clock, engines on temporary databases, a chat driver."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot import Button, Engine, Inbound, Outbound
from content import Content, load_content

OPEN_DAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def _is_loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if not isinstance(host, str):
        return True  # AF_UNIX paths and the like
    if host in {"localhost", ""}:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def pytest_report_header() -> str:
    """One line at the start of every run: whether the browser tests (tests/test_web_browser.py) will run."""
    from tests.test_web_browser import missing

    reason = missing()
    return f"browser tests: SKIPPED – {reason}" if reason else "browser tests: run (Chromium and axe-core found)"


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to reach beyond 127.0.0.1 / ::1."""
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guard(address: object) -> None:
        if not _is_loopback(address):
            raise RuntimeError(f"tests must not use the network: tried to connect to {address!r}")

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            guard(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            guard(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(autouse=True)
def _no_elp_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see no ELP_* variables from the shell that runs them (bot.config.Settings reads them)."""
    import os

    for name in [n for n in os.environ if n.startswith("ELP_")]:
        monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def content() -> Content:
    """The shipped content, loaded once."""
    return load_content()


@pytest.fixture(scope="session")
def roomy_content(content: Content) -> Content:
    """The shipped content with a 20,000-character comment limit, for 10,000-character hostile comments."""
    consultation = content.consultation.model_copy(update={"comment_max_chars": 20_000})
    return Content(
        content.offer, content.vision, consultation, content.messages, content.faq, content.directory, content.lexicon
    )


class Clock:
    """A settable clock for the engine."""

    def __init__(self, now: dt.datetime = OPEN_DAY):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "elp.db"


@pytest.fixture
def make_engine(db_path: Path, content: Content, clock: Clock) -> Iterator[Callable[..., Engine]]:
    """Open engines on the test database (a new one simulates a restart); all are closed afterwards."""
    opened: list[Engine] = []

    def make(**overrides: object) -> Engine:
        engine = Engine.open(
            overrides.pop("db", db_path),
            content=overrides.pop("content", content),
            clock=overrides.pop("clock", clock),
            **overrides,
        )
        opened.append(engine)
        return engine

    yield make
    for engine in opened:
        engine.close()


@pytest.fixture
def engine(make_engine: Callable[..., Engine]) -> Engine:
    return make_engine()


class Chat:
    """Drives one person's conversation and remembers the last replies' buttons."""

    def __init__(self, engine: Engine, user_id: str = "u1", channel: str = "test", display_name: str | None = None):
        self.engine, self.user_id, self.channel, self.display_name = engine, user_id, channel, display_name
        self.replies: list[Outbound] = []
        self.history: list[list[Outbound]] = []

    def send(
        self, text: str | None = None, *, action: str | None = None, message_id: str | None = None
    ) -> list[Outbound]:
        self.replies = self.engine.handle(
            Inbound(
                self.channel,
                self.user_id,
                text=text,
                action=action,
                display_name=self.display_name,
                message_id=message_id,
            )
        )
        self.history.append(self.replies)
        return self.replies

    @property
    def text(self) -> str:
        return "\n\n".join(r.text for r in self.replies)

    @property
    def buttons(self) -> list[Button]:
        return [b for r in self.replies for b in r.buttons]

    def button(self, label: str) -> Button:
        matches = [b for b in self.buttons if b.label == label]
        assert matches, f"no button {label!r}; have {[b.label for b in self.buttons]}"
        return matches[-1]

    def press(self, label: str) -> list[Outbound]:
        return self.send(action=self.button(label).action)

    @property
    def question_id(self) -> str | None:
        asked = [r.question_id for r in self.replies if r.question_id]
        return asked[-1] if asked else None

    def identify(
        self,
        school: str = "St Mark's Primary",
        school_type: str = "Primary",
        role: str = "Headteacher",
        consent: str = "Yes, anonymously",
    ) -> list[Outbound]:
        self.send("hi")
        self.press("Start the consultation")
        self.send(school)
        self.press(school_type)
        self.press(role)
        self.press("Skip")
        return self.press(consent)


@pytest.fixture
def chat(engine: Engine) -> Chat:
    return Chat(engine)


@pytest.fixture
def make_chat(engine: Engine) -> Callable[..., Chat]:
    def make(user_id: str = "u1", **kwargs: object) -> Chat:
        return Chat(kwargs.pop("engine", engine), user_id, **kwargs)  # type: ignore[arg-type]

    return make
