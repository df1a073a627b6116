"""The content store against the source documents: nothing dropped, nothing altered, figures exact.

Two checks per document: every string in the YAML occurs verbatim in the source (after removing
only layout: HTML tags, markdown, bullet marks and whitespace), and removing every transcribed
string from the source leaves nothing but layout words. The second check is what catches a bullet
that was left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from content import DEFAULT_CONTENT_DIR, Content

SOURCES = DEFAULT_CONTENT_DIR.parent / "sources"
SHARED_SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

# What may remain of each document once every transcribed string is removed: headings' numbering,
# table headers, the "Comments" column, "Question N:" labels and the vision's "View action plan" links.
QUESTIONNAIRE_LAYOUT = {
    "Section",
    "1:",
    "2:",
    "3:",
    "Question",
    "4:",
    "5:",
    "Comments",
    "School",
    "type",
    "Flat",
    "rate",
    "£",
    "Per",
    "pupil",
    "1.",
    "2.",
    "3.",
    "4.",
    "5.",
    "6.",
    "7.",
    "8.",
    "9.",
    "10.",
    "11.",
    "–",
    "-",
    ":",
    "*",
    "Ealing",
    "Learning",
    "Partnership",
    "Consultation",
}
VISION_LAYOUT = {"View", "action", "plan", "–", "-", "Manifesto", "pledges", "2022", "2026"}


def normalise(text: str) -> str:
    """Strip layout only: tags, markdown emphasis and links, heading and bullet marks, whitespace."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("**", "")
    text = re.sub(r"\*(\w+)\*", r"\1", text)
    text = re.sub(r"\[([^\]]+)\]\(#\)", r"\1", text)
    text = re.sub(r"(?m)^\s*#+\s*", " ", text)
    text = re.sub(r"(?m)^\s*-\s+", " ", text)
    text = text.replace("•", " ")
    return re.sub(r"\s+", " ", text).strip()


def strings(node: object, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every text leaf of a model dump, except keys that are ids or our own labels."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in skip:
                yield from strings(value, skip)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item, skip)
    elif isinstance(node, str):
        yield node


OFFER_SKIP = frozenset(
    {"id", "currency", "columns", "flat_rate", "per_pupil_rate", "subscription_budget_share", "in_kind_support"}
)


def offer_strings(content: Content) -> list[str]:
    dump = content.offer.model_dump()
    found = list(strings(dump, OFFER_SKIP))
    for band in content.offer.fees.bands:
        found.append(f"{band.name} {band.flat_rate} {band.per_pupil_rate}")
    return found


def consultation_strings(content: Content) -> list[str]:
    found = [s.title for s in content.consultation.sections]
    found += [q.text for q in content.questions]
    return found


def remove_all(haystack: str, needles: list[str]) -> str:
    for needle in sorted(set(needles), key=len, reverse=True):
        haystack = haystack.replace(needle, " ")
    return haystack


@pytest.fixture(scope="module")
def questionnaire() -> str:
    return normalise((SOURCES / "questionnaire.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def vision_text() -> str:
    return normalise((SOURCES / "vision.txt").read_text(encoding="utf-8"))


def test_every_offer_string_is_verbatim_in_the_questionnaire(content: Content, questionnaire: str) -> None:
    missing = [s for s in offer_strings(content) + consultation_strings(content) if s not in questionnaire]
    assert missing == []


def test_nothing_in_the_questionnaire_was_left_out(content: Content, questionnaire: str) -> None:
    rest = remove_all(questionnaire, offer_strings(content) + consultation_strings(content))
    leftover = [w for w in rest.split() if w not in QUESTIONNAIRE_LAYOUT]
    assert leftover == []


def test_every_vision_string_is_verbatim_in_the_vision(content: Content, vision_text: str) -> None:
    missing = [s for s in strings(content.vision.model_dump(), frozenset({"id"})) if s not in vision_text]
    assert missing == []


def test_nothing_in_the_vision_was_left_out(content: Content, vision_text: str) -> None:
    rest = remove_all(vision_text, list(strings(content.vision.model_dump(), frozenset({"id"}))))
    leftover = [w for w in rest.split() if w not in VISION_LAYOUT]
    assert leftover == []


def test_bullet_counts_match_the_source(content: Content) -> None:
    raw = (SOURCES / "questionnaire.txt").read_text(encoding="utf-8")
    bullets = sum(len(g.bullets) for a in content.offer.activity_areas for g in a.groups)
    assert bullets == raw.count("•") == 103
    vision_raw = (SOURCES / "vision.txt").read_text(encoding="utf-8")
    outcomes = sum(len(p.outcomes) for p in content.vision.priorities)
    assert outcomes == len(re.findall(r"(?m)^- ", vision_raw)) == 24
    assert sum(len(t.pledges) for t in content.vision.pledge_themes) == 14


def test_figures_are_exact(content: Content, questionnaire: str) -> None:
    funding = content.offer.funding
    assert funding.member_schools == 86 and "(86 member schools)" in questionnaire
    assert funding.council_share_percent == 46 and "the council (46%)" in questionnaire
    assert funding.schools_share_percent == 54 and "contribute 54% of the total budget" in questionnaire
    assert funding.subscription_budget_share == "less than 0.3%" and "less than 0.3% of each" in questionnaire
    assert funding.in_kind_support in questionnaire
    rows = {b.name: (b.flat_rate, b.per_pupil_rate) for b in content.offer.fees.bands}
    assert rows == {
        "Primary": ("4,461", "5.77"),
        "Secondary": ("6,762", "5.77"),
        "Special": ("4,681", "0"),
        "PRU primary": ("2,060", "0"),
        "PRU secondary": ("4,161", "0"),
    }
    contact = content.offer.contact
    assert (contact.email, contact.website) == ("elp@ealing.gov.uk", "www.egfl.org.uk/ELP")


def test_eleven_activity_areas_in_order(content: Content) -> None:
    titles = [a.title for a in content.offer.activity_areas]
    assert len(titles) == 11
    assert titles[0] == "Learning and achievement" and titles[-1] == "New activities"
    assert [q.topic for q in content.questions[4:]] == [f"area:{n}" for n in range(1, 12)]


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="shared/seeds is not beside this checkout")
@pytest.mark.parametrize(
    ("ours", "seed"), [("questionnaire.txt", "000_748796982013474c.txt"), ("vision.txt", "003_61ae8a7df11f0c4d.txt")]
)
def test_shipped_sources_are_the_seed_documents(ours: str, seed: str) -> None:
    assert (SOURCES / ours).read_bytes() == (SHARED_SEEDS / seed).read_bytes()


def test_the_leftover_check_catches_a_dropped_bullet(content: Content, questionnaire: str) -> None:
    everything = offer_strings(content) + consultation_strings(content)
    dropped = [s for s in everything if s != "Brokerage of school-to-school secondments"]
    rest = remove_all(questionnaire, dropped)
    assert [w for w in rest.split() if w not in QUESTIONNAIRE_LAYOUT] == [
        "Brokerage",
        "of",
        "school-to-school",
        "secondments",
    ]
