"""The `elp-bot` command line: chat in the terminal, export responses, check content files."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sys
from pathlib import Path

import click

from content import Content, ContentError, load_content

DEFAULT_DB = "elp.db"


def _date_option(name: str) -> dt.date | None:
    value = os.environ.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.UsageError(f"{name}={value!r} is not a date like 2027-03-31") from None


def _content(content_dir: str | None) -> Content:
    try:
        content = load_content(content_dir)
        return content.with_dates(_date_option("ELP_OPENS"), _date_option("ELP_CLOSES"))
    except ContentError as exc:
        raise click.ClickException(f"content problem: {exc}") from None


db_option = click.option(
    "--db",
    "db_path",
    envvar="ELP_DB",
    default=DEFAULT_DB,
    show_default=True,
    show_envvar=True,
    type=click.Path(dir_okay=False),
    help="SQLite database file.",
)
content_option = click.option(
    "--content",
    "content_dir",
    envvar="ELP_CONTENT_DIR",
    default=None,
    show_envvar=True,
    type=click.Path(file_okay=False, exists=True),
    help="Content folder (default: the shipped content).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """ELP consultation assistant."""


@main.command()
@db_option
@content_option
@click.option("--user", "user_id", envvar="ELP_USER", default=None, help="Your id in the console channel.")
def chat(db_path: str, content_dir: str | None, user_id: str | None) -> None:
    """Answer the consultation (or ask questions) in a terminal chat."""
    from adapters.console import ConsoleChat
    from bot import Engine

    engine = Engine.open(db_path, content=_content(content_dir))
    try:
        user = user_id or getpass.getuser()
        ConsoleChat(
            engine=engine, user_id=user, stdin=sys.stdin, stdout=sys.stdout, interactive=sys.stdin.isatty()
        ).run()
    finally:
        engine.close()


@main.command()
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None, help="File (default: stdout).")
@db_option
@content_option
def export(fmt: str, out: str | None, db_path: str, content_dir: str | None) -> None:
    """Export every response: JSON (one object per respondent) or CSV (Excel-safe)."""
    from storage import Store
    from storage.export import to_csv, to_json

    if not Path(db_path).exists():
        raise click.ClickException(f"no database at {db_path} (set --db or ELP_DB)")
    content = _content(content_dir)
    ids = [q.id for q in content.questions]
    text_ids = [q.id for q in content.questions if q.kind == "text"]
    store = Store.open(db_path)
    try:
        data = to_json(store, ids) if fmt == "json" else to_csv(store, ids, text_ids)
    finally:
        store.close()
    if out:
        Path(out).write_text(data, encoding="utf-8", newline="")
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(data, nl=False)


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
        f"{bullets} bullets, {len(loaded.offer.fees.bands)} fee bands"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
