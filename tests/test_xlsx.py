"""The XLSX workbook: sheets and counts, text cells that stay text, layout, and hostile characters."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections import Counter

from openpyxl import load_workbook

from bot.results.xlsx import write_workbook
from tests.results_world import (  # noqa: F401
    FORBIDDEN,
    FORBIDDEN_CLEAN,
    FORMULAS,
    expected_counts,
    hostile_store,
    world_fixture,
)


def test_workbook_sheets_counts_and_labels(world, content, tmp_path) -> None:
    store, truth = world
    path = tmp_path / "r.xlsx"
    write_workbook(store, content, path)
    book = load_workbook(path)
    assert book.sheetnames == ["Responses", "Comments", "Counts"]
    responses = list(book["Responses"].values)
    header, rows = responses[0], responses[1:]
    assert len(rows) == 300
    q1 = header.index("Q1 Aims – answer")
    assert header[q1 + 1] == "Q1 Aims – comment"
    labels = {"yes": "Yes", "partly": "Partly", "no": "No", "unsure": "Not sure"}
    assert Counter(r[q1] for r in rows if r[q1]) == Counter(
        labels[c] for (_, qid), (c, _) in truth["answers"].items() if qid == "q1"
    )
    counts = {(r[0], r[2]): r[3:7] for r in list(book["Counts"].values)[1:]}
    assert list(counts[("q3", "All respondents")]) == expected_counts(truth, "q3", "overall")
    assert list(counts[("q3", "Other (role)")]) == expected_counts(truth, "q3", "role:other")


def test_layout_bold_frozen_filtered_wrapped(world, content, tmp_path) -> None:
    store, _ = world
    path = tmp_path / "r.xlsx"
    write_workbook(store, content, path)
    book = load_workbook(path)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    responses = book["Responses"]
    header = [c.value for c in responses[1]]
    comment = header.index("Q1 Aims – comment") + 1
    letter = responses.cell(1, comment).column_letter
    assert responses.column_dimensions[letter].width == 40
    assert responses.column_dimensions["A"].width == 10
    commented = next(row[comment - 1] for row in responses.iter_rows(min_row=2) if row[comment - 1].value)
    assert commented.alignment.wrap_text


def test_formula_like_text_is_a_string_without_an_apostrophe(tmp_path, content) -> None:
    store = hostile_store(tmp_path / "h.db", content)
    path = tmp_path / "h.xlsx"
    write_workbook(store, content, path)
    store.close()
    book = load_workbook(path)
    seen = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in FORMULAS:
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate)
                    seen.add(cell.value)
                assert not (isinstance(cell.value, str) and cell.value.startswith("'")), cell.value
    assert seen == set(FORMULAS)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode(), name


def test_forbidden_characters_are_replaced_and_the_file_opens(tmp_path, content) -> None:
    store = hostile_store(tmp_path / "h.db", content)
    path = tmp_path / "h.xlsx"
    write_workbook(store, content, path)
    store.close()
    book = load_workbook(path)  # raises if the XML is not well-formed
    rows = list(book["Responses"].values)
    header, hostile = rows[0], rows[2]
    assert hostile[header.index("School")] == "School " + FORBIDDEN_CLEAN
    assert hostile[header.index("Chat user id")] == "evil\ufffd"
    text_column = next(i for i, h in enumerate(header) if h.startswith("Q5.11"))
    assert hostile[text_column] == f"{FORBIDDEN_CLEAN}\nsecond line {FORBIDDEN_CLEAN}"
    assert hostile[header.index("Q1 Aims – answer")] == "Not sure"
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and set(value) & set(FORBIDDEN) - set("badend")), value


def test_times_are_date_cells_in_uk_time(tmp_path, content) -> None:
    from storage import Store

    store = Store.open(tmp_path / "t.db")
    with store.transaction():
        winter = store.create_respondent("test", "winter", None, "2026-12-01T09:30:00+00:00")
        summer = store.create_respondent("test", "summer", None, "2027-03-30T09:30:00+00:00")
        store.update_respondent(summer, "2027-03-30T09:45:00+00:00", submitted_at="2027-03-30T09:45:00+00:00")
    path = tmp_path / "t.xlsx"
    write_workbook(store, content, path)
    store.close()
    sheet = load_workbook(path)["Responses"]
    header = [c.value for c in sheet[1]]
    started, submitted = header.index("Started (UK time)"), header.index("Submitted (UK time)")
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    assert winter and rows["winter"][started].value == dt.datetime(2026, 12, 1, 9, 30)
    assert rows["summer"][started].value == dt.datetime(2027, 3, 30, 10, 30), "British Summer Time"
    assert rows["summer"][submitted].value == dt.datetime(2027, 3, 30, 10, 45)
    assert rows["summer"][started].number_format == "yyyy-mm-dd hh:mm"
    assert rows["winter"][submitted].value is None
