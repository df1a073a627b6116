"""Web channel: chat turns per second and p50/p99 latency over HTTP, against Engine.handle directly.

A real uvicorn on 127.0.0.1 serves the app; an httpx client plays several respondents, each sending the
same typed script as JSON-requesting form posts (what chat.js does), one after another per respondent,
respondents interleaved by a thread pool. Baseline: the same turns through `Engine.handle`, in the same
run and folder. The HTTP figure includes session lookup, CSRF, rate limiting, history recording (a
second SQLite transaction per turn) and rendering.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from adapters.web import invitations  # noqa: E402
from adapters.web.app import WebConfig, create_app, server_config  # noqa: E402
from bot import Engine, Inbound  # noqa: E402
from content import load_content  # noqa: E402
from storage import Store  # noqa: E402

CLOCK = lambda: dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)  # noqa: E731
SCRIPT = [
    "start",
    "School {n}",
    "1",
    "1",
    "skip",
    "2",
    "yes",
    "partly, more please",
    "no, too dear",
    "y",
    "what is EGFL?",
]
NOW = "2026-12-01T10:00:00+00:00"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def baseline(folder: Path, people: int) -> tuple[float, list[float]]:
    engine = Engine.open(folder / "direct.db", clock=CLOCK)
    latencies = []
    start = time.perf_counter()
    for n in range(people):
        engine.handle(Inbound("web", f"p{n}", text="hello"))
        for line in SCRIPT:
            t = time.perf_counter()
            engine.handle(Inbound("web", f"p{n}", text=line.format(n=n), message_id=f"p{n}:{t}"))
            latencies.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - start
    engine.close()
    return people * len(SCRIPT) / elapsed, latencies


def over_http(folder: Path, people: int, workers: int) -> tuple[float, list[float]]:
    db = folder / "web.db"
    content = load_content()
    engine = Engine.open(db, content=content, clock=CLOCK)
    store, cli_store = Store.open(db), Store.open(db)
    app = create_app(engine, store, content, WebConfig(burst=1_000, per_second=1_000))
    server = uvicorn.Server(server_config(app, host="127.0.0.1", port=0, behind_proxy=False, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    links = [invitations.invite(cli_store, role="respondent", now=NOW).token for _ in range(people)]
    latencies: list[float] = []
    lock = threading.Lock()

    def respondent(n: int) -> None:
        with httpx.Client(base_url=base) as client:
            page = client.get(f"/c/{links[n]}").text  # opens the session and the greeting (not timed)
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            for i, line in enumerate(SCRIPT):
                t = time.perf_counter()
                response = client.post(
                    f"/c/{links[n]}",
                    data={"csrf": csrf, "client_id": f"bench-{n:04d}-{i:04d}", "text": line.format(n=n)},
                    headers={"accept": "application/json"},
                )
                took = time.perf_counter() - t
                assert response.status_code == 200, response.text
                with lock:
                    latencies.append(took)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(respondent, range(people)))
    elapsed = time.perf_counter() - start
    server.should_exit = True
    thread.join(10)
    store.close()
    cli_store.close()
    engine.close()
    return people * len(SCRIPT) / elapsed, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--workers", type=int, default=8, help="respondents typing at the same time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        direct, direct_lat = baseline(Path(folder), args.people)
        http, http_lat = over_http(Path(folder), args.people, args.workers)
    turns = args.people * len(SCRIPT)
    print(f"web chat turns: {turns} ({args.people} respondents × {len(SCRIPT)}, {args.workers} at once)")
    print(
        f"  over HTTP (uvicorn, httpx): {http:8.1f} turns/s   p50 {statistics.median(http_lat) * 1000:6.1f} ms"
        f"   p99 {percentile(http_lat, 0.99) * 1000:6.1f} ms"
    )
    print(
        f"  Engine.handle directly:     {direct:8.1f} turns/s   p50 {statistics.median(direct_lat) * 1000:6.1f} ms"
        f"   p99 {percentile(direct_lat, 0.99) * 1000:6.1f} ms"
    )
    print(f"  HTTP / direct: {http / direct:.2f}")


if __name__ == "__main__":
    main()
