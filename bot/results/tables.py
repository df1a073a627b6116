"""The numbers and quotes behind the report and workbook: tallies per question and group, quotable comments."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from content import Content
from storage import Store

NOT_GIVEN = "Not given"


@dataclass(frozen=True)
class Row:
    """One bar of a chart: a group (overall, a school type, a role) and its counts per choice."""

    group: str
    label: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        """Answers in this group."""
        return sum(self.counts)


class Labels:
    """Words for the codes stored: choices, school types, roles, consent, status, and question headings."""

    def __init__(self, content: Content):
        identity = content.consultation.identity
        self.school_types = {o.id: o.label for o in identity.school_types}
        self.roles = {o.id: o.label for o in identity.roles}
        self.consent = {o.id: o.label for o in identity.quote_consent}
        self.choices = {c.code: c.label for c in content.consultation.choices}
        self.status = {"submitted": "Submitted", "in_progress": "In progress"}

    def group(self, kind: str, key: str | None) -> str:
        """A school type or role label that cannot be confused across groups ("Other" is both)."""
        label = (self.school_types if kind == "type" else self.roles).get(key or "", NOT_GIVEN)
        if label in {"Other", NOT_GIVEN}:
            return f"{label} ({'school type' if kind == 'type' else 'role'})"
        return label

    def school_type(self, key: str | None) -> str:
        """The school type as charts and comments show it."""
        return self.group("type", key)

    def role(self, key: str | None) -> str:
        """The role as charts and comments show it."""
        return self.group("role", key)


def heading(question: Any) -> str:
    """A question's short heading, e.g. "Q5.7 Business support"."""
    return f"Q{question.id[1:]} {question.short}"


def tallies(store: Store, content: Content) -> dict[str, list[Row]]:
    """Per choice question: rows for overall, each school type and each role (groups with no answers left out).

    The counting is done in SQL (one GROUP BY); only the small table of counts comes into Python.
    """
    codes = [c.code for c in content.consultation.choices]
    labels = Labels(content)
    identity = content.consultation.identity
    by: dict[str, dict[str, Counter[str]]] = {}
    for qid, school_type, role, choice, count in store.choice_counts():
        if choice not in codes:
            continue
        groups = by.setdefault(qid, {})
        for key in ("overall", f"type:{school_type or 'unknown'}", f"role:{role or 'unknown'}"):
            groups.setdefault(key, Counter())[choice] += count
    out: dict[str, list[Row]] = {}
    for question in content.questions:
        if question.kind != "choice":
            continue
        groups = by.get(question.id, {})
        overall = groups.get("overall", Counter())
        rows = [Row("overall", "All respondents", tuple(overall[c] for c in codes))]
        for kind, options in (("type", identity.school_types), ("role", identity.roles)):
            for key in [o.id for o in options] + ["unknown"]:
                counts = groups.get(f"{kind}:{key}")
                if counts:
                    rows.append(Row(f"{kind}:{key}", labels.group(kind, key), tuple(counts[c] for c in codes)))
        out[question.id] = rows
    return out


def in_content_order(counts: Counter[str], options: Any, kind: str, labels: Labels) -> list[tuple[str, int]]:
    """(label, count) in the questionnaire's option order, then anything not among the options."""
    ids = [o.id for o in options]
    ordered = [k for k in ids if counts.get(k)] + sorted(k for k in counts if k not in ids)
    return [(labels.group(kind, None if k == "unknown" else k), counts[k]) for k in ordered]


def quote(row: dict[str, Any], labels: Labels) -> dict[str, Any]:
    """A stored quotable comment in words: text, answer label, school type, role, school (if named)."""
    return {
        "text": row["comment"],
        "choice": labels.choices.get(row["choice"] or "", ""),
        "school_type": labels.school_type(row["school_type"]),
        "role": labels.role(row["role"]),
        "school": row["school"],
    }


class Quotes:
    """One question's quotable comments in words, read from the store each time they are iterated."""

    def __init__(self, store: Store, question_id: str, labels: Labels, count: int):
        self.store, self.question_id, self.labels, self.count = store, question_id, labels, count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The comments, oldest respondent first, streamed."""
        return (quote(row, self.labels) for row in self.store.quotable_comments(self.question_id))

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0


def comments(store: Store, content: Content) -> dict[str, Quotes]:
    """Quotable comments per question, attributed as each respondent allowed; declined ones left out.

    Nothing is read until a question's comments are iterated, so a report can stream them out.
    """
    labels = Labels(content)
    counts = store.quotable_comment_counts()
    return {q.id: Quotes(store, q.id, labels, counts.get(q.id, 0)) for q in content.questions}
