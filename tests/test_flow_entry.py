"""Entry points: first contact, start, resume, and nothing pending."""

from __future__ import annotations

from bot.flow.state import StepId

from ._flow import step_of
from .conftest import Chat


def test_start_continues_where_they_were(chat: Chat) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("start")
    assert "Welcome back" in chat.text and chat.question_id == "q2"


def test_start_after_identity_gap_asks_the_missing_detail(chat: Chat) -> None:
    chat.send("hi")
    chat.press("Start the consultation")
    chat.send("ask")
    chat.send("start")
    assert step_of(chat) == StepId.SCHOOL


def test_nothing_pending_back_and_skip_say_so(chat: Chat) -> None:
    chat.send("hi")
    assert chat.send("back") and chat.send("skip")
    assert step_of(chat) == StepId.NONE


def test_the_privacy_notice_is_channel_neutral(chat: Chat) -> None:
    chat.send("hi")
    assert "linked to the account or link you use to reach us" in chat.text and "chat account" not in chat.text


def test_menu_mid_consultation_is_short_and_the_full_welcome_only_from_nothing(chat: Chat) -> None:
    chat.send("menu")
    assert "Privacy:" in chat.text, "first contact: the whole welcome"
    chat.identify()
    chat.press("Yes")
    chat.send("menu")
    assert chat.text.startswith("You're at Question 2 of 15 (Q2)") and "Privacy:" not in chat.text
    assert [b.label for b in chat.buttons] == ["Continue the consultation", "Ask a question", "Check our fee"]
    chat.press("Continue the consultation")
    assert chat.question_id == "q2"
