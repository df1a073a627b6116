"""Global commands, the conversation's fallbacks: help, pause, menu, change N, my data, stats… in one table.

Command words are read by `bot._text.parse_command`; this module says what each command does and
what it needs. The engine checks those needs once, before running the command.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot import _actions as actions
from bot._messages import Button, Outbound
from bot.flow.entry import menu, start, welcome, welcome_back
from bot.flow.faq import reply_to_question
from bot.flow.fees import keep_roll, start_fee
from bot.flow.questions import answer_pressed, comment_pressed, comment_typed, go_to_question
from bot.flow.review import show_review, submit
from bot.flow.state import StepId
from bot.flow.turn import Turn
from content._wording import MESSAGE_PLACEHOLDERS

MAX_LISTED = 10  # unanswered questions shown to the ELP team in chat (the CLI lists them all)
MAX_EXAMPLE_CHARS = 200  # each shown up to this length
MAX_REPLY_CHARS = 3500  # a long reply ("my data") is given in parts of at most this, with a button for the next


@dataclass(frozen=True, slots=True)
class Fallback:
    """A global command: what it does (given its argument) and what it needs first.

    needs_identity: a respondent with complete details (else they are taken to start);
    needs_open: the consultation open (else the closed message); needs_admin: listed in ELP_ADMINS;
    read_only: changes nothing, so the turn runs without the write lock.
    """

    run: Callable[[Turn, str | None], list[Outbound]]
    needs_identity: bool = False
    needs_open: bool = False
    needs_admin: bool = False
    read_only: bool = False


def unmet_needs(turn: Turn, fallback: Fallback) -> list[Outbound] | None:
    """The reply when what a command needs is missing (admin, details, open consultation), else None."""
    if fallback.needs_admin and (turn.channel, turn.user_id) not in turn.engine.admins:
        return turn.again("admin_only")
    if fallback.needs_identity and (turn.respondent is None or turn.missing_identity()):
        return start(turn)
    if fallback.needs_open:
        return turn.closed_refusal() or None
    return None


def run_fallback(turn: Turn, fallback: Fallback, argument: str | None = None) -> list[Outbound]:
    """Check what a command needs, then run it."""
    unmet = unmet_needs(turn, fallback)
    return unmet if unmet is not None else fallback.run(turn, argument)


# ---------------------------------------------------------------- moving around


def hello(turn: Turn, _: str | None) -> list[Outbound]:
    """'hi': the menu when nothing is pending, else 'welcome back' and the pending prompt."""
    return welcome(turn) if turn.session.step == StepId.NONE else welcome_back(turn)


def change(turn: Turn, qid: str | None) -> list[Outbound]:
    """'change 3': ask one question again, coming back to the review from there; 'change q4 to yes - …' answers it
    too, as if the answer were typed at the question."""
    qid, _, given = (qid or "").partition(" ")
    question, taken = turn.question(qid), None
    number = (qid or "")[1:]
    questions = turn.content.questions
    if question is None and number.isdecimal() and 1 <= int(number) <= len(questions):
        question = questions[int(number) - 1]  # "change 7": the 7th question, as "Question 7 of 15" says
        taken = turn.say("change_by_position", progress=turn.progress_label(question))
    if question is None:
        return turn.again("no_such_question", qid=number or "?")
    turn.session.after_review = turn.session.step in {StepId.REVIEW, StepId.CONFIRM_SUBMIT} or turn.submitted
    if given:
        turn.goto(StepId.QUESTION, question.id)
        replies = turn.step.on_text(turn, given)
    else:
        replies = go_to_question(turn, question)
    return [Outbound(taken), *replies] if taken else replies


def jump(turn: Turn, section_id: str | None) -> list[Outbound]:
    """A section's first question."""
    section = next((s for s in turn.content.consultation.sections if s.id == section_id), None)
    if section is None:
        return turn.again("unknown_action")
    turn.session.after_review = False
    return go_to_question(turn, section.questions[0])


def jump_by_number(turn: Turn, number: str | None) -> list[Outbound]:
    """'section 2'."""
    sections = turn.content.consultation.sections
    if not number or not number.isdecimal() or not 1 <= int(number) <= len(sections):
        return turn.again("no_such_section", count=len(sections))
    return jump(turn, sections[int(number) - 1].id)


def list_sections(turn: Turn, _: str | None) -> list[Outbound]:
    """A button for each section."""
    sections = turn.content.consultation.sections
    buttons = [Button(f"{i}. {s.title}"[:60], turn.act("sec", s.id)) for i, s in enumerate(sections, 1)]
    return [Outbound(turn.say("pick_section"), buttons)]


def list_changes(turn: Turn, _: str | None) -> list[Outbound]:
    """A button for each question, to change its answer."""
    questions = turn.content.questions
    buttons = [Button(f"{turn.label(q)} {q.short}"[:60], turn.act("chg", q.id)) for q in questions]
    return [Outbound(turn.say("pick_change"), buttons)]


def ask(turn: Turn, question: str | None) -> list[Outbound]:
    """'ask …' answers at once; 'ask' alone waits for the question."""
    return reply_to_question(turn, question) if question else turn.interrupt(StepId.ASK)


# ---------------------------------------------------------------- the respondent's own data


STATUSES = ("in_progress", "submitted")


def _when(turn: Turn, stored: str | None) -> str:
    """A stored ISO time as people read it, in the consultation's timezone: '24 November 2026, 21:40'."""
    if not stored:
        return "-"
    try:
        moment = dt.datetime.fromisoformat(stored)
    except ValueError:
        return stored
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(ZoneInfo(turn.content.consultation.timezone))
    return f"{local.day} {local:%B %Y, %H:%M}"


def channel_name(turn: Turn) -> str:
    """Their channel in words ("Microsoft Teams", "Web link"); an unnamed one as its id."""
    key = f"channel_{turn.channel}"
    return turn.say(key) if key in MESSAGE_PLACEHOLDERS else turn.channel


def my_data_lines(turn: Turn) -> list[str]:
    """Everything stored about this person, in plain words (UK GDPR right of access), line by line."""
    say, identity = turn.say, turn.content.consultation.identity
    lines = [
        say("my_data_title"),
        say(
            "my_data_account_named" if turn.display_name else "my_data_account",
            channel=channel_name(turn),
            user_id=turn.user_id,
            display_name=turn.display_name,
        ),
    ]
    respondent = turn.respondent
    if respondent is None:
        lines.append(say("my_data_nothing_else"))
    else:
        options = {o.id: o.label for o in (*identity.school_types, *identity.roles)}
        consent = {o.id: o.label for o in identity.quote_consent}
        lines.append(
            say(
                "my_data_details",
                name=respondent["name"] or "-",
                role=options.get(respondent["role"] or "", "-"),
                school=respondent["school"] or "-",
                school_type=options.get(respondent["school_type"] or "", "-"),
                consent=consent.get(respondent["quote_consent"] or "", "-"),
                status=say(f"status_{respondent['status']}")
                if respondent["status"] in STATUSES
                else respondent["status"],
                reference=respondent["reference"] or "-",
                started=_when(turn, respondent["started_at"]),
                updated=_when(turn, respondent["updated_at"]),
                submitted=_when(turn, respondent["submitted_at"]),
            )
        )
        labels = turn.engine.choice_labels
        for question in turn.content.questions:
            answer = turn.answers.get(question.id)
            if answer is not None:
                parts = (labels.get(answer.choice or "", ""), f"“{answer.comment}”" if answer.comment else "")
                full = " – ".join(part for part in parts if part)
                lines.append(f"{turn.label(question)} {question.short}: {full} ({_when(turn, answer.answered_at)})")
        changes = len(turn.store.answer_log(respondent["id"]))
        lines.append(say("my_data_log", changes=changes))
    if turn.school_pupils is not None:
        lines.append(say("my_data_pupils", pupils=turn.school_pupils))
    asked = turn.store.unanswered_by(turn.channel, turn.user_id)
    if asked:
        lines.append(say("my_data_questions", count=len(asked)))
        lines += [f"• {row['question']} ({_when(turn, row['asked_at'])})" for row in asked]
    lines.append(say("my_data_footer", email=turn.content.offer.contact.email))
    return lines


def pages(lines: list[str], limit: int = MAX_REPLY_CHARS) -> list[str]:
    """Lines joined into pages of at most `limit` characters (a longer line is cut into pieces)."""
    pieces = [line[i : i + limit] for line in lines for i in range(0, max(len(line), 1), limit)]
    result: list[str] = []
    for piece in pieces:
        if result and len(result[-1]) + 1 + len(piece) <= limit:
            result[-1] += "\n" + piece
        else:
            result.append(piece)
    return result


def my_data(turn: Turn, page: str | None) -> list[Outbound]:
    """One part of "my data" (with a button for the next part), then the pending prompt."""
    parts = pages(my_data_lines(turn))
    number = min(int(page), len(parts)) if page and page.isdecimal() and int(page) >= 1 else 1
    text, buttons = parts[number - 1], []
    if number < len(parts):
        text += "\n\n" + turn.say("my_data_part", page=number, pages=len(parts))
        buttons = [Button(turn.say("button_my_data_more"), actions.make("page", "mydata", str(number + 1)))]
    return [Outbound(text, buttons), *turn.prompt(fresh=False)]


# ---------------------------------------------------------------- the ELP team, in chat


def _in_order(counts: dict[str, int], options: Any, labels: dict[str, str]) -> str:
    """'Primary 12, Secondary 3, unknown 1': counts in the content's option order, zeros left out."""
    known = [f"{o.label} {counts[o.id]}" for o in options if counts.get(o.id)]
    others = [f"{labels.get(k, k)} {v}" for k, v in counts.items() if k not in {o.id for o in options}]
    return ", ".join(known + others) or "-"


def stats(turn: Turn) -> str:
    """Response counts for the ELP team."""
    result = turn.store.summary()
    identity = turn.content.consultation.identity
    options = {o.id: o.label for o in (*identity.school_types, *identity.roles)}
    members = (
        turn.say("stats_members", responded=result.members_responded, members=result.members)
        if result.members
        else turn.say("stats_no_members")
    )
    return turn.say(
        "stats",
        respondents=result.respondents,
        submitted=result.submitted,
        in_progress=result.in_progress,
        members=members,
        by_type=_in_order(result.by_type, identity.school_types, options),
        by_role=_in_order(result.by_role, identity.roles, options),
    )


def unanswered_list(turn: Turn) -> str:
    """The questions the assistant could not answer, most frequent first (bounded: the rest by CLI)."""
    rows = turn.store.unanswered_summary(MAX_LISTED)
    lines = [turn.say("unanswered_title", count=len(rows))]
    for row in rows:
        example = row["example"]
        shown = example if len(example) <= MAX_EXAMPLE_CHARS else example[: MAX_EXAMPLE_CHARS - 1] + "…"
        lines.append(f"{row['times']}× {shown}")
    more = turn.store.unanswered_groups() - len(rows)
    if more > 0:
        lines.append(turn.say("unanswered_more", shown=len(rows), count=more))
    return "\n".join(lines)


def _then_prompt(render: Callable[[Turn], str]) -> Callable[[Turn, str | None], list[Outbound]]:
    """A command that shows one message, then the pending prompt again."""
    return lambda turn, _: turn.again_with(render(turn))


# ---------------------------------------------------------------- the table

FALLBACKS: dict[str, Fallback] = {
    "help": Fallback(lambda turn, _: turn.again("help"), read_only=True),
    "menu": Fallback(lambda turn, _: menu(turn), read_only=True),
    "hello": Fallback(hello, read_only=True),
    "pause": Fallback(lambda turn, _: [Outbound(turn.say("paused", where=turn.step.where(turn)))], read_only=True),
    "mydata": Fallback(my_data, read_only=True),
    "stats": Fallback(_then_prompt(stats), needs_admin=True, read_only=True),
    "unanswered": Fallback(_then_prompt(unanswered_list), needs_admin=True, read_only=True),
    "start": Fallback(lambda turn, _: start(turn)),
    "back": Fallback(lambda turn, _: turn.step.back(turn)),
    "skip": Fallback(lambda turn, _: turn.step.skip(turn)),
    "review": Fallback(lambda turn, _: show_review(turn), read_only=True),  # a write only when not at the review
    "submit": Fallback(lambda turn, _: submit(turn, confirmed=False), needs_identity=True, needs_open=True),
    "sections": Fallback(list_sections, needs_identity=True),
    "section": Fallback(jump_by_number, needs_identity=True, needs_open=True),
    "jump": Fallback(jump, needs_identity=True, needs_open=True),
    "change": Fallback(change, needs_identity=True, needs_open=True),
    "change_any": Fallback(list_changes, needs_identity=True),
    "ask": Fallback(ask),
    "answer": Fallback(lambda turn, arg: answer_pressed(turn, *(arg or ":").split(":", 1)), needs_open=True),
    "comment": Fallback(lambda turn, qid: comment_pressed(turn, qid or ""), needs_open=True),
    "comment_on": Fallback(
        lambda turn, arg: comment_typed(turn, *(arg or "").partition(" ")[::2]),
        needs_identity=True,
        needs_open=True,
    ),
    "fee": Fallback(lambda turn, _: start_fee(turn, None)),
    "roll": Fallback(keep_roll),
    "erase": Fallback(lambda turn, _: turn.interrupt(StepId.CONFIRM_ERASE)),
}
