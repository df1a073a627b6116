"""The `elp-bot` command line: chat in the terminal, export responses, check content files."""

from __future__ import annotations

import datetime as dt
import errno
import getpass
import sqlite3
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import click

from bot._output import OutputError, atomic_path
from bot.config import DEFAULT_DB, ConfigError, Settings
from content import Content, ContentError
from storage import StorageError


def _settings(**options: Any) -> Settings:
    """The configuration: environment variables, overridden by the command-line options given."""
    return Settings.from_env(**options)


def _content(content_dir: str | None) -> Content:
    return _settings(content_dir=content_dir).content()


def _one_line(exc: Exception) -> str | None:
    """The one line to print for an error caused by the environment, not by a bug; None for a bug."""
    if isinstance(exc, ContentError):
        return f"content problem: {exc}"
    if isinstance(exc, ConfigError | StorageError | OutputError):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return f"database problem: {exc}"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        hint = ": the disk is full, free some space and try again" if exc.errno == errno.ENOSPC else ""
        return f"{where}{exc.strerror or exc}{hint}"
    return None


class _ErrorBoundary(click.Group):
    """Every command runs inside this: an environment problem becomes one line on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except BrokenPipeError:
            raise  # the reader went away (`| head`): click's own handling ends quietly, as other tools do
        except Exception as exc:
            line = _one_line(exc)
            if line is None:
                raise
            # The command is over: writers abandoned half-way (openpyxl's, on a full disk) may complain
            # again as they are collected; their complaint is this same error, already said in one line.
            sys.unraisablehook = lambda _: None
            raise click.ClickException(line) from None


def _resolve_db(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    return _settings(db_path=value).db_path


db_option = click.option(
    "--db",
    "db_path",
    default=None,
    callback=_resolve_db,
    type=click.Path(dir_okay=False),
    help=f"SQLite database file.  [default: ELP_DB, else {DEFAULT_DB}]",
)
content_option = click.option(
    "--content",
    "content_dir",
    default=None,
    type=click.Path(file_okay=False, exists=True),
    help="Content folder.  [default: ELP_CONTENT_DIR, else the shipped content]",
)


@click.group(cls=_ErrorBoundary, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """ELP consultation assistant."""


@main.command()
@db_option
@content_option
@click.option("--user", "user_id", default=None, help="Your id in the console channel.  [default: ELP_USER]")
def chat(db_path: str, content_dir: str | None, user_id: str | None) -> None:
    """Answer the consultation (or ask questions) in a terminal chat."""
    from adapters.console import ConsoleChat
    from bot import Engine

    settings = _settings(db_path=db_path, content_dir=content_dir, console_user=user_id)
    engine = Engine.open(settings.db_path, settings=settings)
    try:
        user = settings.console_user or getpass.getuser()
        ConsoleChat(
            engine=engine, user_id=user, stdin=sys.stdin, stdout=sys.stdout, interactive=sys.stdin.isatty()
        ).run()
    finally:
        engine.close()


@main.command()
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="File to write (default: stdout for json and csv, responses.xlsx for xlsx; the path is printed).",
)
@click.option("--codes", is_flag=True, help="CSV: the stored codes and short headers (q5.7, q5.7_comment).")
@db_option
@content_option
def export(fmt: str, out: str | None, codes: bool, db_path: str, content_dir: str | None) -> None:
    """Export every response: JSON (codes), CSV (labels, worded headers; --codes for codes) or XLSX (three sheets)."""
    from bot.results.exports import write_csv, write_json

    if codes and fmt != "csv":
        raise click.UsageError("--codes is for --format csv (JSON always has the codes)")
    content = _content(content_dir)
    store = _store(db_path, read_only=True)
    try:
        if fmt == "xlsx":
            from bot.results.xlsx import write_workbook

            target = Path(out or "responses.xlsx")
            with atomic_path(target) as writable:
                write_workbook(store, content, writable)
            click.echo(f"wrote {target.resolve()}" + ("" if out else " (no --out given)"), err=True)
            return
        with (
            atomic_path(out) if out else nullcontext(None) as writable,
            open(writable, "w", encoding="utf-8", newline="") if writable else nullcontext(sys.stdout) as stream,
        ):
            if fmt == "json":
                write_json(store, [q.id for q in content.questions], stream)
            else:
                write_csv(store, content, stream, codes=codes)
    finally:
        store.close()
    if out:
        click.echo(f"wrote {Path(out).resolve()}", err=True)


def _store(db_path: str, must_exist: bool = True, read_only: bool = False):
    from storage import Store

    if must_exist and not Path(db_path).exists():
        raise click.ClickException(f"no database at {db_path} (set --db or ELP_DB)")
    return Store.open(db_path, read_only=read_only)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@main.command()
@click.argument("question", required=False)
@click.option("--school", default=None, help="Your school's name (looked up in the directory) for fee questions.")
@click.option("--json", "as_json", is_flag=True, help="JSON output; with no QUESTION, one question per stdin line.")
@db_option
@content_option
def ask(question: str | None, school: str | None, as_json: bool, db_path: str, content_dir: str | None) -> None:
    """Ask the assistant a question, as a governor or business manager would in chat."""
    import json

    from bot._answers import Answerer
    from bot._ask import answer_record

    answerer = Answerer(_content(content_dir))
    school_row = _find_school(school, db_path) if school else None
    if question is None and not as_json:
        raise click.UsageError("give a QUESTION, or --json to read questions from stdin")
    questions = [question] if question is not None else (line.strip() for line in sys.stdin)
    for text in questions:
        if not text:
            if as_json:  # one record per line read, so the output lines up with the input
                empty = answerer.content.say("empty")
                click.echo(json.dumps(dict(question="", answer=empty, source=None, confident=False, suggestions=[])))
            continue
        record = answer_record(answerer, text, school_row)
        record = _ask_for_roll(answerer, text, school_row, record)
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(record["answer"])
            if record["source"]:
                click.echo(f"\nSource: {record['source']}")
            if record["suggestions"] and not record["confident"]:
                click.echo("Closest topics: " + "; ".join(record["suggestions"]))


def _ask_for_roll(answerer, text: str, school: dict | None, record: dict) -> dict:
    """A fee question for a known school with no pupil count: name the school and its band, ask for the roll."""
    from bot._fees import read_fee_request

    if school is None or school.get("pupils") is not None or answerer.find(text).compute != "fees":
        return record
    band = answerer.content.fee_band(school["fee_band"])
    if band is None or band.per_pupil == 0 or read_fee_request(text).pupils is not None:
        return record
    ask = answerer.content.say("ask_school_no_pupils", school=school["name"], band=band.name)
    return {**record, "answer": ask + "\n" + record["answer"]}


def _school_matches(name: str, db_path: str) -> list:
    """Directory schools matching a typed name, as the chat matches them; an error if none."""
    from bot._schools import match_schools
    from storage.schools import schools as list_schools

    if not Path(db_path).exists():
        raise click.ClickException(
            f"--school looks the school up in the directory, and there is none at {db_path}: "
            "run `elp-bot schools import GIAS.csv` first, or ask without --school"
        )
    store = _store(db_path, read_only=True)
    try:
        matches = match_schools(name, list_schools(store))
    finally:
        store.close()
    if not matches:
        raise click.ClickException(f"no school in the directory matches {name!r} (import GIAS first?)")
    return matches


def _find_school(name: str, db_path: str) -> dict:
    return _school_matches(name, db_path)[0].school


@main.command()
@click.option("--limit", default=50, show_default=True, help="How many distinct questions to show.")
@db_option
def unanswered(limit: int, db_path: str) -> None:
    """Questions the assistant could not answer confidently, most frequent first."""
    store = _store(db_path, read_only=True)
    try:
        rows = store.unanswered_summary(limit)
    finally:
        store.close()
    from bot.results.cells import one_line

    click.echo(f"{len(rows)} distinct unanswered question(s)")
    for row in rows:
        click.echo(f"{row['times']:>4}×  last {row['last_asked'][:10]}  {one_line(row['example'])}")


@main.command()
@click.option("--webhook-url", default=None, help="Public HTTPS URL Telegram should POST to (default: long polling).")
@click.option("--listen", default="0.0.0.0", show_default=True, help="Address the webhook server listens on.")
@click.option("--port", default=8443, show_default=True, type=int, help="Port the webhook server listens on.")
@db_option
@content_option
def telegram(webhook_url: str | None, listen: str, port: int, db_path: str, content_dir: str | None) -> None:
    """Run the Telegram bot (TELEGRAM_BOT_TOKEN; TELEGRAM_API_BASE for a self-hosted Bot API server)."""
    import asyncio
    import logging
    from urllib.parse import urlparse

    from adapters.telegram import (
        ALLOWED_UPDATES,
        BOOTSTRAP_RETRIES,
        build_application,
        new_webhook_secret,
        quiet_http_logs,
        run_webhook,
    )
    from bot import Engine

    settings = _settings(db_path=db_path, content_dir=content_dir)
    token = settings.telegram_token
    if not token:
        raise click.ClickException("set TELEGRAM_BOT_TOKEN to the token @BotFather gave you")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_http_logs()
    engine = Engine.open(settings.db_path, settings=settings)
    application = build_application(token=token, engine=engine, base_url=settings.telegram_api_base)
    try:
        if webhook_url:
            secret = settings.telegram_webhook_secret or new_webhook_secret()
            asyncio.run(
                run_webhook(
                    application,
                    listen=listen,
                    port=port,
                    url_path=urlparse(webhook_url).path,
                    webhook_url=webhook_url,
                    secret=secret,
                )
            )
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=BOOTSTRAP_RETRIES)
    finally:
        engine.close()


@main.command()
@click.option("--out", type=click.Path(dir_okay=False), default="report.html", show_default=True)
@db_option
@content_option
def report(out: str, db_path: str, content_dir: str | None) -> None:
    """The board report: one self-contained HTML file with counts, charts, comments and proposals."""
    from bot.results.report import write_report

    content = _content(content_dir)
    store = _store(db_path, read_only=True)
    try:
        with atomic_path(out) as writable:
            size = write_report(store, content, writable)
    finally:
        store.close()
    click.echo(f"wrote {Path(out).resolve()} ({size // 1024} KB)")


def _echo_schools(rows: list[dict]) -> None:
    """School rows under a header: status, people responding, URN, name (on one line)."""
    from bot.results.cells import one_line

    click.echo(f"{'STATUS':<12} {'PEOPLE':>6}  {'URN':>8}  SCHOOL")
    for row in rows:
        click.echo(f"{row['status']:<12} {row['respondents']:>6}  {row['urn']:>8}  {one_line(row['name'])}")


@main.command()
@click.option(
    "--status",
    type=click.Choice(["submitted", "in_progress", "not_started"]),
    default=None,
    help="Only schools with this status.",
)
@db_option
def responses(status: str | None, db_path: str) -> None:
    """Member schools and whether they have responded (all open schools if no members are marked).

    Respondents whose school is not in the directory are listed after them, under "not in the directory".
    """
    store = _store(db_path, read_only=True)
    try:
        rows = store.school_statuses()
        others = store.non_member_statuses()
        outside = store.respondents_outside_directory()
    finally:
        store.close()
    from bot.results.cells import one_line

    if not rows:
        raise click.ClickException("the school directory is empty: run elp-bot schools import FILE first")
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("submitted", "in_progress", "not_started")}
    click.echo(
        f"{len(rows)} schools: {counts['submitted']} submitted, {counts['in_progress']} in progress, "
        f"{counts['not_started']} not started"
    )
    _echo_schools([r for r in rows if status is None or r["status"] == status])
    also = [r for r in others if status is None or r["status"] == status]
    if also:
        click.echo(f"\nother schools in the directory (not members): {len(also)} school(s)")
        _echo_schools(also)
    shown = [r for r in outside if status is None or r["status"] == status]
    if shown:
        click.echo(f"\nnot in the directory: {len(shown)} respondent(s)")
        click.echo(f"{'STATUS':<12} {'REFERENCE':<14} SCHOOL (as typed)")
        for row in shown:
            school = one_line(row["school"]) or "(no school given)"
            click.echo(f"{row['status']:<12} {row['reference'] or '-':<14} {school}")


@main.command()
@click.option("--http", "http_mode", is_flag=True, help="Serve HTTP (signed requests) instead of Socket Mode.")
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP mode: address to listen on.")
@click.option("--port", default=3000, show_default=True, type=int, help="HTTP mode: port to listen on.")
@db_option
@content_option
def slack(http_mode: bool, host: str, port: int, db_path: str, content_dir: str | None) -> None:
    """Run the Slack app: Socket Mode (SLACK_APP_TOKEN, SLACK_BOT_TOKEN) or --http (SLACK_SIGNING_SECRET)."""
    import logging

    from adapters.slack import build_app, serve_http
    from bot import Engine

    settings = _settings(db_path=db_path, content_dir=content_dir)
    bot_token = settings.slack_bot_token
    if not bot_token:
        raise click.ClickException("set SLACK_BOT_TOKEN (xoxb-…) from the app's OAuth & Permissions page")
    secret = settings.slack_signing_secret
    app_token = settings.slack_app_token
    if http_mode and not secret:
        raise click.ClickException("HTTP mode needs SLACK_SIGNING_SECRET (Basic Information → App Credentials)")
    if not http_mode and not app_token:
        raise click.ClickException("Socket Mode needs SLACK_APP_TOKEN (xapp-…, with connections:write); or use --http")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine = Engine.open(settings.db_path, settings=settings)
    app = build_app(
        engine=engine,
        bot_token=bot_token,
        signing_secret=secret if http_mode else None,
        api_url=settings.slack_api_url,
    )
    try:
        if http_mode:
            server = serve_http(app, signing_secret=secret or "", host=host, port=port)
            click.echo(f"listening on http://{host}:{port}/slack/events", err=True)
            server.serve_forever()
        else:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            SocketModeHandler(app, app_token).start()
    finally:
        engine.close()


def _teams_adapter(engine, store, settings: Settings, *, check_service_urls: bool):
    """A TeamsAdapter from the CONNECTIONS__SERVICE_CONNECTION__SETTINGS__… environment variables."""
    from adapters.teams import TeamsAdapter, TeamsSettings

    teams_settings = TeamsSettings.from_env(settings.teams_env, check_service_urls=check_service_urls)
    if not teams_settings.client_id and not teams_settings.anonymous:
        raise click.ClickException(
            "set CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID (and CLIENTSECRET, TENANTID): see README, Teams"
        )
    return TeamsAdapter(engine=engine, store=store, settings=teams_settings, clock=lambda: dt.datetime.now(dt.UTC))


@main.group(invoke_without_command=True)
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on (behind your HTTPS proxy).")
@click.option("--port", default=3978, show_default=True, type=int, help="Port to listen on; the path is /api/messages.")
@db_option
@content_option
@click.pass_context
def teams(ctx: click.Context, host: str, port: int, db_path: str, content_dir: str | None) -> None:
    """Run the Microsoft Teams bot (CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID, CLIENTSECRET, TENANTID)."""
    if ctx.invoked_subcommand is not None:
        return
    import logging

    from aiohttp import web

    from adapters.teams import build_web_app
    from bot import Engine

    settings = _settings(db_path=db_path, content_dir=content_dir)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("microsoft_agents").setLevel(logging.WARNING)  # its INFO logs every conversation id
    engine = Engine.open(settings.db_path, settings=settings)
    store = _store(settings.db_path, must_exist=False)
    try:
        anonymous = settings.teams_env.get("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED", "")
        adapter = _teams_adapter(engine, store, settings, check_service_urls=anonymous.lower() != "true")
        if adapter.settings.anonymous:
            click.echo("warning: accepting unauthenticated activities (for local testing only)", err=True)
        web.run_app(build_web_app(adapter), host=host, port=port, print=lambda text: click.echo(text, err=True))
    finally:
        store.close()
        engine.close()


@teams.command("manifest")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default="elp-teams.zip", show_default=True)
@click.option("--bot-id", default=None, help="The bot's Entra app id (default: TEAMS_BOT_ID, else the CLIENTID).")
def teams_manifest(out: str, bot_id: str | None) -> None:
    """Build the Teams app package (manifest.json and icons) to sideload or publish to your org's catalogue."""
    from adapters.teams_manifest import ManifestError, build_package

    settings = _settings()
    client_id = settings.teams_env.get("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID")
    bot_id = bot_id or settings.teams_bot_id or client_id
    try:
        build_package(Path(out), bot_id=bot_id or "")
    except ManifestError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {out}", err=True)


@main.command()
@click.option("--dry-run", is_flag=True, help="List who would be reminded; send nothing, record nothing.")
@click.option("--every-days", default=7, show_default=True, type=click.IntRange(min=1), help="At most one per N days.")
@db_option
@content_option
def remind(dry_run: bool, every_days: int, db_path: str, content_dir: str | None) -> None:
    """Remind in-progress respondents (Teams, Telegram private chats, Slack DMs) where credentials are set."""
    import asyncio

    from adapters import reminders
    from bot import Engine

    settings = _settings(db_path=db_path, content_dir=content_dir)
    store = _store(settings.db_path)
    now = dt.datetime.now(dt.UTC)
    try:
        due = reminders.due(store, settings.content(), now, every_days)
        if dry_run:
            for reminder in due:
                progress = f"{reminder.answered} of {reminder.total} answered"
                click.echo(f"would remind {reminder.channel} {reminder.user_id} ({progress})")
            click.echo(f"{len(due)} reminder(s) due; nothing sent (dry run)")
            return
        engine = Engine.open(settings.db_path, settings=settings)
        try:
            counts = asyncio.run(_send_reminders(store, engine, settings, due, now))
        finally:
            engine.close()
        click.echo(f"sent {counts['sent']}, failed {counts['failed']}, skipped {counts['skipped']} (no credentials)")
    finally:
        store.close()


async def _send_reminders(store, engine, settings: Settings, due, now: dt.datetime) -> dict[str, int]:
    from contextlib import AsyncExitStack

    from adapters import reminders

    senders = {}
    async with AsyncExitStack() as stack:
        if settings.teams_env.get("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"):
            adapter = _teams_adapter(engine, store, settings, check_service_urls=True)
            senders["msteams"] = reminders.teams_sender(adapter)
        if settings.telegram_token:
            from telegram import Bot

            bot = Bot(settings.telegram_token, base_url=settings.telegram_api_base or "https://api.telegram.org/bot")
            senders["telegram"] = reminders.telegram_sender(await stack.enter_async_context(bot))
        if settings.slack_bot_token:
            from slack_sdk import WebClient

            client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url or WebClient.BASE_URL)
            senders["slack"] = reminders.slack_sender(client)
        return await reminders.send_all(store, due, senders, now)


@main.group()
def schools() -> None:
    """The school directory (DfE Get Information about Schools)."""


@schools.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--la", default="Ealing", show_default=True, help="Local authority to keep (LA (name) column).")
@db_option
def schools_import(file: str, la: str, db_path: str) -> None:
    """Import a GIAS establishment CSV (Windows-1252 or UTF-8); re-importing updates in place."""
    from storage.schools import DirectoryError, closest_las, count_lines, detect_encoding, import_gias, read_rows

    # The whole England file is ~50,000 rows and 60-90 MB: streamed, never held in memory at once.
    with open(file, encoding=detect_encoding(file), errors="replace", newline="") as stream:
        try:
            _, rows = read_rows(stream)
        except DirectoryError as exc:
            raise click.ClickException(f"{file}: {exc}") from None
        store = _store(db_path, must_exist=False)
        try:
            with click.progressbar(
                length=max(count_lines(file) - 1, 1), label="Reading schools", file=sys.stderr, show_pos=True
            ) as bar:
                report = import_gias(store, rows, la=la, now=_now(), progress=bar.update)
        finally:
            store.close()
    for problem in report.bad_rows:
        click.echo(f"{file}: {problem} (skipped)", err=True)
    la = la.strip()
    if not report.matched_la:
        if report.la_names:
            closest = ", ".join(closest_las(la, report.la_names))
            raise click.ClickException(f"no row in {file} has LA (name) {la!r}; closest in the file: {closest}")
        if report.rows:
            raise click.ClickException(f"no row of {file} could be read (see the lines above); nothing imported")
        raise click.ClickException(f"{file} has a header but no school rows; nothing imported")
    click.echo(
        f"{la}: imported {report.imported} new, updated {report.updated}, "
        f"marked closed {report.marked_closed}, skipped {report.total_skipped}"
    )
    for band, count in sorted(report.bands.items()):
        click.echo(f"  fee band {band}: {count}")
    for reason, count in report.skipped.most_common():
        click.echo(f"  skipped {count}: {reason}")
    if report.no_pupils:
        click.echo(f"  no pupil count for {len(report.no_pupils)}: {'; '.join(report.no_pupils)}")


@schools.command("list")
@click.option("--members", is_flag=True, help="Only member schools.")
@click.option("--all", "include_closed", is_flag=True, help="Include schools marked closed.")
@db_option
def schools_list(members: bool, include_closed: bool, db_path: str) -> None:
    """List schools in the directory: URN, fee band, pupils, member, name."""
    from storage.schools import schools as list_schools

    store = _store(db_path, read_only=True)
    try:
        rows = list_schools(store, members_only=members, include_closed=include_closed)
    finally:
        store.close()
    click.echo(f"{len(rows)} school(s)")
    for row in rows:
        pupils = "" if row["pupils"] is None else row["pupils"]
        flags = ("member" if row["member"] else "") + ("" if row["open"] else " closed")
        click.echo(f"{row['urn']:>8}  {row['fee_band']:<13} {pupils!s:>5}  {flags:<7} {row['name']}")


@schools.command("find")
@click.argument("name")
@db_option
def schools_find(name: str, db_path: str) -> None:
    """Look a school up by (part of) its name, as the chat does."""
    from bot._schools import is_clear

    matches = _school_matches(name, db_path)
    click.echo("one clear match" if is_clear(matches) else f"{len(matches)} possible matches")
    for match in matches:
        school = match.school
        click.echo(f"{match.score:5.0f}  {school['urn']:>8}  {school['fee_band']:<13} {school['name']}")


@schools.command("members")
@click.argument("file", type=click.File(encoding="utf-8-sig"))
@db_option
def schools_members(file, db_path: str) -> None:
    """Mark the member schools: FILE lists their URNs, one per line (# starts a comment).

    A spreadsheet's list works too: the first column is read and a "URN" header line skipped. A file
    with no URN in the directory changes nothing (the members marked before stay marked).
    """
    import re

    from storage.schools import mark_members

    urns, not_urns = [], []
    for number, line in enumerate(file, start=1):
        value = re.split(r"[,;\t]", line.split("#", 1)[0], maxsplit=1)[0].strip().strip('"')
        if value.isdigit():
            urns.append(value)
        elif value and not (number == 1 and value.casefold() == "urn"):
            not_urns.append(f"line {number}: {value[:40]!r}")
    for problem in not_urns:
        click.echo(f"{file.name}: {problem} is not a URN (skipped)", err=True)
    if not urns:
        raise click.ClickException(f"no URN in {file.name}: nothing changed (one URN per line, e.g. 101930)")
    store = _store(db_path)
    try:
        known = store.school_urns()
        if not any(urn in known for urn in urns):
            raise click.ClickException(
                f"none of the {len(urns)} URN(s) in {file.name} is in the directory: nothing changed "
                "(import GIAS first: elp-bot schools import FILE)"
            )
        marked, unknown = mark_members(store, urns, _now())
    finally:
        store.close()
    click.echo(f"{marked} member school(s) marked")
    if unknown:
        click.echo(f"not in the directory (import GIAS first?): {', '.join(unknown)}", err=True)


@main.group()
def content() -> None:
    """Work with the content files."""


@content.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False, exists=True))
def content_check(directory: str | None) -> None:
    """Validate the content files; on a problem, name the file, the entry and what is wrong."""
    loaded = _content(directory)
    areas = len(loaded.offer.activity_areas)
    bullets = sum(len(g.bullets) for a in loaded.offer.activity_areas for g in a.groups)
    click.echo(
        f"OK: {loaded.directory} – {len(loaded.questions)} questions, {areas} activity areas, "
        f"{bullets} bullets, {len(loaded.offer.fees.bands)} fee bands, {len(loaded.faq.entries)} curated answers, "
        f"{len(loaded.lexicon.synonyms)} synonym groups, {len(loaded.lexicon.means)} lexicon words"
    )


base_url_option = click.option(
    "--base-url",
    default=None,
    help="The public address people open (https://… behind your reverse proxy).  [default: ELP_BASE_URL, "
    "else http://localhost:8000]",
)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@base_url_option
@click.option(
    "--behind-proxy",
    is_flag=True,
    help="Trust X-Forwarded-For/-Proto from the proxy addresses in FORWARDED_ALLOW_IPS (default 127.0.0.1).",
)
@db_option
@content_option
def web(host: str, port: int, base_url: str | None, behind_proxy: bool, db_path: str, content_dir: str | None) -> None:
    """Serve the web chat (/c/<link>) and the ELP team's results pages (/admin) with uvicorn."""
    import uvicorn

    from adapters.web.app import WebConfig, create_app, server_config
    from bot import Engine
    from storage import Store

    settings = _settings(db_path=db_path, content_dir=content_dir, web_base_url=base_url)
    content = settings.content()
    admins = frozenset(f"{channel}:{user}" for channel, user in settings.admins if channel == "web")
    engine = Engine.open(settings.db_path, content=content, settings=settings)
    store = Store.open(settings.db_path)
    app = create_app(engine, store, content, WebConfig(admins=admins, base_url=settings.web_base_url))
    click.echo(f"serving {settings.web_base_url} on http://{host}:{port} ({len(admins)} web admin(s))", err=True)
    try:
        allowed = settings.web_forwarded_allow_ips
        uvicorn.Server(
            server_config(app, host=host, port=port, behind_proxy=behind_proxy, forwarded_allow_ips=allowed)
        ).run()
    finally:
        store.close()
        engine.close()


@main.command()
@click.option("--members", is_flag=True, help="One link per member school that has none yet.")
@click.option("--school", "urn", default=None, help="One more link, for a person at this school (URN).")
@click.option("--name", default=None, help="With --school: the person's name.")
@click.option("--email", default=None, help="With --school: the person's email.")
@click.option("--admin", "admin_email", default=None, help="An admin link for the ELP team member with this email.")
@click.option("--revoke", "revoke_id", type=int, default=None, help="Stop the link with this number working.")
@click.option("--reissue", "reissue_id", type=int, default=None, help="A new link for this number (answers kept).")
@click.option("--list", "list_all", is_flag=True, help="List every invitation with its number.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None, help="CSV file (default: stdout).")
@base_url_option
@db_option
def invite(
    members: bool,
    urn: str | None,
    name: str | None,
    email: str | None,
    admin_email: str | None,
    revoke_id: int | None,
    reissue_id: int | None,
    list_all: bool,
    out: str | None,
    base_url: str | None,
    db_path: str,
) -> None:
    """Invitation links for the web chat, as a CSV ready for a mail merge (school, name, email, link)."""
    import csv
    import io

    from adapters.web import invitations

    chosen = (members, urn, admin_email, revoke_id, reissue_id, list_all)
    if sum(1 for option in chosen if option not in (None, False)) != 1:
        raise click.UsageError("choose one of --members, --school URN, --admin EMAIL, --revoke N, --reissue N, --list")
    settings = _settings(db_path=db_path, web_base_url=base_url)
    store = _store(settings.db_path, must_exist=False)
    try:
        if list_all:
            for row in store.invitations():
                state = "revoked" if row["revoked_at"] else "live"
                who = " ".join(v for v in (row["school"], row["name"], row["email"]) if v)
                click.echo(f"{row['id']:>5}  {row['role']:<10} {state:<7} {row['created_at'][:10]}  {who}")
            return
        if revoke_id is not None:
            if not invitations.revoke(store, revoke_id, _now()):
                raise click.ClickException(f"no live invitation number {revoke_id} (see elp-bot invite --list)")
            click.echo(f"invitation {revoke_id} revoked: its link no longer works")
            return
        if reissue_id is not None:
            issued = invitations.reissue(store, reissue_id)
            if issued is None:
                raise click.ClickException(f"no invitation number {reissue_id} (see elp-bot invite --list)")
            links = [issued]
        elif admin_email is not None:
            links = [invitations.invite(store, role="admin", now=_now(), name=name, email=admin_email)]
            if ("web", admin_email) not in settings.admins:
                click.echo(f"note: add web:{admin_email} to ELP_ADMINS, or this link opens nothing", err=True)
        elif urn is not None:
            from storage.schools import school as directory_school

            row = directory_school(store, urn)
            if row is None:
                raise click.ClickException(f"no school with URN {urn} in the directory (elp-bot schools list)")
            links = [
                invitations.invite(
                    store, role="respondent", now=_now(), school_urn=urn, school=row["name"], name=name, email=email
                )
            ]
        else:
            links, skipped = invitations.invite_members(store, _now())
            if not links and not skipped:
                raise click.ClickException("no member schools: run elp-bot schools members FILE first")
            if skipped:
                click.echo(f"{skipped} school(s) already have a link (--reissue N gives a new one)", err=True)
    finally:
        store.close()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["number", "urn", "school", "name", "email", "link"])
    for issued in links:
        writer.writerow(
            [
                issued.invitation_id,
                issued.school_urn or "",
                issued.school or "",
                issued.name or "",
                issued.email or "",
                issued.link(settings.web_base_url),
            ]
        )
    if out:
        Path(out).write_text("\ufeff" + buffer.getvalue(), encoding="utf-8", newline="")
        click.echo(f"wrote {len(links)} link(s) to {out}", err=True)
    else:
        click.echo(buffer.getvalue(), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
