"""Answering questions from the content store: curated FAQ first, then every fact, never a guess.

How a question is scored, so any answer can be explained:

1. Normalise: lower case, possessives dropped, words of two or more letters; synonym phrases from
   faq.yaml become their group's first word ("designated safeguarding lead" → "dsl", "cpd" →
   "training"); a plural s is dropped; stop words go. The same is done to the content.
2. Decline: a question containing a decline word (weather, parking, booking…) is out of scope.
3. FAQ: each curated phrasing is compared with the question by weighted word overlap both ways:
   how much of the phrasing's weight is in the question, and how much of the question's weight is
   in the phrasing (words weigh their inverse document frequency; a word within rapidfuzz ratio 85
   of another counts as the same, for typos). The score is their harmonic mean (F1), 0–100, and the
   best entry wins at FAQ_MIN or above. A question about fees (fee, cost, pay, subscription…) that
   no other FAQ entry answers goes to the fee calculator.
4. Content: otherwise every item (bullet, paragraph, outcome, pledge) and every activity area is
   scored: each question word adds its inverse document frequency (rarer words count more) when
   the item has it — half as much again in the item's heading — or 80% of that for a near spelling (rapidfuzz
   ratio ≥ 85, for typos). The score is the share of the question's total weight covered; a word the
   content never uses counts in the total like a typical word (the median weight), so "pupil
   premium" is not answered from a bullet about pupils. At CONFIDENT or above the best item is quoted.
5. Below both, the assistant says it is not sure, offers the closest topics and gives the contact.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot._fees import fee_table
from bot._render import BULLET, topic_summary, topic_title
from content import Content, Item, find_item

FAQ_MIN = 70.0
FEE_WORD = "fee"
CONFIDENT = 0.55
_STOP = frozenset(
    """
    a about all also am an and any are as at be been by can could do does did doing for from get got has
    have how i if in include includes including into is it its me my of on or our please provide
    provided provides so some tell than that the their them there these they this those to us was
    we what whats when where which who why will with would you your anything there's is offer
    offers something kind sort available exist exists there ve we're i'm doe ha wa
    """.split()
)
_WORD = re.compile(r"[a-z0-9]+")
_AREA = re.compile(r"\b(?:area|activity area|section 3\.?)\s*(\d{1,2})\b", re.I)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


class Normaliser:
    """Turns text into canonical content words, applying the synonym groups."""

    def __init__(self, synonyms: list[list[str]]):
        self.phrases: dict[tuple[str, ...], str] = {}
        for group in synonyms:
            canonical = " ".join(self._raw(group[0]))
            for variant in group:
                self.phrases[tuple(self._raw(variant))] = canonical
        self.longest = max((len(p) for p in self.phrases), default=1)

    @staticmethod
    def _raw(text: str) -> list[str]:
        text = text.casefold().replace("’", "'").replace("'s ", " ").replace("'", "")
        return _WORD.findall(text)

    def words(self, text: str) -> list[str]:
        """Canonical, stemmed content words, in order."""
        raw = self._raw(text + " ")
        out: list[str] = []
        i = 0
        while i < len(raw):
            for size in range(min(self.longest, len(raw) - i), 0, -1):
                canonical = self.phrases.get(tuple(raw[i : i + size]))
                if canonical is not None:
                    out.extend(canonical.split())
                    i += size
                    break
            else:
                out.append(raw[i])
                i += 1
        return [_stem(w) for w in out if w not in _STOP and _stem(w) not in _STOP and len(w) > 1]


@dataclass(frozen=True, slots=True)
class Doc:
    """A searchable unit: an item, an activity area, or a topic."""

    key: str
    source: str
    title: str
    answer: str
    topic: str
    body: frozenset[str]
    heading: frozenset[str]


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer (or an honest non-answer) with everything a channel or the CLI needs."""

    question: str
    answer: str
    source: str | None
    confident: bool
    kind: str  # faq | content | declined | unsure
    topic: str | None = None
    related: tuple[str, ...] = ()
    suggestions: tuple[tuple[str, str], ...] = ()  # (title, topic)
    compute: str | None = None  # fees | dates | contact: the caller fills these in
    why: str = ""
    normalised: str = ""


@dataclass
class _Faq:
    id: str
    phrasings: list[str]
    answer: str
    source: str | None
    topic: str | None
    related: tuple[str, ...]
    compute: str | None


class Answerer:
    """Searches the content; build once per content load (about 10 ms)."""

    def __init__(self, content: Content):
        self.content = content
        self.normaliser = Normaliser(content.faq.synonyms)
        self.decline = [tuple(self.normaliser._raw(w)) for w in content.faq.decline_words]
        self.docs = self._docs(content)
        counts: Counter[str] = Counter()
        for doc in self.docs:
            counts.update(doc.body | doc.heading)
        self.idf = {w: math.log(1 + len(self.docs) / c) for w, c in counts.items()}
        self.vocabulary = sorted(self.idf)
        # A word the content never uses weighs the median: it matters, but no more than a typical word.
        weights = sorted(self.idf.values())
        self.unknown_weight = weights[len(weights) // 2] if weights else 1.0
        self.faqs = self._faqs(content)
        self.faq_index = [
            (n, tuple(dict.fromkeys(self.normaliser.words(p)))) for n, f in enumerate(self.faqs) for p in f.phrasings
        ]
        self.fees_faq = next((f for f in self.faqs if f.compute == "fees"), None)
        # Inverted indexes: only documents and phrasings sharing a word with the question are scored.
        self.postings: dict[str, list[tuple[int, bool]]] = {}
        for index, doc in enumerate(self.docs):
            for word in doc.body | doc.heading:
                self.postings.setdefault(word, []).append((index, word in doc.heading))
        self.faq_postings: dict[str, set[int]] = {}
        for position, (_, phrasing) in enumerate(self.faq_index):
            for word in phrasing:
                self.faq_postings.setdefault(word, set()).add(position)
        self.faq_vocabulary = sorted(self.faq_postings)

    # ------------------------------------------------------------ building

    def _docs(self, content: Content) -> list[Doc]:
        words = self.normaliser.words
        docs = [
            Doc(
                item.key,
                item.source,
                item.title,
                item.text,
                item.topic,
                frozenset(words(item.text)),
                frozenset(words(item.title)),
            )
            for item in content.items
        ]
        for area in content.offer.activity_areas:
            topic = f"area:{area.number}"
            headings = " ".join(g.heading or "" for g in area.groups)
            docs.append(
                Doc(
                    topic,
                    f"{area.number}. {area.title}",
                    area.title,
                    topic_summary(content, topic),
                    topic,
                    frozenset(words(f"{area.strapline or ''} {headings}")),
                    frozenset(words(area.title)),
                )
            )
        return docs

    def _faqs(self, content: Content) -> list[_Faq]:
        out = []
        for entry in content.faq.entries:
            answer, source, topic = "", None, entry.topic
            if entry.quote:
                items: list[Item] = [find_item(content.items, q)[0] for q in entry.quote]
                unique = list(dict.fromkeys(items))
                lines = [i.text for i in unique] if len(unique) == 1 else [BULLET + i.text for i in unique]
                answer = "\n".join(([entry.lead] if entry.lead else []) + lines)
                source = "; ".join(dict.fromkeys(i.source for i in unique))
                topic = unique[0].topic
            elif entry.topic:
                answer = topic_summary(content, entry.topic)
                source = topic_title(content, entry.topic)
            elif entry.compute == "fees":
                answer = fee_table(content)
                source = content.offer.funding.heading
                topic = "fees"
            else:  # dates, contact: the same text every time
                answer = topic_summary(content, entry.compute or "")
                source = topic_title(content, entry.compute or "")
                topic = entry.compute
            out.append(_Faq(entry.id, list(entry.ask), answer, source, topic, tuple(entry.related), entry.compute))
        return out

    # ------------------------------------------------------------ answering

    def find(self, question: str) -> Reply:
        """The best answer to a question, or an honest 'not sure' with the closest topics."""
        question = question.strip()[:500]
        query = self.normaliser.words(question)
        normalised = " ".join(query)
        raw = self.normaliser._raw(question)
        for phrase in self.decline:
            if any(tuple(raw[i : i + len(phrase)]) == phrase for i in range(len(raw))):
                return Reply(
                    question,
                    "",
                    None,
                    False,
                    "declined",
                    why=f"decline word {' '.join(phrase)!r}",
                    normalised=normalised,
                )
        area = _AREA.search(question)
        if area and self.content.area(int(area.group(1))) is not None:
            topic = f"area:{int(area.group(1))}"
            return Reply(
                question,
                topic_summary(self.content, topic),
                topic_title(self.content, topic),
                True,
                "content",
                topic,
                why=f"names activity area {area.group(1)}",
                normalised=normalised,
            )
        if not query:
            return Reply(question, "", None, False, "unsure", why="no content words", normalised=normalised)
        faq, faq_score, phrasing = self._best_faq(query)
        ranked = self._rank(query)
        if FEE_WORD in query and self.fees_faq and (faq is None or faq_score < FAQ_MIN or faq.compute == "fees"):
            faq, faq_score, phrasing = self.fees_faq, 100.0, f"{FEE_WORD} (a fee question)"
        if faq is not None and faq_score >= FAQ_MIN:
            return Reply(
                question,
                faq.answer,
                faq.source,
                True,
                "faq",
                faq.topic,
                faq.related,
                self._suggest(ranked, exclude=faq.topic),
                faq.compute,
                f"FAQ {faq.id!r}: phrasing {phrasing!r} scored {faq_score:.0f}",
                normalised,
            )
        if ranked and ranked[0][0] >= CONFIDENT:
            best_score, best = ranked[0]
            return Reply(
                question,
                best.answer,
                best.source,
                True,
                "content",
                best.topic,
                (),
                self._suggest(ranked, exclude=best.topic),
                None,
                f"content {best.key!r} covered {best_score:.2f} of the question's weight",
                normalised,
            )
        suggestions = self._suggest(ranked, exclude=None)
        if faq is not None and faq.topic and faq_score >= FAQ_MIN - 15:
            suggestions = ((topic_title(self.content, faq.topic, short=True), faq.topic), *suggestions)
        suggestions = tuple(dict.fromkeys(suggestions))[:3]
        best = f"{ranked[0][0]:.2f}" if ranked else "none"
        return Reply(
            question,
            "",
            None,
            False,
            "unsure",
            suggestions=suggestions,
            why=f"best FAQ {faq_score:.0f} < {FAQ_MIN:.0f}; best content {best} < {CONFIDENT}",
            normalised=normalised,
        )

    def _best_faq(self, query: list[str]) -> tuple[_Faq | None, float, str]:
        asked = tuple(dict.fromkeys(query))
        if not asked:
            return None, 0.0, ""
        candidates: set[int] = set()
        for word in asked:
            candidates |= self.faq_postings.get(word, set())
            if len(word) >= 4:
                for near, _, _ in process.extract(
                    word, self.faq_vocabulary, scorer=fuzz.ratio, score_cutoff=85, limit=3
                ):
                    candidates |= self.faq_postings[near]
        best: tuple[float, int, str] = (0.0, -1, "")
        for position in sorted(candidates):
            index, phrasing = self.faq_index[position]
            found = self._covered(phrasing, asked)
            wanted = self._covered(asked, phrasing)
            score = 0.0 if not found or not wanted else 200 * found * wanted / (found + wanted)
            if score > best[0]:
                best = (score, index, " ".join(phrasing))
        return (self.faqs[best[1]] if best[1] >= 0 else None), best[0], best[2]

    def _weight(self, word: str) -> float:
        if word.isdigit():
            return 0.5 * self.unknown_weight
        return self.idf.get(word, self.unknown_weight)

    def _covered(self, words: tuple[str, ...], within: tuple[str, ...]) -> float:
        """Share of `words`' weight found in `within` (exactly, or within rapidfuzz ratio 85)."""
        total = sum(self._weight(w) for w in words)
        hit = 0.0
        for word in words:
            if word in within:
                hit += self._weight(word)
            elif len(word) >= 4 and any(len(o) >= 4 and fuzz.ratio(word, o) >= 85 for o in within):
                hit += 0.8 * self._weight(word)
        return hit / total if total else 0.0

    def _rank(self, query: list[str]) -> list[tuple[float, Doc]]:
        unique = list(dict.fromkeys(query))
        near = {w: self._near(w) for w in unique}
        weights = {w: max((self.idf[v] for v, _ in near[w]), default=0.0) for w in unique}
        total = sum(weights.values()) + sum(self.unknown_weight for w in unique if not near[w])
        if total <= 0:
            return []
        totals: dict[int, float] = {}
        for word in unique:
            best: dict[int, float] = {}
            for variant, factor in near[word]:
                for index, in_heading in self.postings.get(variant, ()):
                    value = (1.5 if in_heading else 1.0) * factor
                    if value > best.get(index, 0.0):
                        best[index] = value
            for index, value in best.items():
                totals[index] = totals.get(index, 0.0) + value * weights[word]
        ranked = sorted(totals.items(), key=lambda pair: (-pair[1], pair[0]))  # ties: document order
        return [(min(1.0, score / total), self.docs[index]) for index, score in ranked]

    def _near(self, word: str) -> list[tuple[str, float]]:
        if word in self.idf:
            return [(word, 1.0)]
        if len(word) < 4 or word.isdigit():
            return []
        matches = process.extract(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=85, limit=3)
        return [(match, 0.8) for match, _, _ in matches]

    def _suggest(self, ranked: list[tuple[float, Doc]], exclude: str | None) -> tuple[tuple[str, str], ...]:
        seen: dict[str, str] = {}
        for _, doc in ranked:
            if doc.topic != exclude and doc.topic not in seen:
                seen[doc.topic] = topic_title(self.content, doc.topic, short=True)
            if len(seen) == 3:
                break
        return tuple((title, topic) for topic, title in seen.items())
