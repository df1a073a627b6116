"""The conversational engine: one inbound message in, replies out, every answer committed first.

Each call to `Engine.handle` is one SQLite transaction: it reads the person's conversation state,
applies the message, writes answers, the audit log and the new state, and commits before the
replies are returned. If anything fails the transaction rolls back and the person is told.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import _actions as actions
from bot._answers import Answerer
from bot._ask import answer_record
from bot._fees import read_fee_request, working
from bot._messages import Button, Inbound, Outbound
from bot._render import topic_full, topic_summary, topic_title
from bot._schools import is_clear, match_schools
from bot._state import IDENTITY_KINDS, INTERRUPTIONS, State
from bot._text import ChoiceReader, Command, clean, fold, match_option, parse_command
from content import Content, Question, load_content
from storage import Answer, Store
from storage.results import summary
from storage.schools import school as directory_school
from storage.schools import schools as directory_schools

log = logging.getLogger("elp.engine")

MAX_TEXT_CHARS = 20_000  # anything longer is refused before parsing
MAX_SCHOOL_CHARS = 200
MAX_NAME_CHARS = 100
MAX_ID_CHARS = 200
_NOTHING_TO_ADD = frozenset({"no", "none", "nothing", "n/a", "na", "no thanks", "nothing to add", "nope"})
_DEICTIC = re.compile(r"\b(this|it|these|that|include|includes|cover|covers|mean|means|involve)\b", re.I)


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
        self.answerer = Answerer(content)
        self.choices = ChoiceReader(content.consultation)
        self.choice_labels = {c.code: c.label for c in content.consultation.choices}
        # Content never changes under a running engine: render each question's summary once.
        self.summaries = {q.topic: topic_summary(content, q.topic) for q in content.questions}
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
        admins: frozenset[tuple[str, str]] = frozenset(),
    ) -> Engine:
        """Open the database (creating it if needed) and load the content (default: the shipped content).

        `admins` are (channel, user_id) pairs allowed to ask for "stats" and "unanswered" in chat.
        """
        store = Store.open(db_path)
        return cls(store=store, content=content or load_content(content_dir), clock=clock, admins=admins)

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    def handle(self, inbound: Inbound) -> list[Outbound]:
        """Process one inbound message and return the replies; the answer is committed before returning."""
        if not isinstance(inbound, Inbound) or not _valid_id(inbound.channel) or not _valid_id(inbound.user_id):
            return [Outbound(self.content.say("error_bad_sender"))]
        now = self.clock()
        stamp = now.isoformat(timespec="seconds")
        with self._lock:
            try:
                with self.store.transaction():
                    if inbound.message_id is not None and not self.store.claim_message(
                        inbound.channel, str(inbound.message_id)[:MAX_ID_CHARS], stamp, inbound.user_id
                    ):
                        return []
                    turn = _Turn(self, inbound, now, stamp)
                    replies = turn.run(inbound)
                    turn.save()
                return replies
            except Exception:
                log.exception("turn failed on channel %s; rolled back", inbound.channel)
                return [Outbound(self.content.say("error"))]

    def ask(self, question: str) -> Outbound:
        """Answer a question without touching anyone's conversation (for group chats and channels)."""
        record = answer_record(self.answerer, clean(question)[:500])
        text = record["answer"]
        if record["source"]:
            text = self.content.say("answer", answer=text, source=record["source"])
        return Outbound(text)

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

    # Helpers shared by turns ------------------------------------------------

    def phase(self, now: dt.datetime) -> str:
        """'before', 'open' or 'closed', by the consultation's dates in its own time zone."""
        today = now.astimezone(self._zone).date()
        consultation = self.content.consultation
        if today < consultation.opens:
            return "before"
        return "closed" if today > consultation.closes else "open"


def parse_choice_word(text: str) -> bool | None:
    """Yes/no typed at a confirmation: True, False or None."""
    word = fold(text)
    if word in {"yes", "y", "yep", "yeah", "correct", "that's us", "thats us"}:
        return True
    if word in {"no", "n", "nope", "none", "none of these"}:
        return False
    return None


def _in_order(counts: Any, options: Any, labels: dict[str, str]) -> str:
    """'Primary 12, Secondary 3, unknown 1': counts in the content's option order, zeros left out."""
    known = [f"{o.label} {counts[o.id]}" for o in options if counts.get(o.id)]
    others = [f"{labels.get(k, k)} {v}" for k, v in counts.items() if k not in {o.id for o in options}]
    return ", ".join(known + others) or "-"


def _valid_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS and value.isprintable()


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


class _Turn:
    """Everything about handling one inbound message for one person."""

    def __init__(self, engine: Engine, inbound: Inbound, now: dt.datetime, stamp: str):
        self.engine, self.content, self.store = engine, engine.content, engine.store
        self.channel, self.user_id = inbound.channel, inbound.user_id
        self.display_name = clean(inbound.display_name)[:MAX_NAME_CHARS] or None
        self.now, self.stamp = now, stamp
        row = self.store.conversation(self.channel, self.user_id)
        self.is_new = row is None
        self.state = State.from_json(row["state"]) if row else State()
        self.respondent_id: int | None = row["respondent_id"] if row else None
        self._respondent: dict[str, Any] | None = row["respondent"] if row else None
        self._answers: dict[str, Answer] | None = None
        self.erased = False

    # ---------------------------------------------------------------- plumbing

    def save(self) -> None:
        if self.erased:
            return  # everything about this person was just deleted: do not write their row back
        self.store.save_conversation(
            self.channel,
            self.user_id,
            respondent_id=self.respondent_id,
            display_name=self.display_name,
            state=self.state.to_json(),
            now=self.stamp,
        )

    def say(self, key: str, **values: Any) -> str:
        return self.content.say(key, **values)

    @property
    def respondent(self) -> dict[str, Any] | None:
        if self._respondent is None and self.respondent_id is not None:
            self._respondent = self.store.respondent(self.respondent_id)
        return self._respondent

    @property
    def answers(self) -> dict[str, Answer]:
        if self._answers is None:
            self._answers = self.store.answers(self.respondent_id) if self.respondent_id is not None else {}
        return self._answers

    def update_respondent(self, **fields: Any) -> None:
        assert self.respondent_id is not None
        self.store.update_respondent(self.respondent_id, self.stamp, **fields)
        if self._respondent is not None:  # keep the cached row in step instead of reading it again
            self._respondent.update(fields, updated_at=self.stamp)

    def goto(self, kind: str, qid: str | None = None) -> None:
        """Move to a new pending prompt; its buttons carry the new serial."""
        self.state.kind, self.state.qid = kind, qid
        self.state.serial += 1

    def act(self, verb: str, *args: str) -> str:
        return actions.make(verb, *args, serial=self.state.serial)

    @property
    def submitted(self) -> bool:
        return bool(self.respondent and self.respondent["status"] == "submitted")

    # ---------------------------------------------------------------- entry

    def run(self, inbound: Inbound) -> list[Outbound]:
        if inbound.action is not None:
            return self.on_action(inbound.action)
        text = clean(inbound.text)
        if self.is_new:
            command = parse_command(text) if text else None
            welcome = self.welcome()
            if not text or (command and command.name in {"start", "hello", "help", "menu"}):
                return welcome
            return welcome + self.on_text(text)
        return self.on_text(text)

    # ---------------------------------------------------------------- buttons

    def on_action(self, raw: str) -> list[Outbound]:
        action = actions.decode(raw if isinstance(raw, str) else None)
        if action is None:
            return [Outbound(self.say("unknown_action")), *self.prompt(fresh=False)]
        if action.serial is not None and action.serial != self.state.serial:
            if raw == self.state.last_action:
                return []  # a double tap or a redelivered press: already applied once
            pending_same_question = (
                action.verb == "ans" and self.state.kind == "question" and self.state.qid == action.args[0]
            )
            if action.verb == "ans" and not pending_same_question:
                return self.stale_answer(action.args[0], action.args[1])
            if not pending_same_question:
                return [Outbound(self.say("stale_button")), *self.prompt(fresh=False)]
        if action.serial is not None:
            self.state.last_action = raw
        verb, args = action.verb, action.args
        if verb == "ans":
            return self.on_answer_button(*args)
        if verb == "id":
            return self.on_identity_button(*args)
        if verb == "nav":
            return self.on_nav(args[0])
        if verb == "chg":
            return self.change(args[0])
        if verb == "sec":
            return self.jump(args[0])
        if verb == "cmt":
            return self.ask_comment(args[0])
        if verb == "fee":
            return self.on_fee_button(*args)
        if verb == "more":
            return self.more(args[0].replace(".", ":", 1))
        return self.on_go(args[0])

    def on_answer_button(self, qid: str, code: str) -> list[Outbound]:
        question = self.content.question(qid)
        if question is None or question.kind != "choice" or code not in self.choice_labels:
            return [Outbound(self.say("unknown_action")), *self.prompt(fresh=False)]
        if self.state.kind != "question" or self.state.qid != qid:
            return self.stale_answer(qid, code)
        return self.record_choice(question, code, None)

    def stale_answer(self, qid: str, code: str) -> list[Outbound]:
        """A press on an earlier question's button: applied to that question, never to the pending one."""
        question = self.content.question(qid)
        if question is None or question.kind != "choice" or code not in self.choice_labels:
            return [Outbound(self.say("unknown_action")), *self.prompt(fresh=False)]
        if self.respondent is None:
            return [Outbound(self.say("stale_button")), *self.prompt(fresh=False)]
        refusal = self.closed_refusal()
        if refusal:
            return refusal
        previous = self.answers.get(qid)
        if previous is not None and previous.choice == code:
            return []  # the same answer again: nothing to do, nothing to say twice
        self.save_answer(question, code, previous.comment if previous else None)
        reply = Outbound(self.say("changed_answer", label=self.label(question), choice=self.choice_labels[code]))
        return [reply, *self.prompt(fresh=False)]

    def on_identity_button(self, field: str, value: str) -> list[Outbound]:
        identity = self.content.consultation.identity
        options = {"type": identity.school_types, "role": identity.roles, "consent": identity.quote_consent}
        kinds = {"type": "school_type", "role": "role", "consent": "consent", "name": "name", "school": "school_pick"}
        expected_kind = kinds.get(field)
        if expected_kind is None or self.state.kind != expected_kind:
            return [Outbound(self.say("stale_button")), *self.prompt(fresh=False)]
        if field == "school":
            return self.pick_school(value)
        if field == "name":
            if value == "skip":
                return self.set_name(None)
            if value == "display" and self.display_name:
                return self.set_name(self.display_name)
            return [Outbound(self.say("unknown_action")), *self.prompt(fresh=False)]
        ids = [o.id for o in options[field]]
        if value not in ids:
            return [Outbound(self.say("unknown_action")), *self.prompt(fresh=False)]
        return self.set_identity_option(field, value)

    def on_nav(self, where: str) -> list[Outbound]:
        handlers: dict[str, Callable[[], list[Outbound]]] = {
            "start": self.start,
            "back": self.back,
            "skip": self.skip,
            "submit": lambda: self.submit(confirmed=False),
            "confirm": lambda: self.submit(confirmed=True),
            "changes": self.list_changes,
            "review": self.review,
            "nocomment": self.skip,
            "sections": self.list_sections,
            "erase": self.erase,
            "keep": lambda: self.restore([Outbound(self.say("erase_cancelled"))]),
        }
        handler = handlers.get(where)
        if handler is None:
            return [Outbound(self.say("unknown_action")), *self.prompt(fresh=False)]
        return handler()

    def on_go(self, where: str) -> list[Outbound]:
        if where == "menu":
            return self.welcome()
        if where == "help":
            return [Outbound(self.say("help")), *self.prompt(fresh=False)]
        if where == "ask":
            return self.interrupt("ask")
        if where == "fee":
            return self.fee(None)
        if where == "review":
            return self.review()
        if where == "sections":
            return self.list_sections()
        return [Outbound(self.say("unknown_action")), *self.prompt(fresh=False)]

    # ---------------------------------------------------------------- typed text

    def on_text(self, text: str) -> list[Outbound]:
        if not text:
            return [Outbound(self.say("empty")), *self.prompt(fresh=False)]
        if len(text) > MAX_TEXT_CHARS:
            return [Outbound(self.say("too_long", limit=f"{MAX_TEXT_CHARS:,}")), *self.prompt(fresh=False)]
        command = parse_command(text)
        if command is not None:
            return self.on_command(command)
        if re.fullmatch(r"/\S{1,40}", text):
            return [Outbound(self.say("unknown_command", command=text)), *self.prompt(fresh=False)]
        kind = self.state.kind
        if kind == "question":
            return self.on_question_text(text)
        if kind == "comment":
            return self.record_comment(text)
        if kind == "school" and not text.endswith("?"):
            return self.set_school(text)
        if kind == "school_pick":
            return self.on_school_pick_text(text)
        if kind == "name" and not text.endswith("?"):
            return self.set_name(text)
        if kind in {"school_type", "role", "consent"}:
            return self.on_option_text(text)
        if kind == "fee_pupils":
            return self.on_pupils_text(text)
        if kind in {"fee_band", "fee_pru"}:
            return self.on_fee_band_text(text)
        if kind == "ask":
            self.pop_resume()
            return self.answer_question(text)
        if kind == "confirm_erase":
            word = parse_choice_word(text)
            if word is None:
                return [Outbound(self.say("pick_option")), *self.prompt(fresh=False)]
            return self.erase() if word else self.restore([Outbound(self.say("erase_cancelled"))])
        return self.answer_question(text)

    def on_command(self, command: Command) -> list[Outbound]:
        name = command.name
        if name == "hello":
            if self.state.kind == "none":
                return self.welcome()
            return [Outbound(self.say("welcome_back", where=self.where())), *self.prompt(fresh=True)]
        if name == "change":
            return self.change(command.argument or "")
        if name == "section":
            return self.jump_by_number(command.argument or "")
        if name == "ask":
            if command.argument:
                return self.answer_question(command.argument)
            return self.interrupt("ask")
        if name == "fee":
            return self.fee(None)
        if name == "change_any":
            return self.list_changes()
        if name == "erase":
            return self.interrupt("confirm_erase")
        if name in {"stats", "unanswered"}:
            if (self.channel, self.user_id) not in self.engine.admins:
                return [Outbound(self.say("admin_only")), *self.prompt(fresh=False)]
            return [Outbound(self.stats() if name == "stats" else self.unanswered_list()), *self.prompt(fresh=False)]
        if name == "mydata":
            return [Outbound(self.my_data()), *self.prompt(fresh=False)]
        if name == "pause":
            return [Outbound(self.say("paused", where=self.where()))]
        if name == "help":
            return [Outbound(self.say("help")), *self.prompt(fresh=False)]
        if name == "menu":
            return self.welcome()
        return self.on_nav({"sections": "sections", "review": "review", "submit": "submit"}.get(name, name))

    def on_question_text(self, text: str) -> list[Outbound]:
        question = self.content.question(self.state.qid or "")
        if question is None:
            self.goto("none")
            return self.answer_question(text)
        if question.kind == "text":
            if fold(text) in _NOTHING_TO_ADD:
                return self.skip()
            return self.record_text_answer(question, text)
        typed = self.engine.choices.read(text)
        if typed is None:
            return self.answer_question(text, context=question)
        return self.record_choice(question, typed.code, typed.comment)

    def on_school_pick_text(self, text: str) -> list[Outbound]:
        candidates = list((self.state.extra or {}).get("candidates", []))
        names = [(directory_school(self.store, urn) or {}).get("name", "") for urn in candidates]
        labels = (
            [*names, self.say("button_school_none")]
            if len(candidates) > 1
            else [self.say("button_school_yes"), self.say("button_school_no")]
        )
        index = match_option(text, labels)
        if index is None:
            typed = parse_choice_word(text)
            if typed is not None and len(candidates) == 1:
                index = 0 if typed else 1
        if index is None:
            self.goto("school")
            return self.set_school(text) if not text.endswith("?") else self.answer_question(text)
        if len(candidates) == 1:
            return self.pick_school(candidates[0] if index == 0 else "none")
        return self.pick_school(candidates[index] if index < len(candidates) else "none")

    def on_option_text(self, text: str) -> list[Outbound]:
        field = {"school_type": "type", "role": "role", "consent": "consent"}[self.state.kind]
        options = self.identity_options(field)
        index = match_option(text, [o.label for o in options])
        if index is not None:
            return self.set_identity_option(field, options[index].id)
        if not text.endswith("?") and len(text.split()) <= 4:
            return [Outbound(self.say("pick_option")), *self.prompt(fresh=False)]
        return self.answer_question(text)

    # ---------------------------------------------------------------- welcome, start, resume

    def welcome(self) -> list[Outbound]:
        consultation = self.content.consultation
        phase = self.engine.phase(self.now)
        intro = self.say(
            "welcome",
            title=consultation.title,
            closes=_date(consultation.closes),
            opens=_date(consultation.opens),
            minutes=consultation.estimated_minutes,
            questions=len(self.content.questions),
            schools=self.content.offer.funding.member_schools,
        )
        if phase == "closed":
            intro += "\n\n" + self.say("closed", closes=_date(consultation.closes))
        elif phase == "before":
            intro += "\n\n" + self.say("not_open_yet", opens=_date(consultation.opens))
        buttons: list[Button] = []
        if phase == "open":
            if self.respondent is None:
                buttons.append(Button(self.say("button_start"), self.act("nav", "start")))
            elif self.submitted:
                buttons.append(Button(self.say("button_review"), actions.make("go", "review")))
            else:
                buttons.append(Button(self.say("button_continue"), self.act("nav", "start")))
        buttons.append(Button(self.say("button_ask"), actions.make("go", "ask")))
        buttons.append(Button(self.say("button_fee"), actions.make("go", "fee")))
        privacy = self.say("privacy", email=self.content.offer.contact.email)
        return [Outbound(intro), Outbound(privacy, buttons)]

    def closed_refusal(self) -> list[Outbound]:
        phase = self.engine.phase(self.now)
        consultation = self.content.consultation
        if phase == "closed":
            return [Outbound(self.say("closed", closes=_date(consultation.closes)))]
        if phase == "before":
            return [Outbound(self.say("not_open_yet", opens=_date(consultation.opens)))]
        return []

    def start(self) -> list[Outbound]:
        refusal = self.closed_refusal()
        if refusal:
            return refusal
        if self.respondent_id is None:
            self.respondent_id = self.store.create_respondent(self.channel, self.user_id, self.display_name, self.stamp)
            self.goto("school")
            return [Outbound(self.say("identity_intro")), *self.prompt()]
        if self.state.kind in INTERRUPTIONS:
            self.restore([])
        if self.state.kind != "none":
            return [Outbound(self.say("welcome_back", where=self.where())), *self.prompt(fresh=True)]
        missing = self.missing_identity()
        if missing:
            self.goto(missing)
            return self.prompt()
        if self.submitted:
            return self.review()
        nxt = self.next_unanswered(None)
        if nxt is None:
            return self.review()
        self.goto("question", nxt.id)
        return self.prompt(fresh=True)

    def missing_identity(self) -> str | None:
        respondent = self.respondent or {}
        for field, kind in (
            ("school", "school"),
            ("school_type", "school_type"),
            ("role", "role"),
            ("quote_consent", "consent"),
        ):
            if not respondent.get(field):
                return kind
        return None

    def where(self) -> str:
        """A short phrase for where the person is: 'Question 7 of 15', 'your details', 'the review'."""
        kind = self.state.kind
        if kind in {"question", "comment"} and self.state.qid:
            return self.progress(self.content.question(self.state.qid))
        if kind in IDENTITY_KINDS or kind == "school_pick":
            return self.say("where_details")
        if kind in {"review", "confirm_submit"}:
            return self.say("where_review")
        if self.respondent is not None and not self.submitted:
            nxt = self.next_unanswered(None)
            if nxt is not None:
                return self.progress(nxt)
        return self.say("where_start")

    # ---------------------------------------------------------------- identity

    def identity_options(self, field: str) -> list[Any]:
        identity = self.content.consultation.identity
        return {"type": identity.school_types, "role": identity.roles, "consent": identity.quote_consent}[field]

    def set_school(self, text: str) -> list[Outbound]:
        if len(text) > MAX_SCHOOL_CHARS or len(text) < 2:
            return [Outbound(self.say("school_length", limit=MAX_SCHOOL_CHARS)), *self.prompt(fresh=False)]
        matches = match_schools(text, directory_schools(self.store))
        if not matches:
            self.update_respondent(school=text, school_urn=None, school_type=None)
            return self.after_identity_step("school")
        chosen = matches[:1] if is_clear(matches) else matches
        self.goto("school_pick")
        self.state.extra = {"typed": text, "candidates": [m.school["urn"] for m in chosen]}
        return self.prompt()

    def pick_school(self, urn: str) -> list[Outbound]:
        """A directory school confirmed (or 'none': keep what was typed)."""
        extra = self.state.extra or {}
        typed = str(extra.get("typed") or "")
        if urn == "none":
            self.state.extra = {}
            self.update_respondent(school=typed, school_urn=None, school_type=None)
            return self.after_identity_step("school")
        found = directory_school(self.store, urn) if urn in extra.get("candidates", []) else None
        if found is None:
            return [Outbound(self.say("stale_button")), *self.prompt(fresh=False)]
        self.state.extra = {}
        school_type = next(
            (o.id for o in self.content.consultation.identity.school_types if o.fee_band == found["fee_band"]), None
        )
        self.update_respondent(school=found["name"], school_urn=found["urn"], school_type=school_type)
        self.state.pupils = found["pupils"]
        return self.after_identity_step("school")

    def set_name(self, name: str | None) -> list[Outbound]:
        if name is not None and len(name) > MAX_NAME_CHARS:
            return [Outbound(self.say("name_length", limit=MAX_NAME_CHARS)), *self.prompt(fresh=False)]
        self.update_respondent(name=name)
        return self.after_identity_step("name")

    def set_identity_option(self, field: str, value: str) -> list[Outbound]:
        column = {"type": "school_type", "role": "role", "consent": "quote_consent"}[field]
        self.update_respondent(**{column: value})
        return self.after_identity_step({"type": "school_type", "consent": "consent"}.get(field, field))

    def after_identity_step(self, done: str) -> list[Outbound]:
        order = list(IDENTITY_KINDS)
        if self.state.after_review:
            self.state.after_review = False
            return self.review()
        for kind in order[order.index(done) + 1 :]:
            if kind == "school_type" and (self.respondent or {}).get("school_urn"):
                continue  # the directory told us the type
            self.goto(kind)
            return self.prompt()
        self.goto("none")
        reply = [Outbound(self.say("identity_done"))]
        nxt = self.next_unanswered(None)
        if nxt is None:
            return reply + self.review()
        self.goto("question", nxt.id)
        return reply + self.prompt(fresh=True)

    # ---------------------------------------------------------------- prompts

    def prompt(self, fresh: bool = True) -> list[Outbound]:
        """The message(s) asking for whatever is pending; `fresh` adds the section intro and summary."""
        kind = self.state.kind
        if kind == "none":
            return []
        if kind == "school":
            return [Outbound(self.say("ask_school"))]
        if kind == "school_pick":
            candidates = list((self.state.extra or {}).get("candidates", []))
            found = [f for f in (directory_school(self.store, urn) for urn in candidates) if f]
            if len(found) == 1:
                one = found[0]
                buttons = [
                    Button(self.say("button_school_yes"), self.act("id", "school", one["urn"])),
                    Button(self.say("button_school_no"), self.act("id", "school", "none")),
                ]
                return [Outbound(self.say("confirm_school", school=one["name"]), buttons)]
            buttons = [Button(f["name"][:60], self.act("id", "school", f["urn"])) for f in found]
            buttons.append(Button(self.say("button_school_none"), self.act("id", "school", "none")))
            return [Outbound(self.say("pick_school"), buttons)]
        if kind in {"school_type", "role", "consent"}:
            field = {"school_type": "type", "role": "role", "consent": "consent"}[kind]
            buttons = [Button(o.label, self.act("id", field, o.id)) for o in self.identity_options(field)]
            school = (self.respondent or {}).get("school") or ""
            return [Outbound(self.say(f"ask_{kind}", school=school), buttons)]
        if kind == "name":
            buttons = []
            if self.display_name:
                buttons.append(
                    Button(self.say("button_use_name", name=self.display_name[:30]), self.act("id", "name", "display"))
                )
            buttons.append(Button(self.say("button_skip_name"), self.act("id", "name", "skip")))
            return [Outbound(self.say("ask_name"), buttons)]
        if kind == "question":
            return self.ask(fresh)
        if kind == "comment":
            question = self.content.question(self.state.qid or "")
            assert question is not None
            text = self.say("ask_comment", label=self.label(question), limit=self.comment_limit())
            return [
                Outbound(
                    text, [Button(self.say("button_no_comment"), self.act("nav", "nocomment"))], question_id=question.id
                )
            ]
        if kind == "review":
            return self.review_messages()
        if kind == "confirm_submit":
            missing = [self.label(q) for q in self.unanswered()]
            buttons = [
                Button(self.say("button_submit_anyway"), self.act("nav", "confirm")),
                Button(self.say("button_answer_rest"), self.act("nav", "start")),
            ]
            return [Outbound(self.say("confirm_submit", count=len(missing), missing=", ".join(missing)), buttons)]
        if kind == "fee_band":
            buttons = [Button(b.name, self.act("fee", "band", b.id)) for b in self.content.offer.fees.bands]
            return [Outbound(self.say("ask_fee_band"), buttons)]
        if kind == "fee_pru":
            bands = [b for b in self.content.offer.fees.bands if b.id.startswith("pru")]
            return [Outbound(self.say("ask_fee_pru"), [Button(b.name, self.act("fee", "band", b.id)) for b in bands])]
        if kind == "fee_pupils":
            band = self.content.fee_band(self.state.fee_band or "")
            return [Outbound(self.say("ask_pupils", band=band.name if band else ""))]
        if kind == "ask":
            return [Outbound(self.say("ask_prompt"))]
        if kind == "confirm_erase":
            buttons = [
                Button(self.say("button_erase"), self.act("nav", "erase")),
                Button(self.say("button_keep"), self.act("nav", "keep")),
            ]
            return [Outbound(self.say("confirm_erase"), buttons)]
        return []  # pragma: no cover - State.from_json only admits known kinds

    def ask(self, fresh: bool) -> list[Outbound]:
        question = self.content.question(self.state.qid or "")
        if question is None:
            self.goto("none")
            return []
        replies: list[Outbound] = []
        if fresh:
            section = self.content.section_of[question.id]
            blocks = []
            if section.questions[0].id == question.id:
                blocks.append(section.intro)
            blocks.append(self.summary(question))
            replies.append(Outbound("\n\n".join(blocks)))
        lines = [f"{self.progress(question)} · {question.short}", question.text]
        current = self.answers.get(question.id)
        if current is not None:
            lines.append(self.say("current_answer", answer=self.describe(question, current)))
        lines.append(self.say("hint_text_question" if question.kind == "text" else "hint_choice"))
        buttons: list[Button] = []
        if question.kind == "choice":
            buttons += [
                Button(c.label, self.act("ans", question.id, c.code)) for c in self.content.consultation.choices
            ]
        buttons.append(Button(self.say("button_more"), actions.make("more", question.topic.replace(":", "."))))
        skip_label = "button_nothing_to_add" if question.kind == "text" else "button_skip"
        buttons.append(Button(self.say(skip_label), self.act("nav", "skip")))
        if self.content.question_index[question.id] > 0:
            buttons.append(Button(self.say("button_back"), self.act("nav", "back")))
        replies.append(Outbound("\n\n".join(lines), buttons, question_id=question.id))
        return replies

    def summary(self, question: Question) -> str:
        text = self.engine.summaries[question.topic]
        if question.topic == "fees":
            own = self.own_fee()
            if own:
                text += "\n\n" + own
        return text

    def own_fee(self) -> str | None:
        """'Your school's subscription: …' when the school type (and roll, if needed) is known."""
        band = self.known_band()
        if band is None:
            return None
        if band.per_pupil != 0 and self.state.pupils is None:
            return self.say(
                "own_fee_rates",
                band=band.name,
                flat=f"{self.content.offer.fees.currency}{band.flat_rate}",
                per_pupil=f"{self.content.offer.fees.currency}{band.per_pupil_rate}",
            )
        return self.say("own_fee", working=working(self.content, band, self.state.pupils))

    def known_band(self) -> Any:
        school_type = (self.respondent or {}).get("school_type")
        for option in self.content.consultation.identity.school_types:
            if option.id == school_type and option.fee_band:
                return self.content.fee_band(option.fee_band)
        return None

    def progress(self, question: Question | None) -> str:
        if question is None:
            return ""
        return self.say(
            "progress",
            label=self.label(question),
            number=self.content.question_index[question.id] + 1,
            total=len(self.content.questions),
        )

    def label(self, question: Question) -> str:
        return "Q" + question.id[1:]

    @property
    def choice_labels(self) -> dict[str, str]:
        return self.engine.choice_labels

    def describe(self, question: Question, answer: Answer) -> str:
        parts = []
        if answer.choice:
            parts.append(self.choice_labels.get(answer.choice, answer.choice))
        if answer.comment:
            comment = answer.comment if len(answer.comment) <= 80 else answer.comment[:79] + "…"
            parts.append(f"“{comment}”")
        return " – ".join(parts) or self.say("not_answered")

    def comment_limit(self) -> str:
        return f"{self.content.consultation.comment_max_chars:,}"

    # ---------------------------------------------------------------- recording answers

    def save_answer(self, question: Question, choice: str | None, comment: str | None) -> None:
        assert self.respondent_id is not None
        self.store.save_answer(
            self.respondent_id,
            question.id,
            choice=choice,
            comment=comment,
            now=self.stamp,
            after_submission=self.submitted,
        )
        self.answers[question.id] = Answer(choice, comment, self.stamp)
        if self.submitted:
            self.update_respondent(amended_at=self.stamp)
        else:
            self.update_respondent()

    def comment_too_long(self, comment: str | None) -> list[Outbound]:
        limit = self.content.consultation.comment_max_chars
        if comment is not None and len(comment) > limit:
            return [Outbound(self.say("comment_too_long", length=f"{len(comment):,}", limit=f"{limit:,}"))]
        return []

    def refuse_storing(self, comment: str | None) -> list[Outbound]:
        """Why an answer cannot be stored now (closed, or the comment is too long), or [] if it can."""
        refusal = self.closed_refusal()
        if refusal:
            return refusal
        too_long = self.comment_too_long(comment)
        return too_long + self.prompt(fresh=False) if too_long else []

    def record_choice(self, question: Question, code: str, comment: str | None) -> list[Outbound]:
        refused = self.refuse_storing(comment)
        if refused:
            return refused
        previous = self.answers.get(question.id)
        kept_comment = comment if comment is not None else (previous.comment if previous else None)
        if previous is None or previous.choice != code or previous.comment != kept_comment:
            self.save_answer(question, code, kept_comment)
        choice = self.choice_labels[code]
        invite = code in self.content.consultation.invite_comment_after and not kept_comment
        if invite:
            self.goto("comment", question.id)
            return [Outbound(self.say("saved_choice", choice=choice)), *self.prompt()]
        key = "saved_choice_comment" if comment else "saved_choice"
        return self.advance(question, ack=self.say(key, choice=choice))

    def record_comment(self, text: str) -> list[Outbound]:
        question = self.content.question(self.state.qid or "")
        assert question is not None
        refused = self.refuse_storing(text)
        if refused:
            return refused
        previous = self.answers.get(question.id)
        self.save_answer(question, previous.choice if previous else None, text)
        return self.advance(question, ack=self.say("saved_comment"))

    def record_text_answer(self, question: Question, text: str) -> list[Outbound]:
        refused = self.refuse_storing(text)
        if refused:
            return refused
        self.save_answer(question, None, text)
        return self.advance(question, ack=self.say("saved_comment"))

    def ask_comment(self, qid: str) -> list[Outbound]:
        question = self.content.question(qid)
        if question is None or self.respondent is None:
            return [Outbound(self.say("unknown_action")), *self.prompt(fresh=False)]
        refusal = self.closed_refusal()
        if refusal:
            return refusal
        self.goto("comment", qid)
        return self.prompt()

    # ---------------------------------------------------------------- moving around

    def advance(self, question: Question, ack: str | None = None) -> list[Outbound]:
        """After a question: back to the review if we came from it, else the next unanswered question."""
        if self.state.after_review or self.submitted:
            self.state.after_review = False
            replies = self.review()
        else:
            nxt = self.next_unanswered(question.id)
            if nxt is None:
                replies = self.review(intro=self.say("all_answered") if not self.unanswered() else None)
            else:
                self.goto("question", nxt.id)
                replies = self.prompt(fresh=True)
        if ack and replies:
            first = replies[0]
            replies[0] = Outbound(f"{ack}\n\n{first.text}", first.buttons, first.question_id)
        elif ack:
            replies = [Outbound(ack)]
        return replies

    def next_unanswered(self, after: str | None) -> Question | None:
        start = 0 if after is None else self.content.question_index[after] + 1
        for question in self.content.questions[start:]:
            if question.id not in self.answers:
                return question
        return None

    def unanswered(self) -> list[Question]:
        return [q for q in self.content.questions if q.id not in self.answers]

    def skip(self) -> list[Outbound]:
        kind = self.state.kind
        if kind == "question":
            question = self.content.question(self.state.qid or "")
            assert question is not None
            return self.advance(question, ack=self.say("skipped"))
        if kind == "comment":
            question = self.content.question(self.state.qid or "")
            assert question is not None
            return self.advance(question, ack=self.say("no_comment"))
        if kind == "name":
            return self.set_name(None)
        if kind in INTERRUPTIONS:
            return self.restore([])
        return [Outbound(self.say("nothing_to_skip")), *self.prompt(fresh=False)]

    def back(self) -> list[Outbound]:
        kind = self.state.kind
        if kind == "comment":
            self.goto("question", self.state.qid)
            return self.prompt(fresh=False)
        if kind == "question":
            index = self.content.question_index[self.state.qid or ""]
            if index == 0:
                return [Outbound(self.say("first_question")), *self.prompt(fresh=False)]
            self.goto("question", self.content.questions[index - 1].id)
            return self.prompt(fresh=True)
        if kind == "school_pick":
            self.goto("school")
            return self.prompt()
        if kind in IDENTITY_KINDS:
            order = list(IDENTITY_KINDS)
            index = order.index(kind)
            if index == 0:
                return [Outbound(self.say("first_question")), *self.prompt(fresh=False)]
            self.goto(order[index - 1])
            return self.prompt()
        if kind in {"review", "confirm_submit"}:
            self.goto("question", self.content.questions[-1].id)
            return self.prompt(fresh=True)
        if kind in INTERRUPTIONS:
            return self.restore([])
        return [Outbound(self.say("nothing_to_go_back_to"))]

    def change(self, qid: str) -> list[Outbound]:
        question = self.content.question(qid)
        if question is None:
            return [Outbound(self.say("no_such_question", qid=qid[1:] or "?")), *self.prompt(fresh=False)]
        if self.respondent is None or self.missing_identity():
            return self.start()
        refusal = self.closed_refusal()
        if refusal:
            return refusal
        self.state.after_review = self.state.kind in {"review", "confirm_submit"} or self.submitted
        self.goto("question", question.id)
        return self.prompt(fresh=True)

    def jump(self, section_id: str) -> list[Outbound]:
        section = next((s for s in self.content.consultation.sections if s.id == section_id), None)
        if section is None:
            return [Outbound(self.say("unknown_action")), *self.prompt(fresh=False)]
        if self.respondent is None or self.missing_identity():
            return self.start()
        refusal = self.closed_refusal()
        if refusal:
            return refusal
        self.state.after_review = False
        self.goto("question", section.questions[0].id)
        return self.prompt(fresh=True)

    def jump_by_number(self, number: str) -> list[Outbound]:
        sections = self.content.consultation.sections
        if not number.isdigit() or not 1 <= int(number) <= len(sections):
            return [Outbound(self.say("no_such_section", count=len(sections))), *self.prompt(fresh=False)]
        return self.jump(sections[int(number) - 1].id)

    def list_sections(self) -> list[Outbound]:
        if self.respondent is None or self.missing_identity():
            return self.start()
        buttons = [
            Button(f"{i}. {s.title}"[:60], self.act("sec", s.id))
            for i, s in enumerate(self.content.consultation.sections, 1)
        ]
        return [Outbound(self.say("pick_section"), buttons)]

    def list_changes(self) -> list[Outbound]:
        if self.respondent is None or self.missing_identity():
            return self.start()
        buttons = [Button(f"{self.label(q)} {q.short}"[:60], self.act("chg", q.id)) for q in self.content.questions]
        return [Outbound(self.say("pick_change"), buttons)]

    # ---------------------------------------------------------------- the respondent's own data

    def my_data(self) -> str:
        """Everything stored about this person, in plain words (UK GDPR right of access)."""
        lines = [
            self.say("my_data_title"),
            self.say(
                "my_data_account", channel=self.channel, user_id=self.user_id, display_name=self.display_name or "-"
            ),
        ]
        respondent = self.respondent
        if respondent is None:
            lines.append(self.say("my_data_nothing_else"))
        else:
            options = {
                o.id: o.label
                for o in (*self.content.consultation.identity.school_types, *self.content.consultation.identity.roles)
            }
            consent = {o.id: o.label for o in self.content.consultation.identity.quote_consent}
            lines.append(
                self.say(
                    "my_data_details",
                    name=respondent["name"] or "-",
                    role=options.get(respondent["role"] or "", "-"),
                    school=respondent["school"] or "-",
                    school_type=options.get(respondent["school_type"] or "", "-"),
                    consent=consent.get(respondent["quote_consent"] or "", "-"),
                    status=respondent["status"],
                    reference=respondent["reference"] or "-",
                    started=respondent["started_at"],
                    updated=respondent["updated_at"],
                    submitted=respondent["submitted_at"] or "-",
                )
            )
            for question in self.content.questions:
                answer = self.answers.get(question.id)
                if answer is not None:
                    full = " – ".join(
                        x
                        for x in (
                            self.choice_labels.get(answer.choice or "", ""),
                            f"“{answer.comment}”" if answer.comment else "",
                        )
                        if x
                    )
                    lines.append(f"{self.label(question)} {question.short}: {full} ({answer.answered_at})")
            changes = len(self.store.answer_log(self.respondent_id)) if self.respondent_id else 0
            lines.append(self.say("my_data_log", changes=changes))
        # results branch (issue 14 point 17): the pupil count kept in the conversation (or on the respondent row).
        pupils = (respondent or {}).get("pupils")
        pupils = pupils if pupils is not None else self.state.pupils
        if pupils is not None:
            lines.append(self.say("my_data_pupils", pupils=pupils))
        asked = self.store.unanswered_by(self.channel, self.user_id)
        if asked:
            lines.append(self.say("my_data_questions", count=len(asked)))
            lines += [f"• {row['question']} ({row['asked_at']})" for row in asked]
        lines.append(self.say("my_data_footer", email=self.content.offer.contact.email))
        return "\n".join(lines)

    def erase(self) -> list[Outbound]:
        """Delete everything about this person (after they confirmed)."""
        if self.state.kind != "confirm_erase":
            return [Outbound(self.say("stale_button")), *self.prompt(fresh=False)]
        self.store.erase_person(self.channel, self.user_id)
        self.erased = True
        return [Outbound(self.say("erased", email=self.content.offer.contact.email))]

    # ---------------------------------------------------------------- the ELP team, in chat

    def stats(self) -> str:
        result = summary(self.store)
        options = {
            o.id: o.label
            for o in (*self.content.consultation.identity.school_types, *self.content.consultation.identity.roles)
        }
        members = (
            self.say("stats_members", responded=result.members_responded, members=result.members)
            if result.members
            else self.say("stats_no_members")
        )
        by_type = _in_order(result.by_type, self.content.consultation.identity.school_types, options)
        by_role = _in_order(result.by_role, self.content.consultation.identity.roles, options)
        return self.say(
            "stats",
            respondents=result.respondents,
            submitted=result.submitted,
            in_progress=result.in_progress,
            members=members,
            by_type=by_type,
            by_role=by_role,
        )

    def unanswered_list(self) -> str:
        rows = self.store.unanswered_summary(10)
        lines = [self.say("unanswered_title", count=len(rows))]
        lines += [f"{row['times']}× {row['example']}" for row in rows]
        return "\n".join(lines)

    # ---------------------------------------------------------------- review and submit

    def review(self, intro: str | None = None) -> list[Outbound]:
        if self.respondent is None:
            return [Outbound(self.say("not_started")), *self.welcome()[1:]]
        self.goto("review")
        replies = self.review_messages()
        if intro:
            replies[0] = Outbound(f"{intro}\n\n{replies[0].text}", replies[0].buttons)
        return replies

    def review_messages(self) -> list[Outbound]:
        questions = self.content.questions
        lines = [self.say("review_title", answered=len(questions) - len(self.unanswered()), total=len(questions))]
        for question in questions:
            answer = self.answers.get(question.id)
            value = self.describe(question, answer) if answer else self.say("not_answered")
            lines.append(f"{self.label(question)} {question.short}: {value}")
        respondent = self.respondent or {}
        buttons: list[Button] = []
        open_now = self.engine.phase(self.now) == "open"
        if respondent.get("status") == "submitted":
            lines.append(
                self.say(
                    "review_submitted",
                    reference=respondent["reference"],
                    closes=_date(self.content.consultation.closes),
                )
            )
        if open_now:
            if respondent.get("status") != "submitted":
                buttons.append(Button(self.say("button_submit"), self.act("nav", "submit")))
                if self.unanswered():
                    buttons.append(Button(self.say("button_answer_rest"), self.act("nav", "start")))
            buttons.append(Button(self.say("button_change"), self.act("nav", "changes")))
        else:
            lines.append(self.closed_refusal()[0].text)
        return [Outbound("\n".join(lines), buttons)]

    def submit(self, confirmed: bool) -> list[Outbound]:
        if self.respondent is None or self.missing_identity():
            return self.start()
        refusal = self.closed_refusal()
        if refusal:
            return refusal
        if self.submitted:
            return [Outbound(self.say("already_submitted", reference=self.respondent["reference"]))]
        if self.unanswered() and not confirmed:
            self.goto("confirm_submit")
            return self.prompt()
        reference = self.store.next_reference(self.content.consultation.reference_prefix)
        self.update_respondent(status="submitted", reference=reference, submitted_at=self.stamp)
        self.goto("none")
        text = self.say("submitted", reference=reference, closes=_date(self.content.consultation.closes))
        return [Outbound(text, [Button(self.say("button_review"), actions.make("go", "review"))])]

    # ---------------------------------------------------------------- questions and the fee calculator

    def interrupt(self, kind: str) -> list[Outbound]:
        """Start a side prompt (a question, the fee calculator) that hands back to where the person was."""
        if self.state.kind not in INTERRUPTIONS:
            self.state.resume = {"kind": self.state.kind, "qid": self.state.qid}
        self.goto(kind)
        return self.prompt()

    def pop_resume(self) -> None:
        """End a side prompt: make what was pending before it pending again."""
        resume = self.state.resume or {"kind": "none", "qid": None}
        self.state.resume = None
        self.goto(resume.get("kind") or "none", resume.get("qid"))

    def restore(self, replies: list[Outbound]) -> list[Outbound]:
        """End a side prompt and ask again what was pending before it."""
        self.pop_resume()
        return replies + self.prompt(fresh=False)

    def answer_question(self, text: str, context: Question | None = None) -> list[Outbound]:
        """Answer a question from the content, then ask again whatever was pending."""
        if len(text) > 500:
            return [Outbound(self.say("question_too_long")), *self.prompt(fresh=False)]
        reply = self.engine.answerer.find(text)
        if reply.compute == "fees":  # fee words are a synonym group in faq.yaml: the answerer routes them
            return self.fee(text)
        follow = self.follow_up_buttons()
        email = self.content.offer.contact.email
        if not reply.confident and context is not None and _DEICTIC.search(text) and reply.kind != "declined":
            return [Outbound(topic_full(self.content, context.topic), follow), *self.prompt(fresh=False)]
        if not reply.confident:
            self.store.log_unanswered(
                self.channel,
                self.user_id,
                text,
                reply.normalised,
                json.dumps([t for _, t in reply.suggestions]),
                self.stamp,
            )
            if reply.kind == "declined":
                return [Outbound(self.say("declined", email=email), follow), *self.prompt(fresh=False)]
            buttons = [self.more_button(title, topic) for title, topic in reply.suggestions]
            return [Outbound(self.say("not_sure", email=email), buttons[:3] + follow), *self.prompt(fresh=False)]
        buttons = []
        if reply.topic and reply.topic not in {"contact", "dates"}:
            label = self.say("button_more_on", topic=topic_title(self.content, reply.topic, short=True))
            buttons.append(self.more_button(label, reply.topic))
        buttons += [
            self.more_button(self.say("button_more_on", topic=topic_title(self.content, topic, short=True)), topic)
            for topic in reply.related[:2]
        ]
        answer = Outbound(self.say("answer", answer=reply.answer, source=reply.source), buttons + follow)
        return [answer, *self.prompt(fresh=False)]

    def more_button(self, label: str, topic: str) -> Button:
        return Button(label[:60], actions.make("more", topic.replace(":", ".", 1)))

    def follow_up_buttons(self) -> list[Button]:
        if self.state.kind != "none" or self.engine.phase(self.now) != "open":
            return []
        if self.respondent is None:
            return [Button(self.say("button_start"), self.act("nav", "start"))]
        if not self.submitted:
            return [Button(self.say("button_continue"), self.act("nav", "start"))]
        return []

    def more(self, topic: str) -> list[Outbound]:
        if not self.content.has_topic(topic):
            return [Outbound(self.say("unknown_action")), *self.prompt(fresh=False)]
        return [Outbound(topic_full(self.content, topic), self.follow_up_buttons()), *self.prompt(fresh=False)]

    def fee(self, text: str | None) -> list[Outbound]:
        request = read_fee_request(text) if text else None
        band_id = request.band if request else None
        if request and request.pupils is not None:
            self.state.pupils = request.pupils
        if band_id is None:
            band = self.known_band()
            band_id = band.id if band else None
        if band_id == "pru":
            self.begin_fee("fee_pru")
            return self.prompt()
        if band_id is None:
            self.begin_fee("fee_band")
            return self.prompt()
        return self.fee_for(band_id)

    def begin_fee(self, kind: str) -> None:
        if self.state.kind in INTERRUPTIONS:
            self.goto(kind)
        else:
            self.interrupt(kind)

    def fee_for(self, band_id: str) -> list[Outbound]:
        band = self.content.fee_band(band_id)
        if band is None:
            return [Outbound(self.say("unknown_action")), *self.prompt(fresh=False)]
        self.state.fee_band = band.id
        if band.per_pupil != 0 and self.state.pupils is None:
            self.begin_fee("fee_pupils")
            return self.prompt()
        reply = working(self.content, band, self.state.pupils if band.per_pupil != 0 else None)
        if band.per_pupil == 0:
            reply += "\n\n" + self.say("fee_no_per_pupil", band=band.name)
        reply = self.say("fee_answer", working=reply, source=self.content.offer.funding.heading)
        answer = [Outbound(reply, self.follow_up_buttons() if self.state.kind == "none" else [])]
        if self.state.kind in INTERRUPTIONS:
            return self.restore(answer)
        return answer + self.prompt(fresh=False)

    def on_fee_button(self, what: str, value: str) -> list[Outbound]:
        if what != "band" or self.state.kind not in {"fee_band", "fee_pru"}:
            return [Outbound(self.say("stale_button")), *self.prompt(fresh=False)]
        return self.fee_for(value)

    def on_fee_band_text(self, text: str) -> list[Outbound]:
        request = read_fee_request(text)
        if request.pupils is not None:
            self.state.pupils = request.pupils
        if request.band and request.band != "pru":
            return self.fee_for(request.band)
        bands = [b for b in self.content.offer.fees.bands if self.state.kind == "fee_band" or b.id.startswith("pru")]
        index = match_option(text, [b.name for b in bands])
        if index is not None:
            return self.fee_for(bands[index].id)
        return [Outbound(self.say("pick_option")), *self.prompt(fresh=False)]

    def on_pupils_text(self, text: str) -> list[Outbound]:
        request = read_fee_request(text)
        pupils = request.pupils
        if pupils is None or not 1 <= pupils <= 5000:
            return [Outbound(self.say("pupils_invalid")), *self.prompt(fresh=False)]
        self.state.pupils = pupils
        return self.fee_for(self.state.fee_band or "")
