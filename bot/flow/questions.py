"""Steps: question (a consultation question, by button or typed) and comment (why, after Partly or No)."""

from __future__ import annotations

from bot import _actions as actions
from bot._messages import Button, Outbound
from bot._text import fold
from bot.flow.answering import answer_question
from bot.flow.base import Step
from bot.flow.fees import own_fee
from bot.flow.review import show_review
from bot.flow.state import StepId
from bot.flow.turn import Turn
from content import Question

# Typed at a comment prompt or the free-text question, these mean "no comment" (folded: "n/a" reads "n a").
_NOTHING_TO_ADD = frozenset(
    fold(word) for word in ("no", "none", "nothing", "n/a", "na", "no thanks", "nothing to add", "nope", "no, thanks")
)


def go_to_question(turn: Turn, question: Question) -> list[Outbound]:
    """Ask a question afresh (section intro and summary first)."""
    turn.goto(StepId.QUESTION, question.id)
    return turn.prompt(fresh=True)


def first_unanswered(turn: Turn) -> list[Outbound]:
    """The first unanswered question, or the review when every question has an answer."""
    nxt = turn.next_unanswered(None)
    return show_review(turn) if nxt is None else go_to_question(turn, nxt)


def advance(turn: Turn, question: Question, ack: str | None = None) -> list[Outbound]:
    """After a question: back to the review if they came from it, else the next unanswered question."""
    if turn.session.after_review or turn.submitted:
        turn.session.after_review = False
        replies = show_review(turn)
    else:
        nxt = turn.next_unanswered(question.id)
        if nxt is None:
            replies = show_review(turn, intro=turn.say("all_answered") if not turn.unanswered() else None)
        else:
            replies = go_to_question(turn, nxt)
    if ack and replies:
        first = replies[0]
        replies[0] = Outbound(f"{ack}\n\n{first.text}", first.buttons, first.question_id)
    elif ack:
        replies = [Outbound(ack)]
    return replies


def refuse_storing(turn: Turn, comment: str | None) -> list[Outbound]:
    """Why an answer cannot be stored now (closed, or the comment is too long), or [] if it can."""
    refusal = turn.closed_refusal()
    if refusal:
        return refusal
    limit = turn.content.consultation.comment_max_chars
    if comment is not None and len(comment) > limit:
        return turn.again("comment_too_long", length=f"{len(comment):,}", limit=f"{limit:,}")
    return []


def record_choice(turn: Turn, question: Question, code: str, comment: str | None) -> list[Outbound]:
    """Store a choice (and comment), then invite a comment or move on."""
    refused = refuse_storing(turn, comment)
    if refused:
        return refused
    previous = turn.answers.get(question.id)
    kept_comment = comment if comment is not None else (previous.comment if previous else None)
    if previous is None or previous.choice != code or previous.comment != kept_comment:
        turn.save_answer(question, code, kept_comment)
    choice = turn.engine.choice_labels[code]
    if code in turn.content.consultation.invite_comment_after and not kept_comment:
        turn.goto(StepId.COMMENT, question.id)
        return [Outbound(turn.say("saved_choice", choice=choice)), *turn.prompt()]
    return advance(turn, question, ack=turn.say("saved_choice_comment" if comment else "saved_choice", choice=choice))


def record_comment(turn: Turn, question: Question, text: str) -> list[Outbound]:
    """Store a comment on a question (keeping its choice), then move on."""
    refused = refuse_storing(turn, text)
    if refused:
        return refused
    previous = turn.answers.get(question.id)
    turn.save_answer(question, previous.choice if previous else None, text)
    return advance(turn, question, ack=turn.say("saved_comment"))


def answer_pressed(turn: Turn, qid: str, code: str) -> list[Outbound]:
    """An answer button: the pending question's, or an earlier question's (changes that one only)."""
    question = turn.question(qid)
    if question is None or question.kind != "choice" or code not in turn.engine.choice_labels:
        return turn.again("unknown_action")
    if (turn.session.step, turn.session.qid) == (StepId.QUESTION, qid):
        return record_choice(turn, question, code, None)
    previous = turn.answers.get(qid)
    if previous is not None and previous.choice == code:
        return []  # the same answer again: nothing to do, nothing to say twice
    turn.save_answer(question, code, previous.comment if previous else None)
    label = turn.label(question)
    return turn.again_with(turn.say("changed_answer", label=label, choice=turn.engine.choice_labels[code]))


def comment_pressed(turn: Turn, qid: str) -> list[Outbound]:
    """A comment button for an answered question: ask for the comment."""
    question = turn.question(qid)
    if question is None:
        return turn.again("unknown_action")
    turn.goto(StepId.COMMENT, qid)
    return turn.prompt()


class _QuestionPending(Step):
    """What the question and comment steps share: the pending question, skip, and where."""

    skip_ack: str  # what skipping says

    def pending(self, turn: Turn) -> Question:
        """The question this step is about."""
        question = turn.question(turn.session.qid)
        assert question is not None
        return question

    def skip(self, turn: Turn) -> list[Outbound]:
        return advance(turn, self.pending(turn), ack=turn.say(self.skip_ack))

    def where(self, turn: Turn) -> str:
        return turn.progress_label(turn.question(turn.session.qid))


class QuestionStep(_QuestionPending):
    """A consultation question: buttons, a typed choice ("Partly, because…"), or free text for q5.11."""

    id = StepId.QUESTION
    skip_ack = "skipped"
    leads_to = (StepId.COMMENT, StepId.QUESTION, StepId.REVIEW)

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        question = turn.question(turn.session.qid)
        if question is None:
            turn.goto(StepId.NONE)
            return []
        replies: list[Outbound] = []
        if fresh:
            section = turn.content.section_of[question.id]
            blocks = [section.intro] if section.questions[0].id == question.id else []
            blocks.append(summary(turn, question))
            replies.append(Outbound("\n\n".join(blocks)))
        lines = [f"{turn.progress_label(question)} · {question.short}", question.text]
        current = turn.answers.get(question.id)
        if current is not None:
            lines.append(turn.say("current_answer", answer=turn.describe(current)))
        lines.append(turn.say("hint_text_question" if question.kind == "text" else "hint_choice"))
        buttons: list[Button] = []
        if question.kind == "choice":
            buttons += [
                Button(c.label, turn.act("ans", question.id, c.code)) for c in turn.content.consultation.choices
            ]
        buttons.append(Button(turn.say("button_more"), actions.make("more", question.topic.replace(":", "."))))
        skip_label = "button_nothing_to_add" if question.kind == "text" else "button_skip"
        buttons.append(Button(turn.say(skip_label), turn.act("nav", "skip")))
        if turn.content.question_index[question.id] > 0:
            buttons.append(Button(turn.say("button_back"), turn.act("nav", "back")))
        replies.append(Outbound("\n\n".join(lines), buttons, question_id=question.id))
        return replies

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        question = turn.question(turn.session.qid)
        if question is None:
            turn.goto(StepId.NONE)
            return answer_question(turn, text)
        if question.kind == "text":
            if fold(text) in _NOTHING_TO_ADD:
                return self.skip(turn)
            refused = refuse_storing(turn, text)
            if refused:
                return refused
            turn.save_answer(question, None, text)
            return advance(turn, question, ack=turn.say("saved_comment"))
        typed = turn.engine.choices.read(text)
        if typed is None:
            return answer_question(turn, text, context=question)
        return record_choice(turn, question, typed.code, typed.comment)

    def back(self, turn: Turn) -> list[Outbound]:
        index = turn.content.question_index[turn.session.qid or ""]
        if index == 0:
            return turn.again("first_question")
        turn.goto(StepId.QUESTION, turn.content.questions[index - 1].id)
        return turn.prompt(fresh=True)


class CommentStep(_QuestionPending):
    """'Would you like to say why?' after a choice: any text is the comment."""

    id = StepId.COMMENT
    skip_ack = "no_comment"
    leads_to = (StepId.QUESTION, StepId.REVIEW)

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        question = self.pending(turn)
        limit = f"{turn.content.consultation.comment_max_chars:,}"
        text = turn.say("ask_comment", label=turn.label(question), limit=limit)
        no_comment = Button(turn.say("button_no_comment"), turn.act("nav", "nocomment"))
        return [Outbound(text, [no_comment], question_id=question.id)]

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        if fold(text) in _NOTHING_TO_ADD:
            return self.skip(turn)
        return record_comment(turn, self.pending(turn), text)

    def on_action(self, turn: Turn, action: actions.Action) -> list[Outbound] | None:
        if action.verb == "nav" and action.args[0] == "nocomment":
            return self.skip(turn)
        return None

    def back(self, turn: Turn) -> list[Outbound]:
        turn.goto(StepId.QUESTION, turn.session.qid)
        return turn.prompt(fresh=False)


def summary(turn: Turn, question: Question) -> str:
    """The question's summary from the content (with the school's own fee before the fee question)."""
    text = turn.engine.summaries[question.topic]
    own = own_fee(turn) if question.topic == "fees" else None
    return f"{text}\n\n{own}" if own else text
