"""Steps: question (a consultation question, by button or typed) and comment (why, after Partly or No)."""

from __future__ import annotations

import re

from bot import _actions as actions
from bot._messages import Button, Outbound
from bot._text import fold, parse_yes_no
from bot.flow.base import ConfirmStep, Step
from bot.flow.faq import fee_request, more, reply_to_question
from bot.flow.fees import own_fee
from bot.flow.review import show_review
from bot.flow.state import CommentDraft, Frame, JustAnswered, StepId
from bot.flow.turn import Turn, shorten
from content import Question

# Typed at a comment prompt or the free-text question, these mean "no comment" (folded: "n/a" reads "n a").
_NOTHING_TO_ADD = frozenset(
    fold(word) for word in ("no", "none", "nothing", "n/a", "na", "no thanks", "nothing to add", "nope", "no, thanks")
)


_DIGITS = re.compile(r"\d+", re.UNICODE)
# A message starting with one of these asks something (or asks to be told), even without a "?".
_QUESTION_WORDS = frozenset(
    "what how why when where who which whose is are do does did can could will would should may shall"
    " what's whats how's hows who's whos where's wheres when's why's isn't isnt aren't arent doesn't doesnt"
    " tell explain show give describe list define please".split()
)
# Typed at a question, these mean its "Tell me more" button.
_TELL_ME_MORE = frozenset(
    fold(w) for w in ("tell me more", "more", "more info", "more details", "details", "read more")
)
# Words that take a stance or point at the question ("strongly support these", "these are fine", "too
# expensive"): a sentence with one is a remark on the question; a bare topic ("pupil premium strategy")
# is a search.
_STANCE = re.compile(
    r"\b(?:i|i'm|im|i've|we|we're|we've|our|ours|us|my|agree|agreed|disagree|think|feel|felt|believe|like|love"
    r"|hate|prefer|want|wish|hope|appreciate|need|needs|needed|should|shouldn't|must|vital|essential|important"
    r"|crucial|useful|helpful|valuable|invaluable|good|great|excellent|brilliant|poor|bad|expensive|costly"
    r"|unclear|vague|concerned|concerns|worried|happy|unhappy|pleased|keen|strongly|fully|definitely|totally"
    r"|too|not|don't|dont|doesn't|isn't|can't|cant|cannot|won't|never|waste|afford|welcome|valued|fine|ok|okay"
    r"|sensible|reasonable|fair|worthwhile|works|clear|this|these|that|those|it|they|them"
    r"|bit|quite|rather|somewhat|very|really|fairly|overly|generic|broad|narrow|wordy"  # "a bit generic"
    r"|support (?:these|this|it|them|that|the))\b"
)
# Asking without a question word first: "I have a question about fees", "I'd like to know what EGFL is".
_ASKING = re.compile(r"\b(?:question|questions|wondering|wonder|know|explain|clarify|clarification|tell me)\b")


def go_to_question(turn: Turn, question: Question) -> list[Outbound]:
    """Ask a question afresh (section intro and summary first)."""
    turn.goto(StepId.QUESTION, question.id)
    return turn.prompt(fresh=True)


def first_unanswered(turn: Turn) -> list[Outbound]:
    """The first unanswered question, or the review when every question has an answer."""
    turn.session.after_review = False  # "Answer the rest": one unanswered question after another
    nxt = turn.next_unanswered(None)
    return show_review(turn) if nxt is None else go_to_question(turn, nxt)


def move_on(turn: Turn, question: Question) -> str | None:
    """After a question, make the next thing pending: the review if they came from it, else the next
    unanswered question (the review when none is left). Returns a line to show first, if any."""
    if turn.session.after_review:  # "change 5.2" from the review (or after submitting): back to it
        turn.session.after_review = False
        turn.goto(StepId.REVIEW)
        return None
    nxt = turn.next_unanswered(question.id)
    if nxt is None:
        turn.goto(StepId.REVIEW)
        return turn.say("all_answered") if not turn.unanswered() and not turn.submitted else None
    turn.goto(StepId.QUESTION, nxt.id)
    return None


def present(turn: Turn, *leads: str | None) -> list[Outbound]:
    """The pending prompt afresh, with `leads` ("Saved: Yes.") put before it."""
    replies = turn.prompt(fresh=True)
    lead = "\n\n".join(line for line in leads if line)
    if not lead:
        return replies
    if not replies:
        return [Outbound(lead)]
    first = replies[0]
    return [Outbound(f"{lead}\n\n{first.text}", first.buttons, first.question_id), *replies[1:]]


def advance(turn: Turn, question: Question, ack: str | None = None) -> list[Outbound]:
    """After a question: back to the review if they came from it, else the next unanswered question."""
    intro = move_on(turn, question)
    return present(turn, ack, intro)


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
    """Store a choice (and comment, or the remark typed at this prompt before it), then invite a comment or move on."""
    draft = pending_remark(turn, question)
    if draft is not None:
        turn.session.comment_draft = None
        comment = draft.text if comment is None else f"{draft.text}\n{comment}"  # nothing typed is lost
    refused = refuse_storing(turn, comment)
    if refused:
        return refused
    before = turn.answers.get(question.id)
    kept_comment = _store_choice(turn, question, code, comment)
    choice = turn.engine.choice_labels[code]
    if code in turn.content.consultation.invite_comment_after and not kept_comment:
        turn.goto(StepId.COMMENT, question.id)
        return [Outbound(turn.say("saved_choice", choice=choice)), *turn.prompt()]
    intro = move_on(turn, question)
    if not kept_comment:
        turn.session.just_answered = JustAnswered(question.id, turn.session.serial)
    if comment is None and kept_comment and before is not None and before.choice != code:
        # "change q2 to yes" with "too pricey" kept: say so, and how to change it
        label = turn.label(question)
        ack = turn.say("saved_choice_kept_comment", choice=choice, comment=shorten(kept_comment), label=label.lower())
        return present(turn, ack, intro)
    return present(turn, turn.say("saved_choice_comment" if comment else "saved_choice", choice=choice), intro)


_SENTENCES = re.compile(r"(?<=[.!?;])\s+|\s+[-–—]\s+")


def question_in(comment: str) -> str:
    """The part of a comment that asks ("We can't afford a rise - how much does the council put in?" → the
    question after the dash); the whole comment when no part stands out."""
    parts = [p.strip() for p in _SENTENCES.split(comment) if p.strip()]
    asking = [p for p in parts if p.endswith("?") or not looks_like_a_comment(p)]
    return asking[-1] if len(parts) > 1 and asking else comment


def record_choice_then_answer(turn: Turn, question: Question, code: str, comment: str) -> list[Outbound]:
    """ "Partly, because …; value for money?": save the choice and comment, move on, then answer the question."""
    refused = refuse_storing(turn, comment)
    if refused:
        return refused
    _store_choice(turn, question, code, comment)
    intro = move_on(turn, question)
    saved = turn.say("saved_choice_comment", choice=turn.engine.choice_labels[code])
    return [
        Outbound("\n\n".join(line for line in (saved, intro) if line)),
        *reply_to_question(turn, question_in(comment), fresh=True, aside=True),
    ]


def _store_choice(turn: Turn, question: Question, code: str, comment: str | None) -> str | None:
    """Save a choice, keeping an earlier comment when none is given; returns the comment kept."""
    previous = turn.answers.get(question.id)
    kept_comment = comment if comment is not None else (previous.comment if previous else None)
    turn.save_answer(question, code, kept_comment)
    return kept_comment


def answer_pressed(turn: Turn, qid: str, code: str) -> list[Outbound]:
    """An answer button: the pending question's, or an earlier question's (changes that one only)."""
    question = turn.question(qid)
    if question is None or question.kind != "choice" or code not in turn.engine.choice_labels:
        return turn.again("unknown_action")
    if (turn.session.step, turn.session.qid) == (StepId.QUESTION, qid):
        return record_choice(turn, question, code, None)
    previous = turn.answers.get(qid)
    label, choice = turn.label(question), turn.engine.choice_labels[code]
    if previous is not None and previous.choice == code:
        return turn.again("answer_unchanged", label=label, choice=choice)
    draft = turn.session.comment_draft
    if draft is not None and draft.qid == qid and turn.engine.choices.lone(draft.text) == code:
        turn.session.comment_draft = None  # "mabye" at "say why?", then "Change my answer": it was the choice
    turn.save_answer(question, code, previous.comment if previous else None)
    return turn.again("changed_answer" if previous is not None else "saved_answer", label=label, choice=choice)


def _names_a_choice(turn: Turn, text: str) -> bool:
    """The choice's own label or number ("no", "3"), not a word read as one ("ok", "sure")."""
    folded = fold(text).strip(" .!")
    choices = turn.content.consultation.choices
    return folded.isdigit() or folded in {fold(c.label) for c in choices}


def confirm_change(turn: Turn, question: Question, code: str, current: str) -> list[Outbound]:
    """ "ok" typed at a question answered No: change it to Yes, or keep No? Nothing changes until they choose."""
    new, old = turn.engine.choice_labels[code], turn.engine.choice_labels[current]
    buttons = [
        Button(turn.say("button_change_to", choice=new), turn.act("ans", question.id, code)),
        Button(turn.say("button_keep_answer", old=old), turn.act("nav", "keepanswer")),
    ]
    return [Outbound(turn.say("confirm_change_choice", label=turn.label(question), old=old, new=new), buttons)]


def comment_typed(turn: Turn, qid: str, text: str) -> list[Outbound]:
    """ "add a comment to q1: the aims are too vague": saved on that question's answer, then back to where they
    were; on a question not answered yet, it waits there for its answer; with no text, it is asked for."""
    question, number = turn.question(qid), qid.removeprefix("q")
    questions = turn.content.questions
    if question is None and number.isdecimal() and 1 <= int(number) <= len(questions):
        question = questions[int(number) - 1]  # "comment on q7": the 7th question, as "Question 7 of 15" says
        qid = question.id
    if question is None:
        return turn.again("no_such_question", qid=number or "?")
    if not text.strip():
        if question.kind == "choice" and qid in turn.answers:
            return comment_pressed(turn, qid)
        return go_to_question(turn, question)
    refused = refuse_storing(turn, text)
    if refused:
        return refused
    previous = turn.answers.get(qid)
    if previous is None and question.kind == "choice":  # waits at its question for the answer that goes with it
        turn.goto(StepId.QUESTION, qid)
        turn.session.comment_draft = CommentDraft(qid, text, turn.session.serial)
        return turn.prompt(fresh=False)
    if previous is not None and previous.comment and previous.comment != text:  # "Replace your comment…?" first
        turn.session.comment_draft = CommentDraft(qid, text)
        return turn.interrupt(StepId.CONFIRM_COMMENT)
    turn.save_answer(question, previous.choice if previous else None, text)
    return turn.again("saved_comment_on", label=turn.label(question))


def comment_pressed(turn: Turn, qid: str) -> list[Outbound]:
    """ "Add a comment on Q1" (or change it): ask for the comment, then hand back to where they were."""
    question = turn.question(qid)
    if question is None or question.kind != "choice" or qid not in turn.answers:
        return turn.again("unknown_action")
    here = turn.session.here
    turn.goto(StepId.COMMENT, qid)
    turn.session.comment_return = here if here != Frame(StepId.COMMENT, qid) else None
    return turn.prompt()


def choice_hint(turn: Turn) -> list[Outbound]:
    """'Please choose an answer: type 1 to 4 (1 Yes, 2 Partly…)', then the question again."""
    choices = turn.content.consultation.choices
    listed = ", ".join(f"{n} {c.label}" for n, c in enumerate(choices, 1))
    return turn.again("choice_hint", count=len(choices), choices=listed)


def looks_like_a_comment(text: str) -> bool:
    """A few words that neither ask ("?", "how…", "tell me…", "I'd like to know…") nor are one word: a remark."""
    folded = fold(text)
    words = folded.split()
    return len(words) >= 2 and "?" not in text and words[0] not in _QUESTION_WORDS and _ASKING.search(folded) is None


def takes_a_stance(text: str) -> bool:
    """A remark with a view in it ("strongly support these"), not a topic to look up."""
    return looks_like_a_comment(text) and _STANCE.search(fold(text)) is not None


def pending_remark(turn: Turn, question: Question) -> CommentDraft | None:
    """A remark typed at this very prompt of `question`, waiting for the choice that goes with it."""
    draft = turn.waiting_remark()
    return draft if draft is not None and draft.qid == question.id else None


def take_remark(turn: Turn, question: Question, text: str) -> list[Outbound]:
    """A statement typed at a choice question ("strongly support these") is a comment, not a query.

    On the answer just given, or on this question once answered, it is offered as that comment
    ("Add this as your comment on Q1?"); on an unanswered question it is kept until they choose the
    answer that goes with it (a second remark is added to the first), and a button lets them say it
    was a question after all.
    """
    target = turn.just_answered() or (question if question.id in turn.answers else None)
    waiting = pending_remark(turn, question) if target is None else None
    if waiting is not None:
        text = f"{waiting.text}\n{text}"  # nothing typed is lost
    refused = refuse_storing(turn, text)
    if refused:
        return refused
    if target is not None:
        turn.session.comment_draft = CommentDraft(target.id, text)
        return turn.interrupt(StepId.CONFIRM_COMMENT)
    turn.session.comment_draft = CommentDraft(question.id, text, turn.session.serial)
    return turn.prompt(fresh=False)


def _asks_a_fee(turn: Turn, text: str) -> bool:
    """ "our fee for 420 pupils": a fee with a figure to work it out from, not a remark."""
    return fee_request(text).pupils is not None and turn.engine.answerer.find(text).compute == "fees"


class _QuestionPending(Step):
    """What the question and comment steps share: the pending question, skip, and where."""

    skip_ack: str  # what skipping says

    def pending(self, turn: Turn) -> Question:
        """The question this step is about."""
        question = turn.question(turn.session.qid)
        assert question is not None
        return question

    def skip(self, turn: Turn) -> list[Outbound]:
        question = self.pending(turn)
        answered = self.id == StepId.QUESTION and question.id in turn.answers
        ack = turn.say("skipped_answered" if answered else self.skip_ack)
        return advance(turn, question, ack=ack)

    def where(self, turn: Turn) -> str:
        return turn.progress_label(turn.question(turn.session.qid))


class QuestionStep(_QuestionPending):
    """A consultation question: buttons, a typed choice ("Partly, because…"), or free text for q5.11."""

    id = StepId.QUESTION
    skip_ack = "skipped"
    leads_to = (StepId.COMMENT, StepId.CONFIRM_COMMENT, StepId.QUESTION, StepId.REVIEW)

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        question = turn.question(turn.session.qid)
        if question is None:
            turn.goto(StepId.NONE)
            return []
        replies: list[Outbound] = []
        if fresh:
            section = turn.content.section_of[question.id]
            blocks = [section.intro] if section.questions[0].id == question.id else []
            blocks.append(summary_before(turn, question))
            replies.append(Outbound("\n\n".join(blocks)))
        lines = [f"{turn.progress_label(question)} · {question.short}", question.text]
        current = turn.answers.get(question.id)
        if current is not None:
            lines.append(turn.say("current_answer", answer=turn.describe(current)))
        remark = pending_remark(turn, question)
        if remark is not None:
            lines.append(turn.say("which_choice_for_comment", comment=shorten(remark.text)))
        else:
            lines.append(turn.say("hint_text_question" if question.kind == "text" else "hint_choice"))
        buttons: list[Button] = []
        if question.kind == "choice":
            buttons += [
                Button(c.label, turn.act("ans", question.id, c.code)) for c in turn.content.consultation.choices
            ]
        if remark is not None:
            buttons.append(Button(turn.say("button_was_a_question"), turn.act("nav", "remarkquestion")))
        buttons.append(Button(turn.say("button_more"), actions.make("more", question.topic.replace(":", "."))))
        skip_label = "button_nothing_to_add" if question.kind == "text" else "button_skip"
        buttons.append(Button(turn.say(skip_label), turn.act("nav", "skip")))
        if turn.content.question_index[question.id] > 0:
            buttons.append(Button(turn.say("button_back"), turn.act("nav", "back")))
        buttons += comment_buttons(turn, question)  # last: the buttons every question has keep their numbers
        replies.append(Outbound("\n\n".join(lines), buttons, question_id=question.id))
        return replies

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        question = turn.question(turn.session.qid)
        if question is None:
            turn.goto(StepId.NONE)
            return reply_to_question(turn, text)
        if question.kind == "text":
            if fold(text) in _NOTHING_TO_ADD:
                return self.skip(turn)
            if turn.engine.choices.says_nothing(text):  # "ok", "4": nothing to save
                return [Outbound(turn.say("text_hint")), *turn.prompt(fresh=False)]
            if not looks_like_a_comment(text):  # "what is EGFL?", "mentoring": a proposal?
                turn.session.comment_draft = CommentDraft(question.id, text)
                return turn.interrupt(StepId.CONFIRM_COMMENT)
            refused = refuse_storing(turn, text)
            if refused:
                return refused
            turn.save_answer(question, None, text)
            return advance(turn, question, ack=turn.say("saved_comment"))
        if turn.engine.choices.acknowledges(text):  # "no worries" after an aside: not an answer (and not "No")
            return reply_to_question(turn, text, context=question)
        typed = turn.engine.choices.read(text)
        if typed is not None:
            current = turn.answers.get(question.id)
            changes = current is not None and current.choice is not None and typed.code != current.choice
            if changes and typed.comment is None and not _names_a_choice(turn, text):
                assert current is not None and current.choice is not None
                return confirm_change(turn, question, typed.code, current.choice)  # "ok" at an answered "No"
            return record_choice(turn, question, typed.code, typed.comment)
        lead = turn.engine.choices.lead(text)
        if lead is not None and lead.comment:
            return record_choice_then_answer(turn, question, lead.code, lead.comment)
        if fold(text) in _TELL_ME_MORE:
            return more(turn, question.topic)
        just = turn.just_answered() is not None
        if (looks_like_a_comment(text) if just else takes_a_stance(text)) and not _asks_a_fee(turn, text):
            return take_remark(turn, question, text)
        if _DIGITS.fullmatch(text):
            return choice_hint(turn)  # a number that is not one of the choices
        short = len(text.split()) <= 2 and not text.rstrip().endswith("?")
        return reply_to_question(turn, text, context=question, instead=(lambda: choice_hint(turn)) if short else None)

    def on_action(self, turn: Turn, action: actions.Action) -> list[Outbound] | None:
        if action.verb == "nav" and action.args[0] == "keepanswer":
            question = turn.question(turn.session.qid)
            current = turn.answers.get(question.id) if question else None
            if question is None or current is None or current.choice is None:
                return turn.again("stale_button")
            choice = turn.engine.choice_labels[current.choice]
            return turn.again("answer_unchanged", label=turn.label(question), choice=choice)
        if action.verb == "nav" and action.args[0] == "remarkquestion":
            question = self.pending(turn)
            remark = pending_remark(turn, question)
            if remark is None:
                return turn.again("stale_button")
            turn.session.comment_draft = None
            return reply_to_question(turn, remark.text, context=question)
        return None

    def back(self, turn: Turn) -> list[Outbound]:
        index = turn.content.question_index[turn.session.qid or ""]
        if index == 0:
            return turn.again("first_question")
        turn.goto(StepId.QUESTION, turn.content.questions[index - 1].id)
        return turn.prompt(fresh=True)


class CommentStep(_QuestionPending):
    """'Would you like to say why?' after a choice, or a comment asked for by its button: text is the comment."""

    id = StepId.COMMENT
    skip_ack = "no_comment"
    buttons_need_open = True
    leads_to = (StepId.QUESTION, StepId.REVIEW)

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        question = self.pending(turn)
        limit = f"{turn.content.consultation.comment_max_chars:,}"
        lines = [turn.say("ask_comment", label=turn.label(question), limit=limit)]
        buttons = [Button(turn.say("button_no_comment"), turn.act("nav", "nocomment"))]
        current = turn.answers.get(question.id)
        if current is not None and current.comment and current.choice:
            lines.insert(0, turn.say("current_comment", comment=current.comment))
            buttons.append(Button(turn.say("button_remove_comment"), turn.act("nav", "dropcomment")))
        return [Outbound("\n\n".join(lines), buttons, question_id=question.id)]

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        if fold(text) in _NOTHING_TO_ADD:
            return self.skip(turn)
        question = self.pending(turn)
        refused = refuse_storing(turn, text)
        if refused:
            return refused
        draft = turn.session.comment_draft
        offered = draft is not None and (draft.qid, draft.serial) == (question.id, turn.session.serial)
        if offered and not looks_like_a_comment(text) and not turn.engine.answerer.find(text).confident:
            # "380" typed instead of a button for "…your comment, or a question for me?": ask again, keep both
            assert draft is not None
            turn.session.comment_draft = None  # offered again, as it was
            return [Outbound(turn.say("choose_for_remark")), *self.on_text(turn, draft.text)]
        previous = turn.answers.get(question.id)
        lone = turn.engine.choices.read(text)
        if lone is not None and lone.comment is None and previous is not None and previous.choice:
            return self.comment_or_choice(turn, question, text, lone.code, previous.choice)
        if turn.engine.choices.says_nothing(text):  # "5", "thanks": not a comment to save
            hint = "acknowledged" if turn.engine.choices.acknowledges(text) else "text_hint"
            return [Outbound(turn.say(hint)), *turn.prompt(fresh=False)]
        asked = turn.engine.answerer.find(text)  # a fee for a school described is a question however it is typed
        if asked.confident and (asked.kind == "fee" or not looks_like_a_comment(text)):
            return self.comment_or_question(turn, question, text)
        turn.save_answer(question, previous.choice if previous else None, text)
        return self.finish(turn, turn.say("saved_comment"))

    def comment_or_question(self, turn: Turn, question: Question, text: str) -> list[Outbound]:
        """ "how much does the council contribute?" at "Would you like to say why?": a comment for the board, or a
        question for the assistant? Ask (only when it can be answered); nothing is lost."""
        turn.session.comment_draft = CommentDraft(question.id, text, turn.session.serial)
        buttons = [
            Button(turn.say("button_save_as_comment"), turn.act("nav", "keepremark")),
            Button(turn.say("button_was_a_question"), turn.act("nav", "remarkquestion")),
            Button(turn.say("button_no_comment"), turn.act("nav", "nocomment")),
        ]
        line = turn.say("comment_or_question", comment=shorten(text), label=turn.label(question))
        return [Outbound(line, buttons, question_id=question.id)]

    def comment_or_choice(self, turn: Turn, question: Question, text: str, code: str, current: str) -> list[Outbound]:
        """ "maybe" at "Would you like to say why?": a comment, or a change of answer? Ask; nothing is lost."""
        turn.session.comment_draft = CommentDraft(question.id, text, turn.session.serial)
        choice, comment = turn.engine.choice_labels[code], shorten(text)
        buttons = [Button(turn.say("button_save_as_comment"), turn.act("nav", "keepremark"))]
        if code == current:
            line = turn.say("comment_or_same_choice", comment=comment, choice=choice)
        else:
            line = turn.say("comment_or_choice", comment=comment, choice=choice)
            buttons.insert(0, Button(turn.say("button_change_to", choice=choice), turn.act("ans", question.id, code)))
        buttons.append(Button(turn.say("button_no_comment"), turn.act("nav", "nocomment")))
        return [Outbound(line, buttons, question_id=question.id)]

    def on_action(self, turn: Turn, action: actions.Action) -> list[Outbound] | None:
        if action.verb == "nav" and action.args[0] == "nocomment":
            return self.skip(turn)
        if action.verb == "nav" and action.args[0] in {"keepremark", "remarkquestion"}:
            question, draft = self.pending(turn), turn.session.comment_draft
            if draft is None or (draft.qid, draft.serial) != (question.id, turn.session.serial):
                return turn.again("stale_button")
            turn.session.comment_draft = None
            if action.args[0] == "remarkquestion":  # answered; "Would you like to say why?" is asked again
                return reply_to_question(turn, draft.text, context=question)
            previous = turn.answers.get(question.id)
            turn.save_answer(question, previous.choice if previous else None, draft.text)
            return self.finish(turn, turn.say("saved_comment"))
        if action.verb == "nav" and action.args[0] == "dropcomment":
            question = self.pending(turn)
            current = turn.answers.get(question.id)
            if current is None or not current.comment or not current.choice:
                return turn.again("stale_button")
            turn.save_answer(question, current.choice, None)
            return self.finish(turn, turn.say("comment_removed", label=turn.label(question)))
        return None

    def skip(self, turn: Turn) -> list[Outbound]:
        return self.finish(turn, turn.say(self.skip_ack))

    def finish(self, turn: Turn, ack: str) -> list[Outbound]:
        """Hand back to where the comment's button was pressed, else move on as after an answer."""
        back_to = turn.session.comment_return
        if back_to is None:
            return advance(turn, self.pending(turn), ack=ack)
        turn.goto(back_to.step, back_to.qid)
        return [Outbound(ack), *turn.prompt(fresh=False)]

    def back(self, turn: Turn) -> list[Outbound]:
        turn.goto(StepId.QUESTION, turn.session.qid)
        return turn.prompt(fresh=False)


class ConfirmCommentStep(ConfirmStep):
    """'Add this as your comment on Q1?': typed text after a button answer, offered as its comment."""

    id = StepId.CONFIRM_COMMENT
    buttons_need_open = True
    yes_nav, no_nav = "addcomment", "notcomment"

    def on_text(self, turn: Turn, text: str) -> list[Outbound]:
        """Yes or no; a question typed instead is answered (a fee without the calculator), then this again."""
        if parse_yes_no(text) is None and not looks_like_a_comment(text):
            return reply_to_question(turn, text, aside=True)
        return super().on_text(turn, text)

    def prompt(self, turn: Turn, fresh: bool) -> list[Outbound]:
        draft = turn.session.comment_draft
        question = turn.question(draft.qid if draft else None)
        if draft is None or question is None:
            turn.pop_resume()
            return turn.prompt(fresh=False)
        current = turn.answers.get(question.id)
        replaces = current is not None and bool(current.comment)
        buttons = [
            Button(turn.say("button_replace_it" if replaces else "button_add_it"), turn.act("nav", self.yes_nav)),
            Button(turn.say("button_not_a_comment"), turn.act("nav", self.no_nav)),
        ]
        at = self._question_at(turn)
        if at is not None and at.id != question.id and at.kind == "choice":  # typed at Q5.10, offered for Q5.9
            about_this = turn.say("button_about_this", label=turn.label(at))
            buttons.insert(1, Button(about_this, turn.act("nav", "remarkhere")))
        label, shown = turn.label(question), shorten(draft.text)
        if current is not None and current.comment:
            text = turn.say("confirm_replace_comment", label=label, old=shorten(current.comment), comment=shown)
        elif question.kind == "text":
            text = turn.say("confirm_proposal", label=label, comment=shown)
        else:
            text = turn.say("confirm_comment", label=label, comment=shown)
        return [Outbound(text, buttons)]

    def _question_at(self, turn: Turn) -> Question | None:
        """The question they were at when the comment was offered (the step this side step interrupted)."""
        back_to = turn.session.resume[-1] if turn.session.resume else None
        return turn.question(back_to.qid) if back_to is not None and back_to.step == StepId.QUESTION else None

    def on_action(self, turn: Turn, action: actions.Action) -> list[Outbound] | None:
        if action.verb == "nav" and action.args[0] == "remarkhere":
            draft, at = turn.session.comment_draft, self._question_at(turn)
            if draft is None or at is None:
                return turn.again("stale_button")
            turn.session.comment_draft = None
            turn.session.just_answered = None  # about the question they are at, not the one answered before
            turn.pop_resume()
            return take_remark(turn, at, draft.text)
        return super().on_action(turn, action)

    def yes(self, turn: Turn) -> list[Outbound]:
        """Store the draft as the earlier answer's comment, then back to the pending question."""
        draft = turn.session.comment_draft
        question = turn.question(draft.qid if draft else None)
        previous = turn.answers.get(question.id) if question else None
        if draft is None or question is None or (previous is None and question.kind == "choice"):
            return turn.restore([])
        refused = refuse_storing(turn, draft.text)
        if refused:
            return refused
        turn.save_answer(question, previous.choice if previous else None, draft.text)
        turn.session.comment_draft = None
        ack = turn.say("saved_comment_on", label=turn.label(question))
        turn.pop_resume()
        if turn.session.here == Frame(StepId.QUESTION, question.id):  # a comment on the question they were at
            return advance(turn, question, ack=ack)
        return [Outbound(ack), *turn.prompt(fresh=False)]

    def no(self, turn: Turn) -> list[Outbound]:
        """Not a comment: answer it as a question instead."""
        draft = turn.session.comment_draft
        turn.session.comment_draft = None
        turn.pop_resume()
        return reply_to_question(turn, draft.text) if draft else turn.prompt(fresh=False)


def comment_buttons(turn: Turn, question: Question) -> list[Button]:
    """'Add a comment on Q1' for the answer just given, and for this question once it is answered."""
    buttons = []
    earlier = turn.just_answered()
    if earlier is not None:
        buttons.append(Button(turn.say("button_add_comment", label=turn.label(earlier)), turn.act("cmt", earlier.id)))
    current = turn.answers.get(question.id)
    if current is not None and question.kind == "choice":
        key = "button_change_comment" if current.comment else "button_add_comment"
        buttons.append(Button(turn.say(key, label=turn.label(question)), turn.act("cmt", question.id)))
    return buttons


def summary_before(turn: Turn, question: Question) -> str:
    """The question's summary from the content (with the school's own fee before the fee question)."""
    text = turn.engine.question_summaries[question.id]
    own = own_fee(turn) if question.topic == "fees" else None
    return f"{text}\n\n{own}" if own else text
