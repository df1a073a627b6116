"""CSV and JSON exports for the ELP team, streamed from `Store.responses()`.

The CSV is for people: worded headers ("Q5.7 Business support – answer") and labels (Yes, Partly,
No, Not sure; role and school type names), times in UK time as Excel reads dates ("2026-11-24 22:21:48").
`codes=True` gives the analysts' CSV with the stored codes and short headers (`q5.7`, `q5.7_comment`),
as the JSON keeps them. Every text value is made
XML-safe, and CSV cells a spreadsheet would run as formulas get a leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.results.cells import clean, csv_cell
from bot.results.tables import Labels, heading
from content import Content
from storage import Answer, Store

RESPONDENT_FIELDS = ("user_id", "channel", "name", "role", "school", "school_type", "school_urn")
TIME_FIELDS = ("started_at", "updated_at", "submitted_at", "amended_at")
RECORD_FIELDS = ("status", "reference", "started_at", "updated_at", "submitted_at", "amended_at", "quote_consent")
WORDED = {
    "user_id": "Chat user id",
    "channel": "Channel",
    "name": "Name",
    "role": "Role",
    "school": "School",
    "school_type": "School type",
    "school_urn": "School URN (directory)",
    "status": "Status",
    "reference": "Reference",
    "started_at": "Started",
    "updated_at": "Last change",
    "submitted_at": "Submitted",
    "amended_at": "Amended after submitting",
    "quote_consent": "Quoting comments",
}
Person = dict[str, Any]
Answers = dict[str, Answer]


@dataclass(frozen=True)
class Column:
    """One column of a tabular export: its header, a width hint (characters), how to get its value."""

    header: str
    value: Callable[[Person, Answers], object]
    width: float = 14
    wrap: bool = False


def _field(name: str, words: dict[str, str] | None = None) -> Callable[[Person, Answers], object]:
    if words is None:
        return lambda person, _: person[name]
    return lambda person, _: words.get(person[name] or "", person[name])


def local_time(value: object, zone: ZoneInfo) -> object:
    """A stored ISO time as a local date-time without zone (Excel sorts and filters it as a date); None if unset."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value  # not a time after all: shown as stored
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone).replace(tzinfo=None)


def _time(name: str, zone: ZoneInfo) -> Callable[[Person, Answers], object]:
    return lambda person, _: local_time(person[name], zone)


def _choice(qid: str, words: dict[str, str] | None = None) -> Callable[[Person, Answers], object]:
    def value(_: Person, answers: Answers) -> object:
        answer = answers.get(qid)
        if answer is None or answer.choice is None:
            return None
        return answer.choice if words is None else words.get(answer.choice, answer.choice)

    return value


def _comment(qid: str) -> Callable[[Person, Answers], object]:
    return lambda _, answers: answers[qid].comment if qid in answers else None


def csv_columns(question_ids: Sequence[str], text_questions: Sequence[str]) -> list[str]:
    """The coded headers: respondent columns, then q1, q1_comment, … (free-text questions: one column)."""
    columns = [*RESPONDENT_FIELDS, *RECORD_FIELDS]
    for qid in question_ids:
        columns += [qid] if qid in text_questions else [qid, f"{qid}_comment"]
    return columns


def coded_columns(question_ids: Sequence[str], text_questions: Sequence[str]) -> list[Column]:
    """The coded columns (headers as `csv_columns`), values as stored."""
    out = [Column(name, _field(name)) for name in (*RESPONDENT_FIELDS, *RECORD_FIELDS)]
    for qid in question_ids:
        if qid not in text_questions:
            out.append(Column(qid, _choice(qid)))
        out.append(Column(qid if qid in text_questions else f"{qid}_comment", _comment(qid)))
    return out


def columns(content: Content, *, codes: bool = False) -> list[Column]:
    """The columns of the responses table: coded (`codes=True`) or worded with labels (the default)."""
    if codes:
        return coded_columns([q.id for q in content.questions], [q.id for q in content.questions if q.kind == "text"])
    labels = Labels(content)
    words = {"role": labels.roles, "school_type": labels.school_types, "status": labels.status}
    words["quote_consent"] = labels.consent
    widths = {"school": 32, "name": 20, "quote_consent": 24, "user_id": 16, "school_urn": 11}
    timezone = content.consultation.timezone
    which = "UK time" if timezone == "Europe/London" else timezone
    out = [
        Column(f"{WORDED[name]} ({which})", _time(name, ZoneInfo(timezone)), 17)
        if name in TIME_FIELDS
        else Column(WORDED[name], _field(name, words.get(name)), widths.get(name, 14))
        for name in (*RESPONDENT_FIELDS, *RECORD_FIELDS)
    ]
    for question in content.questions:
        title = heading(question)
        if question.kind != "text":
            out.append(Column(f"{title} – answer", _choice(question.id, labels.choices), 12))
        out.append(Column(f"{title} – comment", _comment(question.id), 40, wrap=True))
    return out


def rows(store: Store, table: list[Column]) -> Iterator[list[object]]:
    """The values of each respondent's row, oldest first, streamed."""
    for person, answers in store.responses():
        yield [column.value(person, answers) for column in table]


def write_csv(store: Store, content: Content, stream: TextIO, *, codes: bool = False) -> None:
    """Write the CSV export to a text stream, with a UTF-8 byte-order mark so Excel reads accents and emoji."""
    write_table(store, columns(content, codes=codes), stream)


def write_table(store: Store, table: list[Column], stream: TextIO) -> None:
    """Write these columns for every respondent as CSV (byte-order mark first, Excel-safe cells)."""
    writer = csv.writer(stream, lineterminator="\r\n")
    stream.write("\ufeff")
    writer.writerow([column.header for column in table])
    for values in rows(store, table):
        writer.writerow([csv_cell(v) for v in values])


def to_csv(store: Store, content: Content, *, codes: bool = False) -> str:
    """The CSV export as text."""
    buffer = io.StringIO()
    write_csv(store, content, buffer, codes=codes)
    return buffer.getvalue()


def records(store: Store, question_ids: Sequence[str]) -> Iterator[dict[str, Any]]:
    """One dict per respondent in the JSON export's shape (codes, XML-safe text); unanswered questions absent."""
    for person, mine in store.responses():
        yield {
            "respondent": {name: clean(person[name]) for name in RESPONDENT_FIELDS},
            **{name: clean(person[name]) for name in RECORD_FIELDS},
            "answers": {
                qid: {"choice": mine[qid].choice, "comment": clean(mine[qid].comment)}
                for qid in question_ids
                if qid in mine
            },
        }


def write_json(store: Store, question_ids: Sequence[str], stream: TextIO) -> None:
    """Write the JSON export (a list, one object per respondent) to a text stream, one respondent at a time."""
    separator = "[\n  "
    for record in records(store, question_ids):
        stream.write(separator + json.dumps(record, ensure_ascii=False, indent=2).replace("\n", "\n  "))
        separator = ",\n  "
    stream.write("[]\n" if separator.startswith("[") else "\n]\n")


def to_json(store: Store, question_ids: Sequence[str]) -> str:
    """The JSON export as text."""
    buffer = io.StringIO()
    write_json(store, question_ids, buffer)
    return buffer.getvalue()
