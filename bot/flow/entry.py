"""Entry points: first contact (the welcome menu), starting or resuming, and the NONE step."""

from __future__ import annotations

from bot import _actions as actions
from bot._messages import Button, Outbound
from bot.flow.base import Step
from bot.flow.questions import first_unanswered
from bot.flow.review import show_review
from bot.flow.state import StepId
from bot.flow.turn import Turn, date_text


def welcome(turn: Turn) -> list[Outbound]:
    """What the consultation is, when it closes, the privacy notice and three choices."""
    consultation = turn.content.consultation
    phase = turn.phase()
    intro = turn.say(
        "welcome",
        title=consultation.title,
        closes=date_text(consultation.closes),
        opens=date_text(consultation.opens),
        minutes=consultation.estimated_minutes,
        questions=len(turn.content.questions),
        schools=turn.content.offer.funding.member_schools,
    )
    refusal = turn.closed_refusal()
    if refusal:
        intro += "\n\n" + refusal[0].text
    privacy = turn.say("privacy", email=turn.content.offer.contact.email)
    return [Outbound(intro), Outbound(privacy, _menu_buttons(turn, phase))]


def menu(turn: Turn) -> list[Outbound]:
    """'menu': the whole welcome on first contact; once started, where they are and the same buttons."""
    phase = turn.phase()
    if turn.respondent is None or phase != "open":
        return welcome(turn)
    return [Outbound(turn.say("short_menu", where=turn.step.where(turn)), _menu_buttons(turn, phase))]


def _menu_buttons(turn: Turn, phase: str) -> list[Button]:
    buttons: list[Button] = []
    if phase == "open":
        if turn.respondent is None:
            buttons.append(Button(turn.say("button_start"), turn.act("nav", "start")))
        elif turn.submitted:
            buttons.append(Button(turn.say("button_review"), actions.make("go", "review")))
        else:
            buttons.append(Button(turn.say("button_continue"), turn.act("nav", "start")))
    buttons.append(Button(turn.say("button_ask"), actions.make("go", "ask")))
    buttons.append(Button(turn.say("button_fee"), actions.make("go", "fee")))
    return buttons


def welcome_back(turn: Turn) -> list[Outbound]:
    """'Welcome back. You were at …' and the pending prompt afresh."""
    return [Outbound(turn.say("welcome_back", where=turn.step.where(turn))), *turn.prompt(fresh=True)]


def start(turn: Turn) -> list[Outbound]:
    """Start the consultation, or continue it where they were."""
    refusal = turn.closed_refusal()
    if refusal:
        return refusal
    if turn.respondent_id is None:
        turn.respondent_id = turn.store.create_respondent(turn.channel, turn.user_id, turn.display_name, turn.stamp)
        turn.goto(StepId.SCHOOL)
        return [Outbound(turn.say("identity_intro")), *turn.prompt()]
    while turn.step.side:
        turn.pop_resume()
    if turn.session.step in {StepId.REVIEW, StepId.CONFIRM_SUBMIT} and turn.unanswered():
        return first_unanswered(turn)  # "Answer the rest" on the review
    if turn.session.step != StepId.NONE:
        return welcome_back(turn)
    missing = turn.missing_identity()
    if missing:
        turn.goto(missing)
        return turn.prompt()
    if turn.submitted:
        return show_review(turn)
    return first_unanswered(turn)


class NoneStep(Step):
    """Nothing pending: typed text is a question about ELP."""

    id = StepId.NONE
    leads_to = (StepId.SCHOOL, StepId.QUESTION, StepId.REVIEW, StepId.ASK, StepId.FEE_BAND)
