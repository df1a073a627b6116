"""Engine turns per second against raw durable SQLite commits, measured in the same run and folder.

Prints: raw single-row commits/s (same pragmas as the engine's store), engine turns/s over whole
consultations (identity, 15 answers with some comments, review, submit), their ratio (target ≥ 0.5:
a turn costs no more than two raw commits), p50/p99 turn latency, peak memory (max RSS), and
read-only turns/s (help, Tell me more: no write lock, no commit to disk) next to write turns/s
(changing an answer) for one identified respondent, in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot import Engine, Inbound
from storage import connect

CLOCK = lambda: dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)  # noqa: E731


def raw_commits(folder: Path, count: int) -> float:
    """Single-row INSERT + COMMIT, one transaction each, with the store's pragmas."""
    conn = connect(folder / "raw.db")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, user TEXT, question TEXT, choice TEXT, at TEXT)")
    start = time.perf_counter()
    for n in range(count):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (user, question, choice, at) VALUES (?, ?, ?, ?)", (f"u{n}", "q1", "yes", "t"))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return count / elapsed


def one_consultation(engine: Engine, user: str, latencies: list[float]) -> int:
    def send(**kwargs: str) -> list:
        start = time.perf_counter()
        replies = engine.handle(Inbound("bench", user, **kwargs))
        latencies.append(time.perf_counter() - start)
        return replies

    replies = send(text="hi")
    send(action=replies[-1].buttons[0].action)
    send(text=f"School {user}")
    for typed in ("1", "1", "skip", "2"):
        send(text=typed)
    for n in range(14):
        send(text="Partly, needs more detail" if n % 4 == 0 else "yes")
    send(text="More joint training")
    send(text="1")  # review: submit
    return 0


def engine_turns(folder: Path, users: int) -> tuple[float, list[float]]:
    engine = Engine.open(folder / "engine.db", clock=CLOCK)
    latencies: list[float] = []
    start = time.perf_counter()
    for n in range(users):
        one_consultation(engine, f"user-{n}", latencies)
    elapsed = time.perf_counter() - start
    engine.close()
    return len(latencies) / elapsed, latencies


def turn_kinds(folder: Path, turns: int) -> tuple[float, float]:
    """(read-only turns/s, write turns/s) for one respondent at a question."""
    engine = Engine.open(folder / "kinds.db", clock=CLOCK)
    replies = engine.handle(Inbound("bench", "kinds", text="hi"))
    engine.handle(Inbound("bench", "kinds", action=replies[-1].buttons[0].action))
    for typed in ("School kinds", "1", "1", "skip", "2"):
        replies = engine.handle(Inbound("bench", "kinds", text=typed))
    more = next(b.action for r in replies for b in r.buttons if b.action.startswith("more:"))
    reads = [Inbound("bench", "kinds", text="help"), Inbound("bench", "kinds", action=more)]
    writes = [Inbound("bench", "kinds", text="change 1"), Inbound("bench", "kinds", text="no")]
    rates = []
    for kind in (reads, writes):
        start = time.perf_counter()
        for n in range(turns):
            engine.handle(kind[n % 2])
        rates.append(turns / (time.perf_counter() - start))
    engine.close()
    return rates[0], rates[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100, help="whole consultations to run")
    parser.add_argument("--commits", type=int, default=2000, help="raw commits for the baseline")
    parser.add_argument("--dir", type=Path, default=None, help="folder for the databases (default: a temp dir)")
    parser.add_argument("--rounds", type=int, default=3, help="alternate baseline and engine this many times")
    args = parser.parse_args()
    raws, rates, latencies, read_rates, write_rates = [], [], [], [], []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        # Alternate the two so that drift in the disk's fsync time hits both alike; report medians.
        for round_ in range(args.rounds):
            folder = Path(tmp) / str(round_)
            folder.mkdir()
            raws.append(raw_commits(folder, args.commits))
            rate, round_latencies = engine_turns(folder, args.users)
            rates.append(rate)
            latencies += round_latencies
            read_rate, write_rate = turn_kinds(folder, args.commits // 4)
            read_rates.append(read_rate)
            write_rates.append(write_rate)
    raw, turns = statistics.median(raws), statistics.median(rates)
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"raw durable commits/s   : {raw:10.0f}   (baseline, median of {args.rounds} rounds of {args.commits})")
    print(
        f"engine turns/s          : {turns:10.0f}   (median of {args.rounds} rounds of {args.users} whole "
        f"consultations, {len(latencies) // args.rounds} turns each)"
    )
    print(f"ratio turns/commits     : {turns / raw:10.2f}   (target >= 0.5)")
    print(f"turn latency p50 / p99  : {p50:7.2f} ms / {p99:.2f} ms")
    print(f"peak memory (max RSS)   : {peak_mb:10.1f} MB")
    reads, writes = statistics.median(read_rates), statistics.median(write_rates)
    print(
        f"read-only / write turn/s: {reads:10.0f} / {writes:.0f}   (help and Tell me more vs changing an answer, "
        f"{reads / writes:.1f}x; median of {args.rounds} rounds of {args.commits // 4})"
    )


if __name__ == "__main__":
    main()
