"""Pydantic models for every content file; one model per file, strict, no unknown keys."""

from __future__ import annotations

import datetime as dt
import re
import string
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_ID = r"^[a-z0-9][a-z0-9_.-]*$"
_MONEY = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$|^\d+(\.\d+)?$")


class EntryError(ValueError):
    """A problem found by a whole-model check, naming the entry it is about (within the model)."""

    def __init__(self, entry: str, problem: str):
        super().__init__(problem)
        self.entry, self.problem = entry, problem


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


Text = str


def parse_money(written: str) -> Decimal:
    """Turn a figure written as in the source ("4,461", "5.77") into a Decimal."""
    if not _MONEY.match(written):
        raise ValueError(f"{written!r} is not a money figure like 4,461 or 5.77")
    try:
        return Decimal(written.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already guards this
        raise ValueError(f"{written!r} is not a number") from exc


# ---------------------------------------------------------------- offer.yaml


class Document(_Strict):
    partnership: Text
    title: Text
    consultation_period: Text
    version: Text
    status: Text


class Aim(_Strict):
    id: str = Field(pattern=_ID)
    text: Text = Field(min_length=1)
    tagline: Text | None = None


class Aims(_Strict):
    heading: Text
    statement: Text
    items: list[Aim] = Field(min_length=1)


class Conviction(_Strict):
    id: str = Field(pattern=_ID)
    title: Text = Field(min_length=1)
    text: Text = Field(min_length=1)


class Convictions(_Strict):
    heading: Text
    items: list[Conviction] = Field(min_length=1)


class Funding(_Strict):
    heading: Text
    member_schools: int = Field(gt=0)
    council_share_percent: int = Field(ge=0, le=100)
    schools_share_percent: int = Field(ge=0, le=100)
    subscription_budget_share: Text
    in_kind_support: Text
    # Five paragraphs, in the source's order: the summary before q3 quotes the third and fourth.
    paragraphs: list[Text] = Field(min_length=5, max_length=5)

    @model_validator(mode="after")
    def _shares_add_up(self) -> Funding:
        if self.council_share_percent + self.schools_share_percent != 100:
            raise EntryError(
                "council_share_percent", "council_share_percent and schools_share_percent must add up to 100"
            )
        return self


class FeeBand(_Strict):
    id: str = Field(pattern=_ID)
    name: Text = Field(min_length=1)
    flat_rate: Text
    per_pupil_rate: Text

    @field_validator("flat_rate", "per_pupil_rate", mode="before")
    @classmethod
    def _written_money(cls, value: object) -> str:
        if not isinstance(value, str):
            raise ValueError('write money as a quoted string exactly as in the source, e.g. "4,461"')
        parse_money(value)
        return value

    @property
    def flat(self) -> Decimal:
        """The flat rate as a number."""
        return parse_money(self.flat_rate)

    @property
    def per_pupil(self) -> Decimal:
        """The per-pupil rate as a number."""
        return parse_money(self.per_pupil_rate)


class Fees(_Strict):
    currency: Text
    columns: list[Text] = Field(min_length=3, max_length=3)
    bands: list[FeeBand] = Field(min_length=1)


class Paragraphs(_Strict):
    heading: Text
    paragraphs: list[Text] = Field(min_length=1)


class CoreActivity(_Strict):
    heading: Text
    intro: Text
    instruction: Text


class Contact(_Strict):
    organisation: Text
    address: list[Text] = Field(min_length=1)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]+$")
    website: Text


class ActivityGroup(_Strict):
    heading: Text | None = None
    text: Text | None = None
    bullets: list[Text] = Field(default_factory=list)


class ActivityArea(_Strict):
    number: int = Field(ge=1)
    id: str = Field(pattern=_ID)
    title: Text = Field(min_length=1)
    strapline: Text | None = None
    groups: list[ActivityGroup] = Field(default_factory=list)
    notes: list[Text] = Field(default_factory=list)


class Offer(_Strict):
    document: Document
    aims: Aims
    convictions: Convictions
    funding: Funding
    fees: Fees
    external_membership: Paragraphs
    core_activity: CoreActivity
    contact: Contact
    activity_areas: list[ActivityArea] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Offer:
        _require_unique("fees.bands", [b.id for b in self.fees.bands])
        _require_unique("activity_areas (id)", [a.id for a in self.activity_areas])
        numbers = [a.number for a in self.activity_areas]
        if numbers != list(range(1, len(numbers) + 1)):
            raise EntryError("activity_areas", f"must be numbered 1, 2, 3… in order; found {numbers}")
        return self


# ---------------------------------------------------------------- vision.yaml


class Frame(_Strict):
    heading: Text
    themes: Text


class PledgeTheme(_Strict):
    id: str = Field(pattern=_ID)
    title: Text
    summary: Text
    pledges: list[Text] = Field(min_length=1)


class Priority(_Strict):
    id: str = Field(pattern=_ID)
    title: Text
    aim: Text
    outcomes: list[Text] = Field(min_length=1)


class Vision(_Strict):
    title: Text
    frames: list[Frame]
    pledge_themes: list[PledgeTheme] = Field(min_length=1)
    priorities: list[Priority] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Vision:
        _require_unique("pledge_themes", [p.id for p in self.pledge_themes])
        _require_unique("priorities", [p.id for p in self.priorities])
        return self


# ---------------------------------------------------------------- consultation.yaml

ChoiceCode = Literal["yes", "partly", "no", "unsure"]


class Choice(_Strict):
    code: ChoiceCode
    label: Text = Field(min_length=1, max_length=30)
    words: list[str] = Field(min_length=1)

    @field_validator("code", "label", mode="before")
    @classmethod
    def _no_yaml_booleans(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError('YAML read this as true/false: put it in quotes, e.g. "yes"')
        return value

    @field_validator("words", mode="before")
    @classmethod
    def _words_are_text(cls, value: object) -> object:
        if isinstance(value, list):
            for item in value:
                if not isinstance(item, str):
                    raise ValueError(f"{item!r} must be quoted text (YAML reads yes/no/numbers otherwise)")
        return value


class Option(_Strict):
    id: str = Field(pattern=_ID)
    label: Text = Field(min_length=1, max_length=40)
    fee_band: str | None = None


class Identity(_Strict):
    school_types: list[Option] = Field(min_length=1)
    roles: list[Option] = Field(min_length=1)
    quote_consent: list[Option] = Field(min_length=3, max_length=3)

    @model_validator(mode="after")
    def _consent_ids(self) -> Identity:
        ids = [o.id for o in self.quote_consent]
        if ids != ["named", "anonymous", "none"]:
            raise EntryError("quote_consent", f"ids must be named, anonymous, none (in that order); found {ids}")
        _require_unique("school_types", [o.id for o in self.school_types])
        _require_unique("roles", [o.id for o in self.roles])
        return self


class Question(_Strict):
    id: str = Field(pattern=r"^q\d+(\.\d+)?$")
    short: Text = Field(min_length=1, max_length=60)
    text: Text = Field(min_length=1)
    kind: Literal["choice", "text"] = "choice"
    topic: str = Field(pattern=r"^(aims|convictions|fees|external_membership|area:\d+)$")


class Section(_Strict):
    id: str = Field(pattern=_ID)
    title: Text
    intro: Text
    questions: list[Question] = Field(min_length=1)


class Consultation(_Strict):
    title: Text
    opens: dt.date
    closes: dt.date
    timezone: str
    reference_prefix: str = Field(pattern=r"^[A-Z][A-Z0-9-]*$")
    estimated_minutes: int = Field(gt=0)
    comment_max_chars: int = Field(ge=100, le=20000)
    choices: list[Choice] = Field(min_length=4, max_length=4)
    acknowledgements: list[str] = Field(default_factory=list)
    invite_comment_after: list[ChoiceCode]
    identity: Identity
    sections: list[Section] = Field(min_length=1)

    @field_validator("invite_comment_after", mode="before")
    @classmethod
    def _no_booleans(cls, value: object) -> object:
        if isinstance(value, list) and any(isinstance(v, bool) for v in value):
            raise ValueError('YAML read "no" as false: put it in quotes, e.g. "no"')
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Consultation:
        if self.closes < self.opens:
            raise EntryError("closes", f"closes ({self.closes}) is before opens ({self.opens})")
        _require_unique("choices", [c.code for c in self.choices])
        _require_unique("sections", [s.id for s in self.sections])
        _require_unique("questions", [q.id for s in self.sections for q in s.questions])
        return self


# ---------------------------------------------------------------- faq.yaml

TOPIC_PATTERN = (
    r"^(aims|convictions|fees|external_membership|areas|contact|dates|area:\d+|priority:[a-z0-9-]+|pledges:[a-z0-9-]+)$"
)


class FaqEntry(_Strict):
    """A question people really ask: its phrasings, and an answer built only from the content."""

    id: str = Field(pattern=_ID)
    ask: list[str] = Field(min_length=1)
    lead: Text | None = None
    quote: list[str] = Field(default_factory=list)
    topic: str | None = Field(default=None, pattern=TOPIC_PATTERN)
    compute: Literal["fees", "dates", "contact"] | None = None
    related: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_kind_of_answer(self) -> FaqEntry:
        kinds = [bool(self.quote), self.topic is not None, self.compute is not None]
        if sum(kinds) != 1:
            raise EntryError("quote", "give exactly one of quote (content to quote), topic or compute")
        for topic in self.related:
            if not re.match(TOPIC_PATTERN, topic):
                raise EntryError("related", f"{topic!r} is not a topic (e.g. area:2, priority:sen-and-inclusion)")
        return self


class Faq(_Strict):
    """Curated questions people really ask, each answered only from the content."""

    entries: list[FaqEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Faq:
        _require_unique("entries", [e.id for e in self.entries])
        return self


# ---------------------------------------------------------------- lexicon.yaml

_PHRASE = re.compile(r"[a-z0-9%]")


def _phrase_problem(word: object) -> str | None:
    if not isinstance(word, str) or not word.strip():
        return "must be a non-empty word or phrase"
    if not _PHRASE.search(word.casefold()):
        return f"{word!r} has no letters or digits to match"
    return None


def _check_phrases(words: list[str]) -> list[str]:
    """The list itself, or an EntryError naming the first entry that is not a usable phrase."""
    for n, word in enumerate(words):
        problem = _phrase_problem(word)
        if problem:
            raise EntryError(f"[{n}]", problem)
    return words


class DeclineRule(_Strict):
    """Questions the documents cannot answer: any of `words` declines, unless one of `unless` is there too."""

    id: str = Field(pattern=_ID)
    words: list[str] = Field(min_length=1)
    unless: list[str] = Field(default_factory=list)
    related: str | None = Field(default=None, pattern=TOPIC_PATTERN)

    @field_validator("words", "unless")
    @classmethod
    def _phrases(cls, words: list[str]) -> list[str]:
        return _check_phrases(words)


class Lexicon(_Strict):
    """School language mapped to the documents' words: synonym groups, one-way meanings, decline rules."""

    ignore: list[str] = Field(default_factory=list)
    synonyms: list[list[str]] = Field(default_factory=list)
    means: dict[str, str] = Field(default_factory=dict)
    declines: list[DeclineRule] = Field(default_factory=list)

    @field_validator("ignore")
    @classmethod
    def _words(cls, words: list[str]) -> list[str]:
        return _check_phrases(words)

    @field_validator("synonyms")
    @classmethod
    def _groups(cls, groups: list[list[str]]) -> list[list[str]]:
        seen: dict[str, int] = {}
        for n, group in enumerate(groups):
            if len(group) < 2:
                raise EntryError(f"[{n}]", "a synonym group needs at least two words")
            for word in group:
                problem = _phrase_problem(word)
                if problem:
                    raise EntryError(f"[{n}]", problem)
                key = word.casefold()
                if key in seen and seen[key] != n:
                    raise EntryError(f"[{n}]", f"{word!r} is already in synonyms[{seen[key]}]")
                seen[key] = n
        return groups

    @model_validator(mode="after")
    def _coherent(self) -> Lexicon:
        grouped = {w.casefold(): n for n, group in enumerate(self.synonyms) for w in group}
        for word, meaning in self.means.items():
            problem = _phrase_problem(word) or _phrase_problem(meaning)
            if problem:
                raise EntryError(f"means › {word}", problem)
            if word.casefold() in grouped:
                raise EntryError(
                    f"means › {word}", f"{word!r} is already in synonyms[{grouped[word.casefold()]}]: keep one"
                )
            if word.casefold() == meaning.casefold():
                raise EntryError(f"means › {word}", "means itself: remove it")
        _require_unique("declines", [rule.id for rule in self.declines])
        return self


# ---------------------------------------------------------------- everyday.yaml


class Everyday(_Strict):
    """Everyday words mapped to the documents' words, written without seeing any question (one-way, like means)."""

    means: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _entries(self) -> Everyday:
        for word, meaning in self.means.items():
            problem = _phrase_problem(word) or _phrase_problem(meaning)
            if problem:
                raise EntryError(f"means › {word}", problem)
            if word.casefold() == meaning.casefold():
                raise EntryError(f"means › {word}", "means itself: remove it")
        return self


# ---------------------------------------------------------------- asked.yaml


class AskedEntry(_Strict):
    """How people ask for one passage: `about` names it (a unique exact part of an item's text, an item's key
    when its text is not unique, or a passage id: topic:area:3, question:q5.4, section:s2, document, dates,
    fee-table)."""

    about: str
    ask: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _phrasings(self) -> AskedEntry:
        problem = _phrase_problem(self.about)
        if problem:
            raise EntryError("about", problem)
        for phrasing in self.ask:
            problem = _phrase_problem(phrasing)
            if problem:
                raise EntryError(f"ask › {phrasing!r}", problem)
        return self


class Asked(_Strict):
    """Questions people would type for each passage, written from the source documents only, never from an
    evaluation question (one list per passage; they are searched like its titles, never shown)."""

    asked: list[AskedEntry] = Field(default_factory=list)
    # Questions people would type that the documents do not answer: what "not in the documents" sounds like.
    not_answered: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Asked:
        _require_unique("asked › about", [entry.about for entry in self.asked])
        for n, question in enumerate(self.not_answered):
            problem = _phrase_problem(question)
            if problem:
                raise EntryError(f"not_answered › {n + 1}", problem)
        return self


# ---------------------------------------------------------------- messages.yaml


class Messages(BaseModel):
    """Every piece of wording the engine says, keyed by name, with {placeholders}."""

    model_config = ConfigDict(extra="allow", frozen=True)

    def check(self, required: dict[str, frozenset[str]]) -> list[tuple[str, str]]:
        """Return (key, problem) pairs: missing keys, unknown keys, wrong placeholders."""
        problems: list[tuple[str, str]] = []
        given = dict(self.model_extra or {})
        for key in sorted(set(required) - set(given)):
            problems.append((key, "is missing"))
        for key in sorted(set(given) - set(required)):
            problems.append((key, "is not a message the engine uses (misspelt?)"))
        for key, allowed in required.items():
            value = given.get(key)
            if key not in given:
                continue
            if not isinstance(value, str) or not value.strip():
                problems.append((key, "must be non-empty text"))
                continue
            try:
                fields = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}
            except ValueError as exc:
                problems.append((key, f"has a broken placeholder: {exc}"))
                continue
            unknown = fields - allowed
            if unknown:
                hint = ", ".join("{" + f + "}" for f in sorted(allowed)) or "none"
                problems.append((key, f"uses unknown placeholder(s) {sorted(unknown)}; allowed: {hint}"))
        return problems

    def get(self, key: str) -> str:
        """The wording for one key."""
        return (self.model_extra or {})[key]


def _require_unique(what: str, ids: list[str] | list[int]) -> None:
    seen: set[object] = set()
    for item in ids:
        if item in seen:
            raise EntryError(f"{what} ({item})", f"{item!r} appears twice")
        seen.add(item)
