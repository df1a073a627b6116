"""The content store: the ELP facts, the consultation definition and the wording, loaded and validated."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from content._items import Item, content_items, find_item
from content._schema import (
    ActivityArea,
    Asked,
    Consultation,
    EntryError,
    Everyday,
    Faq,
    FeeBand,
    Lexicon,
    Messages,
    Offer,
    Option,
    Question,
    Section,
    Vision,
    parse_money,
)
from content._wording import MESSAGE_PLACEHOLDERS

__all__ = [
    "DEFAULT_CONTENT_DIR",
    "ActivityArea",
    "Consultation",
    "Content",
    "ContentError",
    "FeeBand",
    "Item",
    "Option",
    "Question",
    "Section",
    "load_content",
    "parse_money",
    "passage_ids",
    "passage_topics",
]

DEFAULT_CONTENT_DIR = Path(__file__).parent / "data"

_FILES: dict[str, type[BaseModel]] = {
    "offer.yaml": Offer,
    "vision.yaml": Vision,
    "consultation.yaml": Consultation,
    "messages.yaml": Messages,
    "faq.yaml": Faq,
    "lexicon.yaml": Lexicon,
    "everyday.yaml": Everyday,
    "asked.yaml": Asked,
}


class ContentError(Exception):
    """A content file is missing or wrong; the message names the file, the entry and the problem."""

    def __init__(self, file: str, entry: str, problem: str):
        self.file, self.entry, self.problem = file, entry, problem
        super().__init__(f"{file}: {entry}: {problem}")


@dataclass(frozen=True)
class Content:
    """Everything the assistant knows and says, with lookups the engine needs."""

    offer: Offer
    vision: Vision
    consultation: Consultation
    messages: Messages
    faq: Faq
    directory: Path = field(default=DEFAULT_CONTENT_DIR)
    lexicon: Lexicon = field(default_factory=Lexicon)  # after directory: older positional calls keep working
    everyday: Everyday = field(default_factory=Everyday)  # everyday words → the documents' words (one-way)
    asked: Asked = field(default_factory=Asked)  # how people ask for each passage (searched, never shown)

    @cached_property
    def items(self) -> list[Item]:
        """Every quotable fact with its source (see content/_items.py)."""
        return content_items(self)

    def has_topic(self, topic: str) -> bool:
        """Whether a topic id (aims, area:3, priority:sen-and-inclusion, …) names something in the content."""
        if topic in {"aims", "convictions", "fees", "external_membership", "areas", "contact", "dates"}:
            return True
        kind, _, ident = topic.partition(":")
        if kind == "area":
            return ident.isdigit() and self.area(int(ident)) is not None
        if kind == "priority":
            return any(p.id == ident for p in self.vision.priorities)
        if kind == "pledges":
            return any(t.id == ident for t in self.vision.pledge_themes)
        return False

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """All questions in the order they are asked."""
        return tuple(q for s in self.consultation.sections for q in s.questions)

    @cached_property
    def question_index(self) -> dict[str, int]:
        """Question id → position (0-based) in the order asked."""
        return {q.id: i for i, q in enumerate(self.questions)}

    @cached_property
    def section_of(self) -> dict[str, Section]:
        """Question id → the section it belongs to."""
        return {q.id: s for s in self.consultation.sections for q in s.questions}

    def question(self, question_id: str) -> Question | None:
        """The question with this id, or None."""
        index = self.question_index.get(question_id)
        return None if index is None else self.questions[index]

    def area(self, number: int) -> ActivityArea | None:
        """Activity area by its number in the questionnaire (1–11)."""
        areas = self.offer.activity_areas
        return areas[number - 1] if 1 <= number <= len(areas) else None

    def fee_band(self, band_id: str) -> FeeBand | None:
        """Fee band by id (primary, secondary, special, pru_primary, pru_secondary)."""
        return next((b for b in self.offer.fees.bands if b.id == band_id), None)

    def say(self, key: str, **values: Any) -> str:
        """The wording for `key`, with its placeholders filled."""
        return self.messages.get(key).format(**values)

    def with_dates(self, opens: dt.date | None = None, closes: dt.date | None = None) -> Content:
        """A copy with the consultation's opening or closing date replaced (validated)."""
        data = self.consultation.model_dump()
        if opens is not None:
            data["opens"] = opens
        if closes is not None:
            data["closes"] = closes
        try:
            consultation = Consultation.model_validate(data)
        except ValidationError as exc:
            raise _as_content_error("consultation.yaml", exc, data) from None
        return Content(
            self.offer,
            self.vision,
            consultation,
            self.messages,
            self.faq,
            self.directory,
            self.lexicon,
            self.everyday,
            self.asked,
        )


def load_content(directory: str | Path | None = None) -> Content:
    """Load and validate every content file in `directory` (default: the shipped content)."""
    folder = Path(directory) if directory is not None else DEFAULT_CONTENT_DIR
    models: dict[str, BaseModel] = {}
    for name, model in _FILES.items():
        raw = _read_yaml(folder / name, name)
        try:
            models[name] = model.model_validate(raw)
        except ValidationError as exc:
            raise _as_content_error(name, exc, raw) from None
    content = Content(
        offer=models["offer.yaml"],  # type: ignore[arg-type]
        vision=models["vision.yaml"],  # type: ignore[arg-type]
        consultation=models["consultation.yaml"],  # type: ignore[arg-type]
        messages=models["messages.yaml"],  # type: ignore[arg-type]
        faq=models["faq.yaml"],  # type: ignore[arg-type]
        lexicon=models["lexicon.yaml"],  # type: ignore[arg-type]
        everyday=models["everyday.yaml"],  # type: ignore[arg-type]
        asked=models["asked.yaml"],  # type: ignore[arg-type]
        directory=folder,
    )
    _check_links(content)
    return content


def _read_yaml(path: Path, name: str) -> Any:
    if not path.is_file():
        raise ContentError(name, "(file)", f"not found in {path.parent}")
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except UnicodeDecodeError as exc:
        raise ContentError(name, "(file)", f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(name, where, f"is not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise ContentError(name, "(file)", "must be a mapping of keys to values at the top level")
    return data


def _as_content_error(name: str, exc: ValidationError, raw: Any) -> ContentError:
    first = exc.errors()[0]
    entry = _describe_location(first["loc"], raw)
    problem = first["msg"].removeprefix("Value error, ")
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, EntryError):
        joiner = "" if cause.entry.startswith("[") else " › "  # "synonyms[3]", "funding › council_share_percent"
        entry = f"{entry}{joiner}{cause.entry}" if entry else cause.entry
        problem = cause.problem
    entry = entry or "(top level)"
    if first["type"] == "extra_forbidden":
        problem = "is not a known field (misspelt?)"
    elif first["type"] == "missing":
        problem = "is required but missing"
    more = len(exc.errors()) - 1
    if more:
        problem += f" (and {more} more problem{'s' if more > 1 else ''} in this file)"
    return ContentError(name, entry, problem)


def _describe_location(loc: tuple[Any, ...], raw: Any) -> str:
    """Render a pydantic location as a path a content editor recognises, naming entries by id or title."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int):
            label = f"[{step}]"
            item = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(item, dict):
                name = item.get("id") or item.get("title") or item.get("heading") or item.get("code")
                if name is not None:
                    label += f" ({name})"
            parts[-1:] = [(parts[-1] if parts else "") + label]
            node = item
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return " › ".join(parts)


def _check_links(content: Content) -> None:
    """Cross-file checks: every question's topic and every fee band named must exist."""
    areas = len(content.offer.activity_areas)
    for section in content.consultation.sections:
        for question in section.questions:
            if question.topic.startswith("area:"):
                number = int(question.topic.split(":")[1])
                if not 1 <= number <= areas:
                    raise ContentError(
                        "consultation.yaml",
                        f"sections › questions ({question.id})",
                        f"topic {question.topic!r} names an activity area that offer.yaml does not have (1–{areas})",
                    )
    for option in content.consultation.identity.school_types:
        if option.fee_band is not None and content.fee_band(option.fee_band) is None:
            raise ContentError(
                "consultation.yaml",
                f"identity › school_types ({option.id})",
                f"fee_band {option.fee_band!r} is not a band in offer.yaml",
            )
    for key, problem in content.messages.check(MESSAGE_PLACEHOLDERS):
        raise ContentError("messages.yaml", key, problem)
    items = content.items
    for entry in content.faq.entries:
        where = f"entries ({entry.id})"
        for quote in entry.quote:
            found = find_item(items, quote)
            if len(found) != 1:
                problem = "is not in offer.yaml or vision.yaml" if not found else f"matches {len(found)} items"
                raise ContentError("faq.yaml", f"{where} › quote", f"{quote!r} {problem}: quote a unique exact part")
        for topic in [*([entry.topic] if entry.topic else []), *entry.related]:
            if not content.has_topic(topic):
                raise ContentError("faq.yaml", where, f"topic {topic!r} is not in the content")
    for rule in content.lexicon.declines:
        if rule.related and not content.has_topic(rule.related):
            problem = f"related {rule.related!r} is not in the content"
            raise ContentError("lexicon.yaml", f"declines ({rule.id})", problem)
    _check_everyday(content)
    _check_asked(content)


_WORD = re.compile(r"[a-z0-9]+")


def content_words(content: Content) -> str:
    """Every text of the content as one run of lower-case words, " "-padded: for "is this word or phrase in it"."""
    texts = [f"{i.title} {i.source} {i.text}" for i in content.items]
    texts += [f"{q.short} {q.text}" for q in content.questions]
    texts += [s.title for s in content.consultation.sections]
    fees, document = content.offer.fees, content.offer.document
    texts += [*fees.columns, *(b.name for b in fees.bands), document.title, content.consultation.title]
    return " " + " ".join(" ".join(_WORD.findall(t.casefold())) for t in texts) + " "


def everyday_problem(word: str, meaning: str, content: Content, words: str | None = None) -> str | None:
    """Why an everyday.yaml entry cannot be used (None when it can): its meaning must be the documents' words,
    its word must not be (a word the documents use, or only stop words, is too general to rewrite), and the
    hand-written lexicon must not already have it."""
    words = words if words is not None else content_words(content)
    lexicon = content.lexicon
    missing = [w for w in _WORD.findall(meaning.casefold()) if not _in_words(w, words)]
    if missing:
        return f"means {meaning!r}, but the documents never use {', '.join(map(repr, missing))}"
    said = _WORD.findall(word.casefold())
    if f" {' '.join(said)} " in words:
        return f"{word!r} is the documents' own wording: too general to rewrite"
    ignored = {w for phrase in lexicon.ignore for w in _WORD.findall(phrase.casefold())}
    if all(w in ignored for w in said):
        return f"{word!r} is only words lexicon.yaml ignores: too general"
    grouped = {w.casefold() for group in lexicon.synonyms for w in group}
    if word.casefold() in grouped or word.casefold() in {w.casefold() for w in lexicon.means}:
        return f"{word!r} is already in lexicon.yaml, whose entry wins: remove it here"
    return None


def _in_words(word: str, words: str) -> bool:
    """A word of the content, allowing a plural or singular -s."""
    return any(f" {w} " in words for w in {word, f"{word}s", word.removesuffix("s")} if w)


def passage_topics(content: Content) -> list[str]:
    """The topics that are passages of their own, in document order (bot/_passages.py builds them)."""
    topics = ["aims", "convictions", "external_membership", "areas"]
    topics += [f"area:{a.number}" for a in content.offer.activity_areas]
    topics += [f"priority:{p.id}" for p in content.vision.priorities]
    return topics + [f"pledges:{t.id}" for t in content.vision.pledge_themes]


def passage_ids(content: Content) -> frozenset[str]:
    """Ids of the passages that are not single items (bot/_passages.py builds one passage for each)."""
    topics = passage_topics(content)
    ids = {"document", "dates", "fee-table", "sections", "question:q5", *(f"topic:{t}" for t in topics)}
    ids |= {f"section:{s.id}" for s in content.consultation.sections}
    ids |= {f"question:{q.id}" for q in content.questions}
    return frozenset(ids)


def _check_asked(content: Content) -> None:
    ids = passage_ids(content) | {item.key for item in content.items}
    for entry in content.asked.asked:
        if entry.about in ids:
            continue
        found = find_item(content.items, entry.about)
        if len(found) != 1:
            problem = "is not in offer.yaml or vision.yaml" if not found else f"matches {len(found)} items"
            raise ContentError(
                "asked.yaml",
                f"asked ({entry.about[:40]})",
                f"about {entry.about!r} {problem}: quote a unique exact part of one item, or give a passage id",
            )


def _check_everyday(content: Content) -> None:
    words = content_words(content)
    for word, meaning in content.everyday.means.items():
        problem = everyday_problem(word, meaning, content, words)
        if problem:
            raise ContentError("everyday.yaml", f"means › {word}", problem)
