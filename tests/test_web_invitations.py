"""`elp-bot invite`: links for member schools, one more person and admins; revoke, reissue; only hashes stored."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.web._security import token_hash
from bot.cli import main
from storage import Store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "elp.db"
    runner = CliRunner()
    result = runner.invoke(main, ["schools", "import", str(FIXTURES / "gias_ealing_sample.csv"), "--db", str(path)])
    assert result.exit_code == 0, result.output
    members = tmp_path / "members.txt"
    members.write_text("140001\n101932\n137121\n")
    assert runner.invoke(main, ["schools", "members", str(members), "--db", str(path)]).exit_code == 0
    return path


def invite(db: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(
        main, ["invite", *args, "--db", str(db), "--base-url", "https://elp.example.org"], env=env
    )


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_members_get_one_link_each_in_a_mail_merge_csv_and_only_hashes_are_stored(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "links.csv"
    result = invite(db, "--members", "--out", str(out))
    assert result.exit_code == 0, result.output
    links = rows(out.read_text(encoding="utf-8"))
    assert [r["school"] for r in links] == ["Ark Soane Academy", "Castlebar School", "Drayton Manor High School"]
    assert list(links[0]) == ["number", "urn", "school", "name", "email", "link"]
    tokens = [r["link"].removeprefix("https://elp.example.org/c/") for r in links]
    assert all(len(t) >= 43 for t in tokens) and len(set(tokens)) == 3
    raw = db.read_bytes() + (
        db.with_name(db.name + "-wal").read_bytes() if db.with_name(db.name + "-wal").exists() else b""
    )
    assert not any(t.encode() in raw for t in tokens)
    store = Store.open(db)
    try:
        assert all(store.invitation_by_hash(token_hash(t)) for t in tokens)
    finally:
        store.close()
    again = invite(db, "--members")
    assert again.exit_code == 0 and rows(again.stdout) == []
    assert "3 school(s) already have a link" in again.stderr


def test_one_more_person_an_admin_revoke_and_reissue(db: Path) -> None:
    person = invite(db, "--school", "137121", "--name", "Sam Bursar", "--email", "sam@drayton.example")
    assert person.exit_code == 0, person.output
    (row,) = rows(person.stdout)
    assert (row["school"], row["name"], row["email"]) == (
        "Drayton Manor High School",
        "Sam Bursar",
        "sam@drayton.example",
    )
    unknown = invite(db, "--school", "999999")
    assert unknown.exit_code == 1 and "no school with URN 999999" in unknown.output
    admin = invite(db, "--admin", "ann@ealing.gov.uk")
    assert admin.exit_code == 0 and "add web:ann@ealing.gov.uk to ELP_ADMINS" in admin.stderr
    listed = invite(db, "--list").stdout
    assert "respondent live" in listed and "admin      live" in listed
    number = row["number"]
    assert invite(db, "--revoke", number).exit_code == 0
    assert "revoked" in invite(db, "--list").stdout
    assert invite(db, "--revoke", number).exit_code == 1  # already revoked: said so, no traceback
    reissued = invite(db, "--reissue", number)
    (new,) = rows(reissued.stdout)
    assert new["link"] != row["link"] and new["number"] == number
    store = Store.open(db)
    try:
        old_token = row["link"].rsplit("/", 1)[1]
        assert store.invitation_by_hash(token_hash(old_token)) is None
        assert store.invitation_by_hash(token_hash(new["link"].rsplit("/", 1)[1]))["name"] == "Sam Bursar"
    finally:
        store.close()


def test_invite_needs_exactly_one_choice(db: Path) -> None:
    result = invite(db)
    assert result.exit_code == 2 and "choose one of --members" in result.output
    assert invite(db, "--members", "--list").exit_code == 2
