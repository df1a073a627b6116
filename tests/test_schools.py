"""The school directory: GIAS import (encodings, bad rows, pupil counts), fee bands, re-import, members, CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from storage import Store
from storage.schools import (
    DirectoryError,
    count_lines,
    decode_csv,
    detect_encoding,
    fee_band,
    import_gias,
    mark_members,
    parse_pupils,
    read_rows,
    school,
    schools,
)

SAMPLE = Path(__file__).parent / "fixtures" / "gias_ealing_sample.csv"


@pytest.fixture
def store(tmp_path: Path):
    opened = Store.open(tmp_path / "dir.db")
    yield opened
    opened.close()


def load(store: Store, data: bytes, la: str = "Ealing"):
    _, rows = read_rows(decode_csv(data))
    return import_gias(store, rows, la=la, now="2026-12-01T00:00:00+00:00")


@pytest.mark.parametrize(
    ("kind", "group", "phase", "high", "band"),
    [
        ("Community school", "Local authority maintained schools", "Primary", "11", "primary"),
        ("Voluntary aided school", "Local authority maintained schools", "Middle deemed primary", "12", "primary"),
        ("Academy converter", "Academies", "Secondary", "18", "secondary"),
        ("Free schools", "Free Schools", "All-through", "18", "secondary"),
        ("Community school", "Local authority maintained schools", "Middle deemed secondary", "13", "secondary"),
        ("Community special school", "Local authority maintained schools", "Not applicable", "19", "special"),
        ("Academy special converter", "Special schools", "Secondary", "19", "special"),
        ("Pupil referral unit", "Local authority maintained schools", "Not applicable", "11", "pru_primary"),
        ("Pupil referral unit", "Local authority maintained schools", "Primary", "", "pru_primary"),
        ("Pupil referral unit", "Local authority maintained schools", "Not applicable", "16", "pru_secondary"),
        ("Academy alternative provision converter", "Academies", "Secondary", "16", "pru_secondary"),
        ("Free schools alternative provision", "Free Schools", "Not applicable", "", "pru_secondary"),
        ("Other independent school", "Independent schools", "All-through", "18", None),
        ("Local authority nursery school", "Local authority maintained schools", "Nursery", "5", None),
        ("Academy 16-19 converter", "Academies", "16 plus", "19", None),
    ],
)
def test_fee_band_mapping(kind: str, group: str, phase: str, high: str, band: str | None) -> None:
    found, reason = fee_band(
        {
            "TypeOfEstablishment (name)": kind,
            "EstablishmentTypeGroup (name)": group,
            "PhaseOfEducation (name)": phase,
            "StatutoryHighAge": high,
        }
    )
    assert found == band
    assert (reason is None) == (band is not None)


def test_import_windows_1252_sample(store: Store) -> None:
    report = load(store, SAMPLE.read_bytes())
    assert (report.imported, report.updated, report.total_skipped) == (10, 0, 6)
    assert report.skipped == {
        "in another local authority": 2,
        "not open (Closed)": 1,
        "not a state-funded school (Independent schools)": 1,
        "no fee band for phase Nursery": 1,
        "no fee band for phase 16 plus": 1,
    }
    assert school(store, "101941")["name"] == "St John’s Primary School"
    assert school(store, "101930")["pupils"] == 420 and school(store, "101942")["pupils"] is None
    assert school(store, "137400")["fee_band"] == "secondary"  # "Open, but proposed to close" is open


def test_import_utf8_with_bom_gives_the_same(store: Store) -> None:
    text = SAMPLE.read_bytes().decode("cp1252")
    report = load(store, "\ufeff".encode() + text.encode("utf-8"))
    assert report.imported == 10
    assert school(store, "101941")["name"] == "St John’s Primary School"


def test_reimport_updates_in_place_and_marks_closures(store: Store) -> None:
    load(store, SAMPLE.read_bytes())
    mark_members(store, ["101930"], "t")
    text = SAMPLE.read_bytes().decode("cp1252").replace(",420,", ",431,")
    text = text.replace(
        "Villiers High School,Community school,Local authority maintained schools,Open",
        "Villiers High School,Community school,Local authority maintained schools,Closed",
    )
    report = load(store, text.encode("cp1252"))
    assert (report.imported, report.updated, report.marked_closed) == (0, 9, 1)
    assert school(store, "101930")["pupils"] == 431
    assert school(store, "101930")["member"] == 1, "re-import keeps the member mark"
    assert "101935" not in {s["urn"] for s in schools(store)}
    assert "101935" in {s["urn"] for s in schools(store, include_closed=True)}


def test_another_local_authority(store: Store) -> None:
    report = load(store, SAMPLE.read_bytes(), la="hounslow")
    assert report.imported == 2 and report.bands == {"primary": 1, "secondary": 1}


def test_missing_columns_are_named() -> None:
    with pytest.raises(DirectoryError, match="missing column"):
        read_rows("URN,EstablishmentName\n1,A\n")


def test_members_are_exactly_those_listed(store: Store) -> None:
    load(store, SAMPLE.read_bytes())
    assert mark_members(store, ["101930", "137121", "999"], "t") == (2, ["999"])
    assert {s["urn"] for s in schools(store, members_only=True)} == {"101930", "137121"}
    mark_members(store, ["101932"], "t")
    assert {s["urn"] for s in schools(store, members_only=True)} == {"101932"}


def test_cli_import_list_find_members(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "cli.db")
    result = runner.invoke(main, ["schools", "import", str(SAMPLE), "--db", db])
    assert result.exit_code == 0, result.output
    assert "Ealing: imported 10 new, updated 0, marked closed 0, skipped 6" in result.output
    assert "skipped 2: in another local authority" in result.output
    members = tmp_path / "members.txt"
    members.write_text("# ELP members\n101930\n137121  # Drayton Manor\n", encoding="utf-8")
    assert "2 member school(s) marked" in runner.invoke(main, ["schools", "members", str(members), "--db", db]).output
    listed = runner.invoke(main, ["schools", "list", "--members", "--db", db]).output
    assert listed.splitlines()[0] == "2 school(s)" and "Drayton Manor High School" in listed
    found = runner.invoke(main, ["schools", "find", "drayton manor hs", "--db", db]).output
    assert "one clear match" in found and "137121" in found
    assert runner.invoke(main, ["schools", "find", "hogwarts", "--db", db]).exit_code == 1


def test_cli_rejects_a_file_that_is_not_gias(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["name", "pupils"], ["A school", "10"]])
    bad.write_text(buffer.getvalue(), encoding="utf-8")
    result = CliRunner().invoke(main, ["schools", "import", str(bad), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1 and "missing column(s) URN" in result.output


def test_short_rows_are_skipped_by_line_and_the_rest_imported(store: Store) -> None:
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    lines.insert(3, "101999,307,Ealing,3999,Truncated School")
    report = load(store, "\n".join(lines).encode("cp1252"))
    assert report.imported == 10, "every good row is still imported"
    assert report.skipped["unreadable row"] == 1
    assert report.bad_rows == [
        "line 4: too few columns (no TypeOfEstablishment (name), EstablishmentTypeGroup (name),"
        " PhaseOfEducation (name), NumberOfPupils, EstablishmentStatus (name))"
    ]
    assert school(store, "101999") is None


def test_pupil_counts_with_separators_and_missing_ones_reported(store: Store) -> None:
    text = SAMPLE.read_bytes().decode("cp1252").replace(",1450,", ',"1,462",')
    report = load(store, text.encode("cp1252"))
    assert school(store, "137121")["pupils"] == 1462
    assert parse_pupils(" 1 462 ") == 1462 and parse_pupils("n/a") is None and parse_pupils(None) is None
    assert report.no_pupils == [f"{school(store, '101942')['name']} (101942)"]


def test_cli_reports_bad_rows_missing_pupils_and_a_mistyped_la(tmp_path: Path) -> None:
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    lines.insert(2, "101999,307,Ealing")
    bad = tmp_path / "gias.csv"
    bad.write_bytes("\n".join(lines).encode("cp1252"))
    runner = CliRunner()
    db = str(tmp_path / "cli.db")
    result = runner.invoke(main, ["schools", "import", str(bad), "--db", db])
    assert result.exit_code == 0, result.output
    assert f"{bad}: line 3: too few columns (no EstablishmentName" in result.output
    assert "Ealing: imported 10 new" in result.output
    assert "no pupil count for 1: " in result.output
    typo = runner.invoke(main, ["schools", "import", str(SAMPLE), "--db", db, "--la", "Ealling"])
    assert typo.exit_code == 1
    assert "no row in" in typo.output and "has LA (name) 'Ealling'; closest in the file: Ealing, " in typo.output
    assert "Traceback" not in typo.output


def test_rows_with_shifted_columns_are_skipped_and_a_trailing_empty_value_is_not(store: Store) -> None:
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    first = lines[1].split(",")
    name = first[4]
    # An unquoted comma in the name shifts every later value one column right: nothing in it can be trusted.
    shifted = ",".join([*first[:4], "St Mary", " Star of the Sea", *first[5:]]).replace(first[0], "101998", 1)
    trailing = lines[2] + ","
    text = "\n".join([lines[0], shifted, trailing, *lines[3:]])
    report = load(store, text.encode("cp1252"))
    assert report.bad_rows == ["line 2: too many columns (14 values for 13 columns)"]
    assert school(store, "101998") is None and report.skipped["unreadable row"] == 1
    assert report.imported == 9, "the row with one trailing empty value is read as usual"
    assert name not in [s["name"] for s in schools(store)]


def test_cli_mistyped_la_is_refused_even_with_an_unreadable_row(tmp_path: Path) -> None:
    lines = SAMPLE.read_bytes().decode("cp1252").splitlines()
    bad = tmp_path / "gias.csv"
    bad.write_bytes("\n".join([*lines[:3], "101999,307,Ealing,3999,Truncated School", *lines[3:]]).encode("cp1252"))
    header_only = tmp_path / "header.csv"
    header_only.write_text(lines[0] + "\n", encoding="utf-8")
    runner = CliRunner()
    db = str(tmp_path / "cli.db")
    typo = runner.invoke(main, ["schools", "import", str(bad), "--db", db, "--la", "Ealling"])
    assert typo.exit_code == 1, typo.output
    assert "line 4: too few columns" in typo.output
    assert "has LA (name) 'Ealling'; closest in the file: Ealing" in typo.output
    empty = runner.invoke(main, ["schools", "import", str(header_only), "--db", db])
    assert empty.exit_code == 1 and "has a header but no school rows; nothing imported" in empty.output
    store = Store.open(db, read_only=True)
    try:
        assert schools(store) == []
    finally:
        store.close()


def test_cli_members_reads_a_spreadsheet_list_and_never_unmarks_everyone_by_mistake(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "m.db")
    assert runner.invoke(main, ["schools", "import", str(SAMPLE), "--db", db]).exit_code == 0
    listed = tmp_path / "members.csv"
    listed.write_text("URN,Name\r\n\"101930\",St Mark's\r\n137121;Drayton\r\nSt Ann's\r\n", encoding="utf-8")
    result = runner.invoke(main, ["schools", "members", str(listed), "--db", db])
    assert result.exit_code == 0 and "2 member school(s) marked" in result.output
    assert f'{listed}: line 4: "St Ann\'s" is not a URN (skipped)' in result.output
    names = tmp_path / "names.txt"
    names.write_text("Castlebar School\nMayfield School\n", encoding="utf-8")
    unknown = tmp_path / "unknown.txt"
    unknown.write_text("999999\n", encoding="utf-8")
    for wrong, says in ((names, "no URN in"), (unknown, "none of the 1 URN(s) in")):
        refused = runner.invoke(main, ["schools", "members", str(wrong), "--db", db])
        assert refused.exit_code == 1 and says in refused.output and "nothing changed" in refused.output
    store = Store.open(db, read_only=True)
    try:
        assert sorted(s["urn"] for s in schools(store, members_only=True)) == ["101930", "137121"]
    finally:
        store.close()


def test_the_file_is_read_as_it_goes_in_its_own_encoding(tmp_path: Path) -> None:
    text = SAMPLE.read_bytes().decode("cp1252")
    header, first = text.splitlines()[:2]
    consumed = []

    def lines():
        yield header + "\n"
        for n in range(50_000):  # the whole of England
            consumed.append(n)
            yield first + "\n"

    _, rows = read_rows(lines())
    assert next(rows)["URN"] == "101930" and len(consumed) < 10, "rows come as the file is read"
    windows = tmp_path / "w.csv"
    windows.write_bytes(text.encode("cp1252"))
    utf8 = tmp_path / "u.csv"
    utf8.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert any(ord(c) > 127 for c in text), "the sample has a character the two encodings write differently"
    assert detect_encoding(windows) == "cp1252" and detect_encoding(utf8) == "utf-8-sig"
    assert count_lines(windows) == text.count("\n")
    runner = CliRunner()
    for path in (windows, utf8):
        db = str(tmp_path / f"{path.stem}.db")
        assert "Ealing: imported 10 new" in runner.invoke(main, ["schools", "import", str(path), "--db", db]).output
    names = {}
    for path in (windows, utf8):
        store = Store.open(str(tmp_path / f"{path.stem}.db"), read_only=True)
        try:
            names[path.stem] = sorted(s["name"] for s in schools(store))
        finally:
            store.close()
    assert names["w"] == names["u"]
