"""Exports: the JSON shape, CSV columns, Excel-friendliness and formula-injection safety."""

from __future__ import annotations

import csv
import io
import json

import pytest

from storage.export import csv_columns, records, safe_cell, to_csv, to_json

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
    return alice.engine.store, [q.id for q in content.questions], ["q5.11"]


def test_json_shape(filled) -> None:
    store, ids, _ = filled
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


def test_csv_opens_cleanly_and_is_formula_safe(filled) -> None:
    store, ids, text_ids = filled
    text = to_csv(store, ids, text_ids)
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
    store, ids, _ = filled
    (alice, _bob) = records(store, ids)
    assert set(alice["answers"]) == {"q1", "q2", "q5.11"}
