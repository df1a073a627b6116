"""Issue 13's engine points, through the engine API: forged buttons, erasure redelivery, odd input, bounds."""

from __future__ import annotations

import pytest

from bot import Inbound
from bot.flow.state import StepId

from ._flow import ROUTES, session_of, step_of, stored
from .conftest import Chat


def audit_rows(chat: Chat) -> int:
    return chat.engine.store.db["answer_log"].count


@pytest.mark.parametrize("serial_offset", [0, -1, 1, 5, -1000])
def test_13_1_forged_answer_for_unreached_question_is_refused(chat: Chat, db_path, serial_offset: int) -> None:
    chat.identify()
    chat.press("Yes")  # at q2 now
    serial = max(session_of(chat).serial + serial_offset, 0)
    chat.send(action=f"ans:q5.10:yes:{serial}")
    assert chat.replies and "Changed your answer" not in chat.text
    assert chat.question_id == "q2"
    assert stored(db_path) == {"q1": ("yes", None)}
    assert audit_rows(chat) == 1


def test_13_1_offered_answers_survive_a_restart_and_answered_ones_stay_changeable(make_engine, db_path) -> None:
    first = Chat(make_engine())
    first.identify()
    q1_no = first.button("No").action
    first.press("Yes")
    q2_no = first.button("No").action
    first.engine.close()
    again = Chat(make_engine())
    again.send(action=q1_no)  # q1 was answered: its button may change it
    assert "Changed your answer to Q1: No" in again.text
    again.send(action=q2_no)  # q2 is pending, offered at this serial
    assert stored(db_path)["q2"] == ("no", None)


def test_13_3_forged_comment_action_writes_nothing(chat: Chat) -> None:
    chat.identify()
    chat.press("Partly")
    chat.send("needs work")
    rows = audit_rows(chat)
    serial = session_of(chat).serial
    for forged in (f"cmt:q1:{serial}", f"cmt:q5.10:{serial}", "cmt:q1:0"):
        chat.send(action=forged)
        assert chat.replies and step_of(chat) == StepId.QUESTION and chat.question_id == "q2"
    chat.send("more on inclusion")  # had a forged cmt: opened the comment step, this would be stored
    assert audit_rows(chat) == rows
    assert stored_comment(chat, "q1") == "needs work"


def stored_comment(chat: Chat, qid: str) -> str | None:
    return chat.engine.store.answers(1)[qid].comment


def test_13_5_redelivered_erase_confirmation_is_not_processed_again(chat: Chat) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("delete my data")
    first = chat.send("yes", message_id="erase-yes")
    assert "has been deleted" in chat.text and first
    assert chat.send("yes", message_id="erase-yes") == [], "the redelivery is a duplicate"
    db = chat.engine.store.db
    assert db["conversations"].count == 0 and db["respondents"].count == 0 and db["unanswered"].count == 0
    tombstone = list(db["inbound_seen"].rows)
    assert tombstone == [{"channel": "test", "message_id": "erase-yes", "at": tombstone[0]["at"], "user_id": None}]


def test_13_8_emoji_only_comment_is_kept(chat: Chat, db_path) -> None:
    chat.identify()
    chat.send("Partly, 🎉🎉")
    assert stored(db_path)["q1"] == ("partly", "🎉🎉")
    chat.send("👍")
    assert stored(db_path)["q2"] == ("yes", None)


@pytest.mark.parametrize("typed", ["²", "①", "١٢٣", "²³", "0", "99"])
@pytest.mark.parametrize("step_id", [StepId.SCHOOL_TYPE, StepId.ROLE, StepId.CONSENT, StepId.QUESTION, StepId.FEE_BAND])
def test_13_9_unicode_digits_at_a_numbered_prompt_get_the_options_again(make_chat, typed: str, step_id) -> None:
    chat = make_chat(f"digits-{step_id}")
    ROUTES[step_id](chat)
    replies = chat.send(typed)
    assert replies and "something went wrong" not in chat.text
    assert step_of(chat) == step_id
    assert chat.buttons, "the options are shown again"


WORDS = ["back", "skip", "next", "no comment", "help", "pause", "menu", "review", "²", "yes", "no", "hello", ""]


@pytest.mark.parametrize("step_id", list(StepId))
def test_13_10_every_inbound_gets_a_reply_at_every_step(make_chat, step_id: StepId) -> None:
    for word in WORDS:
        chat = make_chat(f"reply-{step_id}-{word}")
        ROUTES[step_id](chat)
        assert chat.send(word), f"{word!r} at {step_id} got no reply"
        assert "something went wrong" not in chat.text


@pytest.mark.parametrize("step_id", [StepId.FEE_BAND, StepId.FEE_PUPILS, StepId.ASK, StepId.CONFIRM_ERASE])
@pytest.mark.parametrize("word", ["back", "skip", "next", "no comment"])
def test_13_10_leaving_a_side_step_opened_from_the_menu_says_so(make_chat, step_id: StepId, word: str) -> None:
    chat = make_chat(f"side-{step_id}-{word}")
    chat.send("hi")
    chat.send({StepId.FEE_BAND: "fee", StepId.ASK: "ask", StepId.CONFIRM_ERASE: "delete my data"}.get(step_id, "fee"))
    if step_id == StepId.FEE_PUPILS:
        chat.press("Primary")
    assert step_of(chat) == step_id
    assert chat.send(word) and step_of(chat) == StepId.NONE


@pytest.mark.parametrize("typed", ["no", "No.", "nope", "no thanks", "No, thanks", "nothing", "n/a", "N/A"])
def test_13_11_no_at_the_comment_invitation_means_no_comment(chat: Chat, db_path, typed: str) -> None:
    chat.identify()
    chat.press("Partly")
    chat.send(typed)
    assert stored(db_path)["q1"] == ("partly", None)
    assert chat.question_id == "q2"


def test_13_12_my_data_is_given_in_bounded_parts(make_engine, roomy_content) -> None:
    chat = Chat(make_engine(content=roomy_content))
    chat.identify()
    comment = "Because " + "we need more support for inclusion. " * 280  # about 10,000 characters
    for _ in range(5):
        chat.send(f"Partly, {comment}")
    for n in range(30):
        chat.send(f"pupil premium strategy {n}?")
    chat.send("my data")
    seen = [chat.replies[0].text]
    while "Show more of my data" in [b.label for b in chat.buttons]:
        assert len(chat.replies[0].text) <= 3600
        chat.press("Show more of my data")
        seen.append(chat.replies[0].text)
    everything = "\n".join(seen)
    assert 10 < len(seen) < 40
    assert everything.count("we need more support for inclusion.") >= 5 * 280 - 10  # pieces may cut one
    assert "pupil premium strategy 29?" in everything and "elp@ealing.gov.uk" in everything


def test_13_12_unanswered_list_is_capped_with_the_rest_counted(make_engine) -> None:
    engine = make_engine(admins=frozenset({("test", "boss")}))
    asker = Chat(engine, "asker")
    asker.send("hi")
    for letter in "abcdefghijklmno":
        asker.send(f"what about the pupil premium strategy for year {letter * 5} " * 6 + "?")
    boss = Chat(engine, "boss")
    boss.send("hi")
    boss.send("unanswered")
    assert len(boss.text) < 3000
    assert "5 more are listed by the command elp-bot unanswered" in boss.text


def test_13_12_replies_to_a_read_only_inbound_are_bounded_too(chat: Chat) -> None:
    chat.identify()
    replies = chat.engine.handle(Inbound("test", "u1", text="my data"))
    assert all(len(r.text) <= 4096 for r in replies)


def test_13_10_a_stale_press_of_the_same_answer_gets_a_reply_but_a_double_tap_none(chat: Chat) -> None:
    chat.identify()
    q1_yes, q1_no = chat.button("Yes").action, chat.button("No").action
    chat.press("Yes")
    chat.press("Yes")  # q2
    assert "Your answer to Q1 is already Yes." in chat.send(action=q1_yes)[0].text
    assert "Changed your answer to Q1: No." in chat.send(action=q1_no)[0].text
    assert chat.send(action=q1_no) == [], "the same press twice is a double tap"
    assert audit_rows(chat) == 3
