"""The board report: one self-contained HTML file with a one-page summary, contents, charts and comments.

Comments are attributed by the respondent's consent: school name only for "named", anonymous for
"anonymous", and left out for "none" (or no answer to the consent question). Every value written
goes through `xml_safe`, so the file stays well-formed whatever respondents typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.results.cells import xml_safe
from bot.results.charts import chart_svg
from bot.results.tables import Labels, Row, comments, heading, in_content_order, tallies
from content import Content
from storage import Store

TEMPLATES = Path(__file__).parent / "templates"


def _finalize(value: Any) -> Any:
    """Every value the template writes, made XML-safe (markup such as the charts stays markup)."""
    if isinstance(value, Markup):
        return Markup(xml_safe(str(value)))
    return xml_safe(value) if isinstance(value, str) else value


def _local(moment: dt.datetime, timezone: str) -> str:
    """A time as the ELP team reads it: the consultation's local time, named (e.g. "30 March 2027 at 10:05 BST")."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(ZoneInfo(timezone))
    return f"{local.day} {local:%B %Y at %H:%M} {local.tzname()}"


def paragraphs(text: str) -> list[str]:
    """A comment's paragraphs: each line the respondent wrote, blank lines dropped."""
    return [line.strip() for line in re.split(r"\r\n|\r|\n", text) if line.strip()]


def shares(row: Row) -> list[int]:
    """Whole-number percentages of a row's answers per choice (0 for a row with no answers)."""
    return [round(count * 100 / row.total) if row.total else 0 for count in row.counts]


def environment() -> Environment:
    """The Jinja environment for the report templates (autoescaped, XML-safe output)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]), finalize=_finalize
    )
    env.filters["paragraphs"] = paragraphs
    return env


def build_report(store: Store, content: Content, now: dt.datetime | None = None) -> str:
    """The whole board report as one HTML document (no external resources)."""
    return "".join(render(store, content, now))


def write_report(store: Store, content: Content, path: str | Path, now: dt.datetime | None = None) -> int:
    """Write the board report to a file as it is rendered (comments streamed from the store); returns bytes."""
    with open(path, "w", encoding="utf-8") as out:
        for chunk in render(store, content, now):
            out.write(chunk)
    return Path(path).stat().st_size


def render(store: Store, content: Content, now: dt.datetime | None = None) -> Iterator[str]:
    """The board report, piece by piece."""
    now = now or dt.datetime.now(dt.UTC)
    choice_labels = [c.label for c in content.consultation.choices]
    counts = tallies(store, content)
    quotes = comments(store, content)
    result = store.summary()
    labels = Labels(content)
    sections = []
    for question in content.questions:
        item: dict[str, Any] = {
            "question": question,
            "label": "Q" + question.id[1:],
            "anchor": "q-" + question.id[1:].replace(".", "-"),
            "comments": quotes.get(question.id, []),
        }
        if question.kind == "choice":
            rows = counts[question.id]
            item["rows"] = rows
            item["overall"] = rows[0]
            item["shares"] = shares(rows[0])
            if rows[0].total:  # a question nobody has answered yet gets a line, not an empty chart
                item["svg"] = Markup(
                    chart_svg(rows, choice_labels, f"{heading(question)}: answers", f"chart-{item['anchor']}")
                )
        sections.append(item)
    consultation = content.consultation
    last = content.questions[-1]
    return (
        environment()
        .get_template("report.html.j2")
        .generate(
            title=consultation.title,
            opens=f"{consultation.opens.day} {consultation.opens:%B %Y}",
            closes=f"{consultation.closes.day} {consultation.closes:%B %Y}",
            produced=_local(now, consultation.timezone),
            summary=result,
            by_type=in_content_order(result.by_type, consultation.identity.school_types, "type", labels),
            by_role=in_content_order(result.by_role, consultation.identity.roles, "role", labels),
            choice_labels=choice_labels,
            sections=sections,
            proposals_label=heading(last),
            proposals=quotes[last.id] if last.kind == "text" else [],
        )
    )
