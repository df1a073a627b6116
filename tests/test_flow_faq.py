"""The seam to FAQ answering: answers with sources, unknown topics, and the short-reply fallback."""

from __future__ import annotations

from bot.flow.faq import more_button

from .conftest import Chat


def test_answer_then_the_pending_question_again(chat: Chat) -> None:
    chat.identify()
    chat.send("What is EGFL?")
    assert "Source:" in chat.text and chat.question_id == "q1"


def test_unknown_topic_is_refused_and_the_prompt_repeated(chat: Chat) -> None:
    chat.identify()
    chat.send(action=more_button("x", "area:99").action)
    assert chat.replies and chat.question_id == "q1"


def test_unsure_answers_are_logged_but_short_replies_at_a_choice_are_not(chat: Chat) -> None:
    chat.identify()
    chat.send("hmm")  # at a choice question: the choices again, not a logged question
    chat.send("pupil premium strategy for next year")
    logged = [row["example"] for row in chat.engine.store.unanswered_summary()]
    assert logged == ["pupil premium strategy for next year"]


def test_a_long_more_on_label_is_cut_at_a_word(chat: Chat) -> None:
    chat.identify()
    chat.send("What is EGFL?")
    labels = [b.label for b in chat.buttons if b.label.startswith("More on ")]
    assert "More on Business support, Ealing Grid for Learning, EEC…" in labels
    assert all(len(label) <= 60 for label in labels)


def test_a_stale_option_number_is_not_a_logged_question(chat: Chat) -> None:
    chat.send("what is the weather")  # one button follows: "Start the consultation"
    chat.send("5")
    assert "isn't one of the options" in chat.text and chat.buttons
    assert "5" not in [row["example"] for row in chat.engine.store.unanswered_summary()]


def test_ok_where_no_question_is_pending_is_acknowledged_not_logged(chat: Chat) -> None:
    chat.send("what is EGFL?")
    chat.send("ok")
    assert "No problem" in chat.text
    assert "ok" not in [row["example"] for row in chat.engine.store.unanswered_summary()]
