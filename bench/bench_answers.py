"""Answer quality and speed on the blind question sets (dev and test halves), next to a naive baseline.

The sets (tests/fixtures/eval/) were written from the two source documents by people who had not
seen the assistant, then split once into dev, holdout and test (tests/fixtures/eval/split.py), plus
`fresh` (sets E and F whole, measured once when written; `--fresh` includes it). Tuning looks at dev
only; holdout, test and fresh are reported as totals, never question by question. The older labelled set
(tests/fixtures/questions.yaml, cited-source labels) is part of dev and reported on its own line.

Scoring (also used by tests/test_answers.py):
- right: a confident answer (with its source line, as shown) containing every `expect` phrase
  (case-insensitive; whitespace, curly quotes and dashes normalised; £ figures with or without
  thousands commas and a trailing .00);
- confidently wrong: a confident answer missing a phrase (share of the in-scope questions);
- out of scope declined: an out_of_scope question not answered confidently;
- fees exact: fee questions answered right.
Baseline: the best rapidfuzz match (WRatio) of the question over the source documents' lines — a
search box over the PDF. It is right when that line has every phrase and scores ≥ 60, and declines
below 60. `--failures` prints the dev questions the assistant gets wrong (never test's);
`--dev-only` runs dev alone (for tuning).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot._answers import Answerer, Reply  # noqa: E402
from bot._ask import reply_record  # noqa: E402
from content import DEFAULT_CONTENT_DIR, load_content  # noqa: E402

EVAL = ROOT / "tests" / "fixtures" / "eval"
LEGACY = ROOT / "tests" / "fixtures" / "questions.yaml"
BASELINE_DECLINE_BELOW = 60
SETS = ["dev", "holdout", "test", "fresh"]
_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


def normalise(text: str) -> str:
    """Lower case, one space, straight quotes and dashes, money without thousands commas or trailing .00, Qn."""
    text = text.translate(_DASHES).casefold()
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"(?<=\d)\.00\b", "", text)
    text = re.sub(r"\bquestion (\d)", r"q\1", text)  # "Question 1" is how the chat's "Q1" is written out
    return " ".join(text.split())


_TABLE_ROW = re.compile(r"^([a-z][a-z ]*?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$")


def has_all(answer: str, expect: list[str]) -> bool:
    """Whether the answer contains every expected phrase (normalised), a fee-table row as its figures."""
    said = normalise(answer)
    lines = [normalise(line) for line in answer.splitlines()]
    return all(normalise(str(phrase)) in said or _has_row(lines, normalise(str(phrase))) for phrase in expect)


def _has_row(lines: list[str], phrase: str) -> bool:
    """A row of the source's fee table ("Primary 4,461 5.77", "Special 4,681 0"): a line naming the band with
    its flat rate and per-pupil rate (a 0 rate: "no per-pupil")."""
    row = _TABLE_ROW.match(phrase)
    if row is None:
        return False
    band, flat, per_pupil = row.groups()
    no_rate = per_pupil.strip("0.") == "" and any("no per-pupil" in line for line in lines)
    for line in lines:
        named = re.search(rf"(?<![a-z]){band}\b", line) and re.search(rf"£{flat}\b", line)
        if named and (no_rate or re.search(rf"£{per_pupil}\b", line)):
            return True
    return False


def load_set(name: str) -> list[dict[str, Any]]:
    """dev or test: a list of {q, persona, kind, expect, set}."""
    return yaml.safe_load((EVAL / f"{name}.yaml").read_text(encoding="utf-8"))


@dataclass
class Score:
    """Tallies for one question set."""

    in_scope: int = 0
    right: int = 0
    wrong: int = 0  # confident and missing a phrase
    related: int = 0  # not confident, but the closest passage shown as possibly related had every phrase
    out: int = 0
    declined: int = 0
    fees: int = 0
    fees_right: int = 0
    latencies: list[float] = field(default_factory=list)
    paths: dict[str, list[int]] = field(default_factory=dict)  # step → [confident, wrong or out of scope]
    failures: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def add(self, item: dict[str, Any], record: dict[str, Any], seconds: float) -> None:
        """Count one answered question."""
        self.latencies.append(seconds)
        if item["kind"] == "out_of_scope":
            self.out += 1
            self.declined += not record["confident"]
            if record["confident"]:
                self.failures.append((item, record))
            return
        self.in_scope += 1
        shown = f"{record['answer']}\n{record.get('source') or ''}"  # what a person sees: answer and source
        ok = record["confident"] and has_all(shown, item["expect"])
        self.right += ok
        self.related += not record["confident"] and has_all(shown, item["expect"])
        self.wrong += record["confident"] and not ok
        if item["kind"] == "fee":
            self.fees += 1
            self.fees_right += ok
        if not ok:
            self.failures.append((item, record))

    def pct(self, part: int, whole: int) -> str:
        """'12/40 = 30.0%'."""
        return f"{part}/{whole} = {part / whole:.1%}" if whole else "n/a"

    def rate(self, part: int) -> float:
        """A share of the in-scope questions."""
        return part / self.in_scope if self.in_scope else 0.0

    def row(self) -> str:
        """right, confidently wrong, declined, fees exact as percentages, for the side-by-side table."""
        declined = self.declined / self.out if self.out else 0.0
        fees = self.fees_right / self.fees if self.fees else 0.0
        right, wrong, related = self.rate(self.right), self.rate(self.wrong), self.rate(self.related)
        return f"{right:>7.1%} {wrong:>11.1%} {declined:>9.1%} {fees:>7.1%} {related:>16.1%}"

    def line(self) -> str:
        """right, confidently wrong, declined, fees, latency on one line."""
        return (
            f"right {self.pct(self.right, self.in_scope)}  confidently wrong {self.pct(self.wrong, self.in_scope)}  "
            f"out-of-scope declined {self.pct(self.declined, self.out)}  "
            f"fees exact {self.pct(self.fees_right, self.fees)}  {ms(self.latencies)}"
        )


def ms(values: list[float]) -> str:
    """Mean and p99 latency in milliseconds."""
    if not values:
        return ""
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"latency mean {statistics.fmean(ordered) * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms"


def path_of(reply: Reply) -> str:
    """Which step gave a confident reply: fee, faq, numbered, several (parts), or content (a passage)."""
    if reply.why.startswith("["):
        return "several"
    if reply.kind in {"fee", "faq"}:
        return reply.kind
    if reply.why.startswith(("the ", "names activity area")):
        return "numbered"
    return "content"


def run(answerer: Answerer, items: list[dict[str, Any]]) -> Score:
    """Answer every question of a set and tally it."""
    score = Score()
    for item in items:
        start = time.perf_counter()
        reply = answerer.find(item["q"])
        record = reply_record(answerer.content, reply)
        score.add(item, record, time.perf_counter() - start)
        if record["confident"]:
            tally = score.paths.setdefault(path_of(reply), [0, 0])
            tally[0] += 1
            tally[1] += item["kind"] == "out_of_scope" or not has_all(
                f"{record['answer']}\n{record.get('source') or ''}", item["expect"]
            )
    return score


def run_legacy(answerer: Answerer) -> tuple[int, int, int, int]:
    """The older set: (right, in-scope, declined, out-of-scope); right = confident and citing the labelled source."""
    labelled = yaml.safe_load(LEGACY.read_text(encoding="utf-8"))
    right = sum(
        bool(r.confident and r.source and expected in r.source)
        for r, expected in ((answerer.find(q), e) for q, e in labelled["in_scope"])
    )
    declined = sum(not answerer.find(q).confident for q in labelled["out_of_scope"])
    return right, len(labelled["in_scope"]), declined, len(labelled["out_of_scope"])


def baseline(items: list[dict[str, Any]], lines: list[str]) -> Score:
    """The naive search box over the source lines."""
    score = Score()
    for item in items:
        start = time.perf_counter()
        line, best, _ = process.extractOne(item["q"], lines, scorer=fuzz.WRatio)
        confident = best >= BASELINE_DECLINE_BELOW
        score.add(item, {"answer": line, "confident": confident}, time.perf_counter() - start)
    return score


def source_lines() -> list[str]:
    """The two source documents, line by line."""
    return [
        line.strip()
        for name in ("questionnaire.txt", "vision.txt")
        for line in (DEFAULT_CONTENT_DIR.parent / "sources" / name).read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 3
    ]


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The options; an unknown one stops before anything runs (so a mistyped flag never measures test)."""
    parser = argparse.ArgumentParser(description="Answer quality on the blind question sets, with a naive baseline.")
    parser.add_argument("--dev-only", action="store_true", help="dev alone (for tuning)")
    parser.add_argument("--no-test", action="store_true", help="dev and holdout only")
    parser.add_argument("--fresh", action="store_true", help="add fresh.yaml (sets E and F)")
    parser.add_argument(
        "--calibration", action="store_true", help="add calibration.yaml (sets I, J, K: the model is fitted on it)"
    )
    parser.add_argument("--paths", action="store_true", help="confident answers and wrong ones by step (totals)")
    parser.add_argument("--by-set", action="store_true", help="dev by writer")
    parser.add_argument("--failures", action="store_true", help="list dev's misses (never the other sets')")
    return parser.parse_args(argv)


def main() -> None:
    """Print dev, holdout and test side by side, the older set, and the baseline, measured in the same run."""
    options = arguments()
    content = load_content()
    started = time.perf_counter()
    answerer = Answerer(content)
    build_ms = (time.perf_counter() - started) * 1000
    answerer.find("warm up")
    names = ["dev"] if options.dev_only else ["dev", "holdout"] if options.no_test else SETS
    names = [n for n in names if n != "fresh" or options.fresh]
    names += ["calibration"] if options.calibration else []
    sets = {name: load_set(name) for name in names if (EVAL / f"{name}.yaml").exists()}
    print(f"answerer built in {build_ms:.0f} ms; " + ", ".join(f"{n} {len(i)} questions" for n, i in sets.items()))
    scores = {name: run(answerer, items) for name, items in sets.items()}
    lines = source_lines()
    print(f"{'':<18} {'right':>7} {'conf. wrong':>11} {'declined':>9} {'fees':>7} {'unsure, had it':>16}")
    for name, score in scores.items():
        print(f"assistant {name:<8} {score.row()}")
    for name, items in sets.items():
        print(f"baseline  {name:<8} {baseline(items, lines).row()}")
    for name, score in scores.items():
        print(f"assistant {name:<8} {score.line()}")
    right, n, declined, m = run_legacy(answerer)
    print(f"assistant dev, older set (source cited): right {right}/{n} = {right / n:.1%}, declined {declined}/{m}")
    for name in names[1:]:
        if name in scores:
            gap = scores["dev"].rate(scores["dev"].right) - scores[name].rate(scores[name].right)
            print(f"dev - {name} gap in right answers: {gap:+.1%}")
    if options.paths:  # totals per step, for calibration; never question by question
        for name, score in scores.items():
            tallies = ", ".join(f"{p} {w}/{c} wrong" for p, (c, w) in sorted(score.paths.items()))
            print(f"confident answers by step, {name}: {tallies}")
    if options.by_set:  # dev by writer: tune on two writers, check on the other two
        for writer in sorted({item["set"] for item in sets["dev"]}):
            score = run(answerer, [item for item in sets["dev"] if item["set"] == writer])
            print(f"assistant dev {writer} {score.row()}")
    if options.failures:
        for item, record in scores["dev"].failures:
            answer = record["answer"].replace("\n", " / ")[:160]
            print(f"\n[{item['kind']}] {item['q']}\n  expect {item['expect']}\n  got ({record['confident']}) {answer}")


if __name__ == "__main__":
    main()
