"""`elp-bot ask`: one question, a batch as JSON lines, and fees from a directory school."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot._answers import Answerer
from bot._ask import answer_record
from bot.cli import main

SAMPLE = Path(__file__).parent / "fixtures" / "gias_ealing_sample.csv"


def test_record_shape(content) -> None:
    record = answer_record(Answerer(content), "what is EGFL?")
    assert list(record) == ["question", "answer", "source", "confident", "suggestions"]
    assert record["confident"] and "www.egfl.org.uk" in record["answer"]


def test_fee_with_and_without_a_school(content) -> None:
    answerer = Answerer(content)
    assert answer_record(answerer, "how much do we pay")["answer"].splitlines()[1] == (
        "Primary: £4,461 flat rate + £5.77 per pupil"
    )
    school = {"fee_band": "primary", "pupils": 420}
    assert answer_record(answerer, "how much do we pay", school)["answer"] == (
        "Primary, 420 pupils: £4,461 + 420 × £5.77 = £6,884.40"
    )
    special = answer_record(answerer, "special school fee")["answer"]
    assert special == "Special: a flat rate of £4,681 (no per-pupil part)"


def test_declined_gives_the_contact(content) -> None:
    record = answer_record(Answerer(content), "what's the weather")
    assert not record["confident"] and "elp@ealing.gov.uk" in record["answer"] and record["source"] is None


def test_cli_batch_json_lines_in_order() -> None:
    questions = "what is egfl\n\nhow much does a secondary of 900 pay\nwho won the cup\n"
    result = CliRunner().invoke(main, ["ask", "--json"], input=questions)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["question"] for r in records] == [  # one record per line read: a blank line too
        "what is egfl",
        "",
        "how much does a secondary of 900 pay",
        "who won the cup",
    ]
    assert records[1]["confident"] is False and records[1]["answer"] and list(records[1]) == list(records[0])
    assert records[2]["answer"] == "Secondary, 900 pupils: £6,762 + 900 × £5.77 = £11,955"
    assert records[3]["confident"] is False


def test_cli_school_without_a_directory_says_how_to_get_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ask", "what is our fee", "--school", "x", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "schools import" in result.output and "Traceback" not in result.output


def test_cli_single_question_with_school(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "s.db")
    runner.invoke(main, ["schools", "import", str(SAMPLE), "--db", db])
    result = runner.invoke(main, ["ask", "what is our fee", "--school", "drayton manor hs", "--db", db])
    assert "Secondary, 1,450 pupils: £6,762 + 1,450 × £5.77 = £15,128.50" in result.output
    assert "Source: Ealing schools' membership" in result.output


def test_cli_needs_a_question() -> None:
    assert CliRunner().invoke(main, ["ask"]).exit_code == 2
