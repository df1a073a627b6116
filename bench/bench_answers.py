"""Answer quality and speed on the labelled question set, next to a naive baseline in the same run.

Baseline: the best rapidfuzz match (WRatio) of the question over the raw lines of the two source
documents — what a search box over the PDF would give. A baseline answer counts as right when the
matched line contains a content item cited under the expected source; it "declines" when its best
score is under 60. Prints top-1 accuracy, out-of-scope decline rate and per-question latency.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot._answers import Answerer  # noqa: E402
from content import DEFAULT_CONTENT_DIR, load_content  # noqa: E402

BASELINE_DECLINE_BELOW = 60


def main() -> None:
    content = load_content()
    labelled = yaml.safe_load((ROOT / "tests" / "fixtures" / "questions.yaml").read_text(encoding="utf-8"))
    in_scope, out_of_scope = labelled["in_scope"], labelled["out_of_scope"]
    started = time.perf_counter()
    answerer = Answerer(content)
    build_ms = (time.perf_counter() - started) * 1000

    latencies, right = [], 0
    for question, expected in in_scope:
        start = time.perf_counter()
        reply = answerer.find(question)
        latencies.append(time.perf_counter() - start)
        right += bool(reply.confident and reply.source and expected in reply.source)
    declined = 0
    for question in out_of_scope:
        start = time.perf_counter()
        reply = answerer.find(question)
        latencies.append(time.perf_counter() - start)
        declined += not reply.confident

    lines = [
        line.strip()
        for name in ("questionnaire.txt", "vision.txt")
        for line in (DEFAULT_CONTENT_DIR.parent / "sources" / name).read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 3
    ]
    base_latencies, base_right, base_declined = [], 0, 0
    for question, expected in in_scope:
        start = time.perf_counter()
        line, score, _ = process.extractOne(question, lines, scorer=fuzz.WRatio)
        base_latencies.append(time.perf_counter() - start)
        cited = [item.text[:40] for item in content.items if expected in item.source]
        base_right += bool(score >= BASELINE_DECLINE_BELOW and any(c in line for c in cited))
    for question in out_of_scope:
        start = time.perf_counter()
        _, score, _ = process.extractOne(question, lines, scorer=fuzz.WRatio)
        base_latencies.append(time.perf_counter() - start)
        base_declined += score < BASELINE_DECLINE_BELOW

    def ms(values: list[float]) -> str:
        ordered = sorted(values)
        return (
            f"mean {statistics.fmean(ordered) * 1000:.2f} ms, p50 {ordered[len(ordered) // 2] * 1000:.2f} ms, "
            f"p99 {ordered[int(len(ordered) * 0.99) - 1] * 1000:.2f} ms"
        )

    n, m = len(in_scope), len(out_of_scope)
    print(f"labelled set: {n} in-scope questions, {m} out-of-scope; answerer built in {build_ms:.1f} ms")
    print(
        f"assistant  top-1 {right}/{n} = {right / n:.1%}   declined {declined}/{m} = {declined / m:.0%}   "
        f"{ms(latencies)}"
    )
    print(
        f"baseline   top-1 {base_right}/{n} = {base_right / n:.1%}   declined {base_declined}/{m} = "
        f"{base_declined / m:.0%}   {ms(base_latencies)}"
    )


if __name__ == "__main__":
    main()
