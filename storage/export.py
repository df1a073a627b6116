"""Exports for the ELP team: JSON (one object per respondent) and CSV that opens cleanly in Excel."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from storage import Store

RESPONDENT_FIELDS = ("user_id", "channel", "name", "role", "school", "school_type")
RECORD_FIELDS = ("status", "reference", "started_at", "updated_at", "submitted_at", "amended_at", "quote_consent")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def records(store: Store, question_ids: Sequence[str]) -> list[dict[str, Any]]:
    """One dict per respondent in the JSON export's shape; unanswered questions are absent."""
    answers = store.all_answers()
    out = []
    for row in store.respondents():
        mine = answers.get(row["id"], {})
        out.append(
            {
                "respondent": {name: row[name] for name in RESPONDENT_FIELDS},
                **{name: row[name] for name in RECORD_FIELDS},
                "answers": {
                    qid: {"choice": mine[qid].choice, "comment": mine[qid].comment}
                    for qid in question_ids
                    if qid in mine
                },
            }
        )
    return out


def to_json(store: Store, question_ids: Sequence[str]) -> str:
    """The JSON export as text."""
    return json.dumps(records(store, question_ids), ensure_ascii=False, indent=2) + "\n"


def csv_columns(question_ids: Sequence[str], text_questions: Sequence[str]) -> list[str]:
    """Respondent columns, then q1, q1_comment, … in question order (free-text questions: one column)."""
    columns = [*RESPONDENT_FIELDS, *RECORD_FIELDS]
    for qid in question_ids:
        columns += [qid] if qid in text_questions else [qid, f"{qid}_comment"]
    return columns


def safe_cell(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(store: Store, question_ids: Sequence[str], text_questions: Sequence[str]) -> str:
    """The CSV export as text, with a UTF-8 byte-order mark so Excel reads accents and emoji."""
    buffer = io.StringIO()
    columns = csv_columns(question_ids, text_questions)
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for record in records(store, question_ids):
        row: dict[str, object] = {**record["respondent"], **{k: record[k] for k in RECORD_FIELDS}}
        for qid, answer in record["answers"].items():
            if qid in text_questions:
                row[qid] = answer["comment"]
            else:
                row[qid], row[f"{qid}_comment"] = answer["choice"], answer["comment"]
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return "\ufeff" + buffer.getvalue()
