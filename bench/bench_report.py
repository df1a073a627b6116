"""How long the board report and the XLSX workbook take to build for 1,000 respondents."""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from content import load_content  # noqa: E402
from storage import Store  # noqa: E402
from storage.report import build_report, build_workbook  # noqa: E402

TYPES = ["primary", "secondary", "special", "pru_primary", "pru_secondary", "other"]
ROLES = ["headteacher", "deputy", "governor", "business_manager", "staff", "other"]


def fill(store: Store, content, respondents: int) -> None:
    rng = random.Random(1)
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
                comment = f"Comment {n} on {question.id}" if rng.random() < 0.25 else None
                if choice or comment:
                    store.save_answer(rid, question.id, choice=choice, comment=comment, now="t", after_submission=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--respondents", type=int, default=1000)
    args = parser.parse_args()
    content = load_content()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.db")
        fill(store, content, args.respondents)
        start = time.perf_counter()
        html = build_report(store, content)
        report_s = time.perf_counter() - start
        start = time.perf_counter()
        build_workbook(store, content).save(Path(tmp) / "bench.xlsx")
        xlsx_s = time.perf_counter() - start
        store.close()
    print(f"board report, {args.respondents} respondents: {report_s:.2f} s ({len(html) // 1024} KB, 14 charts)")
    print(f"XLSX workbook, {args.respondents} respondents: {xlsx_s:.2f} s")


if __name__ == "__main__":
    main()
