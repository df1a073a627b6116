"""The school directory: importing the DfE GIAS establishment CSV, fee bands, members, lookups.

Fee band mapping (documented and tested in tests/test_schools.py), applied in this order:
1. Pupil referral units and alternative provision (type names containing "pupil referral unit" or
   "alternative provision") → PRU primary when the phase is Primary, Middle deemed primary or
   Nursery, or the statutory high age is 11 or under; otherwise PRU secondary.
2. Special schools (type group "Special schools", or a type name containing "special") → Special.
3. Phase Primary or Middle deemed primary → Primary.
4. Phase Secondary, All-through or Middle deemed secondary → Secondary.
Anything else (nursery schools, 16 plus, independent schools, colleges, universities, other
types) is skipped, and the import report says why. Only open schools in the chosen local
authority are kept; a school that has closed since an earlier import is marked not open.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from storage import Store

REQUIRED_COLUMNS = (
    "URN",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (name)",
    "PhaseOfEducation (name)",
    "NumberOfPupils",
    "EstablishmentStatus (name)",
    "LA (name)",
)
NOT_STATE_FUNDED = frozenset(
    {"Independent schools", "Colleges", "Universities", "Welsh schools", "Online provider", "Other types"}
)
PRIMARY_PHASES = frozenset({"Primary", "Middle deemed primary"})
SECONDARY_PHASES = frozenset({"Secondary", "All-through", "Middle deemed secondary"})


class DirectoryError(Exception):
    """The file is not a GIAS establishment export we can read."""


@dataclass
class ImportReport:
    """What an import did: counts, and why rows were skipped."""

    imported: int = 0
    updated: int = 0
    marked_closed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    bands: Counter[str] = field(default_factory=Counter)

    @property
    def total_skipped(self) -> int:
        """Rows not imported."""
        return sum(self.skipped.values())


def fee_band(row: dict[str, str]) -> tuple[str | None, str | None]:
    """(band, None) for a GIAS row, or (None, reason) when it has no ELP fee band."""
    kind = row.get("TypeOfEstablishment (name)", "").strip()
    group = row.get("EstablishmentTypeGroup (name)", "").strip()
    phase = row.get("PhaseOfEducation (name)", "").strip()
    lowered = kind.casefold()
    if group in NOT_STATE_FUNDED:
        return None, f"not a state-funded school ({group})"
    if "pupil referral unit" in lowered or "alternative provision" in lowered:
        high = row.get("StatutoryHighAge", "").strip()
        young = phase in PRIMARY_PHASES | {"Nursery"} or (high.isdigit() and int(high) <= 11)
        return ("pru_primary" if young else "pru_secondary"), None
    if group == "Special schools" or "special" in lowered:
        return "special", None
    if phase in PRIMARY_PHASES:
        return "primary", None
    if phase in SECONDARY_PHASES:
        return "secondary", None
    return None, f"no fee band for phase {phase or 'not given'}"


def decode_csv(data: bytes) -> str:
    """GIAS exports are Windows-1252 in practice; accept UTF-8 (with or without BOM) too."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_rows(text: str) -> tuple[list[str], Iterator[dict[str, str]]]:
    """The header and the rows of a GIAS CSV, checking the columns we need are there."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DirectoryError(f"not a GIAS establishment export: missing column(s) {', '.join(missing)}")
    return header, reader


def import_gias(
    store: Store,
    rows: Iterable[dict[str, str]],
    *,
    la: str,
    now: str,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert open schools of one local authority; report what was imported, updated and skipped."""
    report = ImportReport()
    wanted = la.strip().casefold()
    existing = {r[0] for r in store.conn.execute("SELECT urn FROM schools")}
    with store.transaction():
        for row in rows:
            if progress:
                progress(1)
            if row.get("LA (name)", "").strip().casefold() != wanted:
                report.skipped["in another local authority"] += 1
                continue
            urn = (row.get("URN") or "").strip()
            if not urn.isdigit():
                report.skipped["no valid URN"] += 1
                continue
            status = row.get("EstablishmentStatus (name)", "").strip()
            if not status.startswith("Open"):
                report.skipped[f"not open ({status or 'no status'})"] += 1
                if urn in existing:
                    store.conn.execute("UPDATE schools SET open = 0, updated_at = ? WHERE urn = ?", (now, urn))
                    report.marked_closed += 1
                continue
            band, reason = fee_band(row)
            if band is None:
                report.skipped[reason or "no fee band"] += 1
                continue
            pupils_text = (row.get("NumberOfPupils") or "").strip()
            pupils = int(pupils_text) if pupils_text.isdigit() else None
            store.conn.execute(
                "INSERT INTO schools (urn, name, la, establishment_type, type_group, phase, pupils, fee_band,"
                " open, member, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?)"
                " ON CONFLICT (urn) DO UPDATE SET name = excluded.name, la = excluded.la,"
                " establishment_type = excluded.establishment_type, type_group = excluded.type_group,"
                " phase = excluded.phase, pupils = excluded.pupils, fee_band = excluded.fee_band, open = 1,"
                " updated_at = excluded.updated_at",
                (
                    urn,
                    row["EstablishmentName"].strip(),
                    row["LA (name)"].strip(),
                    row["TypeOfEstablishment (name)"].strip(),
                    row["EstablishmentTypeGroup (name)"].strip(),
                    row["PhaseOfEducation (name)"].strip(),
                    pupils,
                    band,
                    now,
                ),
            )
            if urn in existing:
                report.updated += 1
            else:
                report.imported += 1
                existing.add(urn)
            report.bands[band] += 1
    return report


def schools(store: Store, *, members_only: bool = False, include_closed: bool = False) -> list[dict[str, Any]]:
    """Schools in the directory, by name."""
    where = []
    if not include_closed:
        where.append("open = 1")
    if members_only:
        where.append("member = 1")
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return list(store.db.query(f"SELECT * FROM schools{clause} ORDER BY name"))


def school(store: Store, urn: str) -> dict[str, Any] | None:
    """One school by URN."""
    rows = list(store.db.query("SELECT * FROM schools WHERE urn = ?", [urn]))
    return rows[0] if rows else None


def mark_members(store: Store, urns: Iterable[str], now: str) -> tuple[int, list[str]]:
    """Make exactly these URNs the member schools; return (members marked, URNs not in the directory)."""
    wanted = [u.strip() for u in urns if u.strip()]
    known = {r[0] for r in store.conn.execute("SELECT urn FROM schools")}
    unknown = [u for u in wanted if u not in known]
    with store.transaction():
        store.conn.execute("UPDATE schools SET member = 0, updated_at = ? WHERE member = 1", (now,))
        for urn in wanted:
            if urn in known:
                store.conn.execute("UPDATE schools SET member = 1, updated_at = ? WHERE urn = ?", (now, urn))
    return len(wanted) - len(unknown), unknown
