"""Fuzzy school matching: typed names to directory schools, and the chat flow around it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot._schools import is_clear, match_schools, normalise
from storage.schools import decode_csv, import_gias, read_rows

from .conftest import Chat

SAMPLE = Path(__file__).parent / "fixtures" / "gias_ealing_sample.csv"
NAMES = [
    "St Mark's Church of England Primary School",
    "St Mark's Primary School",
    "Drayton Manor High School",
    "Drayton Green Primary School",
    "St Mary's Catholic Primary School",
    "Castlebar School",
]
SCHOOLS = [{"urn": str(i), "name": n} for i, n in enumerate(NAMES)]


@pytest.mark.parametrize(
    ("typed", "best", "clear"),
    [
        ("drayton manor hs", "Drayton Manor High School", True),
        ("Drayton Manr", "Drayton Manor High School", True),
        ("castlebar", "Castlebar School", True),
        ("st marys rc", "St Mary's Catholic Primary School", True),
        ("st marks", "St Mark's Church of England Primary School", False),
        ("St Mark's C of E", "St Mark's Church of England Primary School", True),
    ],
)
def test_match(typed: str, best: str, clear: bool) -> None:
    matches = match_schools(typed, SCHOOLS)
    assert matches[0].school["name"] == best
    assert is_clear(matches) is clear


@pytest.mark.parametrize("typed", ["school", "primary school", "Hogwarts", "", "🙂"])
def test_no_match(typed: str) -> None:
    assert match_schools(typed, SCHOOLS) == []


def test_normalise() -> None:
    assert normalise("St. Mark’s C of E Prim") == "saint mark church of england primary"


@pytest.fixture
def directory(engine):
    _, rows = read_rows(decode_csv(SAMPLE.read_bytes()))
    import_gias(engine.store, rows, la="Ealing", now="t")
    return engine


def start(chat: Chat, school: str) -> None:
    chat.send("hi")
    chat.press("Start the consultation")
    chat.send(school)


def test_clear_match_is_confirmed_and_brings_type_and_roll(directory, make_chat) -> None:
    chat = make_chat()
    start(chat, "st marks")
    assert "Is that St Mark's Church of England Primary School?" in chat.text
    chat.press("Yes, that's us")
    assert "What is your role?" in chat.text, "the type came from the directory"
    chat.press("Headteacher")
    chat.press("Skip")
    chat.press("Yes, anonymously")
    respondent = directory.store.respondent(1)
    assert (respondent["school"], respondent["school_urn"], respondent["school_type"]) == (
        "St Mark's Church of England Primary School",
        "101930",
        "primary",
    )
    chat.send("fee")
    assert "Primary, 420 pupils: £4,461 + 420 × £5.77 = £6,884.40" in chat.text
    chat.press("Yes")
    chat.press("Yes")
    assert "Your school: Primary, 420 pupils" in chat.text


def test_several_matches_are_offered_as_choices(directory, make_chat) -> None:
    chat = make_chat()
    start(chat, "ealing")
    assert "Which of these is your school?" in chat.text
    labels = [b.label for b in chat.buttons]
    assert "Ealing Primary Centre" in labels and "None of these" in labels
    chat.press("The Ealing Alternative Provision Academy")
    assert directory.store.respondent(1)["school_type"] == "pru_secondary"


def test_none_of_these_keeps_what_was_typed(directory, make_chat) -> None:
    chat = make_chat()
    start(chat, "ealing")
    chat.press("None of these")
    assert "What type of school is ealing?" in chat.text
    assert directory.store.respondent(1)["school_urn"] is None


def test_no_match_continues_with_the_typed_name(directory, make_chat) -> None:
    chat = make_chat()
    start(chat, "Little Learners Montessori")
    assert "What type of school is Little Learners Montessori?" in chat.text


def test_typed_no_at_confirmation_keeps_typed_name(directory, make_chat) -> None:
    chat = make_chat()
    start(chat, "castlebar")
    chat.send("no")
    assert "What type of school is castlebar?" in chat.text


def test_typing_another_name_at_the_choice_searches_again(directory, make_chat) -> None:
    chat = make_chat()
    start(chat, "castlebar")
    chat.send("Villiers High")
    assert "Is that Villiers High School?" in chat.text
