"""One-shot answers outside a conversation, for `elp-bot ask` (and anyone testing questions in bulk)."""

from __future__ import annotations

from typing import Any

from bot._answers import Answerer, Reply
from bot._fees import fee_table, working
from content import Content


def answer_record(answerer: Answerer, question: str, school: dict[str, Any] | None = None) -> dict[str, Any]:
    """{"question", "answer", "source", "confident", "suggestions"} for one question.

    `school` (a directory row) supplies the fee band and pupil count when the question does not.
    """
    return {**reply_record(answerer.content, answerer.find(question), school), "question": question}


def reply_record(content: Content, reply: Reply, school: dict[str, Any] | None = None) -> dict[str, Any]:
    """The record `answer_record` gives, for a reply already found."""
    answer, source = reply.answer, reply.source
    if reply.compute == "fees":
        answer = _fee_answer(content, reply, school)
    elif not reply.confident:
        email = content.offer.contact.email
        if reply.answer:  # what the documents do say (declined), or the closest passage (not sure)
            key = "declined_related" if reply.kind == "declined" else not_sure_key(reply, related=True)
            answer = content.say(key, related=reply.answer, email=email)
        else:
            answer = content.say("declined" if reply.kind == "declined" else not_sure_key(reply), email=email)
    return {
        "question": reply.question,
        "answer": answer,
        "source": source,
        "confident": reply.confident,
        "suggestions": [title for title, _ in reply.suggestions],
    }


def not_sure_key(reply: Reply, related: bool = False) -> str:
    """The "not sure" wording: it mentions topics only when there are some to offer."""
    key = "not_sure_related" if related else "not_sure"
    return key if reply.suggestions else f"{key}_no_topics"


def _fee_answer(content: Content, reply: Reply, school: dict[str, Any] | None) -> str:
    """The fee for a question missing the school type or roll: from the school if known, else what is missing."""
    request = reply.fees[0] if reply.fees else None
    band_id = request.band if request and request.band != "pru" else None
    pupils = request.pupils if request else None
    if school is not None:
        band_id = band_id or school.get("fee_band")
        pupils = pupils if pupils is not None else school.get("pupils")
    band = content.fee_band(band_id) if band_id else None
    if band is not None and (band.per_pupil == 0 or pupils is not None):
        answer = working(content, band, pupils if band.per_pupil != 0 else None)
        return answer
    if band is not None:
        ask = content.say("fee_missing_pupils", band=band.name)
    elif request is not None and request.band == "pru":
        ask = content.say("fee_missing_pru_phase")
    else:
        ask = content.say("fee_missing_band")
    return content.say("fee_table_intro") + "\n" + fee_table(content) + "\n\n" + ask
