"""A step of the conversation: its prompt, what typed text and its buttons do, and back/skip/where."""

from __future__ import annotations

from typing import ClassVar

from bot._actions import Action
from bot._messages import Outbound
from bot._text import parse_yes_no
from bot.flow.state import StepId
from bot.flow.turn import Turn


class Step:
    """One kind of pending prompt. Subclasses set `id` and override what differs.

    `side` steps (the fee calculator, the ask prompt, erase confirmation) interrupt the
    consultation: entering one pushes where the person was, and back/skip hand back to it.
    """

    id: ClassVar[StepId]
    side: ClassVar[bool] = False
    leads_to: ClassVar[tuple[StepId, ...]] = ()  # where its own input can lead (for the README diagram)
    buttons_need_open: ClassVar[bool] = False  # its buttons store answers: the router refuses them when closed

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        """The message(s) asking for this step's input."""
        return []

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        """Typed text that is not a command. By default it is a question about the content."""
        from bot.flow.faq import reply_to_question

        return reply_to_question(turn, text)

    def on_action(self, turn: Turn, action: Action) -> list[Outbound] | None:
        """A button of this step's prompt; None if the step does not own that action."""
        return None

    def back(self, turn: Turn) -> list[Outbound]:
        """'back' here."""
        if self.side:
            return turn.restore([Outbound(turn.say("left_side_step"))])
        return [Outbound(turn.say("nothing_to_go_back_to")), *turn.prompt(fresh=False)]

    def skip(self, turn: Turn) -> list[Outbound]:
        """'skip' here."""
        if self.side:
            return turn.restore([Outbound(turn.say("left_side_step"))])
        return turn.again("nothing_to_skip")

    def where(self, turn: Turn) -> str:
        """A short phrase for 'where am I' ('Question 7 of 15', 'your details').

        A side step (the fee calculator, "Add this as your comment?"): where it hands back to. Otherwise
        the next unanswered question, their submitted response, or the start.
        """
        frame = turn.session.resume[-1] if self.side and turn.session.resume else None
        if frame is not None and frame.qid is not None:
            return turn.progress_label(turn.question(frame.qid))
        if frame is not None and frame.step != StepId.NONE and not turn.steps[frame.step].side:
            return turn.steps[frame.step].where(turn)
        if turn.respondent is not None and not turn.submitted:
            nxt = turn.next_unanswered(None)
            if nxt is not None:
                return turn.progress_label(nxt)
        return turn.say("where_submitted" if turn.submitted else "where_start")


class ConfirmStep(Step):
    """A side step asking yes or no: two buttons (nav:<yes_nav>, nav:<no_nav>) or typed yes/no."""

    side = True
    yes_nav: ClassVar[str]
    no_nav: ClassVar[str]

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        word = parse_yes_no(text)
        if word is None:
            return turn.again("pick_option")
        return self.yes(turn) if word else self.no(turn)

    def on_action(self, turn: Turn, action: Action) -> list[Outbound] | None:
        if action.verb == "nav" and action.args[0] in {self.yes_nav, self.no_nav}:
            return self.yes(turn) if action.args[0] == self.yes_nav else self.no(turn)
        return None

    def yes(self, turn: Turn) -> list[Outbound]:
        """Confirmed."""
        raise NotImplementedError

    def no(self, turn: Turn) -> list[Outbound]:
        """Declined."""
        raise NotImplementedError
