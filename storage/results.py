"""Counting responses for the ELP team: who responded, by school type and role, answer tallies."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from storage import Store


@dataclass
class Summary:
    """Headline counts."""

    respondents: int = 0
    submitted: int = 0
    in_progress: int = 0
    members: int = 0
    members_responded: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    by_role: Counter[str] = field(default_factory=Counter)


def summary(store: Store) -> Summary:
    """Respondents, submitted, in progress; member schools responded (if marked); by type and role."""
    result = Summary()
    for row in store.respondents():
        result.respondents += 1
        result.submitted += row["status"] == "submitted"
        result.in_progress += row["status"] != "submitted"
        result.by_type[row["school_type"] or "unknown"] += 1
        result.by_role[row["role"] or "unknown"] += 1
    members = {r[0] for r in store.conn.execute("SELECT urn FROM schools WHERE member = 1 AND open = 1")}
    result.members = len(members)
    responded = {
        r[0] for r in store.conn.execute("SELECT DISTINCT school_urn FROM respondents WHERE school_urn IS NOT NULL")
    }
    result.members_responded = len(members & responded)
    return result


def school_statuses(store: Store) -> list[dict[str, Any]]:
    """Every member school (or every open school if none are marked) with its response status."""
    marked = store.conn.execute("SELECT count(*) FROM schools WHERE member = 1").fetchone()[0]
    schools = list(
        store.db.query(
            "SELECT urn, name, fee_band FROM schools WHERE open = 1"
            + (" AND member = 1" if marked else "")
            + " ORDER BY name"
        )
    )
    by_school: dict[str, list[dict[str, Any]]] = {}
    for row in store.respondents():
        if row["school_urn"]:
            by_school.setdefault(row["school_urn"], []).append(row)
    out = []
    for school in schools:
        people = by_school.get(school["urn"], [])
        if any(p["status"] == "submitted" for p in people):
            status = "submitted"
        elif people:
            status = "in_progress"
        else:
            status = "not_started"
        out.append({**school, "status": status, "respondents": len(people)})
    return out
