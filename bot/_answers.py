"""Answering questions from the content: curated answers, every passage, fees from any phrasing, never a guess.

How a question is answered, so any answer can be explained (`Reply.why`):

1. Words: lower case, curly quotes and dashes straightened, contractions opened ("who's", "whos" →
   "who is"), "Q5.4"/"question 3"/"5.4" made one token, hyphens and -ize spellings evened out. A word
   that is neither in the content, the lexicon nor English (pyspellchecker's word list) is corrected
   to the nearest content word with the same first letter (rapidfuzz OSA similarity ≥ 0.79:
   "safegaurding" → "safeguarding"). Then the lexicon (content/data/lexicon.yaml): `means` turns
   school language into the documents' words ("EHCP" → "additional needs"), `synonyms` turn each group
   into its first word, in questions and content alike; `ignore` words go; the rest is stemmed
   (Snowball, PyStemmer).
2. Declines: a lexicon decline rule (another council, a named person, a phone line, event logistics,
   money the documents don't cover…) or a year the documents never mention ends it: not confident,
   with what the documents do say on the closest topic when the rule names one.
3. Numbered things: "the third aim", "conviction 2", "area 7", "section 11" → that passage.
4. Fees: a question about the subscription (fee words, a school type or a pupil roll) is read by the
   fee parser (bot/_fees.py); every school it describes gets its fee with the working. When the type
   or roll is missing the reply says so (`compute="fees"`: the caller asks or uses the known school),
   unless the question describes no school and a passage fits it better than the fee table ("is the
   sub a big share of our budget"). A money question about something else ("a conference ticket") or
   a school outside Ealing (the documents give no external rates) is declined.
5. Search (bot/_confidence.py): the candidates are the closest curated answer (faq.yaml phrasings by
   weighted word overlap both ways) and the CANDIDATES passages (bot/_passages.py) BM25 (bm25s) ranks
   highest; a passage is found by its words, its titles and how people ask for it (asked.yaml). Each
   candidate is described by FEATURES (how much of the question it covers and of it the question
   covers, its lead over other topics, ties, words the content never uses, what the question asks
   for…), and a logistic model fitted on dev (bot/calibration.json, bench/calibrate.py) gives the
   chance it holds the answer; the most likely one is the answer at the calibrated threshold. A
   question naming "the vision" is answered from the vision only; a question about what the council
   pays never gets the fee table.
6. Several questions in one: when the answer covers less than WHOLE of the question, its parts
   (split at "?", "and", "plus", commas…, never inside a title like "SEN and inclusion") are answered
   one by one; if every part is answered confidently, the answers are given together; if not, the
   partial answer is withheld (a reply to half a question reads as a reply to all of it).
7. The kind of fact asked (_ANSWER_TYPES): "when" wants a month, a year or a frequency, a date
   ("when … this year") a month, "where … held" a place, a price a £ figure, "how often" a frequency,
   "how long" a duration, "how much" £ or %, "how many" a number that is not a year. A curated or
   passage answer without one is withheld ("when is the heads' conference this year" finds the
   conference, not its date).
8. Everyday words, as a second reading: a question not answered confidently (and not declined or a
   fee question missing a detail) is read again with content/data/everyday.yaml's meanings added to
   the lexicon's ("struggling schools" → "no school left behind"); the second
   reading's answer is used only if it is confident (steps 2–7 apply to it too). everyday.yaml was
   written without seeing any question, so it cannot be fitted to the evaluation sets; as a second
   reading it cannot change an answer that was already confident (measured on the holdout: more right
   answers, no more confidently wrong ones; replacing words in every question did less well).
9. Below the threshold, or withheld: "not sure", the most likely candidate shown as possibly related
   (from the calibration's related_threshold), the closest topics as buttons, and the contact.

Calibration: a confident answer should be right. The threshold is chosen on the dev half by leaving
each writer out (most right answers less four times the confidently wrong ones, declining at least
95% of out-of-scope questions) and checked on the holdout (bench/bench_answers.py); withholding an
answer costs little, since the closest passage is still shown, marked as possibly related.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
import weakref
from collections import Counter, OrderedDict
from dataclasses import dataclass, replace
from functools import cache

import bm25s
import numpy as np
import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA
from spellchecker import SpellChecker

from bot._classifier import PassageClassifier
from bot._confidence import Calibration, Candidate, features, intents
from bot._fees import FeeRequest, fee_row, fee_table, money, rate, read_fee_requests, subscription, working
from bot._passages import Passage, build_passages, item_answer
from bot._render import BULLET, topic_full, topic_summary, topic_title
from content import Content, FeeBand, Item, find_item, passage_ids
from content._schema import FaqEntry

FAQ_MIN = 80.0  # a curated phrasing this close (0–100) is "curated" to the model, and suggested when not confident
FAQ_EXACT = 99.9  # the question's words are a curated phrasing's: answered with it unless unlikely (right 86
# of 88 on dev and calibration)
FAQ_CANDIDATE_MIN = 40.0  # the closest curated answer is a candidate from this score
CANDIDATES = 8  # the passages ranked highest are candidates
ASKED_TOP = 3  # and the passages the classifier (bot/_classifier.py) finds likeliest
TIE = 0.05  # passages within TIE of another's coverage fit the question as well
WHOLE = 0.8  # an answer covering less of the question than this may be one of several questions in one
DOCUMENT_YEAR = 2025  # fees are "currently" those of the questionnaire (January to March 2025)
_FEE_WORDS = frozenset({"fee"})
_EXPLICIT_FEE = re.compile(
    r"\b(?:fees?|subscriptions?|subs?|membership fee|contribution fee|we pay|flat rate|per[- ]pupil rate)\b"
    r"|\b(?:our school|my school|do we|would we|will we|should we|for us|for our)\b.*\b(?:pay|cost|charged?|owe)\b"
    r"|\b(?:pay|cost|charged?|owe)\b.*\b(?:our school|my school|for us|for our)\b"
)
_RATES_ASKED = re.compile(r"\b(?:flat rate|per[- ]pupil rate|rates?)\b")
_EXTERNAL = re.compile(r"\b(?:external|non-? ?ealing|outside (?:of )?ealing|other boroughs?|out of borough)\b")
_COUNCIL_PAYS = re.compile(
    r"\b(?:council|la|local authority)\b[^.?!]*\b(?:pay|pays|paying|paid|contribut\w*|put|puts|fund\w*|subsidi[sz]\w*"
    r"|cover\w*|give|gives|top\w* up)\b"
)
_SHARE = re.compile(r"\b(?:share|shares|proportion|percent|percentage|per cent|split)\b|%")
_TOTAL_ASKED = re.compile(r"\b(?:total|altogether|combined|together)\b")
_COMPARED = re.compile(r"\b(?:more|less|difference|cheaper|dearer|compared?|versus|vs)\b")
_ALL_THROUGH = re.compile(r"\ball[- ]?through\b|\bthrough[- ]?schools?\b")
_WHY = re.compile(r"\b(?:why|reason|reasons|reasoning|rationale|justify|justification)\b")
# A census date gives the roll's date, not a fee's year: "Oct 2024 census", "census in January 2025".
_CENSUS_DATE = re.compile(
    r"\b(?:[a-z]{3,9}\.?\s+)?(?:19|20)\d{2}\s+(?:school\s+)?census\b|\bcensus\s+(?:in\s+|of\s+)?(?:[a-z]{3,9}\s+)?(?:19|20)\d{2}\b",
    re.I,
)
_FEE_CONTEXT = frozenset({"fee", "school", "elp", "pupil", "member", "membership", "annual", "total", "core", "year"})
_CONTRACTIONS = {
    "who's": "who is",
    "what's": "what is",
    "where's": "where is",
    "when's": "when is",
    "how's": "how is",
    "it's": "it is",
    "there's": "there is",
    "that's": "that is",
    "isn't": "is not",
    "aren't": "are not",
    "don't": "do not",
    "doesn't": "does not",
    "can't": "cannot",
    "won't": "will not",
    "we're": "we are",
    "i'm": "i am",
    "we've": "we have",
    "i've": "i have",
    "you're": "you are",
    "they're": "they are",
}
_BARE_CONTRACTION = re.compile(
    r"\b(whos|whats|wheres|whens|hows|theres|thats|isnt|arent|dont|doesnt|cant|wont|im|ive|youre|theyre)\b"
)
_YEAR_GROUP = re.compile(r"\b(?:years?|yrs?|y)\s*(\d{1,2})s?\b(?!\s*(?:olds?|old|-|–|to)\b)")  # "yr10s" → "year 10"
_TOKEN = re.compile(r"q\d+(?:_\d+)?|[a-z0-9]+(?:-[a-z0-9]+)*|%")
_QUESTION_ID = re.compile(
    r"\b(?:q|question|qu|qn)\s*\.?\s*(\d{1,2})(?:\s*[._]\s*(\d{1,2}))?\b|(?<![\d.£])\b(5)\.(\d{1,2})\b(?![.\d%])"
)
_AREA = re.compile(  # "area 7", "activity area number 4"; "section 11" (there are 3 sections: the blocks are areas)
    r"\b(?:area|activity area|section 3\.?)\s*(?:is\s+)?(?:number\s+|no\.?\s*|#)?(\d{1,2})\b|\bsection\s+(\d{1,2})\b"
)
_ORDINAL = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|1st|2nd|3rd|[4-9]th|10th)\s+"
    r"(aim|conviction|section|priority|area|activity area|pledge theme|theme)s?\b"
    r"|\b(aim|conviction|section|priority)\s+(?:number\s+|no\.?\s*)?(\d{1,2})\b"
)
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
_IZE = re.compile(r"(?<=[a-z]{3})iz(e|es|ed|ing|ation|ations)$")
_NAME = re.compile(r"(?<![\w'’.@/])[A-Z][a-z]{2,}(?:[A-Z][a-z]+)*\b(?!['’]?\w)")
_YEARS = re.compile(r"\b((?:19|20)\d{2})\b")
_SHORT_YEARS = re.compile(r"(?<![\d/£.])\b(\d{2})\s*/\s*(\d{2})\b(?![/\d])")  # "26/27": an academic year


_BUILT: OrderedDict[int, tuple[weakref.ref[Content], Answerer]] = OrderedDict()
_BUILT_LOCK = threading.Lock()


def answerer_for(content: Content) -> Answerer:
    """The answerer for a loaded Content, built once (about 0.3 s) and shared by the engines that use it."""
    with _BUILT_LOCK:
        hit = _BUILT.get(id(content))
        if hit is not None and hit[0]() is content:
            _BUILT.move_to_end(id(content))
            return hit[1]
    answerer = Answerer(content)
    with _BUILT_LOCK:
        _BUILT[id(content)] = (weakref.ref(content), answerer)
        while len(_BUILT) > 4:  # a few contents at most: an answerer keeps its content alive
            _BUILT.popitem(last=False)
    return answerer


def years_in(text: str) -> list[str]:
    """Four-digit years a question names, with academic years written "26/27" read as 2026."""
    found = _YEARS.findall(text)
    for first, second in _SHORT_YEARS.findall(text):
        if int(second) == int(first) + 1:
            found.append(f"20{first}")
    return found


@cache
def _english() -> SpellChecker:
    """pyspellchecker's English word list (loaded once): a real word is never "corrected"."""
    return SpellChecker(language="en")


def _straighten(text: str) -> str:
    text = text.casefold().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.replace("–", "-").replace("—", "-").replace("‑", "-")
    for short, full in _CONTRACTIONS.items():
        text = text.replace(short, full)
    text = _BARE_CONTRACTION.sub(lambda m: _CONTRACTIONS[_apostrophe(m.group(1))], text)
    text = _YEAR_GROUP.sub(lambda m: f"year {int(m.group(1))}" if int(m.group(1)) <= 13 else m.group(0), text)
    text = _QUESTION_ID.sub(_question_token, text)
    return re.sub(r"'s\b", "", text).replace("'", "")


def _apostrophe(word: str) -> str:
    """ "dont" → "don't", "im" → "i'm", "youre" → "you're": the contraction it was typed for."""
    for ending in ("re", "ve", "m", "s", "t"):
        if word.endswith(ending) and word[: -len(ending)] + "'" + ending in _CONTRACTIONS:
            return word[: -len(ending)] + "'" + ending
    return word


def _question_token(match: re.Match[str]) -> str:
    number, sub = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return f" q{number}" + (f"_{sub}" if sub else "") + " "


def tokens(text: str) -> list[str]:
    """Raw tokens: lower case, straightened; "mind-set" is "mindset" (not "3-11"); -ize spelt -ise."""
    out: list[str] = []
    for token in _TOKEN.findall(_straighten(text)):
        if "-" in token and not token.replace("-", "").isdigit():
            token = token.replace("-", "")
        out.append(_IZE.sub(r"is\1", token))
    return out


class Normaliser:
    """Turns text into canonical, stemmed content words with the lexicon's synonyms and meanings."""

    def __init__(
        self,
        synonyms: list[list[str]],
        means: dict[str, str] | None = None,
        ignore: list[str] = (),
        everyday: dict[str, str] | None = None,
    ):
        self.stemmer = Stemmer.Stemmer("english")
        self.ignore = frozenset(w for word in ignore for w in tokens(word))
        self.phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for group in synonyms:
            canonical = tuple(_plain(group[0]))
            for variant in group:
                self.phrases[tuple(_plain(variant))] = canonical
        self.means: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.longest = max((len(p) for p in self.phrases), default=1)
        for word, meaning in (means or {}).items():
            self.means[tuple(_plain(word))] = tuple(self._apply(_plain(meaning), self.phrases))
        self.everyday: dict[tuple[str, ...], tuple[str, ...]] = {}
        for word, meaning in (everyday or {}).items():
            key = tuple(_plain(word))
            if key not in self.means and key not in self.phrases:  # the hand-written lexicon wins
                self.everyday[key] = tuple(self._apply(_plain(meaning), self.phrases))
        self.longest = max((len(p) for p in [*self.phrases, *self.means, *self.everyday]), default=1)

    def _apply(self, raw: list[str], *tables: dict[tuple[str, ...], tuple[str, ...]]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(raw):
            for size in range(min(self.longest, len(raw) - i), 0, -1):
                key = tuple(raw[i : i + size])
                found = next((t[key] for t in tables if key in t), None)
                if found is not None:
                    out.extend(found)
                    i += size
                    break
            else:
                out.append(raw[i])
                i += 1
        return out

    def canonical(self, raw: list[str], question: bool = True, everyday: bool = False) -> list[str]:
        """Synonyms (and, for questions, the lexicon's meanings, and with `everyday` everyday.yaml's) applied to
        raw tokens, stop words kept."""
        if not question:
            return self._apply(raw, self.phrases)
        return self._apply(raw, self.means, self.phrases, *([self.everyday] if everyday else []))

    def stems(self, canonical: list[str]) -> list[str]:
        """Stop words dropped, the rest stemmed."""
        kept = [w for w in canonical if w not in self.ignore and (len(w) > 1 or w == "%" or w.isdigit())]
        return [
            w if w.startswith("q") and w[1:2].isdigit() else s
            for w, s in zip(kept, self.stemmer.stemWords(kept), strict=True)
        ]

    def words(self, text: str, question: bool = True) -> list[str]:
        """Canonical, stemmed content words, in order."""
        return self.stems(self.canonical(tokens(text), question))


def _plain(text: str) -> list[str]:
    return tokens(text)


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer (or an honest non-answer) with everything a channel or the CLI needs."""

    question: str
    answer: str
    source: str | None
    confident: bool
    kind: str  # faq | content | fee | declined | unsure
    topic: str | None = None
    related: tuple[str, ...] = ()
    suggestions: tuple[tuple[str, str], ...] = ()  # (title, topic)
    compute: str | None = None  # "fees": the type or roll is missing; the caller asks or knows the school
    why: str = ""
    normalised: str = ""
    fees: tuple[FeeRequest, ...] = ()  # every school the question described, as parsed


@dataclass(frozen=True, slots=True)
class _Scored:
    """A passage BM25 found, with how much of the question it covers and how much of it the question covers."""

    index: int
    coverage: float
    body_coverage: float
    precision: float
    bm25: float
    matched: frozenset[str]


@dataclass
class _Faq:
    id: str
    phrasings: list[str]
    answer: str
    source: str | None
    topic: str | None
    related: tuple[str, ...]
    compute: str | None


@dataclass(frozen=True)
class _Rule:
    id: str
    words: tuple[tuple[str, ...], ...]
    unless: tuple[tuple[str, ...], ...]
    related: str | None


class Answerer:
    """Searches the content; build once per content load."""

    def __init__(self, content: Content, calibration: Calibration | None = None):
        self.content = content
        self.calibration = calibration or Calibration.load()
        lexicon = content.lexicon
        self.normaliser = Normaliser(lexicon.synonyms, lexicon.means, lexicon.ignore, content.everyday.means)
        self.rules = [
            _Rule(
                r.id,
                tuple(tuple(tokens(w)) for w in r.words),
                tuple(tuple(tokens(w)) for w in r.unless),
                r.related,
            )
            for r in lexicon.declines
        ]
        self.rule_phrases: dict[str, list[tuple[str, int, tuple[str, ...]]]] = {}
        for n, rule in enumerate(self.rules):
            for kind, phrases in (("words", rule.words), ("unless", rule.unless)):
                for phrase in phrases:
                    if phrase:
                        self.rule_phrases.setdefault(phrase[0], []).append((kind, n, phrase))
        self.passages = build_passages(content)
        self.index = {passage.key: n for n, passage in enumerate(self.passages)}
        self.faqs = self._faqs(content)
        # Spelling: the content's own raw words, the lexicon's and the FAQ's; anything else may be a typo.
        known: set[str] = set(self.normaliser.ignore)
        for passage in self.passages:
            known.update(tokens(f"{passage.answer} {passage.source} {passage.about}"))
        for group in lexicon.synonyms:
            for word in group:
                known.update(tokens(word))
        for word, meaning in lexicon.means.items():
            known.update(tokens(word) + tokens(meaning))
        for faq in self.faqs:
            for phrasing in faq.phrasings:
                known.update(tokens(phrasing))
        spellable: dict[str, list[str]] = {}
        for word in sorted(known):
            if len(word) >= 4 and word.isalpha():
                spellable.setdefault(word[0], []).append(word)
        self.spellable = spellable
        for rule in lexicon.declines:  # known (never corrected), but never a correction's target
            for word in [*rule.words, *rule.unless]:
                known.update(tokens(word))
        self.known = known
        words = self.normaliser.words
        # A curated phrasing also describes the passages its answer quotes: what people call them.
        self.faq_keys = {
            faq.id: frozenset(self._faq_passages(entry))
            for entry, faq in zip(content.faq.entries, self.faqs, strict=True)
        }
        asked_as: dict[str, list[str]] = {}
        for faq in self.faqs:
            for key in sorted(self.faq_keys[faq.id]):
                asked_as.setdefault(key, []).extend(faq.phrasings)
        # How people ask for a passage (asked.yaml), spelt as the content spells it.
        keys = passage_ids(content) | {item.key for item in content.items}
        for asked in content.asked.asked:
            key = asked.about if asked.about in keys else find_item(content.items, asked.about)[0].key
            asked_as.setdefault(key, []).extend(" ".join(self._spell(tokens(q))) for q in asked.ask)
        self.bodies, self.abouts = [], []
        self.pairs: list[frozenset[tuple[str, str]]] = []  # neighbouring word pairs, for phrases the question shares
        content_words: set[str] = set()  # the content's own words (not how people ask for it)
        examples: list[list[list[str]]] = []  # per passage: how people ask for it, then its own words
        for passage in self.passages:
            shown = {"topic": "", "section": "", "question": passage.answer.split("\n\n")[0]}.get(
                passage.kind, passage.answer
            )
            shown_words = words(shown, question=False)
            title_words = words(f"{passage.source} {passage.about}", question=False)
            asked_words = [words(p) for p in asked_as.get(passage.key, [])]
            body = frozenset(shown_words)
            about = frozenset(title_words).union(*asked_words)
            if passage.kind != "question":  # "Q3" means the question itself, not a passage that lists it
                body, about = (
                    frozenset(w for w in body if not _is_qid(w)),
                    frozenset(w for w in about if not _is_qid(w)),
                )
            self.bodies.append(body)
            content_words.update(shown_words, title_words)
            self.pairs.append(_pairs(shown_words).union(_pairs(title_words), *map(_pairs, asked_words)))
            self.abouts.append(about)
            examples.append([*asked_words, [*shown_words, *title_words]])
        self.content_words = frozenset(content_words)
        # The passages, then "not in the documents" (asked.yaml's not_answered), as the classifier's classes.
        examples.append([words(" ".join(self._spell(tokens(q)))) for q in content.asked.not_answered])
        self.classifier = PassageClassifier(
            [(words, n) for n, phrasings in enumerate(examples) for words in phrasings], len(examples)
        )
        counts: Counter[str] = Counter()
        for body, about in zip(self.bodies, self.abouts, strict=True):
            counts.update(body | about)
        n = len(self.passages)
        self.idf = {w: math.log(1 + n / c) for w, c in counts.items()}
        self.own_weight = [sum(self.idf[w] for w in b | a) for b, a in zip(self.bodies, self.abouts, strict=True)]
        weights = sorted(self.idf.values())
        self.unknown_weight = weights[len(weights) // 2] if weights else 1.0
        table = next(i for i, p in enumerate(self.passages) if p.key == "fee-table")
        self.fee_context = _FEE_CONTEXT | self.bodies[table] | self.abouts[table]
        # Words of the funding and membership paragraphs: a money question using them is about funding.
        self.funding_words = (
            frozenset(
                w
                for p, body in zip(self.passages, self.bodies, strict=True)
                if p.key.startswith(("funding:", "external:"))
                for w in body
            )
            - self.fee_context
        )
        self.bm25 = bm25s.BM25()
        self.bm25.index(
            [sorted(b | a) or ["-"] for b, a in zip(self.bodies, self.abouts, strict=True)], show_progress=False
        )
        self.faq_index = [(i, tuple(dict.fromkeys(words(p)))) for i, f in enumerate(self.faqs) for p in f.phrasings]
        self.faq_phrasings: dict[str, list[tuple[str, ...]]] = {}
        for i, phrasing in self.faq_index:
            self.faq_phrasings.setdefault(self.faqs[i].id, []).append(phrasing)
        self.faq_postings: dict[str, set[int]] = {}
        for position, (_, phrasing) in enumerate(self.faq_index):
            for word in phrasing:
                self.faq_postings.setdefault(word, set()).add(position)
        titles = {t.strip() for p in self.passages for t in p.source.split(" › ")}
        self.and_titles = tuple(
            sorted({" ".join(_straighten(t).split()) for t in titles if " and " in t.casefold()}, key=len, reverse=True)
        )
        vision = content.vision
        self.vision_word = self.normaliser.words("vision", question=False)[0]
        self.vision_sources = (vision.title, *(f.heading for f in vision.frames))
        self.fees_faq = next((f for f in self.faqs if f.compute == "fees"), None)
        years = set(_YEARS.findall(" ".join(p.answer for p in self.passages)))
        years |= {str(content.consultation.opens.year), str(content.consultation.closes.year)}
        self.years = years
        offer_years = sorted(int(y) for y in years_in(content.offer.document.title))  # "2026 – 2029"
        self.offer_years = (offer_years[0], offer_years[-1]) if offer_years else (DOCUMENT_YEAR, DOCUMENT_YEAR)

    # ------------------------------------------------------------ building

    def _faq_passages(self, entry: FaqEntry) -> list[str]:
        """Keys of the passages a curated entry answers with."""
        if entry.quote:
            return [find_item(self.content.items, q)[0].key for q in entry.quote]
        if entry.topic:
            return [f"topic:{entry.topic}"]
        return [{"fees": "fee-table"}.get(entry.compute or "", entry.compute or "")]

    def _faqs(self, content: Content) -> list[_Faq]:
        out = []
        for entry in content.faq.entries:
            answer, source, topic = "", None, entry.topic
            if entry.quote:
                items: list[Item] = [find_item(content.items, q)[0] for q in entry.quote]
                unique = list(dict.fromkeys(items))
                texts = [item_answer(content, i) for i in unique]
                lines = texts if len(unique) == 1 else [BULLET + t for t in texts]
                answer = "\n".join(([entry.lead] if entry.lead else []) + lines)
                source = "; ".join(dict.fromkeys(i.source for i in unique))
                topic = unique[0].topic
            elif entry.topic:
                answer = topic_full(content, entry.topic)
                source = topic_title(content, entry.topic)
            elif entry.compute == "fees":
                answer = content.say("fee_table_intro") + "\n" + fee_table(content)
                source = content.offer.funding.heading
                topic = "fees"
            else:  # dates, contact: the passage with the same text
                passage = next(p for p in self.passages if p.key == entry.compute)
                answer, source, topic = passage.answer, passage.source, entry.compute
            out.append(_Faq(entry.id, list(entry.ask), answer, source, topic, tuple(entry.related), entry.compute))
        return out

    # ------------------------------------------------------------ answering

    def find(self, question: str) -> Reply:
        """The best answer to a question, or an honest 'not sure' with the closest topics."""
        question = question.strip()[:500]
        reply, covered = self._find_one(question)
        if reply.kind == "fee" and reply.confident and reply.compute is None:
            return self._fee_and_more(question, reply)
        several = _SEVERAL.search(question) is not None  # "…for our ECTs? and how often is…": two questions
        if (
            reply.kind == "declined"
            or reply.compute == "fees"
            or (reply.confident and covered >= WHOLE and not several)
        ):
            return reply
        parts = [p for p in _split(question, self.and_titles, fee=reply.kind == "fee") if p]
        if len(parts) < 2:
            return reply
        answers = [self._find_one(part)[0] for part in parts]
        answers = [a for a in answers if a.normalised]  # parts with no content words ("pls") say nothing
        if len(answers) < 2:
            return reply
        if not all(a.confident and a.compute is None for a in answers):
            # several questions, not all answerable: the partial answer is offered, not asserted
            return self._unsure(reply, "several questions in one, not all answered")
        unique = list({a.answer: a for a in answers}.values())
        if len(unique) < 2:
            return reply
        first = unique[0]
        return Reply(
            question,
            "\n\n".join(a.answer for a in unique),
            "; ".join(dict.fromkeys(a.source for a in unique if a.source)),
            True,
            first.kind,
            first.topic,
            tuple(dict.fromkeys(t for a in unique[1:] for t in (a.topic,) if t and t != first.topic))[:2],
            first.suggestions,
            None,
            " + ".join(f"[{a.why}]" for a in unique),
            reply.normalised,
            tuple(r for a in unique for r in a.fees),
        )

    def _fee_and_more(self, question: str, fee: Reply) -> Reply:
        """A fee with the working, and the other questions asked with it ("…and what do we get?") when they
        are answered confidently; a part describing no school and not about the fee is another question."""
        extra: list[Reply] = []
        for part in _split(question, self.and_titles, fee=True):
            if not part or read_fee_requests(part):
                continue  # the fee itself ("what do we pay", the fee table) is already answered
            answer = self._find_one(part)[0]
            if answer.confident and answer.kind in {"faq", "content"} and answer.compute is None:
                extra.append(answer)
        if not extra:
            return fee
        unique = list({a.answer: a for a in extra}.values())
        return replace(
            fee,
            answer="\n\n".join([fee.answer, *(a.answer for a in unique)]),
            source="; ".join(dict.fromkeys(a.source for a in [fee, *unique] if a.source)),
            related=tuple(dict.fromkeys(a.topic for a in unique if a.topic)),
            why=" + ".join(f"[{a.why}]" for a in [fee, *unique]),
        )

    def _find_one(self, question: str) -> tuple[Reply, float]:
        """One question's reply and its coverage; read again with everyday.yaml's words when not confident."""
        reply, covered = self._find_typed(question, everyday=False)
        if reply.confident or reply.kind == "declined" or reply.compute or not self.normaliser.everyday:
            return reply, covered
        second, second_covered = self._find_typed(question, everyday=True)
        if not second.confident:
            return reply, covered
        return replace(second, why=f"read with everyday.yaml: {second.why}"), second_covered

    def _find_typed(self, question: str, everyday: bool) -> tuple[Reply, float]:
        """One question's reply and its coverage, withheld when it lacks the kind of fact the question asks for."""
        reply, covered = self._find_matched(question, everyday)
        if reply.confident and reply.kind in {"faq", "content"}:
            asked = _asks_for(_straighten(question))
            if asked is not None and not _ANSWER_TYPES[asked][1].search(f"{reply.answer}\n{reply.source or ''}"):
                return self._unsure(reply, f"asks {asked}, and the answer has none"), 0.0
        return reply, covered

    def _find_matched(
        self, question: str, everyday: bool, collect: list[list[Candidate]] | None = None
    ) -> tuple[Reply, float]:
        """One question's reply and the share of the question it covers (1 for rules, fees and curated answers)."""
        raw = self._spell(tokens(question))
        canonical = self.normaliser.canonical(raw, everyday=everyday)
        query = self.normaliser.stems(canonical)
        normalised = " ".join(query)
        declined = self._declined(question, raw, query, normalised)
        if declined is not None:
            return declined, 1.0
        numbered = self._numbered(question, normalised)
        if numbered is not None:
            return numbered, 1.0
        straight = _straighten(question)
        area = _AREA.search(straight)
        sections = len(self.content.consultation.sections)
        numbered_area = None
        if area is not None:
            numbered_area = area.group(1) or (area.group(2) if int(area.group(2) or 0) > sections else None)
        if numbered_area and self.content.area(int(numbered_area)) is not None:
            topic = f"area:{int(numbered_area)}"
            return Reply(
                question,
                topic_summary(self.content, topic),
                topic_title(self.content, topic),
                True,
                "content",
                topic,
                why=f"names activity area {numbered_area}",
                normalised=normalised,
            ), 1.0
        if not query:
            return Reply(question, "", None, False, "unsure", why="no content words", normalised=normalised), 0.0
        faq, faq_score, phrasing, faq_covered, faq_found = self._best_faq(query)
        asked = self.classifier.probabilities(query)  # each passage's chance, then "not in the documents"
        likeliest = tuple(int(i) for i in np.argsort(-asked[:-1], kind="stable")[:ASKED_TOP])
        scored = self._scored(query, also=likeliest)
        if self.vision_word in query:  # "the vision": only the vision document's passages will do
            scored = [s for s in scored if self.passages[s.index].source.startswith(self.vision_sources)]
        ranked = [(s.coverage, self.passages[s.index]) for s in scored]
        fee = self._fee(question, query, faq, faq_score, ranked, normalised)
        if fee is not None:
            return fee, 1.0
        if faq is not None and faq.compute == "fees" and faq_score >= FAQ_MIN - 1e-6:
            # "how much do we pay": the fee, once the school is known (the caller asks or knows it)
            why = f"FAQ {faq.id!r}: phrasing {phrasing!r} scored {faq_score:.0f}"
            suggestions = self._suggest(ranked, exclude=faq.topic)
            return Reply(
                question,
                faq.answer,
                faq.source,
                True,
                "faq",
                faq.topic,
                faq.related,
                suggestions,
                "fees",
                why,
                normalised,
            ), 1.0
        candidates = self._candidates(
            question, query, scored, asked, likeliest, faq, faq_score, faq_covered, faq_found, everyday
        )
        if _COUNCIL_PAYS.search(straight):  # the council's part is in the funding facts, not the fee table
            candidates = [c for c in candidates if c.key != "fee-table" and c.compute != "fees"]
        if collect is not None:
            collect.append(candidates)
        return self._decide(question, candidates, ranked, normalised, faq, faq_score, phrasing)

    def candidate_sets(self, question: str) -> list[list[Candidate]]:
        """The candidates of each reading (plain, then with everyday.yaml's words) that reaches the search step:
        what bench/calibrate.py fits the confidence model on."""
        out = []
        for everyday in (False, True):
            seen: list[list[Candidate]] = []
            self._find_matched(question, everyday, collect=seen)
            out.extend(seen)
        return out

    def _decide(
        self,
        question: str,
        candidates: list[Candidate],
        ranked: list[tuple[float, Passage]],
        normalised: str,
        faq: _Faq | None,
        faq_score: float,
        phrasing: str,
    ) -> tuple[Reply, float]:
        """The most probable candidate as a confident answer at the calibrated threshold; otherwise not sure."""
        calibration = self.calibration
        best, chance = None, 0.0
        for candidate in candidates:
            p = calibration.probability(candidate.features)
            if candidate.kind == "faq" and faq_score >= FAQ_EXACT and p >= calibration.related_threshold:
                p = max(p, calibration.threshold)  # a curated phrasing, word for word, and not unlikely: curated
            if p > chance:
                best, chance = candidate, p
        if best is not None and chance >= calibration.threshold:
            why = f"{best.key} at {chance:.2f}"
            if best.kind == "faq":
                why += f" (phrasing {phrasing!r} scored {faq_score:.0f})"
            return Reply(
                question,
                best.answer,
                best.source,
                True,
                best.kind,
                best.topic,
                best.related,
                self._suggest(ranked, exclude=best.topic),
                best.compute if best.compute == "fees" else None,
                why,
                normalised,
            ), best.coverage
        suggestions = self._suggest(ranked, exclude=None)
        if faq is not None and faq.topic and faq_score >= FAQ_MIN - 15:
            suggestions = ((topic_title(self.content, faq.topic, short=True), faq.topic), *suggestions)
        suggestions = tuple(dict.fromkeys(suggestions))[:3]
        shown = best is not None and chance >= calibration.related_threshold and best.compute is None
        return Reply(
            question,
            best.answer if shown and best is not None else "",  # shown as possibly related
            None,
            False,
            "unsure",
            suggestions=suggestions,
            why=f"best candidate {best.key if best else None} at {chance:.2f} < {calibration.threshold:.2f}",
            normalised=normalised,
        ), 0.0

    def _candidates(
        self,
        question: str,
        query: list[str],
        scored: list[_Scored],
        asked: np.ndarray,
        likeliest: tuple[int, ...],
        faq: _Faq | None,
        faq_score: float,
        faq_covered: float,
        faq_found: float,
        everyday: bool,
    ) -> list[Candidate]:
        """The closest curated answer and the best-ranked passages, each with the features the model reads."""
        unique = list(dict.fromkeys(query))
        total = sum(self._weight(w) for w in unique) or 1.0
        unknown = sum(self._weight(w) for w in unique if w not in self.idf) / total
        length = math.log1p(len(unique))
        top_bm25 = max((s.bm25 for s in scored), default=1.0) or 1.0
        faq_keys = self.faq_keys[faq.id] if faq is not None else frozenset()
        faq_part = faq_score / 100 if faq is not None else 0.0
        heaviest = max((self._weight(w) for w in unique), default=1.0) or 1.0
        asked_pairs = _pairs(query)
        named = {w.replace("_", ".") for w in unique if _is_qid(w)}  # "Q5.4" → "q5.4"
        asks = intents(question)

        def missing(matched: frozenset[str]) -> tuple[float, float, float]:
            """The heaviest question word the candidate lacks and the heaviest it has (over the question's
            heaviest), and log(1 + how many it has)."""
            lacks = max((self._weight(w) for w in unique if w not in matched), default=0.0) / heaviest
            has = max((self._weight(w) for w in unique if w in matched), default=0.0) / heaviest
            return lacks, has, math.log1p(len(matched))

        def phrases(pairs: frozenset[tuple[str, str]]) -> float:
            """Share of the question's neighbouring word pairs the candidate also has side by side."""
            return len(asked_pairs & pairs) / len(asked_pairs) if asked_pairs else 0.0

        outside = float(asked[-1])  # the chance it asks for something the documents do not have
        asked = asked[:-1]
        peak = float(asked.max())
        out = []
        for s in [s for n, s in enumerate(scored) if n < CANDIDATES or s.index in likeliest]:
            passage = self.passages[s.index]
            others = max((o.coverage for o in scored if self.passages[o.index].topic != passage.topic), default=0.0)
            lacks, has, matched = missing(s.matched)
            vector = features(
                coverage=s.coverage,
                body_coverage=s.body_coverage,
                precision=s.precision,
                bm25=s.bm25 / top_bm25,
                first=s.bm25 >= top_bm25,
                lead=s.coverage - others,
                tied=math.log1p(sum(1 for o in scored if o is not s and o.coverage >= s.coverage - TIE)),
                unknown=unknown,
                length=length,
                faq=faq_part if passage.key in faq_keys else 0.0,
                is_faq=0.0,
                is_topic=passage.kind in {"topic", "section"},
                is_question=passage.kind == "question",
                is_meta=passage.kind in {"document", "dates", "fees"},
                everyday=everyday,
                lacks=lacks,
                has=has,
                matched=matched,
                phrases=phrases(self.pairs[s.index]),
                named=passage.kind == "question" and passage.key.partition(":")[2] in named,
                curated=0.0,
                asked=asked[s.index],
                asked_first=asked[s.index] >= peak,
                asked_peak=peak,
                asked_none=outside,
                **asks,
            )
            out.append(
                Candidate(passage.key, passage.answer, passage.source, passage.topic, "content", vector, s.coverage)
            )
        if faq is not None and faq_score >= FAQ_CANDIDATE_MIN:
            phrasings = self.faq_phrasings[faq.id]
            faq_words = frozenset(w for words in phrasings for w in words)
            quoted = [s for s in scored if self.passages[s.index].key in faq_keys]
            faq_indices = [self.index[key] for key in faq_keys]
            others = max((s.coverage for s in scored if self.passages[s.index].topic != faq.topic), default=0.0)
            lacks, has, matched = missing(frozenset(w for w in unique if w in faq_words))
            vector = features(
                coverage=faq_covered,
                body_coverage=faq_covered,
                precision=faq_found,
                bm25=max((s.bm25 for s in quoted), default=0.0) / top_bm25,
                first=any(s.bm25 >= top_bm25 for s in quoted),
                lead=faq_covered - others,
                tied=0.0,
                unknown=unknown,
                length=length,
                faq=faq_part,
                is_faq=1.0,
                is_topic=0.0,
                is_question=0.0,
                is_meta=faq.compute is not None,
                everyday=everyday,
                lacks=lacks,
                has=has,
                matched=matched,
                phrases=max((phrases(_pairs(list(words))) for words in phrasings), default=0.0),
                named=0.0,
                curated=faq_score >= FAQ_MIN - 1e-6,
                asked=max((asked[i] for i in faq_indices), default=0.0),
                asked_first=any(asked[i] >= peak for i in faq_indices),
                asked_peak=peak,
                asked_none=outside,
                **asks,
            )
            out.append(
                Candidate(
                    f"faq:{faq.id}",
                    faq.answer,
                    faq.source,
                    faq.topic,
                    "faq",
                    vector,
                    faq_covered,
                    faq.related,
                    faq.compute,
                )
            )
        return out

    def _unsure(self, reply: Reply, why: str) -> Reply:
        """A reply withheld: not confident, its own topic first among the closest topics offered."""
        suggestions = reply.suggestions
        if reply.topic and self.content.has_topic(reply.topic):
            suggestions = ((topic_title(self.content, reply.topic, short=True), reply.topic), *suggestions)
        return Reply(
            reply.question,
            reply.answer if reply.kind in {"faq", "content"} else "",  # the withheld answer: possibly related
            None,
            False,
            "unsure",
            suggestions=tuple(dict.fromkeys(suggestions))[:3],
            why=f"{why} ({reply.why})",
            normalised=reply.normalised,
        )

    # ------------------------------------------------------------ steps

    def _numbered(self, question: str, normalised: str) -> Reply | None:
        """ "the third aim", "conviction 2", "the first section": that one passage."""
        match = _ORDINAL.search(_straighten(question))
        if match is None:
            return None
        word, kind = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        offer, vision = self.content.offer, self.content.vision
        keys = {
            "aim": [f"aims:{a.id}" for a in offer.aims.items],
            "conviction": [f"convictions:{c.id}" for c in offer.convictions.items],
            "section": [f"section:{s.id}" for s in self.content.consultation.sections],
            "priority": [f"topic:priority:{p.id}" for p in vision.priorities],
            "area": [f"topic:area:{a.number}" for a in offer.activity_areas],
            "activity area": [f"topic:area:{a.number}" for a in offer.activity_areas],
            "pledge theme": [f"topic:pledges:{t.id}" for t in vision.pledge_themes],
            "theme": [f"topic:pledges:{t.id}" for t in vision.pledge_themes],
        }[kind]
        if word == "last":
            position = len(keys)
        elif word.isdigit():
            position = int(word)
        elif word[0].isdigit():
            position = int(word[:-2])
        else:
            position = _ORDINALS.index(word) + 1
        if not 1 <= position <= len(keys):
            return None
        passage = next(p for p in self.passages if p.key == keys[position - 1])
        why = f"the {word} {kind}"
        return Reply(
            question, passage.answer, passage.source, True, "content", passage.topic, why=why, normalised=normalised
        )

    def _spell(self, raw: list[str]) -> list[str]:
        """Misspelt words corrected to the nearest word of the content, lexicon or FAQ (same first letter)."""
        english = _english()
        out = []
        for word in raw:
            if word in self.known or len(word) < 4 or not word.isalpha() or english.known([word]):
                out.append(word)
                continue
            cutoff = 0.79 if len(word) < 8 else 0.74  # one slip (a transposition counts as one) in five letters
            candidates = self.spellable.get(word[0], [])
            match = process.extractOne(word, candidates, scorer=OSA.normalized_similarity, score_cutoff=cutoff)
            out.append(match[0] if match else word)
        return out

    def _declined(self, question: str, raw: list[str], query: list[str], normalised: str) -> Reply | None:
        found = self._phrases_in(raw)
        for n, rule in enumerate(self.rules):
            hit = next((phrase for kind, index, phrase in found if kind == "words" and index == n), None)
            if hit is None or any(kind == "unless" and index == n for kind, index, _ in found):
                continue
            return self._decline(question, f"decline rule {rule.id!r}: {' '.join(hit)!r}", rule.related, normalised)
        fee_question = bool(_FEE_WORDS & set(query)) or bool(_EXPLICIT_FEE.search(_straighten(question)))
        name = None if fee_question else self._unknown_name(question)  # a school's name: the directory's job
        if name is not None:
            return self._decline(question, f"names {name!r}, which the documents never mention", None, normalised)
        years = [y for y in years_in(_CENSUS_DATE.sub(" ", question)) if y not in self.years]
        if years:
            related = "fees" if _FEE_WORDS & set(query) else None
            return self._decline(question, f"year {years[0]} is not in the documents", related, normalised)
        return None

    def _unknown_name(self, question: str) -> str | None:
        """A capitalised name ("Instagram", "Hillingdon") that neither the content nor the lexicon knows."""
        for match in _NAME.finditer(question):
            word = match.group(0)
            lowered = word.casefold()
            forms = {lowered, _IZE.sub(r"is\1", lowered), lowered.removesuffix("s"), lowered.removesuffix("'s")}
            if forms & self.known or f"{lowered.removesuffix('s')}'s" in self.known:  # "Citizens": citizen's
                continue
            first = match.start() == 0 or question[: match.start()].rstrip()[-1:] in ".?!"
            if not first or not _english().known([lowered]):
                return word
        return None

    def _phrases_in(self, raw: list[str]) -> list[tuple[str, int, tuple[str, ...]]]:
        """(words|unless, rule number, phrase) for every rule phrase in the question, in rule order."""
        found = []
        for i, token in enumerate(raw):
            for kind, index, phrase in self.rule_phrases.get(token, ()):
                if tuple(raw[i : i + len(phrase)]) == phrase:
                    found.append((kind, index, phrase))
        return sorted(found, key=lambda hit: hit[1])

    def _decline(self, question: str, why: str, related: str | None, normalised: str) -> Reply:
        answer, suggestions = "", ()
        if related is not None:
            key = {"fees": "fee-table", "contact": "contact"}.get(related, f"topic:{related}")
            answer = next((p.answer for p in self.passages if p.key == key), "")
            suggestions = ((topic_title(self.content, related, short=True), related),)
        return Reply(question, answer, None, False, "declined", related, (), suggestions, None, why, normalised)

    def _fee(
        self,
        question: str,
        query: list[str],
        faq: _Faq | None,
        faq_score: float,
        ranked: list[tuple[float, Passage]],
        normalised: str,
    ) -> Reply | None:
        """A subscription question: the fee of every school described, or what is missing."""
        straight = _straighten(question)
        if _WHY.search(straight):  # "why do special schools pay nothing per pupil": a reason, not a sum
            return None
        if _COUNCIL_PAYS.search(straight):  # the council's part: the funding facts, not a fee
            return None
        requests = read_fee_requests(question)
        typed = [r for r in requests if r.band is not None]
        rolls = [r for r in requests if r.pupils is not None]
        words = set(query)
        fee_word = bool(_FEE_WORDS & words)
        explicit = bool(_EXPLICIT_FEE.search(straight))
        if not typed and not (fee_word and rolls):
            if not fee_word:
                return None
            if (words & self.funding_words or _SHARE.search(straight)) and not explicit:
                return None  # "how much does the council pay", "what share do schools pay": the funding facts
            if faq is not None and faq_score >= FAQ_MIN and faq.compute != "fees":
                return None  # another curated answer about money (the budget share, the funding split)
            others = [w for w in words if w in self.content_words and w not in self.fee_context]
            if others and not explicit:  # "how much is a conference ticket": money, but not the subscription
                why = f"a price of something other than the subscription ({', '.join(sorted(others))})"
                return self._decline(question, why, "fees", normalised)
        if not fee_word and typed and not rolls and not explicit and not _TOTAL_ASKED.search(straight):
            return None  # "training for special schools": a school type, but not a fee question
        if any(r.band == "none" for r in requests):
            return self._decline(question, "a kind of school with no fee band", "fees", normalised)
        if _EXTERNAL.search(straight):  # the documents give no external rates, only that they exist
            return self._decline(question, "a fee for a school outside Ealing", "external_membership", normalised)
        years = [int(y) for y in years_in(_CENSUS_DATE.sub(" ", question)) if int(y) != DOCUMENT_YEAR]
        outside = [y for y in years if not self.offer_years[0] <= y <= self.offer_years[1]]
        if outside:
            return self._decline(
                question, f"a fee for {outside[0]}: the documents give only current fees", "fees", normalised
            )
        if not typed and not rolls:  # no school described: the fee table only if it fits best
            table = next((score for score, p in ranked if p.key == "fee-table"), 0.0)
            if ranked and ranked[0][1].key != "fee-table" and ranked[0][0] > table:
                return None
        requests = requests or [FeeRequest(None, None)]
        content = self.content
        bands = [content.fee_band(r.band) if r.band and r.band != "pru" else None for r in requests]
        complete = all(
            b is not None and (b.per_pupil == 0 or r.pupils is not None) for b, r in zip(bands, requests, strict=True)
        )
        source = content.offer.funding.heading
        if complete:
            answer = "\n".join(dict.fromkeys(self._fee_lines(straight, bands, requests)))
            charged = {b.id for b in bands if b is not None}
            if _ALL_THROUGH.search(straight) and "secondary" in charged and "primary" not in charged:
                answer += "\n" + content.say("fee_all_through")
            if years:  # a year of the new offer: the current rates, and that the documents give no others
                answer += "\n" + content.say("fee_current_rates_only", year=min(years))
            why = "fee for " + ", ".join(f"{r.band} {r.pupils}" for r in requests)
            return Reply(question, answer, source, True, "fee", "fees", (), (), None, why, normalised, tuple(requests))
        if any(r.schools > 1 for r in requests) or len(requests) > 1:
            # "a trust with 5 primaries": each school's roll is needed, in words the parser reads, not one prompt
            table = content.say("fee_several_need_rolls") + "\n" + fee_table(content)
            return Reply(
                question, table, source, True, "fee", "fees", (), (), None, "several schools, rolls missing", normalised
            )
        if bands and all(b is not None for b in bands) and _RATES_ASKED.search(straight):
            # "how much is the flat rate for secondary": the band's rates, not a request for the roll
            rows = "\n".join(dict.fromkeys(fee_row(content, b) for b in bands if b is not None))
            return Reply(question, rows, source, True, "fee", "fees", (), (), None, "rates of a band", normalised)
        table = content.say("fee_table_intro") + "\n" + fee_table(content)
        return Reply(
            question,
            table,
            source,
            True,
            "fee",
            "fees",
            (),
            (),
            "fees",
            "fee question missing " + ("the school type" if any(b is None for b in bands) else "the pupil count"),
            normalised,
            tuple(requests),
        )

    def _fee_lines(self, straight: str, bands: list[FeeBand | None], requests: list[FeeRequest]) -> list[str]:
        """Each school's working (and, for several of a kind, theirs together), then the total or the difference."""
        content = self.content
        currency = content.offer.fees.currency
        lines, fees = [], []
        for band, request in zip(bands, requests, strict=True):
            assert band is not None
            one = subscription(band, request.pupils)
            if request.schools > 1 and request.shared and band.per_pupil != 0:
                # "600 pupils between them": no one school has that roll; each pays the flat rate
                fee = one + band.flat * (request.schools - 1)
                lines.append(
                    content.say(
                        "fee_schools_shared",
                        count=request.schools,
                        pupils=f"{request.pupils:,}",
                        flat=rate(band.flat_rate, currency),
                        per_pupil=rate(band.per_pupil_rate, currency),
                        total=money(fee, currency),
                    )
                )
            else:
                lines.append(working(content, band, request.pupils if band.per_pupil != 0 else None))
                fee = one * request.schools
                if request.schools > 1:
                    each, total = money(one, currency), money(fee, currency)
                    lines.append(content.say("fee_schools", count=request.schools, each=each, total=total))
            fees.append(fee)
        if len(fees) == 2 and _COMPARED.search(straight):
            lines.append(content.say("fee_difference", difference=money(abs(fees[0] - fees[1]), currency)))
        elif len(fees) > 1:
            count = sum(r.schools for r in requests)
            lines.append(content.say("fee_total", count=count, total=money(sum(fees), currency)))
        return lines

    def _best_faq(self, query: list[str]) -> tuple[_Faq | None, float, str, float, float]:
        """The closest curated answer: (entry, score 0–100, phrasing, share of the question it covers, share of
        the phrasing the question covers)."""
        asked = tuple(dict.fromkeys(query))
        if not asked:
            return None, 0.0, "", 0.0, 0.0
        candidates: set[int] = set()
        for word in asked:
            candidates |= self.faq_postings.get(word, set())
        best: tuple[float, int, str, float, float] = (0.0, -1, "", 0.0, 0.0)
        for position in sorted(candidates):
            index, phrasing = self.faq_index[position]
            found = self._covered(phrasing, asked)
            wanted = self._covered(asked, phrasing)
            score = 0.0 if not found or not wanted else 200 * found * wanted / (found + wanted)
            if score > best[0]:
                best = (score, index, " ".join(phrasing), wanted, found)
        return (self.faqs[best[1]] if best[1] >= 0 else None), best[0], best[2], best[3], best[4]

    def _weight(self, word: str) -> float:
        if word.isdigit():
            return 0.5 * self.unknown_weight
        return self.idf.get(word, self.unknown_weight)

    def _covered(self, words: tuple[str, ...], within: tuple[str, ...] | frozenset[str]) -> float:
        """Share of `words`' weight found in `within`."""
        total = sum(self._weight(w) for w in words)
        hit = sum(self._weight(w) for w in words if w in within)
        return hit / total if total else 0.0

    def _rank(self, query: list[str]) -> list[tuple[float, Passage]]:
        """Passages by coverage of the question's weight (then BM25)."""
        return [(s.coverage, self.passages[s.index]) for s in self._scored(query)]

    def _scored(self, query: list[str], also: tuple[int, ...] = ()) -> list[_Scored]:
        """The passages BM25 (bm25s) ranks highest, and those in `also`, each with the share of the question's
        weight it covers (body or title), of its own weight the question covers, and its BM25 score; best
        coverage first."""
        unique = list(dict.fromkeys(query))
        known = [w for w in unique if w in self.idf]
        if not known:
            return []
        scores = self.bm25.get_scores(known)
        top = [int(i) for i in np.argsort(-scores, kind="stable")[:12] if scores[i] > 0]
        total = sum(self._weight(w) for w in unique)
        out = []
        for index in dict.fromkeys([*top, *also]):
            body, about = self.bodies[index], self.abouts[index]
            titled = 1.0 if self.passages[index].kind in {"topic", "section"} else 0.9  # found by their titles
            matched = [w for w in unique if w in body or w in about]
            hit = sum(self._weight(w) * (1.0 if w in body else titled) for w in matched)
            body_hit = sum(self._weight(w) for w in matched if w in body)
            own = sum(self.idf[w] for w in matched) / self.own_weight[index] if self.own_weight[index] else 0.0
            out.append(
                _Scored(
                    int(index), hit / total, body_hit / total, min(1.0, own), float(scores[index]), frozenset(matched)
                )
            )
        out.sort(key=lambda s: (-round(s.coverage, 6), -s.bm25, s.index))
        return out

    def _suggest(self, ranked: list[tuple[float, Passage]], exclude: str | None) -> tuple[tuple[str, str], ...]:
        seen: dict[str, str] = {}
        for _, passage in ranked:
            topic = passage.topic
            if topic and topic != exclude and topic not in seen and self.content.has_topic(topic):
                seen[topic] = topic_title(self.content, topic, short=True)
            if len(seen) == 3:
                break
        return tuple((title, topic) for topic, title in seen.items())


_FREQUENCY = r"annual|annually|yearly|monthly|termly|half-termly|half termly|weekly|daily|bi-annual|biannual|each term"
_MONTHS = r"january|february|march|april|may|june|july|august|september|october|november|december"
# What a question asks for ("when", "how often", "how long", "in pounds", "how many") and what an answer must then
# contain; the first kind named wins.
_ANSWER_TYPES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "how often": (
        re.compile(r"\bhow (?:often|frequently|regularly)\b"),
        re.compile(rf"\b(?:{_FREQUENCY}|regular)\b", re.I),
    ),
    "how long": (
        re.compile(r"\bhow long\b|\bhow much time\b|\bhow many (?:days|hours|minutes|weeks)\b"),
        re.compile(
            r"\b\d+\s*(?:minutes?|hours?|days?|weeks?|months?|years?)\b|\b(?:19|20)\d\d\s*-\s*(?:19|20)\d\d", re.I
        ),
    ),
    "a date": (  # a date of something this year or next: a frequency ("annual") does not say when
        re.compile(
            r"\bwhat (?:date|day|time)\b|\bwhich (?:date|day)\b|\bdates? (?:of|for)\b"
            r"|\bwhen\b.*\b(?:this year|next|(?:19|20)\d\d|date|exactly)\b"
        ),
        re.compile(rf"\b(?:{_MONTHS})\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\b", re.I),
    ),
    "when": (
        re.compile(
            r"(?:^|[,;?/]\s*|\band\s+)(?:so\s+)?when\b(?!\s+(?:we|you|they|schools?|i|it)\b)"
            r"|\bwhen\s*\??$"
        ),
        re.compile(rf"\b(?:{_MONTHS}|{_FREQUENCY}|(?:19|20)\d\d)\b", re.I),
    ),
    "a place": (  # where something is held or located: a venue, an address or a web page
        re.compile(
            r"\bpost ?code\b|\baddress (?:of|for)\b|\bwhere\b.*\b(?:held|hosted|take place|takes place|located"
            r"|based)\b|\bwhich venue\b|\bwhere(?: is|'s|s)? (?:the )?(?:ealing education centre|eec|venue)\b"
        ),
        re.compile(r"\b[A-Z]{1,2}\d{1,2}[A-Z]?\s*\d[A-Z]{2}\b|\b(?:road|street|house|online|virtual)\b|www\.", re.I),
    ),
    "a price": (  # a price of something other than the subscription (the fee parser takes those)
        re.compile(r"\b(?:price|prices|ticket|tickets|cost of (?:a|an|the)|charge for (?:a|an|the))\b"),
        re.compile(r"£"),
    ),
    "pounds": (re.compile(r"\bin (?:pounds|£|cash|money)(?: terms)?\b|\bhow many pounds\b"), re.compile(r"£")),
    "how much": (re.compile(r"\bhow much\b"), re.compile(r"£|%|(?<![\d.])\d+(?:\.\d+)?\s*(?:percent|per cent)")),
    "how many": (  # a number that is not a year ("2000 new apprenticeships" is a number)
        re.compile(r"\bhow many\b"),
        re.compile(r"(?<!\d)(?!(?:19|20)\d\d\b)\d|\b\d{4} (?:new|more|extra|additional)\b|£|%"),
    ),
}


def _asks_for(text: str) -> str | None:
    """The kind of fact a question asks for, when it names one."""
    return next((name for name, (asks, _) in _ANSWER_TYPES.items() if asks.search(text)), None)


_SEVERAL = re.compile(
    r"\?\s*(?:and|also|plus|&)?\s*(?:what|how|when|where|who|which|is|are|do|does|can|any)\b"
    r"|\b(?:and|also|plus|&)\s+(?:what|what's|whats|how|when|where|who|which|is there|are there|do they|does it)\b",
    re.I,
)
_PARTS = re.compile(r"\?+|;|\+|&|\band also\b|\balso\b|\bplus\b|\band\b|,")
_FEE_PARTS = re.compile(r"\?+|;|\band also\b|\balso\b|\bplus\b|\band (?=what|how|when|where|who|which|is|are|do)")


def _split(question: str, titles: tuple[str, ...], fee: bool) -> list[str]:
    """The parts of a question that may be several in one ("aims plus what Q1 asks"); titles stay whole."""
    text = " ".join(_straighten(question).split())
    for title in titles:  # "SEN and inclusion" is one thing
        text = text.replace(title, title.replace(" and ", " \0 "))
    parts = (_FEE_PARTS if fee else _PARTS).split(text)
    return [part.replace(" \0 ", " and ").strip(" .!-") for part in parts]


def _pairs(words: list[str]) -> frozenset[tuple[str, str]]:
    """Neighbouring content words, in either order ("review peer" is "peer review")."""
    return frozenset(tuple(sorted(pair)) for pair in itertools.pairwise(words) if pair[0] != pair[1])


def _is_qid(word: str) -> bool:
    return len(word) > 1 and word[0] == "q" and word[1].isdigit()
