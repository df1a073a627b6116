"""The board report, the XLSX workbook and response tracking, against counts computed here independently."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from click.testing import CliRunner
from markupsafe import escape

from bot.cli import main
from bot.results.report import build_report, paragraphs
from bot.results.tables import tallies
from storage.results import school_statuses, summary
from tests.results_world import (  # noqa: F401
    FORBIDDEN,
    FORBIDDEN_CLEAN,
    FORMULAS,
    ROLES,
    TYPES,
    expected_counts,
    hostile_store,
    world_fixture,
)


class Cells(HTMLParser):
    """Collects the numbers the report puts in data-* table cells and the quoted comments."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str, str], int] = {}
        self.headline: dict[str, str] = {}
        self.quotes: list[str] = []
        self._key: tuple | None = None
        self._quote = False

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        if tag == "td" and "data-q" in attr:
            self._key = ("q", attr["data-q"], attr["data-group"], attr["data-choice"])
        elif tag == "td" and "data-count" in attr:
            self._key = ("h", attr["data-count"])
        elif tag == "blockquote":
            self._quote = True

    def handle_data(self, data):
        if self._key and self._key[0] == "q":
            self.cells[self._key[1:]] = int(data)
        elif self._key:
            self.headline[self._key[1]] = data
        self._key = None
        if self._quote and data.strip():
            self.quotes.append(data)
            self._quote = False


def test_report_numbers_match_independent_counts(world, content) -> None:
    store, truth = world
    html = build_report(store, content)
    cells = Cells()
    cells.feed(html)
    people = truth["people"]
    assert cells.headline["respondents"] == str(len(people))
    assert cells.headline["submitted"] == str(sum(p["status"] == "submitted" for p in people))
    assert cells.headline["in_progress"] == str(sum(p["status"] != "submitted" for p in people))
    assert cells.headline["members_responded"] == "2 of 4"
    assert cells.headline["members_submitted"] == "1 of 4", "a member school whose only respondent is in progress"
    for question in content.questions:
        if question.kind != "choice":
            continue
        groups = ["overall", *(f"type:{t}" for t in TYPES), *(f"role:{r}" for r in ROLES)]
        for group in groups:
            got = [cells.cells[(question.id, group, str(i))] for i in range(4)]
            assert got == expected_counts(truth, question.id, group), (question.id, group)


def test_report_is_well_formed_self_contained_and_escaped(world, content) -> None:
    store, _ = world
    html = build_report(store, content)
    ET.fromstring(html.split("\n", 1)[1])  # the document (after the doctype) parses as XML
    assert "<script" not in html and "<b>bold" not in html and "<i>" not in html.split("<body>")[1].split("<svg")[0]
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert not re.search(r"""(src|href)=["']https?://""", html), "no external resources"
    assert html.count("<svg") == 14 and html.count("<desc id=") == 14, "every chart has a text alternative"
    assert "Report produced" in html and "2 November 2026 to 31 March 2027" in html


def test_comments_follow_consent(world, content) -> None:
    store, truth = world
    html = build_report(store, content)
    cells = Cells()
    cells.feed(html)
    people = {p["id"]: p for p in truth["people"]}
    allowed = sorted(
        c
        for (rid, qid), (_, c) in truth["answers"].items()
        if c and people[rid]["quote_consent"] in {"named", "anonymous"}
    )
    assert sorted(cells.quotes) == allowed
    refused = [
        c
        for (rid, _), (_, c) in truth["answers"].items()
        if c and people[rid]["quote_consent"] not in {"named", "anonymous"}
    ]
    assert refused and all(f'<p dir="auto">{escape(c)}</p>' not in html for c in refused)
    assert all(f'<p dir="auto">{escape(c)}</p>' in html for c in allowed if "\n" not in c)
    commented = {rid for (rid, _), (_, c) in truth["answers"].items() if c}
    named = [p for p in truth["people"] if p["quote_consent"] == "named" and p["id"] in commented]
    anonymous = [p for p in truth["people"] if p["quote_consent"] == "anonymous" and p["id"] in commented]
    assert all(f" · {escape(p['school'])}</p>" in html for p in named)
    assert all(str(escape(p["school"])) not in html for p in anonymous)


def test_tallies_and_summary(world, content) -> None:
    store, truth = world
    result = summary(store)
    assert result.respondents == 300 and result.members == 4 and result.members_responded == 2
    assert result.members_submitted == 1
    assert result.by_type["pru_primary"] == sum(p["school_type"] == "pru_primary" for p in truth["people"])
    rows = tallies(store, content)["q5.10"]
    assert rows[0].group == "overall" and list(rows[0].counts) == expected_counts(truth, "q5.10", "overall")


def test_school_statuses(world) -> None:
    store, _ = world
    statuses = {s["urn"]: s for s in school_statuses(store)}
    assert set(statuses) == {"101930", "137121", "101932", "101935"}
    assert statuses["101932"]["status"] == "not_started"
    assert statuses["101930"]["respondents"] == 3


def test_cli_report_responses_and_xlsx(world, tmp_path) -> None:
    store, _ = world
    db = str(store.db.conn.execute("PRAGMA database_list").fetchone()[2])
    runner = CliRunner()
    out = tmp_path / "board.html"
    result = runner.invoke(main, ["report", "--db", db, "--out", str(out)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    listed = runner.invoke(main, ["responses", "--db", db])
    assert listed.output.splitlines()[0].startswith("4 schools: ")
    only = runner.invoke(main, ["responses", "--db", db, "--status", "not_started"]).output
    assert "Castlebar School" in only and "Drayton Manor" not in only
    assert (
        runner.invoke(main, ["export", "--format", "xlsx", "--db", db, "--out", str(tmp_path / "x.xlsx")]).exit_code
        == 0
    )
    assert (tmp_path / "x.xlsx").stat().st_size > 0


def test_comment_paragraphs_are_kept(tmp_path, content) -> None:
    store = hostile_store(tmp_path / "h.db", content)
    html = build_report(store, content)
    store.close()
    assert f'<p dir="auto">{FORBIDDEN_CLEAN}</p><p dir="auto">second line {FORBIDDEN_CLEAN}</p>' in html
    assert paragraphs("one\n\ntwo\r\nthree\n") == ["one", "two", "three"]


def test_comment_attributions_use_the_chart_labels(world, content) -> None:
    store, _ = world
    html = build_report(store, content)
    comments = html.split('<h2 id="comments"')[1]
    assert "· Other (school type) ·" in comments and "· Other (role)" in comments
    assert "· Other ·" not in comments and "· Other</p>" not in comments
    chart_labels = set(re.findall(r"<td>(Other \([a-z ]+\))</td>", html.split('<h2 id="comments"')[0]))
    assert chart_labels == {"Other (school type)", "Other (role)"}


def test_summary_first_contents_and_print_rules(world, content) -> None:
    store, truth = world
    html = build_report(store, content)
    body = html.split("<body>")[1]
    assert body.index('id="summary"') < body.index('id="contents"') < body.index('id="who"')
    assert body.index('id="contents"') < body.index('id="answers"')
    summary_table = body.split('id="summary-table"')[1].split("</table>")[0]
    overall = expected_counts(truth, "q1", "overall")
    shares = [f"{round(n * 100 / sum(overall))}%" for n in overall]
    assert re.findall(r'data-share="q1" data-choice="\d">(\d+%)', summary_table) == shares
    contents = body.split('id="contents"')[1].split("</div>")[0]
    anchors = re.findall(r'href="#([^"]+)"', contents)
    for anchor in anchors:
        assert f'id="{anchor}"' in html, anchor
    assert {"q-1", "q-5-10", "comments", "proposals"} <= set(anchors)
    style = html.split("<style>")[1].split("</style>")[0]
    assert re.search(r"h1, h2, h3 \{[^}]*break-after: avoid", style)
    assert re.search(r"\.question \{[^}]*break-inside: avoid", style)
    assert re.search(r"\.section \{[^}]*break-before: page", style)


def test_hostile_text_leaves_the_report_well_formed(tmp_path, content) -> None:
    store = hostile_store(tmp_path / "h.db", content)
    html = build_report(store, content)
    store.close()
    root = ET.fromstring(html.split("\n", 1)[1])  # an XML parser refuses any forbidden character
    namespace = "{http://www.w3.org/1999/xhtml}"
    quotes = ["".join(q.itertext()) for q in root.iter(f"{namespace}blockquote")]
    assert any(q.startswith(FORMULAS[0]) and "School " + FORBIDDEN_CLEAN in q for q in quotes)
    assert not set(html) & (set(FORBIDDEN) - set("badend"))


def test_long_words_wrap_and_right_to_left_comments_run_their_own_way(tmp_path, content) -> None:
    store = hostile_store(tmp_path / "h.db", content)
    with store.transaction():
        rid = store.create_respondent("test", "wide", None, "t")
        store.update_respondent(rid, "t", quote_consent="anonymous", school_type="primary", role="governor")
        store.save_answer(rid, "q2", choice="no", comment="x" * 1990, now="t", after_submission=False)
        store.save_answer(rid, "q3", choice="no", comment="مدرسة ممتازة", now="t", after_submission=False)
    html = build_report(store, content)
    store.close()
    style = html.split("<style>")[1].split("</style>")[0]
    # A 1,990-character word printed off the page's right edge; now it breaks inside the comment's box.
    assert re.search(r"blockquote p \{[^}]*overflow-wrap: anywhere", style)
    assert re.search(r"\btd \{[^}]*overflow-wrap: anywhere", style)
    assert f'<p dir="auto">{"x" * 1990}</p>' in html and '<p dir="auto">مدرسة ممتازة</p>' in html


def test_early_report_says_no_answers_yet_instead_of_empty_charts(tmp_path, content) -> None:
    from storage import Store

    store = Store.open(tmp_path / "early.db")
    with store.transaction():
        rid = store.create_respondent("test", "first", None, "t")
        store.update_respondent(rid, "t", quote_consent="none", school_type="primary", role="governor")
        store.save_answer(rid, "q1", choice="yes", comment="not to be quoted", now="t", after_submission=False)
    html = build_report(store, content)
    store.close()
    assert html.count("<svg") == 1, "only the answered question has a chart"
    assert 'data-no-answers="q2"' in html and html.count("No answers yet.") == 13
    assert re.findall(r'data-share="q2" data-choice="\d">([^<]*)<', html) == ["–"] * 4
    assert re.findall(r'data-share="q1" data-choice="\d">([^<]*)<', html) == ["100%", "0%", "0%", "0%"]
    comments = html.split('<h2 id="comments"')[1].split('<h2 id="proposals"')[0]
    assert "No comments that may be quoted." in comments and "not to be quoted" not in html


def test_produced_time_is_uk_time_named(world, content) -> None:
    import datetime as dt

    store, _ = world
    summer = build_report(store, content, now=dt.datetime(2027, 3, 30, 9, 5, tzinfo=dt.UTC))
    winter = build_report(store, content, now=dt.datetime(2026, 12, 1, 9, 5, tzinfo=dt.UTC))
    assert "Report produced 30 March 2027 at 10:05 BST." in summer
    assert "Report produced 1 December 2026 at 09:05 GMT." in winter
