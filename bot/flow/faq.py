"""The one seam between the conversation and FAQ answering (bot/_answers.py, _fees.py, _ask.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from bot import _actions as actions
from bot._answers import Answerer
from bot._ask import answer_record, not_sure_key
from bot._fees import FeeRequest, read_fee_request, read_fee_requests, working
from bot._messages import Button, Outbound
from bot._render import topic_full, topic_title
from bot.flow.turn import Turn
from content import Content, FeeBand, Question

MAX_QUESTION_CHARS = 500
_DEICTIC = re.compile(
    r"\b(this(?! (?:year|term|week|month|academic|time|spring|summer|autumn))|it|these|that|include|includes"
    r"|cover|covers|mean|means|involve)\b",
    re.I,
)

__all__ = ["Answerer", "faq_record", "fee_request", "fee_working", "more", "reply_to_question"]


def fee_request(text: str) -> FeeRequest:
    """The school type and pupil count a message gives ("a secondary of 900")."""
    return read_fee_request(text)


def fee_requests(text: str) -> list[FeeRequest]:
    """Every school a message describes ("two primaries of 420 each and a secondary of 1,000")."""
    return read_fee_requests(text)


def fee_working(content: Content, band: FeeBand, pupils: int | None) -> str:
    """'Primary, 420 pupils: £4,461 + 420 × £5.77 = £6,884.40'."""
    return working(content, band, pupils)


def reply_to_question(
    turn: Turn,
    text: str,
    context: Question | None = None,
    *,
    fresh: bool = False,
    instead: Callable[[], list[Outbound]] | None = None,
    aside: bool = False,
) -> list[Outbound]:
    """Answer a question from the content, then ask again whatever is pending (`fresh`: with its intro).

    `instead`: what to reply when no answer is confident (a short reply at a choice is not a question).
    `aside`: the question came inside a comment ("Yes, but how much will it cost?"): a fee is answered
    from what is known, never by opening the fee calculator.
    """
    if len(text) > MAX_QUESTION_CHARS:
        return turn.again("question_too_long")
    lone_word = context is None and turn.engine.choices.lone(text) is not None  # "ok" at the review: not a question
    if turn.engine.choices.acknowledges(text) or lone_word:  # "no worries", "ok thanks": nothing to answer or log
        return [Outbound(turn.say("acknowledged")), *turn.prompt(fresh=fresh)]
    reply = turn.engine.answerer.find(text)
    if reply.compute == "fees" and aside:
        from bot.flow.fees import fee_in_passing

        told = fee_in_passing(turn, text) or turn.say("answer", answer=reply.answer, source=reply.source)
        following = turn.prompt(fresh=fresh)
        if any(told in r.text for r in following):  # the fee question's summary says it already
            return following
        return [Outbound(told), *following]
    if reply.compute == "fees":  # fee words are a synonym group in faq.yaml: the answerer routes them
        from bot.flow.fees import start_fee

        return start_fee(turn, text)
    follow = turn.follow_up_buttons()
    email = turn.content.offer.contact.email
    if not reply.confident and context is not None and _DEICTIC.search(text) and reply.kind != "declined":
        return [Outbound(topic_full(turn.content, context.topic), follow), *turn.prompt(fresh=fresh)]
    if not reply.confident and instead is not None:
        return instead()
    if not reply.confident and text.strip().isdigit():  # an option of a list that has moved on: not a question
        return [Outbound(turn.say("number_not_an_option"), follow), *turn.prompt(fresh=fresh)]
    if not reply.confident:
        suggestions = json.dumps([t for _, t in reply.suggestions])
        turn.store.log_unanswered(turn.channel, turn.user_id, text, reply.normalised, suggestions, turn.stamp)
        if reply.kind == "declined":  # with what the documents do say on the closest topic, when there is one
            if reply.answer:
                said = turn.say("declined_related", related=reply.answer, email=email)
            else:
                said = turn.say("declined", email=email)
            return [Outbound(said, follow), *turn.prompt(fresh=fresh)]
        buttons = [more_button(title, topic) for title, topic in reply.suggestions]
        if reply.answer:
            said = turn.say(not_sure_key(reply, related=True), related=reply.answer, email=email)
        else:
            said = turn.say(not_sure_key(reply), email=email)
        return [Outbound(said, buttons[:3] + follow), *turn.prompt(fresh=fresh)]
    topics = ([reply.topic] if reply.topic and reply.topic not in {"contact", "dates"} else []) + list(
        reply.related[:2]
    )
    buttons = [more_on(turn, topic) for topic in topics]
    answer = Outbound(turn.say("answer", answer=reply.answer, source=reply.source), buttons + follow)
    return [answer, *turn.prompt(fresh=fresh)]


def more_on(turn: Turn, topic: str) -> Button:
    """'More on <topic>'."""
    return more_button(turn.say("button_more_on", topic=topic_title(turn.content, topic, short=True)), topic)


def more_button(label: str, topic: str) -> Button:
    """A read-only 'tell me more' button for a content topic."""
    return Button(fit_label(label), actions.make("more", topic.replace(":", ".", 1)))


def fit_label(label: str, limit: int = 60) -> str:
    """A button label of at most `limit` characters, cut at a word with "…" (never "…EEC prem")."""
    if len(label) <= limit:
        return label
    cut = label[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return cut + "…"


def more(turn: Turn, topic: str) -> list[Outbound]:
    """The full text of a content topic, then the pending prompt again."""
    if not turn.content.has_topic(topic):
        return turn.again("unknown_action")
    return [Outbound(topic_full(turn.content, topic), turn.follow_up_buttons()), *turn.prompt(fresh=False)]


def faq_record(answerer: Answerer, question: str) -> dict[str, Any]:
    """{"answer", "source", …} for a question asked outside any conversation."""
    return answer_record(answerer, question)
