"""Conversation scenarios through the engine's public API: what a busy head does, and what goes wrong."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from bot import Engine, Inbound, Outbound
from storage import Store

from .conftest import Chat, Clock

CHOICE_QUESTIONS = ["q1", "q2", "q3", "q4", *[f"q5.{n}" for n in range(1, 11)]]


def stored(db_path, respondent_id: int = 1) -> dict[str, tuple[str | None, str | None]]:
    """Answers read through a separate connection: proves they were committed."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT question_id, choice, comment FROM answers WHERE respondent_id = ?", (respondent_id,)
        ).fetchall()
    finally:
        conn.close()
    return {qid: (choice, comment) for qid, choice, comment in rows}


# ------------------------------------------------------------------ first contact


def test_first_contact_explains_and_offers_three_choices(chat: Chat) -> None:
    replies = chat.send("hi")
    text = chat.text
    assert "Ealing Learning Partnership 2026 – 2029 consultation" in text
    assert "closes on 31 March 2027" in text
    assert "10 minutes" in text and "15 questions" in text
    assert "Privacy" in text and "elp@ealing.gov.uk" in text
    assert [b.label for b in replies[-1].buttons] == ["Start the consultation", "Ask a question", "Check our fee"]


def test_first_message_that_is_a_question_gets_welcome_and_answer(chat: Chat) -> None:
    chat.send("What is EGFL?")
    assert "Privacy" in chat.text
    assert "Source: Business support, Ealing Grid for Learning, EEC premises" in chat.text


def test_identity_is_asked_once_with_every_option(chat: Chat, content) -> None:
    chat.send("hi")
    chat.press("Start the consultation")
    assert "Which school" in chat.text
    chat.send("Drayton Manor High School")
    assert [b.label for b in chat.buttons] == [o.label for o in content.consultation.identity.school_types]
    chat.press("Secondary")
    assert [b.label for b in chat.buttons] == [o.label for o in content.consultation.identity.roles]
    chat.press("School business manager")
    chat.send("Sam Smith")
    assert [b.label for b in chat.buttons] == [
        "Yes, with our school's name",
        "Yes, anonymously",
        "No, please don't quote me",
    ]
    chat.press("Yes, with our school's name")
    assert chat.question_id == "q1"
    respondent = chat.engine.store.respondent(1)
    assert respondent is not None
    assert (
        respondent["school"],
        respondent["school_type"],
        respondent["role"],
        respondent["name"],
        respondent["quote_consent"],
    ) == ("Drayton Manor High School", "secondary", "business_manager", "Sam Smith", "named")


def test_display_name_is_offered_as_a_button(make_chat) -> None:
    chat = make_chat(display_name="Priya Patel")
    chat.send("hi")
    chat.press("Start the consultation")
    chat.send("Greenford High")
    chat.press("Secondary")
    chat.press("Governor or trustee")
    chat.press("I'm Priya Patel")
    assert chat.engine.store.respondent(1)["name"] == "Priya Patel"


def test_options_can_be_typed_by_number_or_label(chat: Chat) -> None:
    chat.send("hi")
    chat.press("Start the consultation")
    chat.send("Castlebar School")
    chat.send("3")  # Special
    chat.send("governor or trustee")
    chat.send("skip")
    chat.send("2")  # anonymously
    respondent = chat.engine.store.respondent(1)
    assert (respondent["school_type"], respondent["role"], respondent["quote_consent"]) == (
        "special",
        "governor",
        "anonymous",
    )


# ------------------------------------------------------------------ sections and questions


def test_full_walk_with_buttons_to_a_reference(chat: Chat, db_path) -> None:
    chat.identify()
    seen = []
    while chat.question_id and chat.question_id != "q5.11":
        seen.append(chat.question_id)
        assert f"of 15 (Q{chat.question_id[1:]})" in chat.text
        chat.press("Yes")
    assert seen == CHOICE_QUESTIONS
    chat.send("More careers work with primary schools")
    assert "Your answers (15 of 15 answered)" in chat.text
    chat.press("Submit my response")
    assert "ELP-2026-0001" in chat.text
    answers = stored(db_path)
    assert len(answers) == 15
    assert answers["q5.11"] == (None, "More careers work with primary schools")
    assert all(answers[q] == ("yes", None) for q in CHOICE_QUESTIONS)


def test_sections_open_with_summaries_from_the_content(chat: Chat, content) -> None:
    chat.identify()
    assert content.offer.aims.statement in chat.text
    assert "Section 1 of 3" in chat.text
    chat.press("Yes")
    assert "Children's experiences and outcomes at the centre" in chat.text
    chat.press("Yes")
    assert "Section 2 of 3" in chat.text
    assert "Primary: £4,461 flat rate + £5.77 per pupil" in chat.text
    assert "Your school (Primary)" in chat.text
    chat.press("Yes")
    assert "full market-rates" in chat.text
    chat.press("Yes")
    assert "Non-statutory school improvement support – primary/special*" in chat.text
    chat.press("Tell me more")
    assert "Brokerage of bespoke support through Learning Cluster Leads" in chat.text
    assert chat.question_id == "q5.1"


def test_every_question_asks_with_question_id_and_choice_buttons(chat: Chat) -> None:
    chat.identify()
    asking = [r for r in chat.replies if r.question_id]
    assert len(asking) == 1
    assert [b.label for b in asking[0].buttons][:4] == ["Yes", "Partly", "No", "Not sure"]


@pytest.mark.parametrize(
    ("typed", "choice", "comment"),
    [
        ("y", "yes", None),
        ("yes", "yes", None),
        ("2", "partly", None),
        ("partly", "partly", None),
        ("not sure", "unsure", None),
        ("NO.", "no", None),
        ("Yes, but the fees are too high", "yes", "but the fees are too high"),
        ("No - we can't afford it", "no", "we can't afford it"),
        ("👍", "yes", None),
    ],
)
def test_typed_answers(chat: Chat, db_path, typed: str, choice: str, comment: str | None) -> None:
    chat.identify()
    chat.send(typed)
    assert stored(db_path)["q1"] == (choice, comment)


def test_partly_or_no_invites_an_optional_comment(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Partly")
    assert chat.question_id == "q1"
    assert "Would you like to say why" in chat.text
    chat.send("More focus on inclusion please")
    assert stored(db_path)["q1"] == ("partly", "More focus on inclusion please")
    assert chat.question_id == "q2"
    chat.press("No")
    chat.press("No comment")
    assert stored(db_path)["q2"] == ("no", None)
    assert chat.question_id == "q3"


def test_yes_with_typed_comment_is_not_asked_again(chat: Chat) -> None:
    chat.identify()
    chat.send("Partly, the third aim is vague")
    assert chat.question_id == "q2"
    assert "Saved: Partly, with your comment." in chat.text


def test_comment_length_limit_is_stated_and_nothing_saved(chat: Chat, db_path, content) -> None:
    chat.identify()
    chat.press("No")
    chat.send("x" * (content.consultation.comment_max_chars + 1))
    assert "comments can be up to 2,000" in chat.text
    assert stored(db_path)["q1"] == ("no", None)
    assert chat.question_id == "q1"


# ------------------------------------------------------------------ commands


def test_back_skip_and_review(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("skip")
    assert chat.question_id == "q3"
    chat.send("back")
    assert chat.question_id == "q2"
    chat.send("back")
    assert chat.question_id == "q1"
    assert "Your answer so far: Yes" in chat.text
    chat.send("back")
    assert "This is the first one" in chat.text
    chat.send("review")
    assert "Q1 Aims: Yes" in chat.text
    assert "Q2 Convictions: not answered" in chat.text
    assert stored(db_path) == {"q1": ("yes", None)}


def test_change_a_given_question_returns_to_review(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Yes")
    chat.press("Yes")
    chat.send("review")
    chat.press("Change an answer")
    chat.press("Q1 Aims")
    assert chat.question_id == "q1"
    chat.send("No, too vague")
    assert "Your answers" in chat.text
    assert "Q1 Aims: No – “too vague”" in chat.text
    chat.send("change 5.2")
    assert chat.question_id == "q5.2"
    chat.send("change 16")  # issue 11.7: "change 9" is now the 9th question (Q5.5)
    assert "There's no question 16" in chat.text


def test_jump_to_a_section(chat: Chat) -> None:
    chat.identify()
    chat.send("section 3")
    assert chat.question_id == "q5.1"
    assert "Section 3 of 3" in chat.text
    chat.send("sections")
    chat.press("2. Funding and ELP membership")
    assert chat.question_id == "q3"
    chat.send("section 7")
    assert "There are 3 sections" in chat.text


def test_help_and_pause_keep_the_place(chat: Chat) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("help")
    assert "change 3" in chat.text and chat.question_id == "q2"
    replies = chat.send("pause")
    assert "Your answers are saved" in chat.text and "Question 2 of 15" in chat.text
    assert not any(r.question_id for r in replies)


def test_digression_is_answered_then_question_asked_again(chat: Chat) -> None:
    chat.identify()
    chat.send("what does this include?")
    assert "To sustain the deep connection" in chat.text
    assert chat.question_id == "q1"
    chat.send("how much do we pay?")
    assert "How many pupils" in chat.text
    chat.send("420")
    assert "Primary, 420 pupils: £4,461 + 420 × £5.77 = £6,884.40" in chat.text
    assert chat.question_id == "q1"
    chat.press("Yes")
    chat.press("Yes")
    assert "Your school: Primary, 420 pupils" in chat.text


# ------------------------------------------------------------------ resume, submit, amend, close


def test_resume_on_a_new_engine_over_the_same_file(make_engine, db_path) -> None:
    first = Chat(make_engine())
    first.identify()
    first.press("Yes")
    first.press("Partly")
    first.engine.close()
    again = Chat(make_engine())
    again.send("hi")
    assert "Welcome back" in again.text
    assert again.question_id == "q2"
    assert "Would you like to say why" in again.text
    again.send("skip")
    assert again.question_id == "q3"
    assert stored(db_path) == {"q1": ("yes", None), "q2": ("partly", None)}


def test_submit_then_amend_keeps_the_change_with_its_time(chat: Chat, db_path, clock: Clock) -> None:
    chat.identify()
    chat.press("Yes")
    chat.send("review")
    chat.press("Submit my response")
    assert "14 question(s) are not answered yet" in chat.text
    chat.press("Submit anyway")
    assert "ELP-2026-0001" in chat.text
    clock.now += dt.timedelta(days=3)
    chat.press("Review my response")
    assert "Submitted, reference ELP-2026-0001" in chat.text
    chat.send("change 1")
    chat.press("No")
    chat.send("Changed our mind after the governors met")
    store: Store = chat.engine.store
    respondent = store.respondent(1)
    assert respondent["status"] == "submitted" and respondent["reference"] == "ELP-2026-0001"
    assert respondent["amended_at"] == clock.now.isoformat(timespec="seconds")
    log = store.answer_log(1)
    assert [(e["choice"], e["after_submission"]) for e in log] == [("yes", 0), ("no", 1), ("no", 1)]
    assert log[-1]["comment"] == "Changed our mind after the governors met"


def test_references_are_sequential_across_respondents(make_chat) -> None:
    references = []
    for user in ("a", "b", "c"):
        chat = make_chat(user)
        chat.identify()
        chat.send("submit")
        chat.press("Submit anyway")
        references.append(chat.engine.store.respondent(len(references) + 1)["reference"])
    assert references == ["ELP-2026-0001", "ELP-2026-0002", "ELP-2026-0003"]


def test_after_closing_answers_are_refused_but_questions_answered(chat: Chat, clock: Clock, db_path) -> None:
    chat.identify()
    clock.now = dt.datetime(2027, 4, 1, 9, 0, tzinfo=dt.UTC)
    chat.press("Yes")
    assert "closed on 31 March 2027" in chat.text
    chat.send("y")
    assert "closed on 31 March 2027" in chat.text
    assert stored(db_path) == {}
    chat.send("What is EGFL?")
    assert "www.egfl.org.uk" in chat.text


def test_closing_day_itself_is_open_in_london(chat: Chat, clock: Clock, db_path) -> None:
    chat.identify()
    clock.now = dt.datetime(2027, 3, 31, 22, 30, tzinfo=dt.UTC)  # 23:30 BST on 31 March
    chat.press("Yes")
    assert stored(db_path) == {"q1": ("yes", None)}


def test_before_opening_start_is_refused(make_chat, clock: Clock) -> None:
    clock.now = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    chat = make_chat()
    chat.send("hi")
    assert "opens on 2 November 2026" in chat.text
    assert "Start the consultation" not in [b.label for b in chat.buttons]


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "text",
    ["", "   ", "x" * 10_000, "🙂🙂🙂", "مرحبا، هل يمكنك المساعدة؟", "\x00\x07\x1b[31m", "/frobnicate", "\ud800"],
)
def test_bad_input_at_a_question_is_answered_kindly_and_stores_nothing(chat: Chat, db_path, text: str) -> None:
    chat.identify()
    replies = chat.send(text)
    assert replies, "always a reply"
    assert all(isinstance(r, Outbound) and r.text for r in replies)
    assert "something went wrong" not in chat.text
    assert chat.question_id == "q1", "the pending question is asked again"
    assert stored(db_path) == {}


def test_right_to_left_and_emoji_comments_are_stored_exactly(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("Partly")
    comment = "نحتاج المزيد من الدعم 👩‍🏫 للمدارس"
    chat.send(comment)
    assert stored(db_path)["q1"] == ("partly", comment)


def test_control_characters_are_stripped_from_comments(chat: Chat, db_path) -> None:
    chat.identify()
    chat.press("No")
    chat.send("too\x00 costly\x1b")
    assert stored(db_path)["q1"] == ("no", "too costly")


@pytest.mark.parametrize(
    "action",
    [
        "garbage",
        "ans:q1:maybe:7",
        "ans:q99:yes:7",
        "ans:q1:yes",
        "ans:q1:yes:7:8",
        "x" * 200,
        "more:area.99",
        "nav:teleport:7",
        "id:type:castle:5",
        "go:nowhere",
        "chg:q42:7",
        "sec:s9:7",
        "ans:q5.11:yes:7",
    ],
)
def test_unknown_or_forged_actions_are_refused_and_store_nothing(chat: Chat, db_path, action: str) -> None:
    chat.identify()
    chat.send(action=action)
    assert chat.replies and "something went wrong" not in chat.text
    assert stored(db_path) == {}
    assert chat.question_id == "q1"


def test_stale_button_applies_to_its_own_question_only(chat: Chat, db_path) -> None:
    chat.identify()
    q1_no = chat.button("No").action
    chat.press("Yes")
    chat.press("Yes")  # q2
    assert chat.question_id == "q3"
    chat.send(action=q1_no)
    assert "Changed your answer to Q1: No" in chat.text
    assert chat.question_id == "q3", "the pending question is untouched"
    assert stored(db_path) == {"q1": ("no", None), "q2": ("yes", None)}


def test_double_tap_records_once_and_replies_once(chat: Chat, db_path) -> None:
    chat.identify()
    yes = chat.button("Yes").action
    first = chat.send(action=yes)
    second = chat.send(action=yes)
    assert first and second == []
    assert len(chat.engine.store.answer_log(1)) == 1
    assert stored(db_path) == {"q1": ("yes", None)}


def test_stale_navigation_button_is_refused_clearly(chat: Chat) -> None:
    chat.identify()
    skip = chat.button("Skip").action
    chat.press("Yes")
    chat.send("back")
    chat.send(action=skip)
    assert "belongs to an earlier message" in chat.text
    assert chat.question_id == "q1"


def test_duplicate_message_id_is_processed_once(chat: Chat, db_path) -> None:
    chat.identify()
    first = chat.send("Partly, more SEND support", message_id="update-1")
    again = chat.send("Partly, more SEND support", message_id="update-1")
    assert first and again == []
    assert len(chat.engine.store.answer_log(1)) == 1


def test_a_failing_turn_rolls_back_and_tells_the_person(chat: Chat, db_path, monkeypatch) -> None:
    chat.identify()
    store = chat.engine.store

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "update_respondent", broken)
    chat.send("yes", message_id="m-1")
    assert "something went wrong and nothing from that message was saved" in chat.text
    assert stored(db_path) == {}
    assert store.answer_log(1) == []
    monkeypatch.undo()
    chat.send("yes", message_id="m-1")  # the redelivery is processed: the failed attempt left no trace
    assert stored(db_path) == {"q1": ("yes", None)}


@pytest.mark.parametrize("user_id", ["", "x" * 500, "bad\nid"])
def test_malformed_sender_is_refused(engine: Engine, user_id: str) -> None:
    replies = engine.handle(Inbound("test", user_id, text="hi"))
    assert "couldn't tell who sent" in replies[0].text
    assert engine.store.db["conversations"].count == 0


def test_each_person_has_their_own_place(make_chat, db_path) -> None:
    alice, bob = make_chat("alice"), make_chat("bob")
    alice.identify()
    bob.identify()
    alice.press("No")
    bob.press("Yes")
    alice.send("alice's reason")
    assert stored(db_path, 1) == {"q1": ("no", "alice's reason")}
    assert stored(db_path, 2) == {"q1": ("yes", None)}


def test_same_user_id_on_two_channels_is_two_people(engine: Engine) -> None:
    telegram, slack = Chat(engine, "42", "telegram"), Chat(engine, "42", "slack")
    telegram.identify()
    slack.send("hi")
    assert "Start the consultation" in [b.label for b in slack.buttons]


def test_every_button_action_fits_telegram_64_bytes(chat: Chat) -> None:
    chat.identify()
    for _ in range(16):
        if not chat.question_id:
            break
        chat.press("Partly" if chat.question_id != "q5.11" else "Nothing to add")
        if "say why" in chat.text:
            chat.press("No comment")
    chat.press("Change an answer")
    for replies in chat.history:
        for reply in replies:
            for button in reply.buttons:
                assert len(button.action.encode()) <= 64


# ------------------------------------------------------------------ questions in chat


def test_question_answer_has_source_and_follow_up_buttons(chat: Chat) -> None:
    chat.send("hi")
    chat.send("is there anything for SEND governors?")
    assert "Targeted training to enhance governors' understanding of SEND" in chat.text
    assert "Source: SEND and inclusion › Guidance for leaders and governors; Governors' support" in chat.text
    labels = [b.label for b in chat.buttons]
    assert "More on SEND and inclusion" in labels and "More on Governors' support" in labels
    assert "Start the consultation" in labels
    chat.press("More on Governors' support")
    assert "Induction resources for new governors, chairs, and clerks" in chat.text


def test_unsure_offers_topics_and_contact_and_is_logged(chat: Chat) -> None:
    chat.send("hi")
    chat.send("pupil premium strategy")
    assert "I'm not sure" in chat.text and "elp@ealing.gov.uk" in chat.text
    topics = [b for b in chat.buttons if b.action.startswith("more:")]
    assert 1 <= len(topics) <= 3
    chat.press(topics[0].label)
    assert "something went wrong" not in chat.text
    chat.send("what's the weather like?")
    assert "outside what I can help with" in chat.text
    summary = chat.engine.store.unanswered_summary()
    assert {row["example"] for row in summary} == {"pupil premium strategy", "what's the weather like?"}


def test_unanswered_are_counted_most_frequent_first(make_chat) -> None:
    for user in ("a", "b", "c"):
        chat = make_chat(user)
        chat.send("hi")
        chat.send("Pupil premium strategy?")
    make_chat("d").send("tell me a joke")
    rows = make_chat("e").engine.store.unanswered_summary()
    assert [(r["times"], r["example"]) for r in rows] == [(3, "Pupil premium strategy?"), (1, "tell me a joke")]


def test_vision_topics_are_reachable_by_button(chat: Chat) -> None:
    chat.send("hi")
    chat.send("what is the locality vision")
    chat.press("More on SEN and inclusion (vision)")
    assert "Co-production at every level of service development" in chat.text


def test_stateless_ask_leaves_conversations_alone(chat: Chat, engine: Engine) -> None:
    chat.identify()
    before = engine.store.conversation("test", "u1")
    reply = engine.ask("what is EGFL?")
    assert "www.egfl.org.uk" in reply.text and "Source:" in reply.text
    assert engine.store.conversation("test", "u1") == before
    assert "Subscriptions are a flat rate" in engine.ask("how much do we pay").text


def test_closes_prompt(chat: Chat, engine: Engine) -> None:
    chat.identify()
    assert engine.closes_prompt(chat.button("Yes").action)
    assert not engine.closes_prompt(chat.button("Tell me more").action)
    assert not engine.closes_prompt("garbage")


def test_my_data_shows_everything_stored(make_chat) -> None:
    chat = make_chat("m1", display_name="Sam")
    chat.send("hi")
    chat.send("my data")
    assert "You reach us through: test (id m1, shown as Sam)" in chat.text and "not started" in chat.text
    chat.identify(school="Oakwood Primary", role="Governor or trustee", consent="Yes, with our school's name")
    chat.send("No, we want more on SEND")
    chat.send("pupil premium strategy")
    chat.send("my data")
    text = chat.text
    for expected in (
        "Name: -",
        "Role: Governor or trustee",
        "School: Oakwood Primary (Primary)",
        "Quoting your comments: Yes, with our school's name",
        "Status: In progress, reference",
        "Started 1 December 2026, 10:00; last change 1 December 2026, 10:00; submitted -",
        "Q1 Aims: No – “we want more on SEND” (1 December 2026, 10:00)",
        "(1 entries)",
        "• pupil premium strategy (1 December 2026, 10:00)",
        "elp@ealing.gov.uk",
    ):
        assert expected in text, expected
    assert chat.question_id == "q2", "the pending question is asked again"


# ------------------------------------------------------------------ erasure and the ELP team


def test_delete_my_data_after_confirmation_leaves_nothing(make_chat, engine: Engine) -> None:
    chat = make_chat("gone", display_name="Gone Person")
    chat.identify()
    chat.send("Partly, needs work", message_id="m-1")
    chat.send("pupil premium strategy")
    other = make_chat("stays")
    other.identify()
    other.press("Yes")
    chat.send("delete my data")
    assert "cannot be undone" in chat.text
    chat.press("No, keep it")
    assert "Nothing was deleted" in chat.text and chat.question_id == "q2"
    chat.send("delete my data")
    chat.press("Yes, delete everything")
    assert "everything we held about you has been deleted" in chat.text
    db = engine.store.db
    for table in db.table_names():
        text = " ".join(str(v) for row in db[table].rows for v in row.values())
        assert "gone" not in text.split() and "Gone Person" not in text and "needs work" not in text, table
        assert "pupil premium" not in text, table
    assert db["respondents"].count == 1 and db["answers"].count == 1, "the other respondent is untouched"
    chat.send("hi")
    assert "Start the consultation" in [b.label for b in chat.buttons], "they start afresh"


def test_admins_get_stats_and_unanswered_others_are_refused(make_engine, content) -> None:
    engine = make_engine(admins=frozenset({("test", "boss")}))
    head = Chat(engine, "head")
    head.identify(school_type="Secondary", role="Headteacher")
    head.send("submit")
    head.press("Submit anyway")
    Chat(engine, "gov").identify(role="Governor or trustee")
    head.send("pupil premium?")
    head.send("stats")
    assert "only for the ELP team" in head.text and "respondents" not in head.text
    boss = Chat(engine, "boss")
    boss.send("hi")
    boss.send("stats")
    assert "Responses so far: 2 respondents, 1 submitted, 1 in progress." in boss.text
    assert "By school type: Primary 1, Secondary 1" in boss.text
    assert "By role: Headteacher 1, Governor or trustee 1" in boss.text
    boss.send("unanswered")
    assert "1× pupil premium?" in boss.text


def test_my_data_shows_the_pupil_count_given(make_chat) -> None:
    chat = make_chat("p1")
    chat.identify()
    chat.send("what would our fee be for 1,462 pupils")
    chat.press("Keep 1462 as our number of pupils")  # issue 11.5: stored only once they say it is theirs
    chat.send("my data")
    assert "Number of pupils, for your school's fee: 1462" in chat.text
