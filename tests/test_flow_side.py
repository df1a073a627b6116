"""Side steps: the ask prompt and erase confirmation hand back to where the person was."""

from __future__ import annotations

from bot.flow.state import StepId

from ._flow import step_of
from .conftest import Chat


def test_ask_prompt_answers_then_resumes(chat: Chat) -> None:
    chat.identify()
    chat.send("ask")
    assert step_of(chat) == StepId.ASK
    chat.send("what is EGFL?")
    assert "www.egfl.org.uk" in chat.text and chat.question_id == "q1"


def test_erase_confirmation_typed_no_keeps_everything(chat: Chat) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("delete my data")
    chat.send("no")
    assert "Nothing was deleted" in chat.text and chat.question_id == "q2"
    assert chat.engine.store.answers(1)


def test_erase_confirmation_needs_yes_or_no(chat: Chat) -> None:
    chat.identify()
    chat.send("delete my data")
    chat.send("perhaps")
    assert step_of(chat) == StepId.CONFIRM_ERASE and chat.replies
