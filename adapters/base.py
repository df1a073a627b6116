"""The channel adapter contract: what every channel (console, Telegram, Slack, web, Teams…) shares.

A channel module is three things, in the manner of slack-bolt's `slack_bolt/adapter/*`:
`to_inbound(platform payload) -> Inbound | None` (one function in), a renderer
`Outbound -> platform messages` (one function out), and a `handle()` that runs the turn and sends.
Everything else lives here, written once:

- `delivery_id`: the message-id scheme passed to the engine as `Inbound.message_id` (exactly once).
- `safe_call`: a platform call that never raises and logs without secrets (no bodies, no tokens).
- `chosen_button` / `marks_choice`: "show the chosen option on the used message".
- `UserQueues`: per-user ordered dispatch: one queue per user, different users concurrent.
- `split_text`: text split within a platform's limit at paragraphs, never inside an escape like `&amp;`.
- `send_delivery`: send a `Delivery`'s replies, then mark it sent in the engine's durable outbox
  (`sent_part` after each reply, so a crash mid-batch resends only what was not sent).
- `parse_command`: the command words, owned by `bot/` (never re-parsed here).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from bot import Button, Command, Delivery, Engine, Outbound

__all__ = [
    "Command",
    "UserQueues",
    "chosen_button",
    "delivery_id",
    "log_failure",
    "marks_choice",
    "parse_command",
    "safe_call",
    "send_delivery",
    "sent_part",
    "split_text",
]

T = TypeVar("T")
R = TypeVar("R")


def parse_command(text: str | None) -> Command | None:
    """The command a message is, as the engine reads it (`Engine.read_command`): adapters never re-parse."""
    return Engine.read_command(text)


def delivery_id(kind: str, *parts: object) -> str:
    """The engine's `message_id` for one platform delivery: `kind:part:part` (e.g. `msg:<chat>:<message>`).

    Use the platform's own id that stays the same on every redelivery (Telegram chat + message id,
    Slack event_id, a button press's message ts + action ts), never a per-connection counter.
    """
    return ":".join([kind, *(str(p) for p in parts)])


def log_failure(log: logging.Logger, what: str, exc: BaseException, detail: str | None = None) -> None:
    """Log a failed platform call by name, exception type and the platform's short error: never the
    request body, the message text or a URL (Bot API URLs carry the token)."""
    log.warning("%s failed: %s%s", what, type(exc).__name__, f" ({detail})" if detail else "")


def safe_call(log: logging.Logger, method: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Call a platform API method; on any failure log it (see `log_failure`) and return None."""
    try:
        return method(*args, **kwargs)
    except Exception as exc:  # the answer is already committed: a failed send must not stop the channel
        response = getattr(exc, "response", None)
        error = response.get("error") if hasattr(response, "get") else None
        log_failure(log, getattr(method, "__name__", "call"), exc, str(error) if error else None)
        return None


def chosen_button(buttons: Iterable[Button], action: str) -> Button | None:
    """The button with this action among those the used message carried (its label is what to show)."""
    return next((b for b in buttons if b.action == action), None)


def marks_choice(engine: Engine, action: str, replies: list[Outbound]) -> bool:
    """Whether the message a button was pressed on should now show the choice and lose its buttons."""
    return bool(replies) and engine.closes_prompt(action)


def split_text(text: str, limit: int) -> list[str]:
    """Split text into chunks of at most `limit` characters: at paragraphs, then lines, then spaces.

    A chunk never ends inside an escape such as `&amp;` or `&lt;` (channels escape before splitting).
    """
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = next((at for sep in ("\n\n", "\n", " ") if (at := rest.rfind(sep, 0, limit)) > 0), 0)
        if cut <= 0:
            cut = limit
        amp = rest.rfind("&", 0, cut)
        if amp > 0 and ";" not in rest[amp:cut] and ";" in rest[cut : amp + 10]:
            cut = amp  # never cut inside an entity such as &amp;
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    chunks.append(rest)
    return [c for c in chunks if c] or [""]


def send_delivery(engine: Engine, delivery: Delivery, send: Callable[[Outbound], object]) -> None:
    """Send each reply with `send` (which must not raise: use `safe_call`), then mark the batch sent.

    The batch is marked sent once every reply was accepted or given up on with the error logged, so one
    reply the platform refuses can never block that person's later replies; only a crash before this
    point leaves it unsent, and the next start (or the platform's redelivery) sends it. After each reply
    but the last, the outbox keeps only the rest (`sent_part`), so a crash mid-batch never repeats one.
    """
    for index, reply in enumerate(delivery.replies):
        send(reply)
        sent_part(engine, delivery, index)
    engine.mark_sent(delivery.id)


def sent_part(engine: Engine, delivery: Delivery, index: int) -> None:
    """After reply `index` of a batch was sent: keep only the later ones in the outbox (none to do after the last)."""
    if delivery.id is not None and index < len(delivery.replies) - 1:
        engine.mark_part_sent(delivery.id, list(delivery.replies[index + 1 :]))


class UserQueues:
    """Per-user ordered dispatch: jobs for one user run one at a time in arrival order; users run concurrently.

    `submit(user, turn, then)` runs `turn()` in the user's queue, resolves the returned future with its
    result (so a listener can wait for the commit and then acknowledge the platform), then runs
    `then(result)` (sending the replies) before the user's next job starts.
    """

    def __init__(self, workers: int = 16, log: logging.Logger | None = None):
        self._queues: dict[str, deque[Callable[[], None]]] = defaultdict(deque)
        self._draining: set[str] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="elp-user")
        self._log = log or logging.getLogger("elp.adapters")

    def submit(self, user: str, turn: Callable[[], R], then: Callable[[R], object] | None = None) -> Future[R]:
        """Queue `turn` (and `then`) behind the user's earlier jobs; the future resolves after `turn`."""
        future: Future[R] = Future()

        def job() -> None:
            try:
                result = turn()
            except BaseException as exc:
                future.set_exception(exc)
                raise
            future.set_result(result)
            if then is not None:
                then(result)

        with self._lock:
            self._queues[user].append(job)
            if user in self._draining:
                return future
            self._draining.add(user)
        self._pool.submit(self._drain, user)
        return future

    def _drain(self, user: str) -> None:
        while True:
            with self._lock:
                if not self._queues[user]:
                    del self._queues[user]
                    self._draining.discard(user)
                    return
                job = self._queues[user].popleft()
            try:
                job()
            except Exception as exc:  # a bug in one job must not stop this user's later ones
                self._log.error("a queued job failed: %s", type(exc).__name__, exc_info=True)

    def close(self) -> None:
        """Finish queued jobs and stop the workers."""
        self._pool.shutdown(wait=True)
