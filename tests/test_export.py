"""Exports: the JSON shape, worded and coded CSV, Excel-friendliness, formula and XML-character safety."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot.results.cells import csv_cell as safe_cell
from bot.results.cells import xml_safe
from bot.results.exports import csv_columns, records, to_csv, to_json
from storage import export as old_names
from tests.results_world import FORBIDDEN, FORBIDDEN_CLEAN, FORMULAS, hostile_store

HOSTILE = '=HYPERLINK("http://evil","x")'


@pytest.fixture
def filled(make_chat, content):
    """Two respondents: one submitted with comments (one hostile, one unicode), one barely started."""
    alice = make_chat("alice")
    alice.identify(
        school="Ark Acton", school_type="Secondary", role="Governor or trustee", consent="Yes, with our school's name"
    )
    alice.press("Partly")
    alice.send(HOSTILE)
    alice.send("No, 👩‍🏫 need more support – نعم")
    alice.send("section 3")
    alice.send("skip")
    alice.send("change 5.11")
    alice.send("+ more careers work")
    alice.send("submit")
    alice.press("Submit anyway")
    bob = make_chat("bob")
    bob.send("hi")
    bob.press("Start the consultation")
    return alice.engine.store, content


def test_json_shape(filled) -> None:
    store, content = filled
    ids = [q.id for q in content.questions]
    data = json.loads(to_json(store, ids))
    assert len(data) == 2
    alice = data[0]
    assert alice["respondent"] == {
        "user_id": "alice",
        "channel": "test",
        "name": None,
        "role": "governor",
        "school": "Ark Acton",
        "school_type": "secondary",
        "school_urn": None,
    }
    assert alice["status"] == "submitted" and alice["reference"] == "ELP-2026-0001"
    assert alice["quote_consent"] == "named"
    assert alice["submitted_at"] and alice["started_at"] and alice["updated_at"]
    assert alice["answers"]["q1"] == {"choice": "partly", "comment": HOSTILE}
    assert alice["answers"]["q2"] == {"choice": "no", "comment": "👩‍🏫 need more support – نعم"}
    assert alice["answers"]["q5.11"] == {"choice": None, "comment": "+ more careers work"}
    assert "q5.1" not in alice["answers"]
    assert list(alice["answers"]) == [q for q in ids if q in alice["answers"]]
    assert data[1]["status"] == "in_progress" and data[1]["answers"] == {}


def test_csv_columns_in_question_order(content) -> None:
    ids = [q.id for q in content.questions]
    columns = csv_columns(ids, ["q5.11"])
    assert columns[:6] == ["user_id", "channel", "name", "role", "school", "school_type"]
    assert columns[-4:] == ["q5.9_comment", "q5.10", "q5.10_comment", "q5.11"]
    assert columns.index("q1") < columns.index("q1_comment") < columns.index("q2")


def test_coded_csv_opens_cleanly_and_is_formula_safe(filled) -> None:
    store, content = filled
    text = to_csv(store, content, codes=True)
    ids = [q.id for q in content.questions]
    assert old_names.to_csv(store, ids, ["q5.11"]) == text, "the old name still gives the coded CSV"
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == 2
    alice = rows[0]
    assert alice["q1"] == "partly"
    assert alice["q1_comment"] == "'" + HOSTILE
    assert alice["q2_comment"] == "👩‍🏫 need more support – نعم"
    assert alice["q5.11"] == "'+ more careers work"
    assert alice["q5.1"] == ""
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("fine", "fine"),
        (None, None),
        (3, 3),
    ],
)
def test_safe_cell(value, safe) -> None:
    assert safe_cell(value) == safe


def test_records_match_what_was_answered(filled) -> None:
    store, content = filled
    (alice, _bob) = records(store, [q.id for q in content.questions])
    assert set(alice["answers"]) == {"q1", "q2", "q5.11"}


def test_csv_has_worded_headers_and_labels_by_default(filled) -> None:
    store, _ = filled
    text = to_csv(store, _)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    alice = rows[0]
    assert alice["Role"] == "Governor or trustee" and alice["School type"] == "Secondary"
    assert alice["Status"] == "Submitted" and alice["Quoting comments"] == "Yes, with our school's name"
    assert alice["Q1 Aims – answer"] == "Partly" and alice["Q1 Aims – comment"] == "'" + HOSTILE
    assert alice["Q2 Convictions – answer"] == "No"
    assert alice["Q5.7 Business support, EGFL, EEC premises – answer"] == ""
    assert alice["Q5.11 New activities – comment"] == "'+ more careers work"
    assert "q1" not in alice and "unsure" not in text


def test_xml_safe_replaces_what_xml_forbids() -> None:
    assert xml_safe("a\ud800b\udfffc") == "a\ufffdb\ufffdc", "lone surrogates"
    assert xml_safe(FORBIDDEN) == FORBIDDEN_CLEAN
    assert xml_safe("tab\tnew\nline\rok 👩‍🏫 \ufffd") == "tab\tnew\nline\rok 👩‍🏫 \ufffd"


def test_csv_and_json_round_trip_hostile_text(tmp_path, content) -> None:
    store = hostile_store(tmp_path / "h.db", content)
    worded, coded, data = to_csv(store, content), to_csv(store, content, codes=True), to_json(store, ["q1", "q5.11"])
    store.close()
    for text in (worded, coded):
        path = tmp_path / "h.csv"
        path.write_text(text, encoding="utf-8", newline="")  # would fail on a lone surrogate
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        header, calm, hostile = rows
        cells = dict(zip(header, hostile, strict=True))
        assert cells.get("School", cells.get("school")) == "School " + FORBIDDEN_CLEAN
        assert cells.get("Name", cells.get("name")) == "'" + FORMULAS[3]
        comments = [v for k, v in cells.items() if "comment" in k or k in {"q5.11"}]
        assert "'" + FORMULAS[0] in comments and "'-1 for the fee rise" in comments
        for value in (*calm, *hostile):
            assert not set(value) & set(FORBIDDEN) - set("badend"), value
            assert not value.startswith(("=", "+", "-", "@")), value
    records_back = json.loads(data)
    hostile = records_back[1]
    assert hostile["respondent"]["school"] == "School " + FORBIDDEN_CLEAN
    assert hostile["respondent"]["user_id"] == "evil\ufffd"
    assert hostile["answers"]["q1"] == {"choice": "unsure", "comment": FORMULAS[0]}, "JSON keeps codes and text"
    assert hostile["answers"]["q5.11"]["comment"] == f"{FORBIDDEN_CLEAN}\nsecond line {FORBIDDEN_CLEAN}"


def test_exports_carry_the_directory_urn_of_the_school_picked(make_chat, content) -> None:
    from tests._flow import load_directory

    carol = make_chat("carol")
    load_directory(carol)
    carol.send("hi")
    carol.press("Start the consultation")
    carol.send("drayton manor")
    carol.press("Yes, that's us")
    store = carol.engine.store
    (record,) = records(store, [q.id for q in content.questions])
    assert record["respondent"]["school"] == "Drayton Manor High School"
    assert record["respondent"]["school_urn"] == "137121", "joins the export to the GIAS directory"
    worded = list(csv.reader(io.StringIO(to_csv(store, content).lstrip("\ufeff"))))
    assert worded[1][worded[0].index("School URN (directory)")] == "137121"
    coded = list(csv.reader(io.StringIO(to_csv(store, content, codes=True).lstrip("\ufeff"))))
    assert coded[1][coded[0].index("school_urn")] == "137121"


def test_worded_csv_times_are_uk_time_as_excel_reads_dates(tmp_path, content) -> None:
    from storage import Store

    store = Store.open(tmp_path / "t.db")
    with store.transaction():
        rid = store.create_respondent("test", "summer", None, "2027-03-30T09:30:00+00:00")
        store.update_respondent(rid, "2027-03-30T09:45:00+00:00", submitted_at="2027-03-30T09:45:00+00:00")
    worded = list(csv.DictReader(io.StringIO(to_csv(store, content).lstrip("\ufeff"))))
    coded = list(csv.DictReader(io.StringIO(to_csv(store, content, codes=True).lstrip("\ufeff"))))
    store.close()
    assert worded[0]["Started (UK time)"] == "2027-03-30 10:30:00", "British Summer Time, no T, no offset"
    assert (
        worded[0]["Submitted (UK time)"] == "2027-03-30 10:45:00"
        and worded[0]["Amended after submitting (UK time)"] == ""
    )
    assert coded[0]["started_at"] == "2027-03-30T09:30:00+00:00", "the analysts' CSV keeps the stored value"
