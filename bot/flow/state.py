"""Where one person is in the conversation: the pending step and what it needs, stored as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MAX_OFFERS = 120  # answer/comment buttons remembered (about eight per prompt): older ones count as stale


class StepId(StrEnum):
    """Every prompt the conversation can be waiting on. NONE: nothing pending, text is a question."""

    NONE = "none"
    SCHOOL = "school"
    SCHOOL_PICK = "school_pick"
    SCHOOL_TYPE = "school_type"
    ROLE = "role"
    NAME = "name"
    CONSENT = "consent"
    QUESTION = "question"
    COMMENT = "comment"
    REVIEW = "review"
    CONFIRM_SUBMIT = "confirm_submit"
    FEE_BAND = "fee_band"
    FEE_PRU = "fee_pru"
    FEE_PUPILS = "fee_pupils"
    ASK = "ask"
    CONFIRM_ERASE = "confirm_erase"
    CONFIRM_COMMENT = "confirm_comment"


@dataclass
class Frame:
    """A place to come back to: a step and, for question steps, the question."""

    step: StepId = StepId.NONE
    qid: str | None = None


@dataclass
class SchoolPick:
    """A school typed at the school step and the directory schools offered for it (URNs)."""

    typed: str
    candidates: list[str]


@dataclass
class FeeDraft:
    """What the fee calculator has been told so far."""

    band: str | None = None
    pupils: int | None = None
    asked: bool = False  # the pupils were typed at "How many pupils?", not mentioned in passing


@dataclass
class JustAnswered:
    """A choice just given without a comment, and the serial of the prompt that followed it.

    While that prompt is pending, it offers "Add a comment on Q1", and typed text that is neither an
    answer nor a question is offered as that comment.
    """

    qid: str
    serial: int


@dataclass
class CommentDraft:
    """Typed text offered as a comment: on an answer (waiting for a yes), or, with the serial of the
    prompt it was typed at, on the pending question (waiting for the choice that goes with it)."""

    qid: str
    text: str
    serial: int | None = None


@dataclass
class Session:
    """The pending step and what must be remembered between turns (see `to_json`/`from_json`)."""

    step: StepId = StepId.NONE
    qid: str | None = None
    serial: int = 0
    after_review: bool = False
    last_action: str | None = None
    resume: list[Frame] = field(default_factory=list)
    school_pick: SchoolPick | None = None
    fee: FeeDraft = field(default_factory=FeeDraft)
    offers: list[str] = field(default_factory=list)
    just_answered: JustAnswered | None = None
    comment_draft: CommentDraft | None = None
    comment_return: Frame | None = None  # where a comment opened by its button hands back to

    @property
    def here(self) -> Frame:
        """The pending step as a frame."""
        return Frame(self.step, self.qid)

    def offer(self, key: str) -> None:
        """Remember that a button with this key ('ans:q1:7') was shown."""
        if key not in self.offers:
            self.offers.append(key)
            del self.offers[:-MAX_OFFERS]

    def to_json(self) -> str:
        """Serialise for storage."""
        # vars() rather than dataclasses.asdict: no deep copy (this runs on every turn); StepId is a str.
        return json.dumps({**vars(self), "v": 2}, default=vars, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> Session:
        """Load from storage; anything unreadable or unknown starts afresh rather than failing the turn.

        Rows written before steps were a table (with "kind" and an untyped "extra") still load.
        """
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        serial = data.get("serial")
        serial = serial if isinstance(serial, int) and not isinstance(serial, bool) and serial >= 0 else 0
        try:
            return _read(data if "step" in data else _from_first_format(data), serial)
        except (TypeError, ValueError, KeyError, AttributeError):
            return cls(serial=serial)


def _read(data: dict[str, Any], serial: int) -> Session:
    def text(value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        raise TypeError("not text")

    def count(value: Any) -> int | None:
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise TypeError("not a number")

    pick = data.get("school_pick")
    fee = data.get("fee") or {}
    just, draft, back = data.get("just_answered"), data.get("comment_draft"), data.get("comment_return")
    return Session(
        step=StepId(data.get("step", "none")),
        qid=text(data.get("qid")),
        serial=serial,
        after_review=bool(data.get("after_review")),
        last_action=text(data.get("last_action")),
        resume=[Frame(StepId(f["step"]), text(f.get("qid"))) for f in data.get("resume") or []],
        school_pick=SchoolPick(str(pick["typed"]), [str(u) for u in pick["candidates"]]) if pick else None,
        fee=FeeDraft(text(fee.get("band")), count(fee.get("pupils")), bool(fee.get("asked"))),
        offers=[str(o) for o in data.get("offers") or []][-MAX_OFFERS:],
        just_answered=JustAnswered(str(just["qid"]), int(just["serial"])) if just else None,
        comment_draft=CommentDraft(str(draft["qid"]), str(draft["text"]), count(draft.get("serial")))
        if draft
        else None,
        comment_return=Frame(StepId(back["step"]), text(back.get("qid"))) if back else None,
    )


def _from_first_format(old: dict[str, Any]) -> dict[str, Any]:
    """The first stored format: kind, qid, serial, after_review, last_action, resume, fee_band, pupils, extra."""
    resume = old.get("resume")
    extra = old.get("extra") or {}
    return {
        "step": old.get("kind", "none"),
        "qid": old.get("qid"),
        "after_review": old.get("after_review"),
        "last_action": old.get("last_action"),
        "resume": [{"step": resume.get("kind") or "none", "qid": resume.get("qid")}] if resume else [],
        "school_pick": {"typed": extra.get("typed", ""), "candidates": extra["candidates"]}
        if extra.get("candidates")
        else None,
        "fee": {"band": old.get("fee_band"), "pupils": old.get("pupils")},
    }
