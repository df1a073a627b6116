"""Routing one inbound to the pending step or to a global command (fallback), ConversationHandler-style."""

from __future__ import annotations

import re

from bot import _actions as actions
from bot._messages import Inbound, Outbound
from bot._text import clean, parse_command
from bot.commands import FALLBACKS, run_fallback
from bot.flow.entry import welcome
from bot.flow.faq import more
from bot.flow.state import StepId
from bot.flow.turn import Turn

MAX_TEXT_CHARS = 20_000  # anything longer is refused before parsing
_UNKNOWN_COMMAND = re.compile(r"/\S{1,40}")
_FIRST_CONTACT = frozenset({"start", "hello", "help", "menu"})  # on first contact these are the welcome alone

# Button verbs that are commands: the action's argument is the command's argument.
_NAV = {"changes": "change_any", "start": "start", "back": "back", "skip": "skip", "submit": "submit"}
_NAV |= {"review": "review", "sections": "sections"}
_GO = frozenset({"menu", "help", "ask", "fee", "review", "sections"})
_BUTTON_COMMANDS = {"ans": "answer", "cmt": "comment", "chg": "change", "sec": "jump"}
_READ_ONLY_GO = frozenset(name for name in _GO if FALLBACKS[name].read_only)


def predicts_read_only(inbound: Inbound) -> bool:
    """Whether this inbound is expected to change nothing (help, Tell me more, my data…).

    Only a prediction: a read-only turn that turns out to write is run again as a write turn.
    """
    if inbound.action is not None:
        action = actions.decode(inbound.action if isinstance(inbound.action, str) else None)
        return action is not None and (
            action.verb in {"more", "page"} or (action.verb == "go" and action.args[0] in _READ_ONLY_GO)
        )
    command = parse_command(clean(inbound.text))
    fallback = FALLBACKS.get(command.name) if command else None
    return fallback is not None and fallback.read_only


def route(turn: Turn, inbound: Inbound) -> list[Outbound]:
    """The replies to one inbound: a button's action, or typed text (after any notice the turn gave)."""
    replies = _replies(turn, inbound)
    if turn.notices:
        notice = "\n\n".join(turn.notices)
        first = replies[0] if replies else Outbound("")
        merged = Outbound(f"{notice}\n\n{first.text}".strip(), first.buttons, first.question_id)
        replies = [merged, *replies[1:]]
    return choices_first(replies)


def _replies(turn: Turn, inbound: Inbound) -> list[Outbound]:
    if inbound.action is not None:
        return on_action(turn, inbound.action)
    text = clean(inbound.text)
    if turn.is_new:
        command = parse_command(text) if text else None
        if not text or (command and command.name in _FIRST_CONTACT):
            return welcome(turn)
        return welcome(turn) + on_text(turn, text)
    return on_text(turn, text)


def choices_first(replies: list[Outbound]) -> list[Outbound]:
    """The question's own choices are the first buttons of a turn, so they keep their numbers (1 Yes,
    2 Partly…) wherever a channel numbers buttons; other buttons come after them, and no label twice."""
    asking = next((i for i in range(len(replies) - 1, -1, -1) if replies[i].question_id and replies[i].buttons), None)
    if asking is not None and any(r.buttons for r in replies[:asking]):
        moved = [b for r in replies[:asking] for b in r.buttons]
        ask = replies[asking]
        replies = [
            *(Outbound(r.text, (), r.question_id) for r in replies[:asking]),
            Outbound(ask.text, (*ask.buttons, *moved), ask.question_id),
            *replies[asking + 1 :],
        ]
    seen: set[str] = set()
    distinct = []
    for reply in replies:
        buttons = [b for b in reply.buttons if not (b.label in seen or seen.add(b.label))]
        distinct.append(
            reply if len(buttons) == len(reply.buttons) else Outbound(reply.text, buttons, reply.question_id)
        )
    return distinct


def on_text(turn: Turn, text: str) -> list[Outbound]:
    """Typed text: a command anywhere, else whatever the pending step makes of it."""
    if not text:
        return turn.again("empty")
    if len(text) > MAX_TEXT_CHARS:
        return turn.again("too_long", limit=f"{MAX_TEXT_CHARS:,}")
    command = parse_command(text)
    if command is not None:
        return run_fallback(turn, FALLBACKS[command.name], command.argument)
    if _UNKNOWN_COMMAND.fullmatch(text):
        return turn.again("unknown_command", command=text)
    return turn.step.on_text(turn, text)


def on_action(turn: Turn, raw: object) -> list[Outbound]:
    """A pressed button: checked against what was offered, then the step's own or a command."""
    action = actions.decode(raw if isinstance(raw, str) else None)
    if action is None:
        return turn.again("unknown_action")
    session = turn.session
    if action.verb in {"ans", "cmt"} and not _was_offered(turn, action):
        return turn.again("stale_button")
    if action.serial is not None and action.serial != session.serial:
        if raw == session.last_action:
            return []  # a double tap or a redelivered press: already applied once
        if action.verb != "ans":
            return turn.again("stale_button")
    serial = session.serial
    replies = _dispatch(turn, action)
    if session.serial != serial or turn.stored_answer:
        session.last_action = str(raw)  # so that a second press of it is recognised as a double tap
    return replies


def _was_offered(turn: Turn, action: actions.Action) -> bool:
    """An answer or comment button must have been shown to this person (or answer an answered question)."""
    qid = action.args[0]
    session = turn.session
    if f"{action.verb}:{qid}:{action.serial}" in session.offers:
        return True
    if action.verb == "ans" and qid in turn.answers:
        return True
    return action.verb == "ans" and (session.step, session.qid, session.serial) == (StepId.QUESTION, qid, action.serial)


def _dispatch(turn: Turn, action: actions.Action) -> list[Outbound]:
    verb, args = action.verb, action.args
    if verb in _BUTTON_COMMANDS:
        return run_fallback(turn, FALLBACKS[_BUTTON_COMMANDS[verb]], ":".join(args))
    if verb == "more":
        return more(turn, args[0].replace(".", ":", 1))
    if verb == "page":
        return run_fallback(turn, FALLBACKS["mydata"], args[1]) if args[0] == "mydata" else turn.again("unknown_action")
    if verb == "go":
        return run_fallback(turn, FALLBACKS[args[0]]) if args[0] in _GO else turn.again("unknown_action")
    if verb == "fee" and args[0] == "roll":
        return run_fallback(turn, FALLBACKS["roll"], args[1])
    if turn.step.buttons_need_open and turn.closed_refusal():
        return turn.closed_refusal()
    owned = turn.step.on_action(turn, action)
    if owned is not None:
        return owned
    if verb == "nav" and args[0] in _NAV:
        return run_fallback(turn, FALLBACKS[_NAV[args[0]]])
    if verb == "nav" and args[0] not in {"confirm", "nocomment", "erase", "keep"}:
        return turn.again("unknown_action")
    return turn.again("stale_button")
