"""One place reads configuration (issue 13 point 15): `bot.config.Settings`, used by the CLI and `Engine.open`."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot import Engine
from bot.config import ConfigError, Settings
from content import DEFAULT_CONTENT_DIR
from tests.elp_process import OPEN_ENV, assert_one_line, elp


def test_settings_read_the_environment() -> None:
    settings = Settings.from_env(
        {
            "ELP_DB": "/srv/elp.db",
            "ELP_OPENS": "2027-01-04",
            "ELP_CLOSES": "2027-03-31",
            "ELP_ADMINS": "telegram:123, slack:U456,console:alice",
            "TELEGRAM_BOT_TOKEN": "t",
            "SLACK_API_URL": "http://127.0.0.1:1/api/",
        }
    )
    assert settings.db_path == "/srv/elp.db"
    assert (settings.opens, settings.closes) == (dt.date(2027, 1, 4), dt.date(2027, 3, 31))
    assert settings.admins == {("telegram", "123"), ("slack", "U456"), ("console", "alice")}
    assert settings.telegram_token == "t" and settings.slack_api_url == "http://127.0.0.1:1/api/"


def test_options_win_over_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env({"ELP_DB": "env.db", "ELP_USER": "env"}, db_path="option.db", console_user="me")
    assert (settings.db_path, settings.console_user) == ("option.db", "me")
    assert Settings.from_env({}, db_path=None).db_path == "elp.db"


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings.from_env({}).db_path = "other.db"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"ELP_OPENS": "2026-13-01"}, "ELP_OPENS='2026-13-01' is not a date"),
        ({"ELP_CLOSES": "next march"}, "ELP_CLOSES='next march' is not a date"),
        ({"ELP_OPENS": "2027-04-01", "ELP_CLOSES": "2027-03-31"}, "ELP_OPENS (2027-04-01) is after ELP_CLOSES"),
        ({"ELP_ADMINS": "telegram:1,alice"}, "ELP_ADMINS entry 'alice' should look like telegram:123456"),
        ({"ELP_ADMINS": "telegram:"}, "ELP_ADMINS entry 'telegram:'"),
        ({"ELP_CONTENT_DIR": "/no/such/folder"}, "ELP_CONTENT_DIR='/no/such/folder' is not a folder"),
    ],
)
def test_bad_values_name_the_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match="^" + named.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env(environ)


def test_unknown_option_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        Settings.from_env({}, database="x.db")


def test_13_15_engine_open_honours_elp_opens_and_closes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ELP_OPENS", "2027-01-04")
    monkeypatch.setenv("ELP_CLOSES", "2027-02-26")
    monkeypatch.setenv("ELP_ADMINS", "test:boss")
    engine = Engine.open(tmp_path / "e.db")
    try:
        assert engine.content.consultation.opens == dt.date(2027, 1, 4)
        assert engine.content.consultation.closes == dt.date(2027, 2, 26)
        assert engine.admins == {("test", "boss")}
    finally:
        engine.close()
    explicit = Engine.open(tmp_path / "e.db", admins=frozenset())
    try:
        assert explicit.admins == frozenset()  # what the caller passes wins over the environment
    finally:
        explicit.close()


def test_13_15_engine_open_refuses_a_bad_date(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ELP_OPENS", "2026-13-01")
    with pytest.raises(ConfigError, match="ELP_OPENS"):
        Engine.open(tmp_path / "e.db")
    assert not (tmp_path / "e.db").exists()


def broken_content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    offer = folder / "offer.yaml"
    offer.write_text(offer.read_text(encoding="utf-8").replace('"5.77"', '"five"', 1), encoding="utf-8")
    return folder


def test_13_15_content_check_reads_elp_content_dir(tmp_path: Path) -> None:
    folder = broken_content(tmp_path)
    result = elp("content", "check", cwd=tmp_path, env={"ELP_CONTENT_DIR": str(folder)})
    assert_one_line(result, "content problem: offer.yaml: fees › bands[0] (primary) › per_pupil_rate")
    good = tmp_path / "good"
    shutil.copytree(DEFAULT_CONTENT_DIR, good)
    result = elp("content", "check", cwd=tmp_path, env={"ELP_CONTENT_DIR": str(good)})
    assert result.returncode == 0 and result.stdout.startswith(f"OK: {good} –"), result.stdout + result.stderr


def test_13_15_chat_and_engine_use_the_same_content_dir(tmp_path: Path) -> None:
    result = elp(
        "chat", "--db", str(tmp_path / "c.db"), cwd=tmp_path, env={"ELP_CONTENT_DIR": str(broken_content(tmp_path))}
    )
    assert_one_line(result, "content problem: offer.yaml")


def test_13_15_dates_from_the_environment_close_the_chat(tmp_path: Path) -> None:
    env = {"ELP_OPENS": "2020-01-01", "ELP_CLOSES": "2020-03-31"}
    result = elp("chat", "--db", str(tmp_path / "c.db"), "--user", "u", cwd=tmp_path, env=env, stdin="hi\n")
    assert result.returncode == 0 and "closed on 31 March 2020" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [("ELP_OPENS", "2026-13-01"), ("ELP_CLOSES", "31/03/2027"), ("ELP_ADMINS", "garbage"), ("ELP_ADMINS", ":::")],
)
def test_13_15_bad_environment_one_line(tmp_path: Path, variable: str, value: str) -> None:
    env = {**OPEN_ENV, variable: value}
    for command in (["chat", "--db", str(tmp_path / "c.db")], ["content", "check"]):
        assert_one_line(elp(*command, cwd=tmp_path, env=env, stdin="hi\n"), variable)
    assert not (tmp_path / "c.db").exists()
