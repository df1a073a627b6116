"""Telegram adapter throughput: updates per second through the whole adapter, against a baseline.

The stand-in Bot API server (tests/standins) feeds typed updates for many chats, interleaved, to the
real python-telegram-bot Application over HTTP on 127.0.0.1; the clock stops when every reply has
been sent. Baseline: the same turns through Engine.handle directly, in the same run and folder.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.telegram import build_application, quiet_http_logs  # noqa: E402
from bot import Engine, Inbound  # noqa: E402
from tests.standins.telegram_api import TelegramStandIn, message_update  # noqa: E402

CLOCK = lambda: dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)  # noqa: E731
SCRIPT = ["hi", "start", "School {chat}", "1", "1", "skip", "2", "yes", "partly, more please", "no, too dear", "y"]


def script_for(chat: int) -> list[str]:
    return [line.format(chat=chat) for line in SCRIPT]


def baseline(folder: Path, chats: int) -> float:
    engine = Engine.open(folder / "direct.db", clock=CLOCK)
    start = time.perf_counter()
    for chat in range(chats):
        for line in script_for(chat):
            engine.handle(Inbound("telegram", str(chat), text=line))
    elapsed = time.perf_counter() - start
    engine.close()
    return chats * len(SCRIPT) / elapsed


async def through_adapter(folder: Path, chats: int) -> tuple[float, int]:
    engine = Engine.open(folder / "telegram.db", clock=CLOCK)
    async with TelegramStandIn() as api:
        app = build_application(token=api.token, engine=engine, base_url=api.base_url, retry_delay=0.01)
        await app.initialize()
        await app.start()
        queues = {chat: script_for(chat) for chat in range(chats)}
        order = [chat for chat in range(chats) for _ in SCRIPT]
        random.Random(1).shuffle(order)
        start = time.perf_counter()
        for n, chat in enumerate(order):
            api.push(message_update(chat + 1, queues[chat].pop(0), message_id=n + 1))
        await app.updater.start_polling(poll_interval=0.0, timeout=1)  # type: ignore[union-attr]
        target = chats * len(SCRIPT)
        while sum(1 for c in api.calls if c.method == "sendMessage") < target or api.pending_updates:
            await asyncio.sleep(0.01)
        handled = len(order)
        elapsed = time.perf_counter() - start
        await app.updater.stop()  # type: ignore[union-attr]
        await app.stop()
        await app.shutdown()
        messages = sum(1 for c in api.calls if c.method == "sendMessage")
    engine.close()
    return handled / elapsed, messages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=200)
    args = parser.parse_args()
    quiet_http_logs()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        direct = baseline(folder, args.chats)
        adapter, messages = asyncio.run(through_adapter(folder, args.chats))
    updates = args.chats * len(SCRIPT)
    print(f"engine.handle directly   : {direct:8.0f} turns/s   (baseline, {updates} turns)")
    print(
        f"through the Telegram adapter: {adapter:5.0f} updates/s ({updates} updates from {args.chats} chats, "
        f"{messages} messages sent)"
    )
    print(f"adapter / direct          : {adapter / direct:8.2f}")


if __name__ == "__main__":
    main()
