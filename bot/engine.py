"""The conversational engine: one inbound message in, replies out, every answer committed first.

Each call to `Engine.handle` is one SQLite transaction: claim the delivery id, load the person's
session, route the message to the pending step (bot/flow/) or a global command (bot/commands.py),
save, commit; the replies are returned after the commit. If anything fails the transaction rolls
back and the person is told. Turns that change nothing (help, Tell me more, my data) run in a read
transaction without the write lock.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import _actions as actions
from bot._answers import answerer_for
from bot._messages import Delivery, Inbound, Outbound, decode_replies, encode_replies
from bot._render import question_summary
from bot._text import ChoiceReader, Command, clean, parse_command
from bot.config import Settings  # hardening (issue 13.15)
from bot.flow.faq import faq_record
from bot.flow.router import predicts_read_only, route
from bot.flow.table import STEPS
from bot.flow.turn import Turn
from content import Content, Question
from storage import ReadOnlyTransaction, Store

log = logging.getLogger("elp.engine")

MAX_ID_CHARS = 200


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Engine:
    """Channel-independent consultation engine. `handle` is synchronous and thread-safe."""

    def __init__(
        self,
        *,
        store: Store,
        content: Content,
        clock: Callable[[], dt.datetime] = _utcnow,
        admins: frozenset[tuple[str, str]] = frozenset(),
    ):
        self.store = store
        self.content = content
        self.clock = clock
        self.admins = admins
        self.answerer = answerer_for(content)
        self.choices = ChoiceReader(content.consultation)
        self.choice_labels = {c.code: c.label for c in content.consultation.choices}
        # Content never changes under a running engine: render each question's summary once.
        self.question_summaries = {
            q.id: question_summary(content, q, _summary_budget(content, q)) for q in content.questions
        }
        self._lock = threading.Lock()
        self._zone = ZoneInfo(content.consultation.timezone)

    @classmethod
    def open(
        cls,
        db_path: str | Path,
        content_dir: str | Path | None = None,
        *,
        content: Content | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
        admins: frozenset[tuple[str, str]] | None = None,
        settings: Settings | None = None,
    ) -> Engine:
        """Open the database (creating it if needed) and load the content (default: the shipped content).

        `admins` are (channel, user_id) pairs allowed to ask for "stats" and "unanswered" in chat.
        """
        # --- hardening (issue 13.15): configuration comes from bot.config.Settings (ELP_CONTENT_DIR,
        # ELP_OPENS/ELP_CLOSES, ELP_ADMINS) unless given; a bad value raises ConfigError naming it.
        settings = settings or Settings.from_env(content_dir=content_dir)
        content = content or settings.content()
        admins = settings.admins if admins is None else admins
        # --- end hardening
        store = Store.open(db_path)
        return cls(store=store, content=content, clock=clock, admins=admins)

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    def handle(self, inbound: Inbound) -> list[Outbound]:
        """Process one inbound message and return the replies; the answer is committed before returning."""
        return self._process(inbound, durable=False).replies  # adapters branch: `deliver` shares the body

    def _process(self, inbound: Inbound, *, durable: bool) -> Delivery:
        if not isinstance(inbound, Inbound) or not _valid_id(inbound.channel) or not _valid_id(inbound.user_id):
            return Delivery(None, [Outbound(self.content.say("error_bad_sender"))])
        now = self.clock()
        with self._lock:
            try:
                if predicts_read_only(inbound):
                    try:
                        return self._turn(inbound, now, write=False, durable=durable)
                    except ReadOnlyTransaction:
                        pass  # it did change something after all: run it again as a write turn
                return self._turn(inbound, now, write=True, durable=durable)
            except Exception:
                log.exception("turn failed on channel %s; rolled back", inbound.channel)
                return Delivery(None, [Outbound(self.content.say("error"))])

    def _turn(self, inbound: Inbound, now: dt.datetime, *, write: bool, durable: bool) -> Delivery:
        """claim → run → save → outbox → commit, in one transaction (a read transaction when `write` is False).

        adapters branch: with `durable`, a write turn's replies go to the outbox in the same transaction,
        and a duplicate whose replies were never marked sent gets them again. A read turn stores nothing
        and claims nothing, so it keeps no outbox either: a redelivery simply runs it again.
        """
        stamp = now.isoformat(timespec="seconds")
        message_id = None if inbound.message_id is None else str(inbound.message_id)[:MAX_ID_CHARS]
        with self.store.transaction(write=write):
            if message_id is not None:
                # A read turn only checks: it stores nothing, so answering a redelivery again is harmless.
                duplicate = (
                    not self.store.claim_message(inbound.channel, message_id, stamp, inbound.user_id)
                    if write
                    else self.store.seen_message(inbound.channel, message_id)
                )
                if duplicate:
                    # adapters branch: outbox: a redelivery whose replies were never sent gets them again
                    pending = self.store.unsent_for(inbound.channel, message_id) if durable else None
                    return Delivery(pending["id"], decode_replies(pending["replies"])) if pending else Delivery()
            turn = Turn(
                self,
                STEPS,
                self.store.conversation(inbound.channel, inbound.user_id),
                channel=inbound.channel,
                user_id=inbound.user_id,
                display_name=inbound.display_name,
                now=now,
            )
            replies = route(turn, inbound)
            turn.save()
            if turn.erased and message_id is not None:
                # Erasure deleted this person's delivery ids, this one too: claim it again, linked to
                # no one, so a redelivery of the confirming "yes" is a duplicate, not a new conversation.
                self.store.claim_message(inbound.channel, message_id, stamp, None)
            # adapters branch: outbox: the replies are committed with the turn, sent and marked sent after
            batch = None
            if durable and write and replies:
                batch = self.store.add_outbox(
                    inbound.channel, inbound.user_id, message_id, encode_replies(replies), stamp
                )
        return Delivery(batch, replies)

    # adapters branch: the durable outbox, public API for channel adapters (README: the engine API) ------

    def deliver(self, inbound: Inbound) -> Delivery:
        """Like `handle`, with a write turn's replies kept in the outbox until `mark_sent(delivery.id)`.

        A duplicate of an inbound whose replies were never marked sent returns those replies again.
        """
        return self._process(inbound, durable=True)

    def mark_sent(self, delivery_id: int | None) -> None:
        """Record that a delivery's replies reached the platform (or were given up on, with the error logged)."""
        if delivery_id is None:
            return
        with self._lock, self.store.transaction():
            self.store.mark_sent(delivery_id, self.clock().isoformat(timespec="seconds"))

    def mark_part_sent(self, delivery_id: int | None, remaining: list[Outbound]) -> None:
        """fix-chan: the replies before `remaining` were sent; a restart or redelivery sends only the rest."""
        if delivery_id is None:
            return
        with self._lock, self.store.transaction():
            self.store.keep_unsent(delivery_id, encode_replies(remaining))

    def unsent(self, channel: str) -> list[Delivery]:
        """Every delivery on this channel whose replies were committed but never marked sent, oldest first."""
        with self._lock, self.store.transaction(write=False):
            rows = self.store.unsent(channel)
        return [Delivery(r["id"], decode_replies(r["replies"]), r["user_id"]) for r in rows]

    def ask(self, question: str) -> Outbound:
        """Answer a question without touching anyone's conversation (for group chats and channels)."""
        record = faq_record(self.answerer, clean(question)[:500])
        text = record["answer"]
        if record["source"]:
            text = self.content.say("answer", answer=text, source=record["source"])
        return Outbound(text)

    def say(self, key: str, **values: Any) -> str:
        """A sentence from the content's messages.yaml, with its placeholders filled (for adapters)."""
        return self.content.say(key, **values)

    @staticmethod
    def read_command(text: str | None) -> Command | None:
        """The command a message is ("start", "ask" with its question…), as the engine reads it, or None."""
        return parse_command(clean(text)) if text else None

    def progress(self, channel: str, user_id: str) -> tuple[str, str]:
        """(where this person is, the label for a start/continue button), without changing anything."""
        with self._lock:
            row = self.store.conversation(channel, user_id)
            respondent = row["respondent"] if row else None
            total = len(self.content.questions)
            say = self.content.say
            if respondent is None:
                return say("home_not_started", title=self.content.consultation.title), say("button_start")
            answered = len(self.store.answers(respondent["id"]))
        if respondent["status"] == "submitted":
            return say("home_submitted", reference=respondent["reference"], answered=answered, total=total), say(
                "button_review"
            )
        return say("home_in_progress", answered=answered, total=total), say("button_continue")

    @staticmethod
    def closes_prompt(action: str) -> bool:
        """Whether pressing this button uses up the message it is on (channels then remove its buttons)."""
        decoded = actions.decode(action)
        return decoded is not None and decoded.serial is not None

    def phase(self, now: dt.datetime) -> str:
        """'before', 'open' or 'closed', by the consultation's dates in its own time zone."""
        today = now.astimezone(self._zone).date()
        consultation = self.content.consultation
        if today < consultation.opens:
            return "before"
        return "closed" if today > consultation.closes else "open"


MAX_BEFORE_QUESTION = 500  # characters before a question (section intro, summary, own fee): a phone screen
OWN_FEE_CHARS = 120  # room kept for "Your school's subscription: …" before the fee question


def _summary_budget(content: Content, question: Question) -> int:
    """How long a question's summary may be, so that everything before the question fits a phone screen."""
    section = content.section_of[question.id]
    intro = len(section.intro) + 2 if section.questions[0].id == question.id else 0
    return MAX_BEFORE_QUESTION - intro - (OWN_FEE_CHARS if question.topic == "fees" else 0)


def _valid_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS and value.isprintable()
