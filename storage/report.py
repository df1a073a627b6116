"""The board report (one self-contained HTML file with charts) and the XLSX workbook for analysts.

Charts are matplotlib SVGs embedded inline: horizontal stacked bars per question (overall, by
school type, by role) in four greys with four hatch patterns, so they read in black and white;
each has a text alternative and the numbers sit beside it in a table. Comments are attributed by
the respondent's consent: school name only for "named", anonymous for "anonymous", and left out
for "none" (or no answer to the consent question).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no screen: render to files only
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable, readable by screen readers
matplotlib.rcParams["svg.hashsalt"] = "elp-report"  # stable ids, so the same data gives the same file
import matplotlib.pyplot as plt  # noqa: E402
from jinja2 import Environment, FileSystemLoader, select_autoescape  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from content import Content  # noqa: E402
from storage import Store  # noqa: E402
from storage.export import safe_cell  # noqa: E402
from storage.results import summary  # noqa: E402

TEMPLATES = Path(__file__).parent / "templates"
GREYS = ("#f2f2f2", "#bdbdbd", "#7a7a7a", "#3d3d3d")
HATCHES = ("", "///", "---", "xx")  # line hatches only: a dot hatch is thousands of tiny circles


@dataclass(frozen=True)
class Row:
    """One bar of a chart: a group (overall, a school type, a role) and its counts per choice."""

    group: str
    label: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        """Answers in this group."""
        return sum(self.counts)


def _labels(content: Content) -> dict[str, str]:
    identity = content.consultation.identity
    return {o.id: o.label for o in (*identity.school_types, *identity.roles)}


def tallies(store: Store, content: Content) -> dict[str, list[Row]]:
    """Per choice question: rows for overall, each school type and each role (groups with no answers left out)."""
    codes = [c.code for c in content.consultation.choices]
    labels = _labels(content)
    people = {r["id"]: r for r in store.respondents()}
    answers = store.all_answers()
    identity = content.consultation.identity
    out: dict[str, list[Row]] = {}
    for question in content.questions:
        if question.kind != "choice":
            continue
        overall: Counter[str] = Counter()
        by: dict[str, Counter[str]] = {}
        for rid, mine in answers.items():
            answer = mine.get(question.id)
            if answer is None or answer.choice not in codes:
                continue
            person = people[rid]
            overall[answer.choice] += 1
            by.setdefault(f"type:{person['school_type'] or 'unknown'}", Counter())[answer.choice] += 1
            by.setdefault(f"role:{person['role'] or 'unknown'}", Counter())[answer.choice] += 1
        rows = [Row("overall", "All respondents", tuple(overall[c] for c in codes))]
        for kind, options in (("type", identity.school_types), ("role", identity.roles)):
            for key in [o.id for o in options] + ["unknown"]:
                counts = by.get(f"{kind}:{key}")
                if counts:
                    label = _group_label(kind, key, labels)
                    rows.append(Row(f"{kind}:{key}", label, tuple(counts[c] for c in codes)))
        out[question.id] = rows
    return out


def _group_label(kind: str, key: str, labels: dict[str, str]) -> str:
    """A row label that cannot be confused across groups: "Other" is both a school type and a role."""
    label = labels.get(key, "Not given")
    if label in {"Other", "Not given"}:
        return f"{label} ({'school type' if kind == 'type' else 'role'})"
    return label


def _in_content_order(counts: Counter[str], options: Any, kind: str, labels: dict[str, str]) -> list[tuple[str, int]]:
    """(label, count) in the questionnaire's option order, then anything not among the options."""
    ids = [o.id for o in options]
    ordered = [k for k in ids if counts.get(k)] + sorted(k for k in counts if k not in ids)
    return [(_group_label(kind, k, labels), counts[k]) for k in ordered]


def chart_svg(rows: list[Row], choice_labels: list[str], title: str, chart_id: str) -> str:
    """A horizontal stacked bar chart as inline SVG with a title and description for screen readers."""
    height = 0.9 + 0.38 * len(rows)
    fig, ax = plt.subplots(figsize=(7.0, height))
    lefts = [0.0] * len(rows)
    ys = list(range(len(rows)))[::-1]
    for index, label in enumerate(choice_labels):
        shares = [(r.counts[index] / r.total * 100 if r.total else 0.0) for r in rows]
        bars = ax.barh(
            ys,
            shares,
            left=lefts,
            color=GREYS[index],
            hatch=HATCHES[index],
            edgecolor="black",
            linewidth=0.6,
            label=label,
        )
        for bar, share, row in zip(bars, shares, rows, strict=True):
            if share >= 8:
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_y() + bar.get_height() / 2,
                    str(row.counts[index]),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if index >= 2 else "black",
                    bbox={"facecolor": GREYS[index], "edgecolor": "none", "pad": 0.5},
                )
        lefts = [left + share for left, share in zip(lefts, shares, strict=True)]
    ax.set_yticks(ys, [f"{r.label} (n={r.total})" for r in rows], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of answers", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(ncols=4, fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    description = "; ".join(
        f"{r.label}: " + ", ".join(f"{label} {count}" for label, count in zip(choice_labels, r.counts, strict=True))
        for r in rows
    )
    head, rest = svg.replace("<svg ", f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" ', 1).split(">", 1)
    text = f'<title id="{chart_id}-t">{_xml(title)}</title><desc id="{chart_id}-d">{_xml(description)}</desc>'
    return f"{head}>{text}{rest}"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def comments(store: Store, content: Content) -> dict[str, list[dict[str, Any]]]:
    """Quotable comments per question, attributed as each respondent allowed; declined ones left out."""
    labels = _labels(content)
    choice_labels = {c.code: c.label for c in content.consultation.choices}
    people = {r["id"]: r for r in store.respondents()}
    out: dict[str, list[dict[str, Any]]] = {q.id: [] for q in content.questions}
    for rid, mine in sorted(store.all_answers().items()):
        person = people[rid]
        consent = person["quote_consent"]
        if consent not in {"named", "anonymous"}:
            continue
        for qid, answer in mine.items():
            if not answer.comment or qid not in out:
                continue
            out[qid].append(
                {
                    "text": answer.comment,
                    "choice": choice_labels.get(answer.choice or "", ""),
                    "school_type": labels.get(person["school_type"] or "", "Not given"),
                    "role": labels.get(person["role"] or "", "Not given"),
                    "school": person["school"] if consent == "named" else None,
                }
            )
    return out


def build_report(store: Store, content: Content, now: dt.datetime | None = None) -> str:
    """The whole board report as one HTML document (no external resources)."""
    now = now or dt.datetime.now(dt.UTC)
    choice_labels = [c.label for c in content.consultation.choices]
    counts = tallies(store, content)
    quotes = comments(store, content)
    result = summary(store)
    labels = _labels(content)
    sections = []
    for question in content.questions:
        item: dict[str, Any] = {
            "question": question,
            "label": "Q" + question.id[1:],
            "comments": quotes.get(question.id, []),
        }
        if question.kind == "choice":
            rows = counts[question.id]
            item["rows"] = rows
            item["svg"] = chart_svg(
                rows,
                choice_labels,
                f"Q{question.id[1:]} {question.short}: answers",
                f"chart-{question.id.replace('.', '-')}",
            )
        sections.append(item)
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    consultation = content.consultation
    return environment.get_template("report.html.j2").render(
        title=consultation.title,
        opens=f"{consultation.opens.day} {consultation.opens:%B %Y}",
        closes=f"{consultation.closes.day} {consultation.closes:%B %Y}",
        produced=now.strftime("%d %B %Y at %H:%M UTC"),
        summary=result,
        by_type=_in_content_order(result.by_type, content.consultation.identity.school_types, "type", labels),
        by_role=_in_content_order(result.by_role, content.consultation.identity.roles, "role", labels),
        choice_labels=choice_labels,
        sections=sections,
        proposals=quotes.get(content.questions[-1].id, []) if content.questions[-1].kind == "text" else [],
    )


def build_workbook(store: Store, content: Content) -> Workbook:
    """Responses (codes and labels), comments and counts, one sheet each."""
    labels = _labels(content)
    consent_labels = {o.id: o.label for o in content.consultation.identity.quote_consent}
    choice_labels = {c.code: c.label for c in content.consultation.choices}
    workbook = Workbook()
    responses = workbook.active
    responses.title = "Responses"
    header = [
        "respondent_id",
        "channel",
        "user_id",
        "name",
        "role",
        "role_label",
        "school",
        "school_type",
        "school_type_label",
        "status",
        "reference",
        "started_at",
        "submitted_at",
        "quote_consent",
    ]
    for question in content.questions:
        header += (
            [question.id]
            if question.kind == "text"
            else [question.id, f"{question.id}_label", f"{question.id}_comment"]
        )
    responses.append(header)
    answers = store.all_answers()
    people = store.respondents()
    for person in people:
        mine = answers.get(person["id"], {})
        row: list[Any] = [
            person["id"],
            person["channel"],
            person["user_id"],
            person["name"],
            person["role"],
            labels.get(person["role"] or "", ""),
            person["school"],
            person["school_type"],
            labels.get(person["school_type"] or "", ""),
            person["status"],
            person["reference"],
            person["started_at"],
            person["submitted_at"],
            consent_labels.get(person["quote_consent"] or "", person["quote_consent"]),
        ]
        for question in content.questions:
            answer = mine.get(question.id)
            if question.kind == "text":
                row.append(answer.comment if answer else None)
            else:
                row += [
                    answer.choice if answer else None,
                    choice_labels.get(answer.choice or "") if answer else None,
                    answer.comment if answer else None,
                ]
        responses.append([safe_cell(v) for v in row])
    sheet = workbook.create_sheet("Comments")
    sheet.append(["question", "question_short", "choice", "comment", "school_type", "role", "school"])
    quotes = comments(store, content)
    for question in content.questions:
        for quote in quotes[question.id]:
            sheet.append(
                [
                    safe_cell(v)
                    for v in (
                        question.id,
                        question.short,
                        quote["choice"],
                        quote["text"],
                        quote["school_type"],
                        quote["role"],
                        quote["school"],
                    )
                ]
            )
    counts_sheet = workbook.create_sheet("Counts")
    codes = [c.code for c in content.consultation.choices]
    counts_sheet.append(["question", "question_short", "group", *codes, "answered"])
    counts = tallies(store, content)
    for question in content.questions:
        for row in counts.get(question.id, []):
            counts_sheet.append([question.id, question.short, row.label, *row.counts, row.total])
    for ws in workbook.worksheets:
        ws.freeze_panes = "A2"
    return workbook
