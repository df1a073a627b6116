"""Side steps that interrupt the consultation and hand back to it: ask (a question) and confirm_erase."""

from __future__ import annotations

from bot._messages import Button, Outbound
from bot.flow.base import ConfirmStep, Step
from bot.flow.faq import reply_to_question
from bot.flow.state import StepId
from bot.flow.turn import Turn


class AskStep(Step):
    """'What would you like to know?': the next message is a question, then back to where they were."""

    id = StepId.ASK
    side = True

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        return [Outbound(turn.say("ask_prompt"))]

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        turn.pop_resume()
        return reply_to_question(turn, text)


class ConfirmEraseStep(ConfirmStep):
    """'Delete everything we hold about you?': yes erases, no keeps."""

    id = StepId.CONFIRM_ERASE
    yes_nav, no_nav = "erase", "keep"

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        buttons = [
            Button(turn.say("button_erase"), turn.act("nav", self.yes_nav)),
            Button(turn.say("button_keep"), turn.act("nav", self.no_nav)),
        ]
        return [Outbound(turn.say("confirm_erase"), buttons)]

    def no(self, turn: Turn) -> list[Outbound]:
        """Nothing deleted: back to where they were."""
        return turn.restore([Outbound(turn.say("erase_cancelled"))])

    def yes(self, turn: Turn) -> list[Outbound]:
        """Delete everything about this person."""
        turn.store.erase_person(turn.channel, turn.user_id)
        turn.erased = True
        return [Outbound(turn.say("erased", email=turn.content.offer.contact.email))]
