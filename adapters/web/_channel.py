"""The web channel's engine side on the adapter contract (adapters/base.py): one turn per client message id.

For the web, "sending" a reply is recording it in the person's chat history (what every page and
fetch response is rendered from). So a turn is `engine.deliver` (answer and replies committed in the
outbox), the history written in its own transaction, then `engine.mark_sent`. A crash between the two
loses nothing: the retried request (same client message id) gets the same replies back from the
outbox, and at start-up `recover()` writes any batch still unsent into its owner's history.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from dataclasses import dataclass

from adapters.base import chosen_button, delivery_id
from bot import Button, Engine, Inbound
from storage import Store

CHANNEL = "web"
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
START_ID = "start-of-chat"
MAX_ACTION_CHARS = 64


@dataclass(frozen=True, slots=True)
class Shown:
    """One message as the chat page shows it: who said it, the text, its buttons, and its turn."""

    mine: bool
    text: str
    buttons: tuple[Button, ...]
    client_id: str


def _buttons_json(buttons: tuple[Button, ...]) -> str:
    return json.dumps([[b.label, b.action] for b in buttons], ensure_ascii=False)


def _shown(row: dict, client_id: str) -> Shown:
    buttons = tuple(Button(label, action) for label, action in json.loads(row["buttons"] or "[]"))
    return Shown(row["direction"] == "in", row["text"], buttons, client_id)


class WebChat:
    """Runs chat turns for web respondents and keeps their history (thread-safe; call from worker threads)."""

    def __init__(self, engine: Engine, store: Store, clock=None):
        self.engine, self.store = engine, store
        self._db = threading.Lock()
        self._people: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._clock = clock or engine.clock

    def history(self, user_key: str) -> list[Shown]:
        """Everything shown in this person's chat so far, oldest first."""
        with self._db:
            rows = self.store.web_history(CHANNEL, user_key)
        return [_shown(row, row["client_id"]) for row in rows]

    def start(self, user_key: str, display_name: str | None) -> list[Shown]:
        """The greeting on a first visit (once: a second call returns the same messages)."""
        return self.send(user_key, display_name, START_ID, text="hello", shown_as=None)

    def offered_label(self, user_key: str, action: str) -> str | None:
        """The label of a button this person was actually shown with this action, or None (forged or unknown)."""
        if not action or len(action) > MAX_ACTION_CHARS:
            return None
        fragment = json.dumps(action, ensure_ascii=False)
        with self._db:
            stored = self.store.web_offered(CHANNEL, user_key, fragment)
        offered = [Button(label, offered) for label, offered in json.loads(stored or "[]")]
        button = chosen_button(offered, action)
        return button.label if button else None

    def recover(self) -> int:
        """Write into the history every reply batch a crash left unsent (oldest first); returns how many."""
        deliveries = self.engine.unsent(CHANNEL)
        for delivery in deliveries:
            rows = [("out", reply.text, _buttons_json(reply.buttons)) for reply in delivery.replies]
            stamp = self._clock().isoformat(timespec="seconds")
            with self._db, self.store.transaction():
                self.store.add_web_turn(CHANNEL, delivery.user_id or "", f"recovered-{delivery.id}", rows, stamp)
            self.engine.mark_sent(delivery.id)
        return len(deliveries)

    def send(
        self,
        user_key: str,
        display_name: str | None,
        client_id: str,
        *,
        text: str | None = None,
        action: str | None = None,
        shown_as: str | None = "",
    ) -> list[Shown]:
        """Run one turn (or return the recorded replies if this client id was already handled).

        `shown_as` is what the history shows for the person's message: the pressed button's label or
        the typed text ("" means the text itself; None shows nothing, for the automatic greeting).
        """
        with self._people[user_key]:
            with self._db:
                recorded = self.store.web_turn(CHANNEL, user_key, client_id)
            if recorded is not None:
                return [_shown(row, client_id) for row in recorded if row["direction"] == "out"]
            delivery = self.engine.deliver(
                Inbound(
                    CHANNEL,
                    user_key,
                    text=text,
                    action=action,
                    display_name=display_name,
                    message_id=delivery_id("web", user_key, client_id),
                )
            )
            replies = delivery.replies
            rows: list[tuple[str, str, str]] = []
            if shown_as is not None:
                rows.append(("in", shown_as or text or "", "[]"))
            rows += [("out", reply.text, _buttons_json(reply.buttons)) for reply in replies]
            stamp = self._clock().isoformat(timespec="seconds")
            with self._db, self.store.transaction():
                self.store.add_web_turn(CHANNEL, user_key, client_id, rows, stamp)
            self.engine.mark_sent(delivery.id)  # "sent" = in the history the page is rendered from
            return [Shown(False, reply.text, reply.buttons, client_id) for reply in replies]
