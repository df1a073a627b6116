"""Question and comment steps: answers by button or typed, comments, skip/back, earlier questions' buttons."""

from __future__ import annotations

import pytest

from bot.flow.state import StepId

from ._flow import step_of, stored
from .conftest import Chat


def test_comment_step_back_returns_to_its_question(chat: Chat) -> None:
    chat.identify()
    chat.press("No")
    assert step_of(chat) == StepId.COMMENT
    chat.send("back")
    assert step_of(chat) == StepId.QUESTION and chat.question_id == "q1"
    assert "Your answer so far: No" in chat.text


def test_free_text_question_takes_nothing_to_add_as_skip(chat: Chat) -> None:
    chat.identify()
    chat.send("section 3")
    for _ in range(10):
        chat.press("Yes")
    assert chat.question_id == "q5.11"
    chat.send("nothing")
    assert "Your answers" in chat.text and step_of(chat) == StepId.REVIEW


def test_a_changed_earlier_answer_keeps_its_comment(chat: Chat) -> None:
    chat.identify()
    q1_yes = chat.button("Yes").action
    chat.send("No, too vague")
    chat.send(action=q1_yes)
    assert "Changed your answer to Q1: Yes" in chat.text
    assert chat.engine.store.answers(1)["q1"].comment == "too vague"
    assert chat.question_id == "q2"


def test_a_stale_button_for_a_skipped_question_says_saved_not_changed(chat: Chat) -> None:
    chat.identify()
    q1_yes = chat.button("Yes").action
    chat.send("skip")
    assert chat.question_id == "q2"
    chat.send(action=q1_yes)
    assert "Saved your answer to Q1: Yes." in chat.text and "Changed" not in chat.text
    assert chat.engine.store.answers(1)["q1"].choice == "yes"


def test_where_is_the_question_number(chat: Chat) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("pause")
    assert "Question 2 of 15 (Q2)" in chat.text


# ---- a remark typed at a choice question is a comment, not a query (fix-conv)

CHOICES = ["Yes", "Partly", "No", "Not sure"]


def test_a_remark_at_an_unanswered_question_waits_for_its_choice_then_both_are_saved(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Partly")
    chat.press("No comment")
    chat.send("strongly support these")  # at Q2, unanswered: once a confident quote from the vision
    assert "Source:" not in chat.text, "not a quote from the vision"
    assert "Your comment: “strongly support these”. Which answer goes with it?" in chat.text
    assert [b.label for b in chat.buttons][:5] == [*CHOICES, "It was a question"]
    chat.send("What is EGFL?")  # a digression keeps the remark waiting
    assert "Source:" in chat.text and "Which answer goes with it?" in chat.text
    chat.send("1")
    assert "Saved: Yes, with your comment." in chat.text
    assert stored(db_path)["q2"] == ("yes", "strongly support these")
    assert chat.question_id == "q3"
    chat.send("too expensive for us")
    chat.send("No, our budget is cut")  # a choice with more comment: both parts kept
    assert stored(db_path)["q3"] == ("no", "too expensive for us\nour budget is cut")


def test_a_remark_is_kept_only_for_the_prompt_it_was_typed_at(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("I think the aims are too vague")
    chat.send("skip")
    assert "Your comment wasn't saved, as no answer went with it: “I think the aims are too vague”." in chat.text
    chat.press("Partly")
    assert stored(db_path) == {"q2": ("partly", None)} and step_of(chat) == StepId.COMMENT


def test_going_back_from_a_waiting_remark_says_it_was_not_saved(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Partly")
    chat.press("No comment")
    chat.send("strongly support these")
    assert "Which answer goes with it?" in chat.text
    chat.send("back")
    assert "Your comment wasn't saved" in chat.text and chat.question_id == "q1"
    chat.send("back")  # nothing waits any more: no notice
    assert "wasn't saved" not in chat.text
    assert stored(db_path) == {"q1": ("partly", None)}


def _remark_waiting_at_q2(chat: Chat) -> None:
    chat.identify()
    chat.press("Partly")
    chat.press("No comment")
    chat.send("strongly support these")
    assert "Which answer goes with it?" in chat.text


NOT_SAVED = "Your comment wasn't saved, as no answer went with it: “strongly support these”."


@pytest.mark.parametrize("leave", ["change 1", "review", "section 2", "section button", "change button"])
def test_leaving_a_waiting_remark_any_way_says_it_was_not_saved(chat: Chat, db_path, leave: str) -> None:
    _remark_waiting_at_q2(chat)
    if leave == "section button":
        chat.send("sections")
        chat.press("2. Funding and ELP membership")
    elif leave == "change button":
        chat.send("change an answer")
        chat.press("Q3 Core member subscription")
    else:
        chat.send(leave)
    assert chat.text.startswith(NOT_SAVED), chat.text[:200]
    assert "Which answer goes with it?" not in chat.text
    chat.send("change 2")  # back at Q2 later: the remark is gone, not resurrected
    assert "Which answer goes with it?" not in chat.text and "wasn't saved" not in chat.text
    chat.press("Yes")
    assert stored(db_path) == {"q1": ("partly", None), "q2": ("yes", None)}


@pytest.mark.parametrize("detour", ["menu", "pause", "fee", "ask"])
def test_a_waiting_remark_outlasts_menu_pause_and_side_steps(chat: Chat, db_path, detour: str) -> None:
    _remark_waiting_at_q2(chat)
    chat.send(detour)
    if detour == "menu":
        chat.press("Continue the consultation")
    elif detour == "pause":
        chat.send("hi")
    elif detour == "fee":
        chat.send("420")  # the calculator asks for the roll, works it out, then hands back
    else:
        chat.send("what is EGFL?")
    assert "wasn't saved" not in chat.text
    assert "Your comment: “strongly support these”. Which answer goes with it?" in chat.text, chat.text[-400:]
    chat.send("1")
    assert stored(db_path)["q2"] == ("yes", "strongly support these")


def test_a_second_remark_is_added_to_the_first(chat: Chat, db_path) -> None:
    _remark_waiting_at_q2(chat)
    chat.send("but they are too vague")
    assert "Your comment: “strongly support these\nbut they are too vague”" in chat.text
    chat.press("Partly")
    assert stored(db_path)["q2"] == ("partly", "strongly support these\nbut they are too vague")


def test_it_was_a_question_answers_the_remark_and_stores_nothing(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("we need more governor training")
    chat.press("It was a question")
    assert "Which answer goes with it?" not in chat.text and chat.question_id == "q1"
    assert stored(db_path) == {}
    chat.press("Yes")
    assert stored(db_path)["q1"] == ("yes", None)


def test_a_remark_at_an_answered_question_is_offered_as_its_comment_then_moves_on(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Yes")
    chat.press("Partly")
    chat.press("No comment")
    chat.send("change 1")
    chat.send("I think this is vital for our pupils")  # "this": once a dump of the whole topic
    assert "Add this as your comment on Q1? “I think this is vital for our pupils”" in chat.text
    chat.press("Yes, add it")
    assert stored(db_path)["q1"] == ("yes", "I think this is vital for our pupils")
    assert "Saved your comment on Q1." in chat.text and chat.question_id == "q3"
    chat.send("change 1")
    chat.send("we value this a lot")
    assert "Replace your comment on Q1 (“I think this is vital for our pupils”) with this?" in chat.text
    chat.press("Yes, replace it")  # the button says what it does
    assert stored(db_path)["q1"] == ("yes", "we value this a lot")


def test_a_topic_typed_at_a_question_is_still_looked_up(chat: Chat) -> None:
    chat.identify()
    chat.send("governors support")
    assert "Source:" in chat.text and "Which answer" not in chat.text
    chat.send("tell me about governor training")
    assert "Which answer" not in chat.text


def test_tell_me_more_typed_is_the_button(chat: Chat) -> None:
    chat.identify()
    pressed = chat.press("Tell me more")[0].text
    chat.send("tell me more")
    assert chat.replies[0].text == pressed


def test_a_question_typed_at_the_free_text_question_is_not_saved_as_a_proposal_unless_confirmed(
    chat: Chat, db_path
) -> None:
    chat.identify()
    chat.send("change 5.11")
    chat.send("what is EGFL?")
    assert "Save this as your answer to Q5.11? “what is EGFL?”" in chat.text and stored(db_path) == {}
    chat.press("No, it's not a comment")
    assert "Source:" in chat.text and chat.question_id == "q5.11" and stored(db_path) == {}
    chat.send("Could we have more cross-phase networks?")
    chat.press("Yes, add it")
    assert stored(db_path) == {"q5.11": (None, "Could we have more cross-phase networks?")}
    assert "Your answers" in chat.text
    chat.send("change 5.11")
    chat.send("More cross-phase networks")  # a statement is saved at once, as before
    assert stored(db_path)["q5.11"] == (None, "More cross-phase networks")


def test_asking_without_a_question_word_is_not_a_remark(chat: Chat, db_path) -> None:
    chat.identify()
    for typed in ("I have a question about fees", "I'd like to know what EGFL is"):
        chat.send(typed)
        assert "Which answer goes with it?" not in chat.text, typed
        if "Not now" in [b.label for b in chat.buttons]:  # the fee question opened the fee calculator
            chat.press("Not now")
        assert chat.question_id == "q1", typed
    assert stored(db_path) == {}


def test_a_lone_choice_word_at_the_comment_prompt_asks_comment_or_change(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("No")
    chat.send("mabye")
    assert "Is “mabye” your comment, or did you mean to change your answer to Not sure?" in chat.text
    assert [b.label for b in chat.buttons] == ["Change my answer to Not sure", "Save it as my comment", "No comment"]
    assert stored(db_path) == {"q1": ("no", None)}, "nothing saved or lost yet"
    chat.press("Change my answer to Not sure")
    assert "Changed your answer to Q1: Not sure." in chat.text and step_of(chat) == StepId.COMMENT
    assert stored(db_path) == {"q1": ("unsure", None)}
    chat.send("partly")
    chat.press("Save it as my comment")
    assert stored(db_path) == {"q1": ("unsure", "partly")} and chat.question_id == "q2"


def test_a_lone_word_for_the_same_choice_offers_to_save_it_as_the_comment(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Partly")
    chat.send("partly")
    assert "Is “partly” your comment? Your answer is already Partly." in chat.text
    chat.send("because the fees are too high")  # typing a comment instead still saves it
    assert stored(db_path) == {"q1": ("partly", "because the fees are too high")}


def test_a_question_typed_at_add_this_as_your_comment_is_answered_and_the_offer_stays(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("strongly support these")
    assert "Add this as your comment on Q1? “strongly support these”" in chat.text
    chat.send("how much do we pay, we're a secondary with 1100 pupils")
    assert "£6,762 + 1,100 × £5.77 = £13,109" in chat.text
    assert "Please choose one of the options" not in chat.text
    assert chat.replies[-1].text.startswith("Add this as your comment on Q1?")  # nothing lost: still on offer
    chat.press("Yes, add it")
    assert stored(db_path)["q1"] == ("yes", "strongly support these")


def test_a_view_with_a_degree_word_is_a_remark_not_a_search(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("the convictions are a bit generic")  # once answered with "Generic subject leader training"
    assert "Source:" not in chat.text
    assert "Your comment: “the convictions are a bit generic”. Which answer goes with it?" in chat.text
    chat.press("Partly")
    assert stored(db_path)["q1"] == ("partly", "the convictions are a bit generic")


@pytest.mark.parametrize("leave", ["review", "change 3", "back", "fee"])
def test_leaving_an_offered_comment_unanswered_says_it_was_not_saved(chat: Chat, db_path, leave: str) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("this is too much for small schools")
    assert "Add this as your comment on Q1?" in chat.text
    chat.send(leave)
    assert "Your comment wasn't saved: “this is too much for small schools”." in chat.text
    assert stored(db_path)["q1"] == ("yes", None)
    chat.send("review")
    assert "wasn't saved" not in chat.text


def test_an_offered_comment_confirmed_or_declined_gives_no_notice(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("this is too much for small schools")
    chat.press("Yes, add it")
    assert "wasn't saved" not in chat.text
    assert stored(db_path)["q1"] == ("yes", "this is too much for small schools")


def test_a_misspelt_choice_with_a_comment_is_that_choice_and_comment(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("parlty - too broad for secondaries")  # once offered as a comment, choice unread
    assert "Saved: Partly, with your comment." in chat.text
    assert stored(db_path)["q1"] == ("partly", "too broad for secondaries")


@pytest.mark.parametrize("typed", ["ok", "4", "thanks"])
def test_a_stray_word_or_number_is_never_saved_over_a_proposal(chat: Chat, db_path, typed: str) -> None:
    chat.identify()
    chat.send("change 5.11")
    chat.send("A shared ECT induction programme")
    chat.send("change 5.11")
    chat.send(typed)
    assert "Type your answer in words" in chat.text and chat.question_id == "q5.11"
    assert stored(db_path)["q5.11"] == (None, "A shared ECT induction programme")


@pytest.mark.parametrize("typed", ["5", "thanks"])
def test_a_stray_number_or_thanks_at_say_why_is_not_a_comment(chat: Chat, db_path, typed: str) -> None:
    chat.identify()
    chat.press("No")
    assert "say why" in chat.text
    chat.send(typed)
    assert ("No problem" if typed == "thanks" else "Type your answer in words") in chat.text
    assert stored(db_path) == {"q1": ("no", None)}
    chat.send("too expensive for us")
    assert stored(db_path) == {"q1": ("no", "too expensive for us")}


def test_a_remark_offered_for_the_answer_just_given_can_go_to_the_question_they_are_at(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Yes")
    if "say why" in chat.text:
        chat.press("No comment")
    assert chat.question_id == "q2"
    chat.send("the convictions are too vague for us")
    assert "Add this as your comment on Q1?" in chat.text
    chat.press("It's about Q2")
    assert chat.question_id == "q2" and stored(db_path) == {"q1": ("yes", None)}
    chat.press("Partly")
    assert stored(db_path) == {"q1": ("yes", None), "q2": ("partly", "the convictions are too vague for us")}


def test_ok_at_an_answered_question_asks_before_changing_the_answer(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("No")
    chat.send("aims are too vague to measure")
    chat.send("change 1")
    chat.send("ok")
    assert "Your answer to Q1 is No. Change it to Yes?" in chat.text
    assert stored(db_path)["q1"] == ("no", "aims are too vague to measure")
    chat.press("Keep No")
    assert "already No" in chat.text and stored(db_path)["q1"] == ("no", "aims are too vague to measure")
    chat.send("ok")
    chat.press("Change my answer to Yes")
    assert stored(db_path)["q1"] == ("yes", "aims are too vague to measure")


def test_the_choice_itself_changes_an_answer_at_once(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("No")
    chat.press("No comment")
    chat.send("change 1")
    chat.send("yes")
    assert stored(db_path)["q1"] == ("yes", None)


def test_changing_an_answer_says_its_comment_is_kept(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("partly - too pricey")
    chat.send("change q1 to yes")
    assert "Saved: Yes. Your comment is kept: “too pricey” (to change it, type comment on q1: …)." in chat.text
    assert stored(db_path)["q1"] == ("yes", "too pricey")
