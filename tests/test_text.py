"""Reading typed input: cleaning, choices with comments, commands, options."""

from __future__ import annotations

import pytest

from bot._text import Command, TypedChoice, clean, match_option, parse_choice, parse_command


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        (None, ""),
        ("  hello  ", "hello"),
        ("a\x00b\x07c", "abc"),
        ("line one\r\nline two", "line one\nline two"),
        ("bad \ud800 surrogate", "bad surrogate"),
        ("\u200fשלום", "\u200fשלום"),
        ("👩\u200d🏫", "👩\u200d🏫"),
        ("e\u0301", "é"),
        ("too\n\n\n\nmany", "too\n\nmany"),
    ],
)
def test_clean(raw: str | None, cleaned: str) -> None:
    assert clean(raw) == cleaned


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("y", TypedChoice("yes", None)),
        ("Yep", TypedChoice("yes", None)),
        ("4", TypedChoice("unsure", None)),
        ("No idea", TypedChoice("unsure", None)),
        ("don’t know", TypedChoice("unsure", None)),
        ("yes?", TypedChoice("yes", None)),
        ("Partly: the fee is high", TypedChoice("partly", "the fee is high")),
        ("no. we disagree", TypedChoice("no", "we disagree")),
        ("nobody asked us", None),
        ("yesterday we met", None),
        ("2nd thoughts", None),
        ("no, what does it include?", None),
        ("what does this include?", None),
        ("parlty - too many evening events", TypedChoice("partly", "too many evening events")),
        ("Partley, the fee is high", TypedChoice("partly", "the fee is high")),
        ("Dissagree: too costly", TypedChoice("no", "too costly")),
        ("party - we had one", None),  # two edits from "partly": not a choice
        ("Ealing, please keep it", None),
    ],
)
def test_parse_choice(content, typed: str, expected: TypedChoice | None) -> None:
    assert parse_choice(typed, content.consultation) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("help", Command("help")),
        ("/start", Command("start")),
        ("/start@ElpConsultBot", Command("start")),
        ("Go back", Command("back")),
        ("change 3", Command("change", "q3")),
        ("edit q5.10", Command("change", "q5.10")),
        ("actually change q4 to yes - income", Command("change", "q4 yes - income")),
        ("change q5.3 to Partly", Command("change", "q5.3 Partly")),
        ("go to section 2", Command("section", "2")),
        ("ask what is EGFL?", Command("ask", "what is EGFL?")),
        ("my answers", Command("review")),
        ("skip the fees part", None),
        ("Yes", None),
    ],
)
def test_parse_command(typed: str, expected: Command | None) -> None:
    assert parse_command(typed) == expected


def test_match_option() -> None:
    labels = ["Primary", "Secondary", "Special", "PRU primary", "PRU secondary", "Other"]
    assert match_option("2", labels) == 1
    assert match_option("pru primary", labels) == 3
    assert match_option("sec", labels) == 1
    assert match_option("pru", labels) is None  # two labels start with it
    assert match_option("7", labels) is None
    assert match_option("castle", labels) is None


@pytest.mark.parametrize(
    ("typed", "acknowledges"),
    [
        ("no worries", True),
        ("No problem!", True),
        ("ok thanks. back to it", True),
        ("sure, one sec", True),
        ("thanks", True),
        ("ok", False),  # a lone choice word still answers: "ok" is Yes
        ("sure", False),
        ("no", False),
        ("no, too expensive", False),
        ("thanks but no", False),
    ],
)
def test_acknowledgements_are_not_answers(content, typed: str, acknowledges: bool) -> None:
    from bot._text import ChoiceReader

    assert ChoiceReader(content.consultation).acknowledges(typed) is acknowledges


@pytest.mark.parametrize(
    ("typed", "arg"),
    [
        ("add a comment to q1: too vague", "q1 too vague"),
        ("Comment on question 5.2 - more SEND training please", "q5.2 more SEND training please"),
        ("comment on q3", "q3"),
    ],
)
def test_a_comment_on_a_named_question_is_a_command(typed: str, arg: str) -> None:
    assert parse_command(typed) == Command("comment_on", arg)


def test_a_comment_that_only_mentions_a_question_is_not_a_command() -> None:
    assert parse_command("I made a comment on q1 earlier about fees") is None
