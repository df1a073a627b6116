"""Teams adapter throughput and latency: turns per second and p50/p99 through the whole Agents SDK host.

Users' activities are POSTed to the real SDK host (aiohttp CloudAdapter + AgentApplication) on
127.0.0.1, several users concurrently; each POST returns once the turn is stored and its replies
were sent to the stand-in connector (tests/standins). Baseline: the same turns through
Engine.handle directly, in the same run and folder.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from adapters.teams import TeamsAdapter, TeamsSettings, build_web_app  # noqa: E402
from bot import Engine, Inbound  # noqa: E402
from storage import Store  # noqa: E402
from tests.standins.teams_connector import TeamsConnectorStandIn  # noqa: E402

CLOCK = lambda: dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)  # noqa: E731
SCRIPT = ["hi", "start", "School {user}", "1", "1", "skip", "2", "yes", "partly, more please", "no, too dear", "y"]
TENANT = "9e8f7a6b-5c4d-4e3f-8a2b-1c0d9e8f7a6b"
MESSAGE = json.loads((ROOT / "tests" / "fixtures" / "teams" / "message.json").read_text())
ANONYMOUS = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}


def percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] if len(samples) > 1 else samples[0]


def baseline(folder: Path, users: int) -> tuple[float, list[float]]:
    engine = Engine.open(folder / "direct.db", clock=CLOCK)
    latencies: list[float] = []
    start = time.perf_counter()
    for user in range(users):
        for line in SCRIPT:
            began = time.perf_counter()
            engine.handle(Inbound("msteams", f"{TENANT}:{user}", text=line.format(user=user)))
            latencies.append(time.perf_counter() - began)
    elapsed = time.perf_counter() - start
    engine.close()
    return len(latencies) / elapsed, latencies


async def through_adapter(folder: Path, users: int, concurrency: int) -> tuple[float, list[float], int]:
    engine = Engine.open(folder / "teams.db", clock=CLOCK)
    store = Store.open(folder / "teams.db")
    ids = itertools.count(1)
    latencies: list[float] = []
    async with TeamsConnectorStandIn() as connector:
        settings = TeamsSettings.from_env(ANONYMOUS, typing_indicator=False)
        adapter = TeamsAdapter(engine=engine, store=store, settings=settings, clock=CLOCK)
        runner = web.AppRunner(build_web_app(adapter), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"
        pending = asyncio.Queue()
        for user in range(users):
            pending.put_nowait(user)

        async def person(session: aiohttp.ClientSession) -> None:
            while not pending.empty():
                user = pending.get_nowait()
                for line in SCRIPT:
                    activity = {**MESSAGE, "id": str(next(ids)), "text": line.format(user=user)}
                    activity["serviceUrl"] = connector.service_url
                    activity["from"] = {**MESSAGE["from"], "aadObjectId": str(user), "id": f"29:{user}"}
                    activity["conversation"] = {**MESSAGE["conversation"], "id": f"a:{user}"}
                    began = time.perf_counter()
                    async with session.post(url, json=activity) as response:
                        assert response.status == 202, response.status
                    latencies.append(time.perf_counter() - began)

        start = time.perf_counter()
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(person(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
        await runner.cleanup()
        sent = len(connector.of("send"))
    store.close()
    engine.close()
    return len(latencies) / elapsed, latencies, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8, help="users talking at the same time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        direct, direct_lat = baseline(folder, args.users)
        teams, teams_lat, sent = asyncio.run(through_adapter(folder, args.users, args.concurrency))
    turns = args.users * len(SCRIPT)
    ms = 1000
    print(
        f"engine.handle directly    : {direct:7.0f} turns/s  p50 {percentile(direct_lat, 50) * ms:6.2f} ms"
        f"  p99 {percentile(direct_lat, 99) * ms:6.2f} ms   (baseline, {turns} turns)"
    )
    print(
        f"through the Teams adapter : {teams:7.0f} turns/s  p50 {percentile(teams_lat, 50) * ms:6.2f} ms"
        f"  p99 {percentile(teams_lat, 99) * ms:6.2f} ms   ({turns} activities from {args.users} users,"
        f" {args.concurrency} at a time, {sent} activities sent to the connector)"
    )
    print(f"adapter / direct           : {teams / direct:7.2f}")


if __name__ == "__main__":
    main()
