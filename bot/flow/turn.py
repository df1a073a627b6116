"""One turn: the person, their session and answers, and the helpers every step shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot import _actions as actions
from bot._messages import Button, Outbound
from bot._text import clean
from bot.flow.state import CommentDraft, Frame, Session, StepId
from content import Content, Question
from storage import Answer, Store

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.flow.base import Step

MAX_NAME_CHARS = 100
SHOWN_CHARS = 200  # a draft comment is quoted back up to this length
IDENTITY_STEPS = (StepId.SCHOOL, StepId.SCHOOL_TYPE, StepId.ROLE, StepId.NAME, StepId.CONSENT)
# respondent column that each identity step fills (name is optional, so it is never "missing")
IDENTITY_COLUMNS = {
    StepId.SCHOOL: "school",
    StepId.SCHOOL_TYPE: "school_type",
    StepId.ROLE: "role",
    StepId.CONSENT: "quote_consent",
}


def shorten(text: str) -> str:
    """A comment as quoted back: up to 200 characters."""
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def date_text(day: dt.date) -> str:
    """'31 March 2027'."""
    return f"{day.day} {day:%B %Y}"


class Turn:
    """Handling one inbound message for one person: state in, replies out, changes through the store."""

    def __init__(
        self,
        engine: Engine,
        steps: Mapping[StepId, Step],
        row: dict[str, Any] | None,
        *,
        channel: str,
        user_id: str,
        display_name: str | None,
        now: dt.datetime,
    ):
        self.engine, self.steps = engine, steps
        self.content: Content = engine.content
        self.store: Store = engine.store
        self.channel, self.user_id = channel, user_id
        self.display_name = clean(display_name)[:MAX_NAME_CHARS] or None
        self.now, self.stamp = now, now.isoformat(timespec="seconds")
        self.is_new = row is None
        self.loaded_state = row["state"] if row else None
        self.loaded_display_name = row["display_name"] if row else None
        self.session = Session.from_json(row["state"]) if row else Session()
        self.respondent_id: int | None = row["respondent_id"] if row else None
        self._respondent: dict[str, Any] | None = row["respondent"] if row else None
        self._answers: dict[str, Answer] | None = None
        self.erased = False
        self.stored_answer = False  # an answer was saved this turn
        self.notices: list[str] = []  # lines put before this turn's replies (a remark let go of)

    # ---------------------------------------------------------------- saving

    def save(self) -> None:
        """Write the conversation row back, only if something about it changed."""
        if self.erased:
            return  # everything about this person was just deleted: do not write their row back
        state = self.session.to_json()
        unchanged = (
            not self.is_new
            and state == self.loaded_state
            and (self.display_name is None or self.display_name == self.loaded_display_name)
        )
        if unchanged:
            return
        self.store.save_conversation(
            self.channel,
            self.user_id,
            respondent_id=self.respondent_id,
            display_name=self.display_name,
            state=state,
            now=self.stamp,
        )

    # ---------------------------------------------------------------- the person

    @property
    def respondent(self) -> dict[str, Any] | None:
        """Their respondent row (None before they start the consultation)."""
        if self._respondent is None and self.respondent_id is not None:
            self._respondent = self.store.respondent(self.respondent_id)
        return self._respondent

    @property
    def answers(self) -> dict[str, Answer]:
        """Their current answers by question id (read once per turn, kept in step with writes)."""
        if self._answers is None:
            self._answers = self.store.answers(self.respondent_id) if self.respondent_id is not None else {}
        return self._answers

    @property
    def submitted(self) -> bool:
        """Whether they have submitted."""
        return bool(self.respondent and self.respondent["status"] == "submitted")

    @property
    def school_pupils(self) -> int | None:
        """Their school's number of pupils, as stored (from the directory, or confirmed by them)."""
        return (self.respondent or {}).get("pupils")

    def update_respondent(self, **fields: Any) -> None:
        """Set respondent fields (and touch updated_at)."""
        assert self.respondent_id is not None
        self.store.update_respondent(self.respondent_id, self.stamp, **fields)
        if self._respondent is not None:  # keep the cached row in step instead of reading it again
            self._respondent.update(fields, updated_at=self.stamp)

    def missing_identity(self) -> StepId | None:
        """The first identity step still to answer, or None when the details are complete."""
        respondent = self.respondent or {}
        return next((step for step, column in IDENTITY_COLUMNS.items() if not respondent.get(column)), None)

    def save_answer(self, question: Question, choice: str | None, comment: str | None) -> None:
        """Store an answer (with its audit row) and mark the respondent updated or amended.

        The same answer again is not a change: nothing is written, so the audit log grows only with changes.
        """
        assert self.respondent_id is not None
        previous = self.answers.get(question.id)
        if previous is not None and (previous.choice, previous.comment) == (choice, comment):
            return
        self.store.save_answer(
            self.respondent_id,
            question.id,
            choice=choice,
            comment=comment,
            now=self.stamp,
            after_submission=self.submitted,
        )
        self.answers[question.id] = Answer(choice, comment, self.stamp)
        self.stored_answer = True
        if self.submitted:
            self.update_respondent(amended_at=self.stamp)
        else:
            self.update_respondent()

    # ---------------------------------------------------------------- moving

    @property
    def step(self) -> Step:
        """The step that is pending."""
        return self.steps[self.session.step]

    def goto(self, step: StepId, qid: str | None = None) -> None:
        """Make `step` pending; a new prompt gets a new serial, so buttons of earlier prompts become stale.

        This is the one place a remark waiting for its choice is let go of, with a notice, when they
        leave its question (change N, review, a section, skip, back…); a side step (the fee calculator,
        ask) keeps it and hands it back with the question.
        """
        if (step, qid) != (self.session.step, self.session.qid):
            self._carry_remark(Frame(step, qid))
            self.session.serial += 1
        if step != StepId.COMMENT and not self.steps[step].side:
            self.session.comment_return = None  # left the comment some other way: nothing to hand back to
        self.session.step, self.session.qid = step, qid

    def waiting_remark(self) -> CommentDraft | None:
        """A remark typed at the pending question's prompt, waiting for the choice that goes with it."""
        draft = self.session.comment_draft
        if draft is None or draft.serial != self.session.serial:
            return None
        return draft if self.session.here == Frame(StepId.QUESTION, draft.qid) else None

    def _carry_remark(self, target: Frame) -> None:
        """Before moving to `target`: keep a waiting remark over a side step, else let it go, never silently."""
        draft = self.session.comment_draft
        if draft is not None and draft.serial is None and self.session.step == StepId.CONFIRM_COMMENT:
            self.session.comment_draft = None  # "Add this as your comment?" left unanswered: say so
            self.notices.append(self.say("offered_comment_not_saved", comment=shorten(draft.text)))
            return
        if draft is None or draft.serial is None:
            return  # none, or one offered on an answer (its own confirm step deals with it)
        held = self.waiting_remark() is not None or self.step.side  # waiting here, or kept over a side step
        if held and self.steps[target.step].side:
            return  # the fee calculator, ask…: kept until they come back to its question
        if held and target == Frame(StepId.QUESTION, draft.qid):
            draft.serial = self.session.serial + 1  # back at its question: waiting at the new prompt
            return
        self.session.comment_draft = None
        if held:
            self.notices.append(self.say("remark_not_saved", comment=shorten(draft.text)))

    def interrupt(self, step: StepId) -> list[Outbound]:
        """Start a side step (a question, the fee calculator, erasure) that hands back to where they were."""
        if not self.step.side:
            self.session.resume.append(self.session.here)
        self.goto(step)
        return self.prompt()

    def pop_resume(self) -> None:
        """End a side step: make what was pending before it pending again."""
        frame = self.session.resume.pop() if self.session.resume else Frame()
        self.goto(frame.step, frame.qid)

    def restore(self, replies: list[Outbound]) -> list[Outbound]:
        """End a side step and ask again what was pending before it."""
        self.pop_resume()
        return replies + self.prompt(fresh=False)

    # ---------------------------------------------------------------- saying

    def say(self, key: str, **values: Any) -> str:
        """A sentence from messages.yaml."""
        return self.content.say(key, **values)

    def act(self, verb: str, *args: str) -> str:
        """A button action for the pending prompt (answer and comment buttons are remembered as offered)."""
        if verb in {"ans", "cmt"}:
            self.session.offer(f"{verb}:{args[0]}:{self.session.serial}")
        return actions.make(verb, *args, serial=self.session.serial)

    def prompt(self, fresh: bool = True) -> list[Outbound]:
        """The message(s) asking for whatever is pending; `fresh` adds the section intro and summary."""
        return self.step.prompt(self, fresh)

    def again(self, key: str, **values: Any) -> list[Outbound]:
        """A one-line message from messages.yaml, then the pending prompt again."""
        return self.again_with(self.say(key, **values))

    def again_with(self, text: str) -> list[Outbound]:
        """A message, then the pending prompt again."""
        return [Outbound(text), *self.prompt(fresh=False)]

    def phase(self) -> str:
        """'before', 'open' or 'closed'."""
        return self.engine.phase(self.now)

    def closed_refusal(self) -> list[Outbound]:
        """Why answers cannot be given now (not open yet, closed), or [] when the consultation is open."""
        consultation = self.content.consultation
        phase = self.phase()
        if phase == "closed":
            return [Outbound(self.say("closed", closes=date_text(consultation.closes)))]
        if phase == "before":
            return [Outbound(self.say("not_open_yet", opens=date_text(consultation.opens)))]
        return []

    def follow_up_buttons(self) -> list[Button]:
        """Start/continue, under an answer given while nothing is pending."""
        if self.session.step != StepId.NONE or self.phase() != "open":
            return []
        if self.respondent is None:
            return [Button(self.say("button_start"), self.act("nav", "start"))]
        if not self.submitted:
            return [Button(self.say("button_continue"), self.act("nav", "start"))]
        return []

    # ---------------------------------------------------------------- the questionnaire

    def question(self, qid: str | None) -> Question | None:
        """A consultation question by id."""
        return self.content.question(qid or "")

    def label(self, question: Question) -> str:
        """'Q5.3'."""
        return "Q" + question.id[1:]

    def progress_label(self, question: Question | None) -> str:
        """'Question 7 of 15 (Q5.3)'."""
        if question is None:
            return ""
        return self.say(
            "progress",
            label=self.label(question),
            number=self.content.question_index[question.id] + 1,
            total=len(self.content.questions),
        )

    def just_answered(self) -> Question | None:
        """The question answered by the last choice, while the prompt after it is pending and it has no comment."""
        just = self.session.just_answered
        if just is None or just.serial != self.session.serial or self.session.step != StepId.QUESTION:
            return None
        answer = self.answers.get(just.qid)
        if answer is None or answer.comment or just.qid == self.session.qid:
            return None
        return self.question(just.qid)

    def next_unanswered(self, after: str | None) -> Question | None:
        """The first unanswered question after `after` (from the start if None)."""
        start = 0 if after is None else self.content.question_index[after] + 1
        return next((q for q in self.content.questions[start:] if q.id not in self.answers), None)

    def unanswered(self) -> list[Question]:
        """Every unanswered question, in order."""
        return [q for q in self.content.questions if q.id not in self.answers]

    def describe(self, answer: Answer | None) -> str:
        """'No – “too vague”' (long comments shortened), or 'not answered'."""
        if answer is None:
            return self.say("not_answered")
        parts = []
        if answer.choice:
            parts.append(self.engine.choice_labels.get(answer.choice, answer.choice))
        if answer.comment:
            comment = answer.comment if len(answer.comment) <= 80 else answer.comment[:79] + "…"
            parts.append(f"“{comment}”")
        return " – ".join(parts) or self.say("not_answered")
