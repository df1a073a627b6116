"""Answering questions from the content store: every bullet, heading and fact is a searchable entry.

Scoring, so an answer can be explained: the question is cut into words (minus stop words); each
word scores its inverse document frequency (rare words count more) if an entry contains it, or 80%
of that if an entry contains a word within a rapidfuzz ratio of 85 (typos: "safegaurding"). Words
in an entry's title or heading count double. The entry's score is the share of the question's total
weight it covers (0–1). Answers below CONFIDENT are not given as facts: the closest topics are
offered instead, with the ELP contact.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bot._render import SEP, area_heading, topic_full, topic_summary
from content import Content

CONFIDENT = 0.55
_STOP = frozenset(
    """
    a about all also am an and any are as at be been by can could do does did for from get got has
    have how i if in include includes including into is it its me my of on or our please provide
    provided provides so some tell than that the their them there these they this those to us was
    we what whats when where which who why will with would you your anything there's is there's elp
    ealing partnership learning offer offers something kind sort
    """.split()
)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """Lower-case content words of a text, stop words removed."""
    return [w for w in _WORD.findall(text.casefold().replace("’", "'")) if w not in _STOP and len(w) > 1]


@dataclass(frozen=True, slots=True)
class Entry:
    """One answerable piece of content."""

    key: str
    source: str
    title: str
    answer: str
    topic: str | None = None
    body_words: frozenset[str] = field(default=frozenset())
    title_words: frozenset[str] = field(default=frozenset())


@dataclass(frozen=True, slots=True)
class Found:
    """The result of a search: the best entry (if confident), its score and the closest other topics."""

    entry: Entry | None
    score: float
    confident: bool
    suggestions: tuple[Entry, ...]


class Answerer:
    """Searches the content; build once per content load."""

    def __init__(self, content: Content):
        self.content = content
        self.entries = _build_entries(content)
        counts: Counter[str] = Counter()
        for entry in self.entries:
            counts.update(entry.body_words | entry.title_words)
        total = len(self.entries)
        self.idf = {w: math.log(1 + total / c) for w, c in counts.items()}
        self.vocabulary = sorted(self.idf)

    def find(self, question: str) -> Found:
        """Score every entry against the question and pick the best."""
        query = list(dict.fromkeys(words(question[:300])))
        if not query:
            return Found(None, 0.0, False, ())
        expanded = {w: self._near(w) for w in query}
        weights = {w: max((self.idf.get(v, 0.0) for v, _ in expanded[w]), default=0.0) for w in query}
        total = sum(weights.values()) or 1.0
        # An unknown word still dilutes the score: "weather in ealing" must not match on "ealing".
        total += sum(2.0 for w in query if not expanded[w])
        scored: list[tuple[float, int, Entry]] = []  # raw score ranks; the share (capped at 1) decides confidence
        for index, entry in enumerate(self.entries):
            score = 0.0
            for word in query:
                best = 0.0
                for variant, factor in expanded[word]:
                    if variant in entry.title_words:
                        best = max(best, 2.0 * factor)
                    elif variant in entry.body_words:
                        best = max(best, factor)
                score += best * weights[word]
            if score:
                scored.append((score, -index, entry))
        if not scored:
            return Found(None, 0.0, False, ())
        scored.sort(reverse=True)
        raw, _, best = scored[0]
        best_score = min(1.0, raw / total)
        seen_sources = {best.source}
        suggestions = []
        for _, _, entry in scored[1:]:
            if entry.source not in seen_sources:
                seen_sources.add(entry.source)
                suggestions.append(entry)
            if len(suggestions) == 3:
                break
        confident = best_score >= CONFIDENT
        if not confident:
            suggestions = [best, *suggestions][:3]
        return Found(best if confident else None, best_score, confident, tuple(suggestions))

    def _near(self, word: str) -> list[tuple[str, float]]:
        if word in self.idf:
            return [(word, 1.0)]
        if len(word) < 4:
            return []
        matches = process.extract(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=85, limit=3)
        return [(match, 0.8) for match, _, _ in matches]


def _build_entries(content: Content) -> list[Entry]:
    offer, vision = content.offer, content.vision
    entries: list[Entry] = []

    def add(key: str, source: str, title: str, answer: str, body: str, topic: str | None = None) -> None:
        entries.append(Entry(key, source, title, answer, topic, frozenset(words(body)), frozenset(words(title))))

    for topic in ("aims", "convictions", "fees", "external_membership"):
        add(
            f"topic:{topic}",
            topic_summary(content, topic).split("\n", 1)[0],
            topic_summary(content, topic).split("\n", 1)[0],
            topic_summary(content, topic),
            topic_full(content, topic),
            topic,
        )
    for aim in offer.aims.items:
        add(f"aim:{aim.id}", offer.aims.heading, offer.aims.heading, aim.text, aim.text + " " + (aim.tagline or ""))
    for conviction in offer.convictions.items:
        add(
            f"conviction:{conviction.id}",
            offer.convictions.heading + SEP + conviction.title,
            conviction.title,
            f"{conviction.title} – {conviction.text}",
            conviction.text,
        )
    contact = offer.contact
    contact_text = "\n".join([contact.organisation, *contact.address, contact.email, contact.website])
    add("contact", "Contact", "contact email address", contact_text, contact_text + " phone get in touch")
    for area in offer.activity_areas:
        topic = f"area:{area.number}"
        add(
            f"area:{area.number}",
            area_heading(area),
            area.title,
            topic_summary(content, topic),
            " ".join([area.strapline or "", *(g.heading or "" for g in area.groups)]),
            topic,
        )
        for group in area.groups:
            source = area.title + (SEP + group.heading if group.heading else "")
            items = ([group.text] if group.text else []) + list(group.bullets)
            if group.heading and not items:
                add(f"area:{area.number}:{group.heading}", source, group.heading, group.heading, group.heading, topic)
            for n, item in enumerate(items):
                add(
                    f"area:{area.number}:{group.heading or ''}:{n}",
                    source,
                    group.heading or area.title,
                    item,
                    item,
                    topic,
                )
    for theme in vision.pledge_themes:
        source = f"{vision.title}{SEP}{theme.title}"
        add(f"pledges:{theme.id}", source, theme.title, f"{theme.title} – {theme.summary}", theme.summary)
        for n, pledge in enumerate(theme.pledges):
            add(f"pledges:{theme.id}:{n}", source, theme.title, pledge, pledge)
    for priority in vision.priorities:
        source = f"{vision.title}{SEP}{priority.title}"
        outcomes = "\n".join("• " + o for o in priority.outcomes)
        add(
            f"priority:{priority.id}",
            source,
            priority.title + " priority outcomes",
            f"{priority.title}: {priority.aim}\n\n{outcomes}",
            priority.aim,
        )
        for n, outcome in enumerate(priority.outcomes):
            add(f"priority:{priority.id}:{n}", source, priority.title, outcome, outcome)
    return entries
