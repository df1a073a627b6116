"""The one place that reads configuration: `Settings`, from the environment and command-line options."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from content import Content, load_content

DEFAULT_DB = "elp.db"
_ADMIN = re.compile(r"^([a-z][a-z0-9_-]*):(\S+)$")
# teams branch: the Microsoft 365 Agents SDK reads its own nested variables (CONNECTIONS__SERVICE_CONNECTION__…)
_TEAMS_PREFIXES = ("CONNECTIONS__", "CONNECTIONSMAP__", "AGENTAPPLICATION__")


class ConfigError(ValueError):
    """A configuration value is unusable; the message names the variable, the value and what it should be."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything elp-bot is configured with. Build it with `Settings.from_env`; options override variables."""

    db_path: str = DEFAULT_DB
    content_dir: Path | None = None
    opens: dt.date | None = None
    closes: dt.date | None = None
    admins: frozenset[tuple[str, str]] = frozenset()
    console_user: str | None = None
    telegram_token: str | None = None
    telegram_api_base: str | None = None
    telegram_webhook_secret: str | None = None
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_api_url: str | None = None
    teams_env: Mapping[str, str] = field(default_factory=dict)  # teams branch: CONNECTIONS__… for the Agents SDK
    teams_bot_id: str | None = None  # teams branch: TEAMS_BOT_ID, for the app manifest
    web_base_url: str = "http://localhost:8000"  # web branch: the address in invitation links
    web_forwarded_allow_ips: str = "127.0.0.1"  # web branch: proxies trusted with --behind-proxy

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> Settings:
        """Read the environment (default `os.environ`); `options` given and not None win (command-line values).

        Raises ConfigError naming the variable for a value that cannot be used.
        """
        env = os.environ if environ is None else environ

        def pick(option: str, variable: str) -> str | None:
            given = options.pop(option, None)
            return given if given is not None else (env.get(variable) or None)

        values = {
            "db_path": pick("db_path", "ELP_DB") or DEFAULT_DB,
            "content_dir": _folder(options.pop("content_dir", None), env.get("ELP_CONTENT_DIR")),
            "opens": _date("ELP_OPENS", pick("opens", "ELP_OPENS")),
            "closes": _date("ELP_CLOSES", pick("closes", "ELP_CLOSES")),
            "admins": _admins(pick("admins", "ELP_ADMINS")),
            "console_user": pick("console_user", "ELP_USER"),
            "telegram_token": pick("telegram_token", "TELEGRAM_BOT_TOKEN"),
            "telegram_api_base": pick("telegram_api_base", "TELEGRAM_API_BASE"),
            "telegram_webhook_secret": pick("telegram_webhook_secret", "TELEGRAM_WEBHOOK_SECRET"),
            "slack_bot_token": pick("slack_bot_token", "SLACK_BOT_TOKEN"),
            "slack_app_token": pick("slack_app_token", "SLACK_APP_TOKEN"),
            "slack_signing_secret": pick("slack_signing_secret", "SLACK_SIGNING_SECRET"),
            "slack_api_url": pick("slack_api_url", "SLACK_API_URL"),
            "teams_env": {k: v for k, v in env.items() if k.startswith(_TEAMS_PREFIXES)},
            "teams_bot_id": pick("teams_bot_id", "TEAMS_BOT_ID"),
            "web_base_url": pick("web_base_url", "ELP_BASE_URL") or "http://localhost:8000",
            "web_forwarded_allow_ips": pick("web_forwarded_allow_ips", "FORWARDED_ALLOW_IPS") or "127.0.0.1",
        }
        if options:
            raise TypeError(f"unknown settings: {sorted(options)}")
        if values["opens"] and values["closes"] and values["opens"] > values["closes"]:
            raise ConfigError(f"ELP_OPENS ({values['opens']}) is after ELP_CLOSES ({values['closes']})")
        return cls(**values)

    def content(self) -> Content:
        """The content (from `content_dir`, default the shipped content) with the date overrides applied."""
        return load_content(self.content_dir).with_dates(self.opens, self.closes)


def _date(variable: str, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"{variable}={value!r} is not a date like 2027-03-31") from None


def _folder(option: str | Path | None, variable: str | None) -> Path | None:
    if option is not None:
        return Path(option)
    if not variable:
        return None
    folder = Path(variable)
    if not folder.is_dir():
        raise ConfigError(f"ELP_CONTENT_DIR={variable!r} is not a folder: point it at a content folder or unset it")
    return folder


def _admins(value: str | None) -> frozenset[tuple[str, str]]:
    """`telegram:123,slack:U456,console:alice` → {(channel, user id)}."""
    pairs = set()
    for item in (value or "").split(","):
        if not item.strip():
            continue
        match = _ADMIN.match(item.strip())
        if match is None:
            raise ConfigError(
                f"ELP_ADMINS entry {item.strip()!r} should look like telegram:123456 (channel:user id, comma-separated)"
            )
        pairs.add((match.group(1), match.group(2)))
    return frozenset(pairs)
