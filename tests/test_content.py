"""Loading the content store: shipped content is valid; every kind of mistake names file, entry and problem."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from content import DEFAULT_CONTENT_DIR, Content, ContentError, load_content, parse_money


@pytest.fixture
def broken(tmp_path: Path) -> Callable[[str, str, str], Path]:
    """Copy the shipped content and replace one exact snippet in one file."""

    def make(file: str, old: str, new: str) -> Path:
        folder = tmp_path / "content"
        shutil.copytree(DEFAULT_CONTENT_DIR, folder)
        path = folder / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture snippet not found in {file}: {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return folder

    return make


def test_shipped_content_loads(content: Content) -> None:
    assert len(content.questions) == 15
    assert [q.id for q in content.questions][:5] == ["q1", "q2", "q3", "q4", "q5.1"]
    assert content.questions[-1].id == "q5.11" and content.questions[-1].kind == "text"
    assert [c.code for c in content.consultation.choices] == ["yes", "partly", "no", "unsure"]
    assert [c.label for c in content.consultation.choices] == ["Yes", "Partly", "No", "Not sure"]
    assert content.fee_band("primary").flat == Decimal("4461")
    assert content.area(2).title == "SEND and inclusion" and content.area(12) is None


@pytest.mark.parametrize(
    ("file", "old", "new", "entry", "problem"),
    [
        (
            "offer.yaml",
            'flat_rate: "4,461"',
            'flat_rate: "4.461,00"',
            "fees › bands[0] (primary) › flat_rate",
            "not a money figure",
        ),
        (
            "offer.yaml",
            'flat_rate: "4,461"',
            "flat_rate: 4461",
            "fees › bands[0] (primary) › flat_rate",
            "quoted string",
        ),
        ("offer.yaml", "- number: 3\n", "- number: 4\n", "activity_areas", "numbered 1, 2, 3"),
        (
            "offer.yaml",
            "  strapline: Developing great teachers",
            "  strapline_typo: Developing great teachers",
            "activity_areas[0] (learning-and-achievement) › strapline_typo",
            "not a known field",
        ),
        (
            "offer.yaml",
            "council_share_percent: 46",
            "council_share_percent: 45",
            "funding › council_share_percent",
            "must add up to 100",
        ),
        ("offer.yaml", "  email: elp@ealing.gov.uk", "  email: elp at ealing", "contact › email", "pattern"),
        (
            "vision.yaml",
            "- id: healthy-lives",
            "- id: a-fairer-start",
            "pledge_themes (a-fairer-start)",
            "appears twice",
        ),
        ("consultation.yaml", 'code: "yes"', "code: yes", "choices[0]", "true/false"),
        (
            "consultation.yaml",
            'invite_comment_after: [partly, "no"]',
            "invite_comment_after: [partly, no]",
            "invite_comment_after",
            "quotes",
        ),
        ("consultation.yaml", "closes: 2027-03-31", "closes: 2026-01-01", "closes", "is before opens"),
        ("consultation.yaml", "timezone: Europe/London", "timezone: Europe/Ealing", "timezone", "unknown time zone"),
        ("consultation.yaml", "      - id: q2\n", "      - id: q1\n", "questions (q1)", "'q1' appears twice"),
        (
            "consultation.yaml",
            'topic: "area:10"',
            'topic: "area:12"',
            "sections › questions (q5.10)",
            "activity area that offer.yaml does not have",
        ),
        (
            "consultation.yaml",
            "fee_band: special}",
            "fee_band: specal}",
            "identity › school_types (special)",
            "not a band in offer.yaml",
        ),
        (
            "consultation.yaml",
            "      - id: q1\n        short: Aims\n",
            "      - id: q1\n",
            "sections[0] (s1) › questions[0] (q1) › short",
            "required but missing",
        ),
        ("messages.yaml", "welcome_back:", "welcome_bakc:", "welcome_back", "is missing"),
        (
            "messages.yaml",
            'saved_comment: "Saved your comment."',
            'saved_comment: "Saved {what}."',
            "saved_comment",
            "unknown placeholder",
        ),
        (
            "messages.yaml",
            'progress: "Question {number}',
            'progress: "Question {number',
            "progress",
            "broken placeholder",
        ),
        ("messages.yaml", "button_back:", "button_back: [\n", "line", "not valid YAML"),
        (
            "faq.yaml",
            '"Monthly SEND Bulletin providing regular updates"',
            '"Monthly SEND newsletter"',
            "entries (send-bulletin) › quote",
            "is not in offer.yaml or vision.yaml",
        ),
        ("faq.yaml", '"SBM conference"', '"conference"', "entries (sbm) › quote", "matches"),
        (
            "faq.yaml",
            'topic: "area:9"\n    related: ["area:2"]',
            'topic: "area:19"\n    related: ["area:2"]',
            "entries (governors)",
            "is not in the content",
        ),
        (
            "faq.yaml",
            "    compute: contact",
            "    compute: contact\n    topic: aims",
            "entries[",
            "exactly one of quote",
        ),
        ("lexicon.yaml", "  - [ta, tas,", "  - [ta, training,", "synonyms[15]", "already in synonyms"),
        ("lexicon.yaml", "  ehcp: additional needs", "  ehcp: ''", "means › ehcp", "non-empty"),
        (
            "lexicon.yaml",
            "    related: fees",
            "    related: fess",
            "declines[7] (money-not-in-documents) › related",
            "pattern",
        ),
        (
            "everyday.yaml",
            "  struggling schools: no school left behind",
            "  struggling schools: no school left bhind",
            "means › struggling schools",
            "the documents never use 'bhind'",
        ),
        (
            "everyday.yaml",
            "  struggling schools: no school left behind",
            "  peer enquiry: no school left behind",
            "means › peer enquiry",
            "the documents' own wording",
        ),
        ("everyday.yaml", "  struggling schools:", "  ehcp:", "means › ehcp", "already in lexicon.yaml"),
        ("everyday.yaml", "  struggling schools:", "  what:", "means › what", "only words lexicon.yaml ignores"),
        ("asked.yaml", "- about: document\n", "- about: no such bullet\n", "asked (no such bullet)", "is not in offer"),
        ("asked.yaml", "- about: document\n", "- about: SENDCo\n", "asked (SENDCo)", "matches"),
        ("asked.yaml", "- about: dates\n", "- about: document\n", "asked", "document"),
    ],
)
def test_broken_content_names_file_entry_and_problem(broken, file, old, new, entry, problem) -> None:
    folder = broken(file, old, new)
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    error = caught.value
    assert error.file == file
    assert error.entry.startswith(entry), str(error)
    assert problem in error.problem, str(error)
    assert str(error).startswith(f"{file}: ")


def test_missing_file_is_named(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_CONTENT_DIR, tmp_path / "c")
    (tmp_path / "c" / "vision.yaml").unlink()
    with pytest.raises(ContentError, match=r"^vision.yaml: \(file\): not found"):
        load_content(tmp_path / "c")


def test_non_utf8_file_is_named(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_CONTENT_DIR, tmp_path / "c")
    (tmp_path / "c" / "offer.yaml").write_bytes("title: caf\xe9".encode("latin-1"))
    with pytest.raises(ContentError, match=r"offer.yaml: .*not UTF-8"):
        load_content(tmp_path / "c")


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_CONTENT_DIR, tmp_path / "c")
    (tmp_path / "c" / "messages.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"messages.yaml: .*mapping"):
        load_content(tmp_path / "c")


def test_a_typo_fixed_in_yaml_shows_up_without_code_changes(broken) -> None:
    folder = broken("messages.yaml", 'button_fee: "Check our fee"', 'button_fee: "What do we pay?"')
    assert load_content(folder).say("button_fee") == "What do we pay?"


def test_dates_can_be_overridden_and_are_validated(content: Content) -> None:
    later = content.with_dates(closes=dt.date(2027, 6, 30))
    assert later.consultation.closes == dt.date(2027, 6, 30)
    assert content.consultation.closes == dt.date(2027, 3, 31)
    with pytest.raises(ContentError, match="is before opens"):
        content.with_dates(closes=dt.date(2020, 1, 1))


@pytest.mark.parametrize(
    ("written", "value"), [("4,461", "4461"), ("5.77", "5.77"), ("0", "0"), ("1,234,567.5", "1234567.5")]
)
def test_parse_money(written: str, value: str) -> None:
    assert parse_money(written) == Decimal(value)


@pytest.mark.parametrize("written", ["4.461,00", "£4,461", "44,61", "", "five"])
def test_parse_money_rejects(written: str) -> None:
    with pytest.raises(ValueError):
        parse_money(written)
