"""Matching what people type ("st marks", "drayton manor hs") to schools in the directory.

Names are normalised (case, apostrophes, "&", common abbreviations such as hs, st, c of e, rc)
and words every school name shares ("school", "primary", "academy", "the") are left out, so only
the distinctive part counts. Each school is scored with rapidfuzz's token_set_ratio (0–100; 100
when every typed word is in the name). One school at CLEAR or above, well ahead of the next, is a
clear match (a typo costs a few points); schools at POSSIBLE or above are offered as choices; below that, none is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

CLEAR = 85
POSSIBLE = 80
LEAD = 8
_PHRASES = (("c of e", "church of england"), ("cofe", "church of england"), ("c e", "church of england"))
_WORDS = {
    "st": "saint",
    "st.": "saint",
    "hs": "high",
    "sch": "school",
    "prim": "primary",
    "rc": "roman catholic",
    "ce": "church of england",
    "jun": "junior",
    "juniors": "junior",
    "inf": "infant",
    "infants": "infant",
    "acad": "academy",
    "mt": "mount",
    "&": "and",
}
_GENERIC = frozenset(
    "the school primary secondary academy and of high community church england roman "
    "catholic foundation voluntary aided controlled junior infant nursery college trust".split()
)


def normalise(name: str) -> str:
    """Lower-case, apostrophes dropped, abbreviations expanded."""
    text = name.casefold().replace("’", "").replace("'", "").replace("&", " and ")
    text = re.sub(r"[^\w\s]", " ", text)
    text = " " + re.sub(r"\s+", " ", text).strip() + " "
    for short, long in _PHRASES:
        text = text.replace(f" {short} ", f" {long} ")
    words = (_WORDS.get(word, word) for word in text.split())
    # "St Mark's" and "st marks" must meet: drop one trailing s from longer words (both sides alike).
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in " ".join(words).split())


def distinctive(name: str) -> str:
    """The words that tell one school from another."""
    return " ".join(w for w in normalise(name).split() if w not in _GENERIC)


@dataclass(frozen=True, slots=True)
class SchoolMatch:
    """A candidate school and how well it matched (0–100)."""

    school: dict[str, Any]
    score: float


def match_schools(typed: str, schools: list[dict[str, Any]], limit: int = 5) -> list[SchoolMatch]:
    """Candidate schools for what was typed, best first, at POSSIBLE or above.

    The score is 70% the distinctive words' token_set_ratio and 30% the whole normalised names',
    so "St Mark's C of E" prefers the Church of England school over another St Mark's.
    """
    query = distinctive(typed)
    if not query or not schools:
        return []
    whole = normalise(typed)
    scored = []
    for school in schools:
        name = school["name"]
        score = 0.7 * fuzz.token_set_ratio(query, distinctive(name) or normalise(name)) + 0.3 * fuzz.token_set_ratio(
            whole, normalise(name)
        )
        if score >= POSSIBLE:
            scored.append(SchoolMatch(school, round(score, 1)))
    scored.sort(key=lambda match: -match.score)
    return scored[:limit]


def is_clear(matches: list[SchoolMatch]) -> bool:
    """One match at CLEAR or above with a lead of LEAD points over the next."""
    if not matches or matches[0].score < CLEAR:
        return False
    return len(matches) == 1 or matches[0].score - matches[1].score >= LEAD
