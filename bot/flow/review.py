"""Steps: review (every answer, with submit and change) and confirm_submit (unanswered questions left)."""

from __future__ import annotations

from bot import _actions as actions
from bot._messages import Button, Outbound
from bot.flow.base import Step
from bot.flow.state import StepId
from bot.flow.turn import Turn, date_text


def show_review(turn: Turn, intro: str | None = None) -> list[Outbound]:
    """Go to the review of all answers (`intro` is put before it)."""
    if turn.respondent is None:
        from bot.flow.entry import welcome

        return [Outbound(turn.say("not_started")), *welcome(turn)[1:]]
    turn.goto(StepId.REVIEW)
    replies = turn.prompt()
    if intro:
        replies[0] = Outbound(f"{intro}\n\n{replies[0].text}", replies[0].buttons)
    return replies


def submit(turn: Turn, confirmed: bool) -> list[Outbound]:
    """Submit the response (asking first when questions are unanswered) and give a reference."""
    assert turn.respondent is not None
    if turn.submitted:
        return [Outbound(turn.say("already_submitted", reference=turn.respondent["reference"]))]
    if turn.unanswered() and not confirmed:
        turn.goto(StepId.CONFIRM_SUBMIT)
        return turn.prompt()
    consultation = turn.content.consultation
    reference = turn.store.next_reference(consultation.reference_prefix)
    turn.update_respondent(status="submitted", reference=reference, submitted_at=turn.stamp)
    turn.goto(StepId.NONE)
    text = turn.say("submitted", reference=reference, closes=date_text(consultation.closes))
    return [Outbound(text, [Button(turn.say("button_review"), actions.make("go", "review"))])]


def back_to_last_question(turn: Turn) -> list[Outbound]:
    """'back' from the review: the last question."""
    turn.goto(StepId.QUESTION, turn.content.questions[-1].id)
    return turn.prompt(fresh=True)


class ReviewStep(Step):
    """All answers, with Submit, Answer the rest and Change an answer."""

    id = StepId.REVIEW
    leads_to = (StepId.CONFIRM_SUBMIT, StepId.QUESTION, StepId.NONE)

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        questions = turn.content.questions
        unanswered = turn.unanswered()
        lines = [turn.say("review_title", answered=len(questions) - len(unanswered), total=len(questions))]
        lines += [f"{turn.label(q)} {q.short}: {turn.describe(turn.answers.get(q.id))}" for q in questions]
        buttons: list[Button] = []
        submitted = turn.submitted
        if submitted:
            assert turn.respondent is not None
            closes = date_text(turn.content.consultation.closes)
            lines.append(turn.say("review_submitted", reference=turn.respondent["reference"], closes=closes))
        refusal = turn.closed_refusal()
        if refusal:
            lines.append(refusal[0].text)
        else:
            if not submitted:
                buttons.append(Button(turn.say("button_submit"), turn.act("nav", "submit")))
            if unanswered:  # after submitting too: answers can be added until the closing date
                buttons.append(Button(turn.say("button_answer_rest"), turn.act("nav", "start")))
            buttons.append(Button(turn.say("button_change"), turn.act("nav", "changes")))
        return [Outbound("\n".join(lines), buttons)]

    def back(self, turn: Turn) -> list[Outbound]:
        return back_to_last_question(turn)

    def where(self, turn: Turn) -> str:
        return turn.say("where_review")


class ConfirmSubmitStep(Step):
    """'N question(s) are not answered yet': submit anyway, or answer the rest."""

    id = StepId.CONFIRM_SUBMIT
    buttons_need_open = True
    leads_to = (StepId.QUESTION, StepId.NONE)

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        missing = [turn.label(q) for q in turn.unanswered()]
        buttons = [
            Button(turn.say("button_submit_anyway"), turn.act("nav", "confirm")),
            Button(turn.say("button_answer_rest"), turn.act("nav", "start")),
        ]
        return [Outbound(turn.say("confirm_submit", count=len(missing), missing=", ".join(missing)), buttons)]

    def on_action(self, turn: Turn, action: actions.Action) -> list[Outbound] | None:
        if action.verb == "nav" and action.args[0] == "confirm":
            return submit(turn, confirmed=True)
        return None

    def back(self, turn: Turn) -> list[Outbound]:
        return back_to_last_question(turn)

    def where(self, turn: Turn) -> str:
        return turn.say("where_review")
