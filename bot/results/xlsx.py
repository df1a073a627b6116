"""The XLSX workbook for analysts: responses, quotable comments and counts, streamed in write-only mode.

Rows go straight to the file (openpyxl write-only mode), so memory stays flat as respondents grow.
Each sheet has a bold, frozen header row with a filter, sensible widths and wrapped comments. Text
that looks like a formula is stored as a plain string cell with Excel's quote-prefix style: shown
exactly as typed, never evaluated, no visible apostrophe. Characters XML 1.0 forbids are replaced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.results.cells import clean, looks_like_formula
from bot.results.exports import Column, columns, rows
from bot.results.tables import Labels, heading, quote, tallies
from content import Content
from storage import Store

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
TIME_FORMAT = "yyyy-mm-dd hh:mm"


def _cell(sheet: WriteOnlyWorksheet, value: object, *, wrap: bool = False, bold: bool = False) -> WriteOnlyCell:
    """A cell for `value`: XML-safe text, formula-like text kept as a string, styled as asked."""
    value = clean(value)
    cell = WriteOnlyCell(sheet, value=value)
    if looks_like_formula(value):
        cell.data_type = "s"  # a string, never a formula
        cell.quotePrefix = True  # Excel's own "text, not a formula" mark, kept if the cell is edited
    if bold:
        cell.font = BOLD
    if wrap:
        cell.alignment = WRAP
    return cell


def _value(sheet: WriteOnlyWorksheet, value: object, wrap: bool) -> object:
    """What to append for one value: plain values as they are (fast), a styled cell only where needed."""
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = TIME_FORMAT
        return cell
    if not isinstance(value, str):
        return value
    if wrap or looks_like_formula(value):
        return _cell(sheet, value, wrap=wrap)
    return clean(value)


def _sheet(workbook: Workbook, title: str, table: list[Column], values: Iterable[list[object]]) -> None:
    """One sheet: widths, a bold frozen header with a filter, then the rows as they come."""
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(table, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, column.header, bold=True, wrap=True) for column in table])
    count = 1
    wraps = [column.wrap for column in table]
    for row in values:
        sheet.append([_value(sheet, v, w) for v, w in zip(row, wraps, strict=True)])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table))}{count}"


def _plain(header: str, width: float = 14, wrap: bool = False) -> Column:
    return Column(header, lambda *_: None, width, wrap)


def write_workbook(store: Store, content: Content, path: str | Path) -> None:
    """Write the workbook: Responses (labels, worded headers), Comments (quotable) and Counts, one sheet each."""
    workbook = Workbook(write_only=True)
    table = [Column("Respondent id", lambda person, _: person["id"], 10), *columns(content)]
    _sheet(workbook, "Responses", table, rows(store, table))
    labels = Labels(content)
    _sheet(
        workbook,
        "Comments",
        [
            _plain("Question id", 9),
            _plain("Question", 28),
            _plain("Answer", 10),
            _plain("Comment", 60, wrap=True),
            _plain("School type", 18),
            _plain("Role", 18),
            _plain("School (if named)", 30),
        ],
        (
            [q.id, heading(q), c["choice"], c["text"], c["school_type"], c["role"], c["school"]]
            for q in content.questions
            for c in (quote(row, labels) for row in store.quotable_comments(q.id))
        ),
    )
    choice_labels = [c.label for c in content.consultation.choices]
    counts = tallies(store, content)
    _sheet(
        workbook,
        "Counts",
        [
            _plain("Question id", 9),
            _plain("Question", 28),
            _plain("Group", 24),
            *(_plain(label, 9) for label in choice_labels),
            _plain("Answers", 9),
        ],
        (
            [q.id, heading(q), row.label, *row.counts, row.total]
            for q in content.questions
            for row in counts.get(q.id, [])
        ),
    )
    workbook.save(str(path))
