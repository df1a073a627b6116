"""A seeded 300-respondent database and the truth about it, shared by the report and workbook tests."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from storage import Store
from storage.schools import decode_csv, import_gias, mark_members, read_rows

SAMPLE = Path(__file__).parent / "fixtures" / "gias_ealing_sample.csv"
HOSTILE = [
    "<script>alert('x')</script>",
    '=HYPERLINK("http://evil")',
    "+44 20 1234",
    "-1 for fees",
    "@channel look",
    "Tom & Jerry's <b>bold</b>",
    "مدرسة ممتازة 👩‍🏫",
    "Ünïcödé ✓ – “quotes”",
]
TYPES = ["primary", "secondary", "special", "pru_primary", "pru_secondary", "other"]
ROLES = ["headteacher", "deputy", "governor", "business_manager", "staff", "other"]
CONSENTS = ["named", "anonymous", "none", None]
CHOICES = ["yes", "partly", "no", "unsure"]


@pytest.fixture(scope="module", name="world")
def world_fixture(tmp_path_factory, content):
    """A database with 300 respondents and the truth about it, generated with a fixed seed."""
    rng = random.Random(2026)
    store = Store.open(tmp_path_factory.mktemp("report") / "report.db")
    _, rows = read_rows(decode_csv(SAMPLE.read_bytes()))
    import_gias(store, rows, la="Ealing", now="t")
    mark_members(store, ["101930", "137121", "101932", "101935"], "t")
    truth: dict = {"people": [], "answers": {}}
    with store.transaction():
        for n in range(300):
            rid = store.create_respondent("test", f"user{n}", None, "2026-12-01T10:00:00+00:00")
            person = {
                "id": rid,
                "school_type": TYPES[n % len(TYPES)],
                "role": ROLES[(n // 3) % len(ROLES)],
                "quote_consent": CONSENTS[n % len(CONSENTS)],
                "school": f"School {n} <i>{HOSTILE[n % len(HOSTILE)][:6]}</i>",
                "status": "submitted" if n % 3 else "in_progress",
            }
            fields = {k: person[k] for k in ("school_type", "role", "quote_consent", "school", "status")}
            if n < 8:
                fields["school_urn"] = ["101930", "137121", "999999"][n % 3]
            store.update_respondent(rid, "t", **fields)
            truth["people"].append(person)
            for question in content.questions:
                if rng.random() < 0.1:
                    continue
                choice = None if question.kind == "text" else rng.choice(CHOICES)
                comment = HOSTILE[rng.randrange(len(HOSTILE))] + f" #{n}" if rng.random() < 0.3 else None
                if question.kind == "text" and comment is None:
                    continue
                store.save_answer(rid, question.id, choice=choice, comment=comment, now="t", after_submission=False)
                truth["answers"][(rid, question.id)] = (choice, comment)
    yield store, truth
    store.close()


def expected_counts(truth, question_id: str, group: str) -> list[int]:
    people = {p["id"]: p for p in truth["people"]}
    counter: Counter[str] = Counter()
    for (rid, qid), (choice, _) in truth["answers"].items():
        if qid != question_id or choice is None:
            continue
        person = people[rid]
        if group == "overall" or group == f"type:{person['school_type']}" or group == f"role:{person['role']}":
            counter[choice] += 1
    return [counter[c] for c in CHOICES]


# Text no export may pass through unchanged: characters XML 1.0 forbids, and formula-like cells.
FORBIDDEN = "bad\ufffe\uffff\x01\x0b\x1fend"
FORBIDDEN_CLEAN = "bad\ufffd\ufffd\ufffd\ufffd\ufffdend"
FORMULAS = ['=HYPERLINK("http://evil")', "+44 20 1234 5678", "-1 for the fee rise", "@channel"]


def hostile_store(path: Path, content) -> Store:
    """A database with one ordinary respondent and one whose every text field is hostile."""
    store = Store.open(path)
    with store.transaction():
        calm = store.create_respondent("test", "calm", None, "2026-12-01T10:00:00+00:00")
        store.update_respondent(calm, "t", school="Oak School", school_type="primary", role="governor")
        store.save_answer(calm, "q1", choice="yes", comment=None, now="t", after_submission=False)
        rid = store.create_respondent("test", "evil\x02", None, "2026-12-01T10:00:00+00:00")
        store.update_respondent(
            rid,
            "t",
            name=FORMULAS[3],
            school="School " + FORBIDDEN,
            school_type="other",
            role="other",
            quote_consent="named",
            status="submitted",
        )
        for question, formula in zip(content.questions, [*FORMULAS, FORBIDDEN] * 4, strict=False):
            store.save_answer(
                rid,
                question.id,
                choice=None if question.kind == "text" else "unsure",
                comment=f"{formula}\nsecond line {FORBIDDEN}" if question.kind == "text" else formula,
                now="t",
                after_submission=False,
            )
    return store
