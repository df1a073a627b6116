"""The elp-bot command line: content check, exports, responses, ask --school, date overrides, the wheel."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from content import DEFAULT_CONTENT_DIR
from tests.results_world import world_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_content_check_ok(runner: CliRunner) -> None:
    result = runner.invoke(main, ["content", "check"])
    assert result.exit_code == 0
    assert "15 questions, 11 activity areas, 103 bullets, 5 fee bands" in result.output


def test_content_check_names_the_problem(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "c"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    offer = folder / "offer.yaml"
    offer.write_text(offer.read_text(encoding="utf-8").replace('"5.77"', '"five"', 1), encoding="utf-8")
    result = runner.invoke(main, ["content", "check", str(folder)])
    assert result.exit_code == 1
    assert "offer.yaml: fees › bands[0] (primary) › per_pupil_rate:" in result.output
    assert "Traceback" not in result.output


def test_export_needs_an_existing_database(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["export", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "no database at" in result.output


def test_export_to_a_file_in_both_formats(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    runner.invoke(
        main,
        ["chat", "--db", str(db), "--user", "u"],
        input="1\nMy School\n",
        env={"ELP_OPENS": "2020-01-01", "ELP_CLOSES": "2099-01-01"},
    )
    out_json, out_csv = tmp_path / "r.json", tmp_path / "r.csv"
    assert runner.invoke(main, ["export", "--db", str(db), "--out", str(out_json)]).exit_code == 0
    assert json.loads(out_json.read_text(encoding="utf-8"))[0]["respondent"]["school"] == "My School"
    assert runner.invoke(main, ["export", "--format", "csv", "--db", str(db), "--out", str(out_csv)]).exit_code == 0
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbf")


def test_bad_date_override_is_one_clear_line(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["chat", "--db", str(tmp_path / "d.db")], env={"ELP_CLOSES": "next march"})
    assert result.exit_code == 1 and "ELP_CLOSES" in result.output


def test_closed_consultation_by_override(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        main,
        ["chat", "--db", str(tmp_path / "c.db")],
        input="",
        env={"ELP_OPENS": "2020-01-01", "ELP_CLOSES": "2020-03-31"},
    )
    assert "closed on 31 March 2020" in result.output


def test_python_dash_m_bot_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, check=True)
    assert "chat" in result.stdout and "export" in result.stdout


def test_wheel_ships_the_content(tmp_path: Path) -> None:
    """A non-editable install works because the YAML and sources are inside the wheel."""
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("elp_bot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for file in ("offer.yaml", "vision.yaml", "consultation.yaml", "messages.yaml"):
        assert f"content/data/{file}" in names
    assert "content/sources/questionnaire.txt" in names
    assert {"bot/engine.py", "storage/__init__.py", "adapters/console.py"} <= names
    assert {"bot/results/report.py", "bot/results/xlsx.py", "bot/results/templates/report.html.j2"} <= names
    web = {"adapters/web/app.py", "adapters/web/templates/chat.html.j2", "adapters/web/static/chat.js"}
    assert web | {"adapters/web/static/style.css"} <= names
    assert not any(name.startswith("tests/") for name in names)


def test_unanswered_lists_most_frequent_first(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "u.db"
    from storage import Store

    store = Store.open(db)
    with store.transaction():
        for question in ("pupil premium?", "Pupil premium?", "tell me a joke"):
            store.log_unanswered("test", "u", question, question.casefold().rstrip("?"), "[]", "2026-12-01T10:00:00")
    store.close()
    result = runner.invoke(main, ["unanswered", "--db", str(db)])
    lines = result.output.splitlines()
    assert lines[0] == "2 distinct unanswered question(s)"
    assert lines[1].startswith("   2×") and lines[2].startswith("   1×  last 2026-12-01  tell me a joke")


def test_ask_for_a_known_school_without_a_roll_names_it_and_asks(runner: CliRunner, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    sample = ROOT / "tests" / "fixtures" / "gias_ealing_sample.csv"
    assert runner.invoke(main, ["schools", "import", str(sample), "--db", db]).exit_code == 0
    result = runner.invoke(main, ["ask", "how much do we pay", "--school", "Horsenden Middle", "--db", db])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("Horsenden Middle School is in the Primary band")
    assert "How many pupils are on roll?" in first
    told = runner.invoke(main, ["ask", "how much for 300 pupils", "--school", "Horsenden Middle", "--db", db])
    assert "Horsenden Middle School is in" not in told.output and "300 pupils" in told.output


def test_export_xlsx_without_out_says_where_it_wrote(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import Store

    db = tmp_path / "x.db"
    Store.open(db).close()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["export", "--format", "xlsx", "--db", str(db)])
    assert result.exit_code == 0, result.output
    written = tmp_path / "responses.xlsx"
    assert written.exists()
    assert f"wrote {written.resolve()} (no --out given)" in result.output
    assert runner.invoke(main, ["export", "--format", "json", "--codes", "--db", str(db)]).exit_code == 2


def test_export_csv_codes_option(runner: CliRunner, tmp_path: Path) -> None:
    from storage import Store

    db = tmp_path / "c.db"
    store = Store.open(db)
    with store.transaction():
        rid = store.create_respondent("test", "u", None, "t")
        store.update_respondent(rid, "t", role="business_manager")
        store.save_answer(rid, "q1", choice="unsure", comment=None, now="t", after_submission=False)
    store.close()
    worded = runner.invoke(main, ["export", "--format", "csv", "--db", str(db)]).output
    coded = runner.invoke(main, ["export", "--format", "csv", "--codes", "--db", str(db)]).output
    assert worded.splitlines()[0].startswith("\ufeffChat user id,Channel,Name,Role")
    assert "School business manager" in worded and "Not sure" in worded and "unsure" not in worded
    assert coded.splitlines()[0].startswith("\ufeffuser_id,channel") and ",business_manager," in coded
    assert ",unsure," in coded


def test_responses_has_headers_and_lists_schools_not_in_the_directory(runner: CliRunner, world) -> None:
    store, truth = world
    db = str(store.db.conn.execute("PRAGMA database_list").fetchone()[2])
    lines = runner.invoke(main, ["responses", "--db", db]).output.splitlines()
    assert lines[1].split() == ["STATUS", "PEOPLE", "URN", "SCHOOL"]
    outside = lines.index(f"not in the directory: {len(truth['people']) - 6} respondent(s)")
    assert lines[outside + 1].split() == ["STATUS", "REFERENCE", "SCHOOL", "(as", "typed)"]
    listed = lines[outside + 2 :]
    assert len(listed) == len(truth["people"]) - 6, "everyone not matched to an open directory school"
    assert any("School 2 " in line for line in listed), "a URN not in the directory counts as outside it"
    submitted = runner.invoke(main, ["responses", "--db", db, "--status", "submitted"]).output
    assert "not in the directory: " in submitted and "in_progress " not in submitted.split("not in the directory")[1]
