"""A stand-in Bot Framework connector (Teams' serviceUrl) on 127.0.0.1 for tests: answers like Teams, records calls.

POST /v3/conversations/{id}/activities[/{replyToId}] sends (returns {"id": …}); PUT …/activities/{id} updates.
Faults can be injected per kind ("send", "update"): an HTTP status (429 with Retry-After, 502…) for the next N calls.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web


@dataclass
class Call:
    """One recorded connector call."""

    kind: str  # "send" or "update"
    conversation_id: str
    activity_id: str | None  # the replied-to or updated activity
    body: dict[str, Any]
    status: int = 200
    authorization: str | None = None
    result_id: str | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def card(self) -> dict[str, Any] | None:
        """The Adaptive Card sent, if any."""
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment["content"]
        return None

    @property
    def text(self) -> str:
        """What the person sees as text: the message text or the card's text blocks."""
        card = self.card
        if card is None:
            return self.body.get("text") or ""
        return "\n\n".join(b["text"] for b in card.get("body", []) if b.get("type") == "TextBlock")

    @property
    def buttons(self) -> list[tuple[str, dict[str, Any]]]:
        """(title, data) of every Action.Submit on the card."""
        card = self.card or {}
        return [
            (a["title"], a.get("data") or {})
            for b in card.get("body", [])
            if b.get("type") == "ActionSet"
            for a in b.get("actions", [])
        ]


class TeamsConnectorStandIn:
    """Use as an async context manager (it serves on the test's event loop); put `service_url` in activities."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.faults: dict[str, list[tuple[int, int | None]]] = {}
        self._ids = itertools.count(1764583201001)
        self._lock = threading.Lock()
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities", self._serve)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._serve)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._serve)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        self.holding: set[str] = set()  # kinds whose calls are received, recorded as status 0, and never answered
        self.held = asyncio.Event()
        self.hold_after = 0  # calls of a held kind still answered normally before the hold starts
        self._port = 0

    async def __aenter__(self) -> TeamsConnectorStandIn:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()

    async def _serve(self, request: web.Request) -> web.Response:
        kind = "update" if request.method == "PUT" else "send"
        raw = await request.read()
        if kind in self.holding and self.hold_after > 0:
            self.hold_after -= 1  # answered normally: the hold is for a later call
        elif kind in self.holding:  # the bot is now between its commit and the send (for SIGKILL tests)
            with self._lock:
                self.calls.append(Call(kind, unquote(request.match_info["conversation"]), None, json.loads(raw), 0))
            self.held.set()
            await asyncio.Event().wait()
        status, body, headers = self._answer(
            kind,
            unquote(request.match_info["conversation"]),
            request.match_info.get("activity"),
            json.loads(raw or b"{}"),
            request.headers.get("Authorization"),
        )
        return web.json_response(body, status=status, headers=headers)

    @property
    def service_url(self) -> str:
        """The serviceUrl to put in activities."""
        return f"http://127.0.0.1:{self._port}/"

    def fail_next(self, kind: str, status: int, *, times: int = 1, retry_after: int | None = None) -> None:
        """Make the next `times` calls of `kind` answer with `status` (429s carry Retry-After)."""
        with self._lock:
            self.faults.setdefault(kind, []).extend([(status, retry_after)] * times)

    def of(self, kind: str, status: int | None = 200) -> list[Call]:
        """Calls of one kind (by default only the ones that succeeded)."""
        with self._lock:
            return [c for c in self.calls if c.kind == kind and (status is None or c.status == status)]

    def _answer(
        self, kind: str, conversation_id: str, activity_id: str | None, body: dict[str, Any], auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            fault = self.faults.get(kind, [])
            status, retry_after = fault.pop(0) if fault else (200, None)
            call = Call(kind, conversation_id, activity_id, body, status, auth)
            if status == 200:
                call.result_id = activity_id if kind == "update" else str(next(self._ids))
            self.calls.append(call)
        if status == 429:
            return 429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": str(retry_after or 1)}
        if status != 200:
            return status, {"error": {"code": "ServiceError", "message": "stand-in fault"}}, {}
        return 200, {"id": call.result_id}, {}
