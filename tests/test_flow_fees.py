"""The fee calculator steps: band, PRU rate, pupils; handing back to where the person was."""

from __future__ import annotations

from bot.flow.state import StepId

from ._flow import session_of, step_of
from .conftest import Chat


def test_fee_from_the_menu_asks_band_then_pupils_then_hands_back(chat: Chat) -> None:
    chat.send("hi")
    chat.press("Check our fee")
    assert step_of(chat) == StepId.FEE_BAND
    chat.press("Secondary")
    assert step_of(chat) == StepId.FEE_PUPILS
    chat.send("900")
    assert "Secondary, 900 pupils" in chat.text
    assert step_of(chat) == StepId.NONE and session_of(chat).resume == []


def test_pru_asks_which_rate(chat: Chat) -> None:
    chat.send("hi")
    chat.send("how much does our PRU pay?")
    assert step_of(chat) == StepId.FEE_PRU
    labels = [b.label for b in chat.buttons]
    assert labels[-1] == "Not now" and labels[:-1] and all("PRU" in label for label in labels[:-1])
    chat.press(labels[0])
    assert "no per-pupil" in chat.text.casefold() or "per pupil" in chat.text.casefold()


def test_impossible_roll_is_refused_and_asked_again(chat: Chat) -> None:
    chat.send("hi")
    chat.send("fee")
    chat.press("Primary")
    chat.send("0")
    assert step_of(chat) == StepId.FEE_PUPILS and chat.replies


def test_fee_mid_question_returns_to_the_question(chat: Chat) -> None:
    chat.identify()
    chat.send("fee")
    assert step_of(chat) == StepId.FEE_PUPILS, "the school type is known: only the roll is asked"
    chat.send("back")
    assert chat.question_id == "q1" and step_of(chat) == StepId.QUESTION


def test_the_pupils_prompt_has_a_way_out_by_button_or_typed(chat: Chat) -> None:
    chat.identify()
    chat.send("fee")
    chat.send("don't know")
    assert "or choose Not now" in chat.text and [b.label for b in chat.buttons] == ["Not now"]
    chat.press("Not now")
    assert "OK, leaving that." in chat.text and chat.question_id == "q1"
    chat.send("fee")
    chat.send("not now")
    assert chat.question_id == "q1"


def test_the_school_type_prompt_has_a_way_out(chat: Chat) -> None:
    chat.send("hi")
    chat.send("fee")
    assert [b.label for b in chat.buttons][-1] == "Not now"
    chat.press("Not now")
    assert "OK, leaving that." in chat.text


def test_a_question_at_the_pupils_prompt_is_answered_then_the_count_asked_again(chat: Chat) -> None:
    chat.send("hi")
    chat.send("how much would a primary pay")
    assert "How many pupils" in chat.text
    chat.send("what does the council contribute?")
    assert "(46%)" in chat.text and "How many pupils" in chat.text
    chat.send("420")
    assert "£6,884.40" in chat.text


def test_a_fee_question_at_the_pupils_prompt_gets_the_rates_then_the_count_again(chat: Chat) -> None:
    chat.send("hi")
    chat.send("how much would a primary pay")
    chat.send("is the per pupil rate the same for primary?")
    assert "£5.77" in chat.text and "How many pupils" in chat.text


def test_a_question_at_the_pru_and_type_prompts_is_answered_then_the_prompt_again(chat: Chat) -> None:
    chat.send("hi")
    chat.send("how much does our PRU pay?")
    assert step_of(chat) == StepId.FEE_PRU
    chat.send("what does the council contribute?")
    assert "(46%)" in chat.text and step_of(chat) == StepId.FEE_PRU
    chat.send("not now")
    chat.send("fee")
    assert step_of(chat) == StepId.FEE_BAND
    chat.send("what does a nursery school pay?")
    assert "Please choose" not in chat.text and step_of(chat) == StepId.FEE_BAND


def test_several_schools_typed_in_the_calculator_get_every_fee(chat: Chat) -> None:
    chat.send("hi")
    chat.send("how much would a secondary pay")
    assert step_of(chat) == StepId.FEE_PUPILS
    chat.send("two primaries of 420 each and a secondary of 1,000")
    assert "Total for the 3 schools: £26,300.80" in chat.text and step_of(chat) == StepId.NONE
    chat.send("fee")
    chat.send("what's the fee for an academy trust with 5 primaries")
    assert "each school's type and number of pupils" in chat.text and step_of(chat) == StepId.NONE
