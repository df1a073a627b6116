"""The Teams app package: manifest with the bot id, personal scope and commands; icons of the sizes Teams asks."""

from __future__ import annotations

import json
import struct
import zipfile

import pytest
from click.testing import CliRunner

from adapters.teams_manifest import ManifestError, manifest
from bot.cli import main

BOT_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_package_has_manifest_and_icons(tmp_path) -> None:
    out = tmp_path / "elp-teams.zip"
    result = CliRunner().invoke(main, ["teams", "manifest", "--out", str(out)], env={"TEAMS_BOT_ID": BOT_ID})
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        data = json.loads(package.read("manifest.json"))
        assert png_size(package.read("color.png")) == (192, 192)
        assert png_size(package.read("outline.png")) == (32, 32)
        outline = package.read("outline.png")
    (bot,) = data["bots"]
    assert bot["botId"] == BOT_ID == data["id"] and bot["scopes"] == ["personal"]
    titles = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert {"start", "review", "ask", "my data", "help"} <= set(titles)
    assert data["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert b"tRNS" in outline or outline[25] == 6  # transparent background (RGBA or a transparency chunk)


def test_bot_id_must_be_an_entra_app_id(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("TEAMS_BOT_ID", raising=False)
    monkeypatch.delenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID", raising=False)
    result = CliRunner().invoke(main, ["teams", "manifest", "--out", str(tmp_path / "x.zip")])
    assert result.exit_code == 1 and "is not an Entra app id" in result.output and "Traceback" not in result.output
    with pytest.raises(ManifestError):
        manifest("not-a-guid")


def test_the_bot_id_defaults_to_the_sdk_client_id(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("TEAMS_BOT_ID", raising=False)
    out = tmp_path / "elp-teams.zip"
    env = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": BOT_ID.upper()}
    result = CliRunner().invoke(main, ["teams", "manifest", "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as package:
        assert json.loads(package.read("manifest.json"))["bots"][0]["botId"] == BOT_ID
