"""Steps of the fee calculator: fee_band (school type), fee_pru (which PRU rate), fee_pupils (roll)."""

from __future__ import annotations

from bot import _actions as actions
from bot._actions import Action
from bot._messages import Button, Outbound
from bot._text import fold, match_option
from bot.flow.base import Step
from bot.flow.faq import fee_request, fee_requests, fee_working, reply_to_question
from bot.flow.state import FeeDraft, StepId
from bot.flow.turn import Turn
from content import FeeBand

MAX_PUPILS = 5000


def known_band(turn: Turn) -> FeeBand | None:
    """The fee band of the respondent's own school type, if known."""
    school_type = (turn.respondent or {}).get("school_type")
    for option in turn.content.consultation.identity.school_types:
        if option.id == school_type and option.fee_band:
            return turn.content.fee_band(option.fee_band)
    return None


def own_fee(turn: Turn) -> str | None:
    """'Your school's subscription: …' when the school type (and roll, if needed) is known."""
    band = known_band(turn)
    if band is None:
        return None
    pupils = turn.school_pupils
    if band.per_pupil != 0 and pupils is None:
        currency = turn.content.offer.fees.currency
        flat, per_pupil = f"{currency}{band.flat_rate}", f"{currency}{band.per_pupil_rate}"
        return turn.say("own_fee_rates", band=band.name, flat=flat, per_pupil=per_pupil)
    return turn.say("own_fee", working=fee_working(turn.content, band, pupils))


def fee_in_passing(turn: Turn, text: str) -> str | None:
    """A fee asked inside a comment: worked out from the message's own figures, else their school's fee
    (or its rates); None when neither is known. Nothing is asked and nothing stored."""
    request = fee_request(text)
    own = known_band(turn)
    band = turn.content.fee_band(request.band) if request.band and request.band != "pru" else own
    if band is not None and request.pupils is not None and 1 <= request.pupils <= MAX_PUPILS:
        pupils = request.pupils if band.per_pupil != 0 else None
        working = fee_working(turn.content, band, pupils)
        return turn.say("fee_answer", working=working, source=turn.content.offer.funding.heading)
    return own_fee(turn)


def start_fee(turn: Turn, text: str | None) -> list[Outbound]:
    """Work out a fee from what a message says, asking for what is missing (default: their own school)."""
    request = fee_request(text) if text else None
    own = known_band(turn)
    band_id = request.band if request and request.band else (own.id if own else None)
    pupils = request.pupils if request else None
    if pupils is None and own is not None and band_id == own.id:
        pupils = turn.school_pupils
    turn.session.fee = FeeDraft(band_id, pupils)
    if band_id == "pru":
        return _ask(turn, StepId.FEE_PRU)
    if band_id is None:
        return _ask(turn, StepId.FEE_BAND)
    return fee_for(turn, band_id)


def _ask(turn: Turn, step: StepId) -> list[Outbound]:
    """Ask the next fee question: from inside the calculator move on, else interrupt what was pending."""
    if turn.step.side:
        turn.goto(step)
        return turn.prompt()
    return turn.interrupt(step)


def fee_for(turn: Turn, band_id: str) -> list[Outbound]:
    """The fee for a band (asking for the roll when it has a per-pupil rate), then hand back."""
    band = turn.content.fee_band(band_id)
    if band is None:
        return turn.again("unknown_action")
    draft = turn.session.fee
    draft.band = band.id
    if band.per_pupil != 0 and draft.pupils is None:
        return _ask(turn, StepId.FEE_PUPILS)
    own = known_band(turn)
    own_roll = band.per_pupil != 0 and own is not None and own.id == band.id
    if own_roll and draft.asked:
        turn.update_respondent(pupils=draft.pupils)  # their own school's roll: used in the funding summary
    offer_roll = own_roll and not draft.asked and draft.pupils != turn.school_pupils
    pupils = draft.pupils
    reply = fee_working(turn.content, band, draft.pupils if band.per_pupil != 0 else None)
    reply = turn.say("fee_answer", working=reply, source=turn.content.offer.funding.heading)
    turn.session.fee = FeeDraft()
    buttons = turn.follow_up_buttons()
    if turn.step.side:
        turn.pop_resume()
    if offer_roll and pupils is not None:  # mentioned in passing: stored only if they say it is theirs
        buttons.append(Button(turn.say("button_keep_roll", pupils=pupils), turn.act("fee", "roll", str(pupils))))
    if turn.session.step == StepId.NONE:  # nothing to go back to: offer the menu
        buttons.append(Button(turn.say("button_menu"), actions.make("go", "menu")))
    return [Outbound(reply, buttons), *turn.prompt(fresh=False)]


def keep_roll(turn: Turn, value: str | None) -> list[Outbound]:
    """ "Keep 300 as our number of pupils": store the roll mentioned in a fee question as the school's."""
    if known_band(turn) is None or not value or not value.isdecimal() or not 1 <= int(value) <= MAX_PUPILS:
        return turn.again("unknown_action")
    turn.update_respondent(pupils=int(value))
    return turn.again("roll_kept", pupils=int(value))


def not_now(turn: Turn) -> Button:
    """'Not now': leave the fee calculator, back to where they were (as typing back does)."""
    return Button(turn.say("button_not_now"), turn.act("nav", "back"))


def said_not_now(turn: Turn, text: str) -> bool:
    """'not now' typed: the button's label."""
    return fold(text) == fold(turn.say("button_not_now"))


def several_schools(turn: Turn, text: str) -> list[Outbound] | None:
    """ "two primaries of 420 each and a secondary of 1,000", "a trust with 5 primaries" typed in the calculator:
    the answerer's reply for every school (or how to describe them), and the calculator ends; None for one school."""
    requests = fee_requests(text)
    if len(requests) < 2 and not any(r.schools > 1 for r in requests):
        return None
    reply = turn.engine.answerer.find(text)
    if reply.kind != "fee" or reply.compute is not None:
        return None
    told = turn.say("answer", answer=reply.answer, source=reply.source)
    turn.pop_resume()
    return [Outbound(told), *turn.prompt(fresh=False)]


def answered_aside(turn: Turn, text: str) -> list[Outbound] | None:
    """A question typed at a calculator prompt ("what does a nursery school pay?"): answered when the answerer is
    sure, then the prompt again; None when it is not a question it can answer."""
    if len(text.split()) < 3:
        return None
    reply = turn.engine.answerer.find(text)
    if (reply.confident and reply.compute is None) or reply.kind == "declined":
        return reply_to_question(turn, text)
    if reply.confident:  # "is the per pupil rate the same for primary?": the rates, then the prompt again
        return [Outbound(turn.say("answer", answer=reply.answer, source=reply.source)), *turn.prompt(fresh=False)]
    return None


class FeeBandStep(Step):
    """Which type of school (the fee band)."""

    id = StepId.FEE_BAND
    leads_to = (StepId.FEE_PUPILS,)
    side = True

    def bands(self, turn: Turn) -> list[FeeBand]:
        """The bands offered at this step."""
        return list(turn.content.offer.fees.bands)

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        buttons = [Button(b.name, turn.act("fee", "band", b.id)) for b in self.bands(turn)]
        return [Outbound(turn.say(f"ask_{self.id}"), [*buttons, not_now(turn)])]

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        if said_not_now(turn, text):
            return self.back(turn)
        several = several_schools(turn, text)
        if several:
            return several
        request = fee_request(text)
        if request.pupils is not None:
            turn.session.fee.pupils = request.pupils
        if request.band and request.band != "pru":
            return fee_for(turn, request.band)
        bands = self.bands(turn)
        index = match_option(text, [b.name for b in bands])
        if index is not None:
            return fee_for(turn, bands[index].id)
        return answered_aside(turn, text) or turn.again("pick_option")

    def on_action(self, turn: Turn, action: Action) -> list[Outbound] | None:
        if action.verb == "fee" and action.args[0] == "band":
            return fee_for(turn, action.args[1])
        return None


class FeePruStep(FeeBandStep):
    """Which PRU rate (primary or secondary)."""

    id = StepId.FEE_PRU
    leads_to = ()

    def bands(self, turn: Turn) -> list[FeeBand]:
        return [b for b in turn.content.offer.fees.bands if b.id.startswith("pru")]


class FeePupilsStep(Step):
    """How many pupils (for bands with a per-pupil rate)."""

    id = StepId.FEE_PUPILS
    side = True

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        band = turn.content.fee_band(turn.session.fee.band or "")
        return [Outbound(turn.say("ask_pupils", band=band.name if band else ""), [not_now(turn)])]

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        if said_not_now(turn, text):
            return self.back(turn)
        several = several_schools(turn, text)
        if several:
            return several
        pupils = fee_request(text).pupils
        aside = answered_aside(turn, text) if pupils is None else None
        if aside:
            return aside
        if pupils is None or not 1 <= pupils <= MAX_PUPILS:
            return turn.again("pupils_invalid")
        turn.session.fee.pupils, turn.session.fee.asked = pupils, True
        return fee_for(turn, turn.session.fee.band or "")
