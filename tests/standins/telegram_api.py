"""A stand-in Telegram Bot API server on 127.0.0.1 for tests and benchmarks.

It speaks the Bot API's HTTP format (POST /bot<token>/<method>, form or JSON parameters, replies
{"ok": true, "result": …} or {"ok": false, "error_code": …, "description": …, "parameters": …}),
implements the methods the bot uses, records every call, and can inject faults per method.
getUpdates honours `offset` the way Telegram does: updates below it are confirmed and dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "ELP consultation", "username": "elp_consultation_bot"}


@dataclass
class Call:
    """One recorded Bot API call."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    result: Any = None


@dataclass
class Fault:
    """A reply to give instead of the normal one: HTTP status, Bot API error code and description."""

    status: int
    description: str
    retry_after: int | None = None


class TelegramStandIn:
    """The server; use `async with TelegramStandIn(token) as api:` and `api.base_url`."""

    def __init__(self, token: str = "123456:TEST-TOKEN"):
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.faults: dict[str, list[Fault]] = defaultdict(list)
        self.webhook: dict[str, Any] | None = None
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self.keep_confirmed = False  # True simulates a crash before Telegram saw the offset
        self.holds: dict[str, asyncio.Event] = {}  # method → the next call waits (never answered) until released
        self._hold_after: dict[str, int] = {}  # method → calls still answered normally before the hold
        self._new_update = asyncio.Event()
        self._new_call = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> TelegramStandIn:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for event in self.holds.values():
            event.set()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """What to pass to ApplicationBuilder().base_url(): the token is appended by PTB."""
        return f"http://127.0.0.1:{self.port}/bot"

    # ------------------------------------------------------------ test controls

    def push(self, update: dict[str, Any], *, update_id: int | None = None) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        update = {**update, "update_id": update_id if update_id is not None else next(self._update_ids)}
        self.updates.append(update)
        self._new_update.set()
        return update["update_id"]

    def fail_next(self, method: str, fault: Fault, times: int = 1) -> None:
        """Make the next `times` calls of `method` fail with `fault`."""
        self.faults[method].extend([fault] * times)

    def hold_next(self, method: str, *, after: int = 0) -> None:
        """The next call of `method` (after `after` answered ones) is recorded but not answered (result "held"):
        a send cut off by a crash."""
        self.holds[method] = asyncio.Event()
        self._hold_after[method] = after

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """sendMessage calls, optionally for one chat."""
        return [
            c
            for c in self.calls
            if c.method == "sendMessage"
            and isinstance(c.result, dict)
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    def of(self, method: str) -> list[Call]:
        """All calls of one method."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> None:
        """Wait until predicate(self) is true (checked after every call)."""
        deadline = time.monotonic() + timeout
        while not predicate(self):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the stand-in server did not see the expected calls in time")
            self._new_call.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_call.wait(), timeout=min(remaining, 0.2))

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by an offset."""
        return len(self.updates)

    @property
    def bot_calls(self) -> int:
        """Calls other than polling: what the bot did in reaction to updates."""
        return sum(1 for c in self.calls if c.method != "getUpdates")

    # ------------------------------------------------------------ the API

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        self.calls.append(call)
        try:
            if method in self.holds and not self.holds[method].is_set() and self._hold_after.get(method, 0) > 0:
                self._hold_after[method] -= 1  # answered normally: the hold is for a later call
            elif method in self.holds and not self.holds[method].is_set():
                event = self.holds[method]
                call.result = "held"
                self._new_call.set()
                await event.wait()
                return self._error(502, "Bad Gateway")
            if self.faults.get(method):
                fault = self.faults[method].pop(0)
                call.result = fault
                return self._error(fault.status, fault.description, fault.retry_after)
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                return self._error(404, f"Not Found: method {method} is not in the stand-in")
            call.result = await handler(params)
            return web.json_response({"ok": True, "result": call.result})
        finally:
            self._new_call.set()

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            text = value if isinstance(value, str) else str(value)
            try:
                params[key] = json.loads(text)
            except ValueError:
                params[key] = text
        return params

    @staticmethod
    def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset and not self.keep_confirmed:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]  # confirmed: gone for good

        def pending() -> list[dict[str, Any]]:
            return [u for u in self.updates if u["update_id"] >= offset][:limit]

        if not pending() and timeout:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout=min(timeout, 1.0))
        return pending()

    def _message(self, params: dict[str, Any], message_id: int | None = None) -> dict[str, Any]:
        inline = "inline_keyboard" in str(params.get("reply_markup"))
        return {
            "message_id": message_id or next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT_USER,
            "text": str(params.get("text", "")),
            # Telegram echoes inline keyboards only (a reply keyboard is not part of the Message object)
            **({"reply_markup": params["reply_markup"]} if inline else {}),
        }

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params)

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message(params, int(params["message_id"]))

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._message({**params, "text": ""}, int(params["message_id"]))

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    async def _api_close(self, params: dict[str, Any]) -> bool:
        return True


def message_update(
    chat_id: int, text: str, *, message_id: int, first_name: str = "Jo", chat_type: str = "private"
) -> dict[str, Any]:
    """A Bot API Update carrying a text message (shape as recorded in tests/fixtures/telegram)."""
    chat = {"id": chat_id, "type": chat_type}
    chat.update({"first_name": first_name} if chat_type == "private" else {"title": "ELP heads"})
    return {
        "message": {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": {
                "id": chat_id if chat_type == "private" else chat_id + 1,
                "is_bot": False,
                "first_name": first_name,
                "language_code": "en",
            },
            "text": text,
            **(
                {"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}
                if text.startswith("/")
                else {}
            ),
        }
    }


def callback_update(
    chat_id: int, data: str, *, query_id: str, message: dict[str, Any], first_name: str = "Jo"
) -> dict[str, Any]:
    """A Bot API Update carrying a button press on `message` (a message the bot sent)."""
    return {
        "callback_query": {
            "id": query_id,
            "from": {"id": chat_id, "is_bot": False, "first_name": first_name},
            "chat_instance": f"ci-{chat_id}",
            "data": data,
            "message": {**message, "chat": {"id": chat_id, "type": message.get("chat", {}).get("type", "private")}},
        }
    }
