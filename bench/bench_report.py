"""Board report and XLSX workbook: time and peak memory at 1,000 and 10,000 respondents, side by side.

Each build runs in its own subprocess, so one figure's memory cannot colour another's. Peak memory
is the process's peak resident set (ru_maxrss) and, as the part the build itself added, that peak
less the resident set just before building. The baseline is reading every answer row once with the
same query the exports use (`Store.responses()`): the floor any export pays.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from content import load_content  # noqa: E402
from storage import Store  # noqa: E402

TYPES = ["primary", "secondary", "special", "pru_primary", "pru_secondary", "other"]
ROLES = ["headteacher", "deputy", "governor", "business_manager", "staff", "other"]
SIZES = (1_000, 10_000)


def fill(path: Path, respondents: int) -> None:
    """A database with this many respondents, each answering most questions, a quarter with comments."""
    content = load_content()
    rng = random.Random(1)
    store = Store.open(path)
    with store.transaction():
        for n in range(respondents):
            rid = store.create_respondent("bench", f"u{n}", None, "t")
            store.update_respondent(
                rid,
                "t",
                school=f"School {n}",
                school_type=rng.choice(TYPES),
                role=rng.choice(ROLES),
                quote_consent=rng.choice(["named", "anonymous", "none"]),
                status=rng.choice(["submitted", "in_progress"]),
            )
            for question in content.questions:
                choice = None if question.kind == "text" else rng.choice(["yes", "partly", "no", "unsure"])
                comment = f"Comment {n} on {question.id}\nwith a second line" if rng.random() < 0.25 else None
                if choice or comment:
                    store.save_answer(rid, question.id, choice=choice, comment=comment, now="t", after_submission=False)
    store.close()


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(kind: str, db: Path, out: Path) -> dict[str, float]:
    """Build one output (in this process) and return seconds, peak RSS and growth in MB."""
    content = load_content()
    store = Store.open(db)
    from bot.results.report import write_report
    from bot.results.xlsx import write_workbook

    before = _rss_mb()
    start = time.perf_counter()
    if kind == "report":
        write_report(store, content, out)
    elif kind == "xlsx":
        write_workbook(store, content, out)
    else:
        sum(len(answers) for _, answers in store.responses())
    seconds = time.perf_counter() - start
    store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "growth_mb": peak - before,
        "kb": out.stat().st_size / 1024 if out.exists() else 0,
    }


def child(kind: str, db: Path, out: Path) -> dict[str, float]:
    """`measure` in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(db), str(out)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "DB", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    if args.measure:
        kind, db, out = args.measure
        print(json.dumps(measure(kind, Path(db), Path(out))))
        return
    results: dict[int, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            db = Path(tmp) / f"bench-{size}.db"
            fill(db, size)
            results[size] = {
                kind: child(kind, db, Path(tmp) / f"{kind}-{size}.out") for kind in ("read", "report", "xlsx")
            }
    names = {"read": "baseline: read every answer", "report": "board report (HTML)", "xlsx": "XLSX workbook"}
    head = "".join(f"{f'{size:,} respondents':>36}" for size in args.sizes)
    print(f"{'':<30}{head}")
    for kind, name in names.items():
        cells = "".join(
            f"{r['seconds']:>7.2f} s  peak {r['peak_mb']:>5.0f} MB (+{r['growth_mb']:>4.0f})"
            for r in (results[size][kind] for size in args.sizes)
        )
        print(f"{name:<30}{cells}")
    for size in args.sizes:
        sizes = results[size]
        print(f"output at {size:,}: report {sizes['report']['kb']:,.0f} KB, xlsx {sizes['xlsx']['kb']:,.0f} KB")


if __name__ == "__main__":
    main()
