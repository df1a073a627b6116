"""Issue 11, through the engine API: no typed answer lost, a comment on every answer, no dead ends, stable options."""

from __future__ import annotations

import re

import pytest

from adapters.console import render
from bot.flow.state import StepId

from ._flow import step_of, stored
from .conftest import Chat

CHOICES = ["Yes", "Partly", "No", "Not sure"]


# ------------------------------------------------------------------ 1. typed answers are never lost


@pytest.mark.parametrize(
    ("typed", "choice", "comment"),
    [
        (
            "Partly, because the fee rises every year; value for money?",
            "partly",
            "because the fee rises every year; value for money?",
        ),
        ("No. Our budget is cut; why should we pay?", "no", "Our budget is cut; why should we pay?"),
        ("Yes, but how much will it cost?", "yes", "but how much will it cost?"),
        ("No, what would we get for our money?", "no", "what would we get for our money?"),
    ],
)
def test_11_1_choice_with_a_question_is_saved_then_the_question_answered(
    chat: Chat, db_path, typed: str, choice: str, comment: str
) -> None:
    chat.identify()
    chat.send(typed)
    assert stored(db_path)["q1"] == (choice, comment)
    assert chat.replies[0].text.startswith(f"Saved: {chat.engine.choice_labels[choice]}, with your comment.")
    assert len(chat.replies) >= 2, "the question in it gets an answer too"
    assert step_of(chat) == StepId.QUESTION and chat.question_id == "q2", "and the respondent moves on"
    assert "Locality matters" in chat.text, "with the next question's summary, as after any answer"


@pytest.mark.parametrize("typed", ["Yes, but how much will it cost?", "No, how much do we pay?"])
def test_11_1_a_fee_asked_inside_a_comment_is_told_without_opening_the_calculator(chat: Chat, typed: str) -> None:
    chat.identify()  # a primary whose roll is not known
    chat.send(typed)
    assert "Your school (Primary): £4,461 flat rate + £5.77 per pupil." in chat.text
    assert "How many pupils" not in chat.text and step_of(chat) == StepId.QUESTION and chat.question_id == "q2"
    chat.send("fee")
    chat.send("420")  # typed when asked: their roll
    chat.send("change 2")
    chat.send("Partly, what is our fee?")
    assert "Primary, 420 pupils: £4,461 + 420 × £5.77 = £6,884.40" in chat.text and chat.question_id == "q3"
    assert chat.text.count("£6,884.40") == 1, "said once: the fee question's summary has it"


# ------------------------------------------------------------------ 2. a comment on every answer


@pytest.mark.parametrize("way", ["typed", "button"])
def test_11_2_a_comment_after_a_yes_by_typing_or_by_its_button(chat: Chat, db_path, way: str) -> None:
    chat.identify()
    chat.press("Yes")
    if way == "button":
        labels = [b.label for b in chat.buttons]
        assert labels[:7] == [*CHOICES, "Tell me more", "Skip", "Back"]  # the same numbers on every question
        assert labels[7] == "Add a comment on Q1"
        chat.press("Add a comment on Q1")
        chat.send("strongly support the aims")
    else:
        chat.send("strongly support the aims")
        assert "Add this as your comment on Q1?" in chat.text
        chat.press("Yes, add it")
        assert "Saved your comment on Q1." in chat.text
    assert stored(db_path)["q1"] == ("yes", "strongly support the aims")
    assert chat.question_id == "q2" and step_of(chat) == StepId.QUESTION


def test_11_2_declined_offer_is_answered_as_a_question(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Not sure")
    chat.send("governors support")
    chat.press("No, it's not a comment")
    assert stored(db_path)["q1"] == ("unsure", None)
    assert chat.question_id == "q2" and "Source:" in chat.text


def test_11_2_review_shows_comments_and_they_can_be_changed_or_removed(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("Yes, clear aims")
    chat.send("review")
    assert "Q1 Aims: Yes – “clear aims”" in chat.text
    chat.press("Change an answer")
    chat.press("Q1 Aims")
    chat.press("Change the comment on Q1")
    assert "Your comment now: “clear aims”" in chat.text
    chat.send("very clear aims")
    assert stored(db_path)["q1"] == ("yes", "very clear aims")
    chat.press("Change the comment on Q1")
    chat.press("Remove the comment")
    assert "Removed your comment on Q1." in chat.text
    assert stored(db_path)["q1"] == ("yes", None)


def test_11_2_persona_comments_on_yes_and_not_sure_are_all_stored_exactly(chat: Chat, db_path) -> None:
    chat.identify()
    expected = {}
    n = 0
    while chat.question_id and chat.question_id != "q5.11":
        qid = chat.question_id
        choice = "Not sure" if n % 3 == 1 else "Yes"
        chat.press(choice)
        if n % 2 == 0:
            remark = f"Our view on {qid}: keep it 👍 “as is”"
            chat.send(remark)
            chat.press("Yes, add it")
            expected[qid] = ("unsure" if choice == "Not sure" else "yes", remark)
        else:
            expected[qid] = ("unsure" if choice == "Not sure" else "yes", None)
        n += 1
    answers = stored(db_path)
    assert {q: answers[q] for q in expected} == expected
    assert len(expected) == 14


# ------------------------------------------------------------------ 3. no dead end


@pytest.mark.parametrize("via", ["review", "submit"])
def test_11_3_answer_the_rest_goes_to_first_unanswered(chat: Chat, via: str) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("skip")
    chat.press("Yes")  # q3; q2 left unanswered
    chat.send(via)
    chat.press("Answer the rest")
    assert chat.question_id == "q2"
    chat.press("No")
    chat.press("No comment")
    assert chat.question_id == "q4", "then on to the next unanswered"


def test_11_3_after_submitting_answer_the_rest_still_leads_to_each_unanswered_question(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("submit")
    chat.press("Submit anyway")
    assert "ELP-2026-0001" in chat.text
    for via in ("review", "start"):  # the review offers it; "start" at the review is the same
        chat.send("review")
        assert "Answer the rest" in [b.label for b in chat.buttons]
        chat.send(via) if via == "start" else chat.press("Answer the rest")
        assert chat.question_id == "q2", "not the review again"
    chat.press("Partly")
    chat.press("No comment")
    assert chat.question_id == "q3", "then the next unanswered, not back to the review"
    chat.send("change 1")
    chat.press("No")
    chat.press("No comment")
    assert "Your answers" in chat.text and "ELP-2026-0001" in chat.text, "a change goes back to the review"
    assert stored(db_path) == {"q1": ("no", None), "q2": ("partly", None)}


# ------------------------------------------------------------------ 4. options keep their numbers


def _numbered(chat: Chat) -> list[str]:
    _, buttons = render(chat.replies)
    return [b.label for b in buttons]


def test_11_4_choices_keep_their_numbers_on_every_prompt_with_digressions(chat: Chat) -> None:
    chat.identify()
    digressions = ["what is EGFL?", "is there anything for SEND governors?", "pupil premium strategy?", "help"]
    turns = 0
    while chat.question_id and chat.question_id != "q5.11":
        for typed in digressions[turns % len(digressions) : turns % len(digressions) + 1]:
            chat.send(typed)
            if chat.question_id:
                assert _numbered(chat)[:4] == CHOICES, (typed, _numbered(chat))
        chat.press("Tell me more")
        assert _numbered(chat)[:4] == CHOICES
        chat.send("1")  # the console's "1" and the engine's "1" are both Yes
        turns += 1
        if chat.question_id and chat.question_id != "q5.11":
            assert _numbered(chat)[:4] == CHOICES
    assert turns == 14


def test_11_4_no_two_buttons_share_a_label(chat: Chat) -> None:
    chat.identify()
    for typed in ("what is EGFL?", "business support", "what does ELP offer for premises?"):
        chat.send(typed)
        labels = _numbered(chat)
        assert len(labels) == len(set(labels)), labels


# ------------------------------------------------------------------ 5. a hypothetical fee changes nothing stored


def test_11_5_hypothetical_fee_question_does_not_change_the_stored_roll(chat: Chat) -> None:
    chat.identify(school_type="Secondary")
    chat.send("how much do we pay, we're a primary with 300 pupils")
    assert "Primary, 300 pupils" in chat.text
    assert "Keep 300 as our number of pupils" not in [b.label for b in chat.buttons]
    chat.send("section 2")
    chat.press("Yes")  # q3's summary shows their own fee
    assert "300 pupils" not in chat.text
    chat.send("my data")
    assert "Number of pupils" not in chat.text


def test_11_5_own_roll_mentioned_in_passing_is_stored_only_when_confirmed(chat: Chat) -> None:
    chat.identify()  # a primary
    chat.send("what is our fee with 300 pupils?")
    assert "Primary, 300 pupils" in chat.text
    chat.send("my data")
    assert "Number of pupils" not in chat.text
    chat.send("what is our fee with 300 pupils?")
    chat.press("Keep 300 as our number of pupils")
    assert "your school has 300 pupils" in chat.text and chat.question_id == "q1"
    chat.send("my data")
    assert "Number of pupils, for your school's fee: 300" in chat.text


# ------------------------------------------------------------------ 6. typos and short replies


@pytest.mark.parametrize(
    ("typed", "choice"),
    [
        ("yse", "yes"),
        ("partley", "partly"),
        ("mabye", "unsure"),
        ("ok", "yes"),
        ("sure", "yes"),
        ("absolutely", "yes"),
        ("strongly agree", "yes"),
        ("I'm not sure", "unsure"),
        ("I don't know", "unsure"),
        ("strongly disagree", "no"),
    ],
)
def test_11_6_near_spellings_and_short_replies_are_choices(chat: Chat, db_path, typed: str, choice: str) -> None:
    chat.identify()
    chat.send(typed)
    assert stored(db_path)["q1"][0] == choice


@pytest.mark.parametrize("typed", ["9", "0", "asdf", "hmm", "n/a"])
def test_11_6_out_of_range_or_nothing_gets_the_options_with_a_hint(chat: Chat, db_path, typed: str) -> None:
    chat.identify()
    chat.send(typed)
    assert chat.replies[0].text.startswith("Please choose an answer: type 1 to 4 (1 Yes, 2 Partly, 3 No, 4 Not sure)")
    assert "tap" not in chat.replies[0].text
    assert chat.question_id == "q1" and stored(db_path) == {}
    assert not chat.engine.store.unanswered_summary()


@pytest.mark.parametrize(
    ("typed", "question"), [("skip this one", "q3"), ("next question", "q3"), ("previous question", "q1")]
)
def test_11_6_everyday_ways_to_skip_or_go_back_are_not_comments(chat: Chat, db_path, typed: str, question) -> None:
    chat.identify()
    chat.press("Partly")
    chat.press("No comment")  # at Q2, nothing just answered
    chat.send(typed)
    assert "Which answer goes with it?" not in chat.text and chat.question_id == question
    assert stored(db_path) == {"q1": ("partly", None)}


def test_11_6_typo_at_school_type_and_which_kind_of_yes(chat: Chat) -> None:
    chat.send("hi")
    chat.press("Start the consultation")
    chat.send("Little Learners Montessori")
    chat.send("secondry")
    assert chat.engine.store.respondent(1)["school_type"] == "secondary"
    chat.press("Headteacher")
    chat.press("Skip")
    chat.send("yes")
    assert "Which one: 1 Yes, with our school's name or 2 Yes, anonymously?" in chat.text
    chat.send("2")
    assert chat.engine.store.respondent(1)["quote_consent"] == "anonymous"


# ------------------------------------------------------------------ 7. messages that mislead


def test_11_7_change_accepts_the_position_and_the_questionnaire_number(chat: Chat) -> None:
    chat.identify()
    chat.send("change 7")
    assert "Taking Question 7 of 15 (Q5.3)." in chat.text and chat.question_id == "q5.3"
    chat.send("change 5.3")
    assert chat.question_id == "q5.3" and "Taking" not in chat.text
    chat.send("change 3")
    assert chat.question_id == "q3"


def test_11_7_skip_on_an_answered_question_says_the_answer_stays(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("back")
    chat.send("skip")
    assert "your answer stays as it was" in chat.text and "stays unanswered" not in chat.text
    assert stored(db_path)["q1"] == ("yes", None)


def test_11_7_the_menus_fee_answer_leads_back_to_the_menu(chat: Chat) -> None:
    chat.send("hi")
    chat.send("fee")
    chat.send("3")  # Special: a flat rate, so the answer comes at once
    assert "Special" in chat.text and "Menu" in [b.label for b in chat.buttons]
    chat.press("Menu")
    assert "What would you like to do?" in chat.text


# ------------------------------------------------------------------ 10. references are never reused


def test_11_10_a_reference_is_never_given_again_after_erasure(make_chat) -> None:
    given = []
    for user in ("first", "second"):
        chat = make_chat(user)
        chat.identify()
        chat.send("submit")
        given.append(chat.press("Submit anyway")[0].text)
        if user == "first":
            chat.send("delete my data")
            chat.press("Yes, delete everything")
    assert "ELP-2026-0001" in given[0] and "ELP-2026-0002" in given[1]


# ------------------------------------------------------------------ 8. no walls of text


def test_11_8_everything_before_each_question_fits_a_phone_screen(chat: Chat) -> None:
    chat.identify()  # a primary without a known roll: the fee question shows the rates
    while chat.question_id:
        before = "\n\n".join(r.text for r in chat.replies if not r.question_id)
        before = before.split("Saved: Yes.\n\n", 1)[-1].removeprefix("Thank you. Now the questions.\n\n")
        assert len(before) <= 500, (chat.question_id, len(before), before)
        if chat.question_id == "q5.11":
            break
        chat.press("Yes")


def test_11_8_summaries_keep_every_block_and_shorten_alike(chat: Chat, content) -> None:
    summaries = chat.engine.question_summaries
    assert "Careers networks and employer links" in summaries["q5.4"]
    assert "Supporting effective partnership working with a focus on underserved groups" in summaries["q5.4"]
    aims = [line for line in summaries["q1"].splitlines() if line.startswith("• ")]
    assert len(aims) == len(content.offer.aims.items)
    assert len({line.endswith("…") for line in aims}) == 1, aims


def test_11_2_the_last_choice_can_be_commented_from_the_free_text_question(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("change 5.10")
    chat.press("Not sure")
    assert chat.question_id == "q5.11" and "Add a comment on Q5.10" in [b.label for b in chat.buttons]
    chat.press("Add a comment on Q5.10")
    chat.send("depends on the budget")
    assert stored(db_path)["q5.10"] == ("unsure", "depends on the budget")
    assert chat.question_id == "q5.11"


def test_11_6_help_never_says_tap_in_a_terminal(chat: Chat) -> None:
    chat.identify()
    chat.send("help")
    shown, _ = render(chat.replies)
    assert "Choose an option or type." in shown and not re.search(r"\btap", shown, re.I)


def test_a_remark_marked_as_a_question_is_answered_even_when_it_says_this_year(chat: Chat) -> None:
    """ "whens the sendco conferance this year" typed at Q1, then "It was a question": the answer is about the
    SENDCo conference (possibly related), not the current question's background ("this" is not "this question")."""
    chat.identify()
    chat.send("whens the sendco conferance this year")
    chat.press("It was a question")
    assert "SENDCo" in chat.text and "To sustain the deep connection" not in chat.text
    assert chat.question_id == "q1"


def _at_the_comment_prompt_after_partly(chat: Chat) -> None:
    """Q1 answered Partly, and "Would you like to say why?" pending."""
    chat.identify()
    chat.press("Partly")
    if "say why" not in chat.text:
        chat.press(next(b.label for b in chat.buttons if b.label.startswith("Add a comment")))


def test_a_question_typed_as_a_comment_is_offered_an_answer(chat: Chat, db_path) -> None:
    """At "Would you like to say why?", a question the assistant can answer is not filed silently as a comment."""
    _at_the_comment_prompt_after_partly(chat)
    chat.send("how much does the council contribute?")
    assert "or a question for me?" in chat.text and "q1" not in {k for k, v in stored(db_path).items() if v[1]}
    chat.press("It was a question")
    assert "(46%)" in chat.text and "say why" in chat.text  # answered, and the comment prompt is back
    chat.send("It should be cheaper for small schools")  # a remark is a comment straight away
    assert stored(db_path)["q1"] == ("partly", "It should be cheaper for small schools")


def test_thanks_after_an_aside_is_not_an_answer(chat: Chat, db_path) -> None:
    """Found by an independent try-out: "no worries" was saved as No with the comment "worries"."""
    chat.identify()
    chat.send("what does the council pay?")
    for typed in ("no worries", "ok thanks. back to it", "sure, one sec"):
        chat.send(typed)
        assert "No problem" in chat.text and chat.question_id == "q1"
    assert "q1" not in stored(db_path)
    chat.send("ok")  # a lone choice word still answers
    assert stored(db_path)["q1"] == ("yes", None)


def test_change_a_question_to_an_answer_in_one_message(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("yes")
    chat.send("actually change q1 to no - extra income is sensible")
    assert stored(db_path)["q1"] == ("no", "extra income is sensible")


def test_the_question_in_a_comment_is_the_part_that_asks(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("No. We can't afford a rise - how much does the council put in?")
    assert stored(db_path)["q1"] == ("no", "We can't afford a rise - how much does the council put in?")
    assert "(46%)" in chat.text


def test_a_fee_question_at_the_comment_prompt_is_offered_an_answer(chat: Chat, db_path) -> None:
    _at_the_comment_prompt_after_partly(chat)
    chat.send("SBM here, secondary 1,150 on roll what's our sub for 26/27")
    assert "or a question for me?" in chat.text
    chat.press("It was a question")
    assert "£13,397.50" in chat.text and stored(db_path)["q1"] == ("partly", None)


def test_thanks_with_nothing_pending_is_acknowledged_not_searched(chat: Chat) -> None:
    chat.send("what do we pay? primary 420")
    chat.send("no worries")
    assert "No problem" in chat.text and "not sure" not in chat.text
    assert chat.engine.store.unanswered_summary() == []


def test_a_stray_reply_instead_of_a_button_is_not_saved_as_the_comment(chat: Chat, db_path) -> None:
    """ "380" typed where "Save as my comment / It was a question / No comment" was offered: asked again."""
    _at_the_comment_prompt_after_partly(chat)
    chat.send("how much does the council contribute?")
    assert "or a question for me?" in chat.text
    chat.send("380")
    assert "choose one of the buttons" in chat.text and "or a question for me?" in chat.text
    assert stored(db_path)["q1"] == ("partly", None)
    chat.press("It was a question")
    assert "(46%)" in chat.text and stored(db_path)["q1"] == ("partly", None)
