"""The only place the admin pages reach the results code (counts, report, exports), so it can be repointed."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bot.results.exports import to_csv, to_json
from bot.results.report import build_report
from bot.results.xlsx import write_workbook
from content import Content
from storage import Store


def overview(store: Store, content: Content) -> dict[str, Any]:
    """Headline counts: respondents, submitted, in progress, member schools responded, by type and role (labels)."""
    result = store.summary()
    identity = content.consultation.identity
    labels = {o.id: o.label for o in (*identity.school_types, *identity.roles)} | {"unknown": "Not given yet"}
    return {
        "respondents": result.respondents,
        "submitted": result.submitted,
        "in_progress": result.in_progress,
        "members": result.members,
        "members_responded": result.members_responded,
        "by_type": [(labels.get(k, k), n) for k, n in sorted(result.by_type.items(), key=lambda kv: (-kv[1], kv[0]))],
        "by_role": [(labels.get(k, k), n) for k, n in sorted(result.by_role.items(), key=lambda kv: (-kv[1], kv[0]))],
    }


def report_html(store: Store, content: Content) -> str:
    """The board report, the same HTML as `elp-bot report`."""
    return build_report(store, content)


def download(store: Store, content: Content, fmt: str) -> bytes:
    """Every response as CSV (worded, or `csv-codes`), XLSX or JSON, exactly as `elp-bot export` writes it."""
    if fmt in ("csv", "csv-codes"):
        return to_csv(store, content, codes=fmt == "csv-codes").encode("utf-8")
    if fmt == "json":
        return to_json(store, [q.id for q in content.questions]).encode("utf-8")
    with tempfile.TemporaryDirectory() as folder:  # the workbook is written in openpyxl's write-only mode
        path = Path(folder) / "responses.xlsx"
        write_workbook(store, content, path)
        return path.read_bytes()


def schools(store: Store) -> list[dict[str, Any]]:
    """Member schools (or all open schools) with status submitted / in_progress / not_started."""
    return store.school_statuses()


def unanswered(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    """Questions the assistant could not answer, most frequent first."""
    return store.unanswered_summary(limit)
