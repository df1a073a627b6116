"""The school directory: importing the DfE GIAS establishment CSV, fee bands, members, lookups.

Fee band mapping (documented and tested in tests/test_schools.py), applied in this order:
1. Pupil referral units and alternative provision (type names containing "pupil referral unit" or
   "alternative provision") → PRU primary when the phase is Primary, Middle deemed primary or
   Nursery, or the statutory high age is 11 or under; otherwise PRU secondary.
2. Special schools (type group "Special schools", or a type name containing "special") → Special.
3. Phase Primary or Middle deemed primary → Primary.
4. Phase Secondary, All-through or Middle deemed secondary → Secondary.
Anything else (nursery schools, 16 plus, independent schools, colleges, universities, other
types) is skipped, and the import report says why. A row with too few columns is skipped and
reported by its line number; pupil counts may be written with thousands separators ("1,462").
Only open schools in the chosen local authority are kept; a school that has closed since an
earlier import is marked not open.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from rapidfuzz import fuzz, process, utils

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
    """What an import did: counts, why rows were skipped, bad rows by line, schools without a pupil count."""

    imported: int = 0
    updated: int = 0
    marked_closed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    bands: Counter[str] = field(default_factory=Counter)
    bad_rows: list[str] = field(default_factory=list)
    no_pupils: list[str] = field(default_factory=list)
    la_names: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    in_la: int = 0

    @property
    def total_skipped(self) -> int:
        """Rows not imported."""
        return sum(self.skipped.values())

    @property
    def matched_la(self) -> int:
        """Readable rows in the chosen local authority (imported or not); unreadable rows are not counted."""
        return self.in_la


def fee_band(row: dict[str, str]) -> tuple[str | None, str | None]:
    """(band, None) for a GIAS row, or (None, reason) when it has no ELP fee band."""
    kind = (row.get("TypeOfEstablishment (name)") or "").strip()
    group = (row.get("EstablishmentTypeGroup (name)") or "").strip()
    phase = (row.get("PhaseOfEducation (name)") or "").strip()
    lowered = kind.casefold()
    if group in NOT_STATE_FUNDED:
        return None, f"not a state-funded school ({group})"
    if "pupil referral unit" in lowered or "alternative provision" in lowered:
        high = (row.get("StatutoryHighAge") or "").strip()
        young = phase in PRIMARY_PHASES | {"Nursery"} or (high.isdigit() and int(high) <= 11)
        return ("pru_primary" if young else "pru_secondary"), None
    if group == "Special schools" or "special" in lowered:
        return "special", None
    if phase in PRIMARY_PHASES:
        return "primary", None
    if phase in SECONDARY_PHASES:
        return "secondary", None
    return None, f"no fee band for phase {phase or 'not given'}"


def parse_pupils(text: str | None) -> int | None:
    """A pupil count as GIAS or a spreadsheet writes it ("420", "1,462", " 1 462 "), or None."""
    cleaned = (text or "").replace(",", "").replace(" ", "").replace("\u00a0", "").strip()
    return int(cleaned) if cleaned.isdigit() else None


def detect_encoding(path: str | Path) -> str:
    """The file's encoding, read in chunks (memory stays flat): "utf-8-sig" if it all decodes as UTF-8, else
    "cp1252" (GIAS exports are Windows-1252 in practice; read it with errors="replace")."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as file:
        try:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def count_lines(path: str | Path) -> int:
    """How many lines the file has (for a progress bar), read in chunks."""
    with open(path, "rb") as file:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))


def decode_csv(data: bytes) -> str:
    """GIAS exports are Windows-1252 in practice; accept UTF-8 (with or without BOM) too."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


LINE = "__line__"  # the key under which read_rows records each row's line number in the file


def read_rows(text: str | TextIO) -> tuple[list[str], Iterator[dict[str, str]]]:
    """The header and the rows of a GIAS CSV (each with its line number under LINE), checking the columns.

    `text` is the whole file as a string, or a text stream opened with newline="" (read as it goes).
    """
    reader = csv.DictReader(io.StringIO(text, newline="") if isinstance(text, str) else text)
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DirectoryError(f"not a GIAS establishment export: missing column(s) {', '.join(missing)}")

    def numbered() -> Iterator[dict[str, str]]:
        for row in reader:
            row[LINE] = str(reader.line_num)
            yield row

    return header, numbered()


def _row_problem(row: dict[str, str]) -> str | None:
    """Why a row cannot be read at all (too few or too many columns), or None.

    Extra values (csv.DictReader keeps them under the key None) mean the columns are shifted, e.g. by
    an unquoted comma in a name, so no value in the row can be trusted; extra empty values are harmless.
    """
    absent = [c for c in REQUIRED_COLUMNS if row.get(c) is None]
    if absent:
        return f"too few columns (no {', '.join(absent)})"
    extra: list[str] = row.get(None) or []  # type: ignore[call-overload]
    if any(value.strip() for value in extra):
        columns = sum(1 for key in row if key not in (None, LINE))
        return f"too many columns ({columns + len(extra)} values for {columns} columns)"
    return None


def import_gias(
    store: Store,
    rows: Iterable[dict[str, str]],
    *,
    la: str,
    now: str,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert open schools of one local authority; report what was imported, updated and skipped.

    A row that cannot be read is skipped and named by its line; the rest are imported.
    """
    report = ImportReport()
    wanted = la.strip().casefold()
    existing = store.school_urns()
    with store.transaction():
        for number, row in enumerate(rows, start=2):
            if progress:
                progress(1)
            report.rows += 1
            line = row.get(LINE) or str(number)
            problem = _row_problem(row)
            if problem:
                report.skipped["unreadable row"] += 1
                report.bad_rows.append(f"line {line}: {problem}")
                continue
            row_la = row["LA (name)"].strip()
            report.la_names[row_la] += 1
            if row_la.casefold() != wanted:
                report.skipped["in another local authority"] += 1
                continue
            report.in_la += 1
            urn = row["URN"].strip()
            if not urn.isdigit():
                report.skipped["no valid URN"] += 1
                report.bad_rows.append(f"line {line}: URN {urn!r} is not a number")
                continue
            status = row["EstablishmentStatus (name)"].strip()
            if not status.startswith("Open"):
                report.skipped[f"not open ({status or 'no status'})"] += 1
                if urn in existing:
                    store.mark_school_closed(urn, now)
                    report.marked_closed += 1
                continue
            band, reason = fee_band(row)
            if band is None:
                report.skipped[reason or "no fee band"] += 1
                continue
            name = row["EstablishmentName"].strip()
            pupils = parse_pupils(row["NumberOfPupils"])
            if pupils is None:
                report.no_pupils.append(f"{name} ({urn})")
            store.upsert_school(
                {
                    "urn": urn,
                    "name": name,
                    "la": row_la,
                    "establishment_type": row["TypeOfEstablishment (name)"].strip(),
                    "type_group": row["EstablishmentTypeGroup (name)"].strip(),
                    "phase": row["PhaseOfEducation (name)"].strip(),
                    "pupils": pupils,
                    "fee_band": band,
                },
                now,
            )
            if urn in existing:
                report.updated += 1
            else:
                report.imported += 1
                existing.add(urn)
            report.bands[band] += 1
    return report


def closest_las(wanted: str, names: Iterable[str], limit: int = 3) -> list[str]:
    """The local authority names in a file closest to a mistyped one, best first."""
    found = process.extract(wanted, list(names), scorer=fuzz.WRatio, processor=utils.default_process, limit=limit)
    return [name for name, _score, _index in found]


def schools(store: Store, *, members_only: bool = False, include_closed: bool = False) -> list[dict[str, Any]]:
    """Schools in the directory, by name."""
    return store.schools(members_only=members_only, include_closed=include_closed)


def school(store: Store, urn: str) -> dict[str, Any] | None:
    """One school by URN."""
    return store.school(urn)


def mark_members(store: Store, urns: Iterable[str], now: str) -> tuple[int, list[str]]:
    """Make exactly these URNs the member schools; return (members marked, URNs not in the directory)."""
    wanted = [u.strip() for u in urns if u.strip()]
    known = store.school_urns()
    unknown = [u for u in wanted if u not in known]
    with store.transaction():
        store.set_members([u for u in wanted if u in known], now)
    return len(wanted) - len(unknown), unknown
