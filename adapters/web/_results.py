"""The only place the admin pages reach the results code (counts, report, exports), so it can be repointed."""

from __future__ import annotations

import io
from typing import Any

from content import Content
from storage import Store
from storage.export import to_csv, to_json
from storage.report import build_report, build_workbook
from storage.results import school_statuses, summary


def overview(store: Store, content: Content) -> dict[str, Any]:
    """Headline counts: respondents, submitted, in progress, member schools responded, by type and role (labels)."""
    result = summary(store)
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
    """Every response as CSV, XLSX or JSON, exactly as `elp-bot export` writes it."""
    ids = [q.id for q in content.questions]
    if fmt == "csv":
        return to_csv(store, ids, [q.id for q in content.questions if q.kind == "text"]).encode("utf-8")
    if fmt == "json":
        return to_json(store, ids).encode("utf-8")
    buffer = io.BytesIO()
    build_workbook(store, content).save(buffer)
    return buffer.getvalue()


def schools(store: Store) -> list[dict[str, Any]]:
    """Member schools (or all open schools) with status submitted / in_progress / not_started."""
    return school_statuses(store)


def unanswered(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    """Questions the assistant could not answer, most frequent first."""
    return store.unanswered_summary(limit)
