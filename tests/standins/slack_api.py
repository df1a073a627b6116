"""A stand-in Slack Web API server on 127.0.0.1 for tests: answers like Slack, records every call.

POST /api/<method> with form or JSON parameters (JSON-encoded fields such as `blocks` are decoded).
Faults can be injected per method: an HTTP status (429 with Retry-After, 500) for the next N calls.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Call:
    """One recorded Web API call."""

    method: str
    params: dict[str, Any]
    status: int = 200
    at: float = field(default_factory=time.monotonic)
    result: dict[str, Any] = field(default_factory=dict)


class SlackStandIn:
    """Use as a context manager; pass `api_url` to the adapter (slack_sdk's base_url)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults: dict[str, list[tuple[int, int | None]]] = {}
        self.names: dict[str, str] = {}  # user id → display name served by users.info
        self.holds: dict[str, threading.Event] = {}  # method → the next call waits, unanswered, until released
        self._held: list[threading.Event] = []
        self._hold_after: dict[str, int] = {}  # method → calls still answered normally before the hold
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                method = self.path.rsplit("/", 1)[-1]
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                params = stand_in._params(raw, self.headers.get("Content-Type", ""))
                status, body, headers = stand_in._answer(method, params)
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for key, value in headers.items():
                    self.send_header(key, value)
                payload = json.dumps(body).encode()
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SlackStandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for event in self._held:
            event.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def api_url(self) -> str:
        """Base URL for slack_sdk's WebClient."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    # ------------------------------------------------------------ controls

    def fail_next(self, method: str, status: int, *, times: int = 1, retry_after: int | None = None) -> None:
        """Make the next `times` calls of `method` answer with `status` (429s carry Retry-After)."""
        with self._lock:
            self.faults.setdefault(method, []).extend([(status, retry_after)] * times)

    def hold_next(self, method: str, *, after: int = 0) -> threading.Event:
        """The next call of `method` (after `after` answered ones) is recorded (status 0) but not answered until
        the event is set."""
        event = threading.Event()
        with self._lock:
            self.holds[method] = event
            self._hold_after[method] = after
            self._held.append(event)
        return event

    def of(self, method: str, status: int | None = 200) -> list[Call]:
        """Calls of one method (by default only the ones that succeeded)."""
        with self._lock:
            return [c for c in self.calls if c.method == method and (status is None or c.status == status)]

    def posted(self, channel: str | None = None) -> list[Call]:
        """Successful chat.postMessage calls, optionally to one channel."""
        return [c for c in self.of("chat.postMessage") if channel is None or c.params.get("channel") == channel]

    def wait_for(self, predicate: Any, timeout: float = 15.0) -> None:
        """Block until predicate(self) holds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the stand-in Slack server did not see the expected calls")
                self._changed.wait(timeout=min(remaining, 0.2))

    # ------------------------------------------------------------ the API

    @staticmethod
    def _params(raw: str, content_type: str) -> dict[str, Any]:
        if content_type.startswith("application/json"):
            return json.loads(raw or "{}")
        params: dict[str, Any] = {}
        for key, values in parse_qs(raw, keep_blank_values=True).items():
            value = values[0]
            if key in {"blocks", "view", "attachments"}:
                value = json.loads(value)
            params[key] = value
        return params

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            if self._hold_after.get(method, 0) > 0:
                self._hold_after[method] -= 1  # answered normally: the hold is for a later call
                hold = None
            else:
                hold = self.holds.pop(method, None)
            if hold is not None:
                self.calls.append(Call(method, params, 0))
        if hold is not None:
            with self._changed:
                self._changed.notify_all()
            hold.wait()
            return 500, {"ok": False, "error": "internal_error"}, {}
        with self._lock:
            fault = self.faults.get(method, [])
            status, retry_after = fault.pop(0) if fault else (200, None)
            call = Call(method, params, status)
            if status == 200:
                call.result = self._result(method, params)
            self.calls.append(call)
        with self._changed:
            self._changed.notify_all()
        if status == 429:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after or 1)}
        if status >= 500:
            return status, {"ok": False, "error": "internal_error"}, {}
        return 200, call.result, {}

    def _result(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://elp.slack.com/",
                "team": "ELP",
                "user": "elp",
                "team_id": "T0ELP",
                "user_id": "U0BOT",
                "bot_id": "B0BOT",
            }
        if method == "chat.postMessage":
            ts = f"{1764583200 + next(self._ts)}.000100"
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": ts,
                "message": {
                    "text": params.get("text"),
                    "blocks": params.get("blocks", []),
                    "ts": ts,
                    "bot_id": "B0BOT",
                    "type": "message",
                },
            }
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts"), "text": params.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1764583200 + next(self._ts)}.000200"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "")).lstrip("U")}}
        if method == "users.info":
            user = str(params.get("user", ""))
            name = self.names.get(user)
            if name is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": {"id": user, "name": user.lower(), "profile": {"display_name": name}}}
        if method in {"views.publish", "views.open"}:
            return {"ok": True, "view": {"id": "V1", **(params.get("view") or {})}}
        return {"ok": False, "error": "unknown_method"}
