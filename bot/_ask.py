"""One-shot answers outside a conversation, for `elp-bot ask` (and anyone testing questions in bulk)."""

from __future__ import annotations

from typing import Any

from bot._answers import Answerer
from bot._fees import read_fee_request, working


def answer_record(answerer: Answerer, question: str, school: dict[str, Any] | None = None) -> dict[str, Any]:
    """{"question", "answer", "source", "confident", "suggestions"} for one question.

    `school` (a directory row) supplies the fee band and pupil count when the question does not.
    """
    content = answerer.content
    reply = answerer.find(question)
    answer, source = reply.answer, reply.source
    if reply.compute == "fees":
        request = read_fee_request(question)
        band_id = request.band if request.band != "pru" else None
        pupils = request.pupils
        if school is not None:
            band_id = band_id or school.get("fee_band")
            pupils = pupils if pupils is not None else school.get("pupils")
        band = content.fee_band(band_id) if band_id else None
        if band is not None and (band.per_pupil == 0 or pupils is not None):
            answer = working(content, band, pupils if band.per_pupil != 0 else None)
            if band.per_pupil == 0:
                answer += "\n" + content.say("fee_no_per_pupil", band=band.name)
        else:
            answer = content.say("fee_table_intro") + "\n" + reply.answer
    elif not reply.confident:
        key = "declined" if reply.kind == "declined" else "not_sure"
        answer = content.say(key, email=content.offer.contact.email)
    return {
        "question": question,
        "answer": answer,
        "source": source,
        "confident": reply.confident,
        "suggestions": [title for title, _ in reply.suggestions],
    }
