"""The long fuzz run: N processes walk one database file at random while some are SIGKILLed; then invariants.

Each process runs tests/fuzz_walk.py's Walker (forged, stale, cross-user and garbage actions, duplicate
ids, the clock moved past closing) on its own respondents and checks every turn. The parent kills
random processes mid-walk and starts fresh ones (new respondents) in their place. At the end:
PRAGMA integrity_check, whole-database invariants, and the violations every process reported.

Prints turns/s for one process alone (the baseline, same machine and folder, measured first) and for
all N together. Exit status 1 if any invariant broke.

    python bench/fuzz_engine.py --processes 4 --seconds 30 --kills 6
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import Engine  # noqa: E402
from content import load_content  # noqa: E402
from tests.fuzz_walk import INVARIANTS, Walker, database_invariants, integrity  # noqa: E402

OPEN_DAY = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
CHUNK = 100  # turns between progress lines


class _Clock:
    def __init__(self) -> None:
        self.now = OPEN_DAY

    def __call__(self) -> dt.datetime:
        return self.now


def child(db: str, seed: int, prefix: str, seconds: float, report: str) -> None:
    """Walk until `seconds` have passed (the clock passes closing for the last 15%), reporting every CHUNK turns."""
    logging.disable(logging.CRITICAL)  # a rolled-back turn is counted as a violation, not logged
    clock = _Clock()
    engine = Engine.open(db, clock=clock, admins=frozenset({("fuzz", f"{prefix}0")}))
    walker = Walker(engine, seed, people=3, prefix=prefix, set_clock=lambda t: setattr(clock, "now", t))
    start = time.monotonic()
    with open(report, "a", encoding="utf-8") as out:
        while (elapsed := time.monotonic() - start) < seconds:
            if elapsed > seconds * 0.85:
                walker.close()
            walk = walker.run(CHUNK, close_after=None)
            line = {"turns": walk.turns, "counts": walk.counts, "examples": walk.examples}
            out.write(json.dumps(line) + "\n")
            out.flush()
    engine.close()


def _spawn(db: Path, seed: int, prefix: str, seconds: float, report: Path) -> subprocess.Popen:
    args = [sys.executable, __file__, "--child", str(db), "--seed", str(seed), "--prefix", prefix]
    args += ["--seconds", f"{seconds:.2f}", "--report", str(report)]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _last_lines(folder: Path) -> list[dict]:
    """The last complete progress line of every process (a killed process may have left half a line)."""
    results = []
    for report in sorted(folder.glob("*.jsonl")):
        lines = [line for line in report.read_text(encoding="utf-8").splitlines() if line.endswith("}")]
        if lines:
            results.append(json.loads(lines[-1]))
    return results


def baseline(folder: Path, seconds: float) -> float:
    """Turns per second of one walker alone in this process: the same walk, no other writers, no kills."""
    logging.disable(logging.CRITICAL)
    clock = _Clock()
    engine = Engine.open(folder / "baseline.db", clock=clock)
    walker = Walker(engine, 0, people=3, prefix="b", set_clock=lambda t: setattr(clock, "now", t))
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        walker.run(CHUNK, close_after=None)
    rate = walker.walk.turns / (time.perf_counter() - start)
    engine.close()
    logging.disable(logging.NOTSET)
    return rate


def parent(processes: int, seconds: float, kills: int, seed: int) -> int:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="elp-fuzz-") as tmp:
        folder = Path(tmp)
        alone = baseline(folder, min(5.0, seconds / 3))
        db = folder / "fuzz.db"
        Engine.open(db).close()  # migrations once, before the crowd arrives
        deadline = time.monotonic() + seconds
        running: dict[int, subprocess.Popen] = {}
        generation = 0

        def start(slot: int) -> None:
            nonlocal generation
            generation += 1
            prefix = f"p{slot}g{generation}-"
            remaining = max(deadline - time.monotonic(), 0.5)
            running[slot] = _spawn(db, rng.randrange(10**9), prefix, remaining, folder / f"{prefix}.jsonl")

        started = time.monotonic()
        for slot in range(processes):
            start(slot)
        kill_times = sorted(started + rng.uniform(0.1, 0.9) * seconds for _ in range(kills))
        killed = 0
        for at in kill_times:
            time.sleep(max(at - time.monotonic(), 0))
            slot = rng.randrange(processes)
            if running[slot].poll() is None:
                os.kill(running[slot].pid, signal.SIGKILL)
                running[slot].wait()
                killed += 1
                conn = sqlite3.connect(db)  # the file is sound right after a kill, while the others write
                verdict = integrity(conn)
                conn.close()
                if verdict != "ok":
                    print(f"integrity after kill {killed}: {verdict}")
                    return 1
            start(slot)
        crashed = []
        for process in running.values():
            _, err = process.communicate(timeout=seconds + 60)
            if process.returncode != 0:
                crashed.append(err.decode("utf-8", "replace")[-2000:])
        wall = time.monotonic() - started
        lines = _last_lines(folder)
        turns = sum(line["turns"] for line in lines)
        counts: Counter[str] = Counter()
        examples: dict[str, list[str]] = {}
        for line in lines:
            counts.update(line["counts"])
            for invariant, found in line["examples"].items():
                examples.setdefault(invariant, []).extend(found)
        content = load_content()
        conn = sqlite3.connect(db)
        verdict = integrity(conn)
        problems = database_invariants(
            conn, {c.code for c in content.consultation.choices}, {q.id: q.kind for q in content.questions}
        )
        respondents = conn.execute("SELECT count(*) FROM respondents").fetchone()[0]
        conn.close()

    print(f"fuzz: {processes} processes on one file for {wall:.1f} s, {killed} SIGKILLs, {generation} walkers")
    print(f"baseline, 1 process alone: {alone:,.0f} turns/s")
    print(f"all {processes} together:   {turns / wall:,.0f} turns/s ({turns:,} turns, {respondents} respondents)")
    print(f"integrity_check: {verdict}; database invariants: {len(problems)} problem(s)")
    for problem in problems[:10]:
        print(f"  {problem}")
    for invariant in INVARIANTS:
        print(f"{invariant}: {counts[invariant]} violation(s)")
        for example in examples.get(invariant, [])[:3]:
            print(f"  {example[:300]}")
    for err in crashed:
        print(f"a walker crashed:\n{err}")
    return int(verdict != "ok" or bool(problems) or bool(crashed) or any(counts.values()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", default="p", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.seed, args.prefix, args.seconds, args.report)
        return 0
    return parent(args.processes, args.seconds, args.kills, args.seed)


if __name__ == "__main__":
    sys.exit(main())
