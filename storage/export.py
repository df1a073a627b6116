"""Kept for callers of the old names: the exports now live in `bot.results.exports` (the coded CSV here)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from storage import Store

__all__ = ["csv_columns", "records", "safe_cell", "to_csv", "to_json"]


def records(store: Store, question_ids: Sequence[str]) -> list[dict[str, Any]]:
    """One dict per respondent in the JSON export's shape; unanswered questions are absent."""
    from bot.results.exports import records as stream

    return list(stream(store, question_ids))


def to_json(store: Store, question_ids: Sequence[str]) -> str:
    """The JSON export as text."""
    from bot.results.exports import to_json as export

    return export(store, question_ids)


def csv_columns(question_ids: Sequence[str], text_questions: Sequence[str]) -> list[str]:
    """The coded CSV headers: respondent columns, then q1, q1_comment, … in question order."""
    from bot.results.exports import csv_columns as coded

    return coded(question_ids, text_questions)


def safe_cell(value: object) -> object:
    """A CSV cell: XML-safe, formula-like text prefixed with an apostrophe."""
    from bot.results.cells import csv_cell

    return csv_cell(value)


def to_csv(store: Store, question_ids: Sequence[str], text_questions: Sequence[str]) -> str:
    """The coded CSV (codes and short headers) for the questions given."""
    from bot.results.exports import coded_columns, write_table

    buffer = io.StringIO()
    write_table(store, coded_columns(question_ids, text_questions), buffer)
    return buffer.getvalue()
