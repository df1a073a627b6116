"""Slack channel on slack-bolt: DMs, buttons, /elp and App Home become `Inbound`; replies become Block Kit.

Built on the adapter contract in `adapters/base.py`:

- Every turn runs in the user's queue (`UserQueues`): one user's messages are handled and answered
  in arrival order, different users concurrently. A listener waits only for the turn's commit, then
  acks; posting the replies (which may wait out a 429) happens after, in the same queue.
- Exactly once: events pass Slack's event_id (the same on every retry) and button presses their
  message ts + action ts to the engine as `message_id`. Replies are kept in the engine's outbox until
  posted; a retry of an unsent turn, or the next start, posts them.
- Everything sent is mrkdwn-escaped (&, <, >) so no content or user input can ping @channel or
  forge a link; what users type is unescaped, mention tokens made readable and emoji shortcodes
  (`:+1:`) turned into the emoji before the engine reads it.
- `/elp` is answered in the `ack()` response (visible to the person only), as Bolt intends.
- HTTP mode is served by waitress (threaded) behind a guard that checks size, timestamp and
  signature before anything parses the body; every forged or malformed request gets a 4xx.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from adapters.base import (
    UserQueues,
    chosen_button,
    delivery_id,
    marks_choice,
    parse_command,
    safe_call,
    send_delivery,
    split_text,
)
from bot import Button, Delivery, Engine, Inbound, Outbound

__all__ = [
    "CHANNEL",
    "MAX_BODY_BYTES",
    "HttpServer",
    "SlackAdapter",
    "build_app",
    "escape",
    "guarded_wsgi",
    "serve_http",
    "start_blocks",
    "to_blocks",
    "to_messages",
    "unescape_incoming",
]

CHANNEL = "slack"
SECTION_CHARS = 3000
BLOCKS_PER_MESSAGE = 50
ACTIONS_PER_BLOCK = 25
MAX_BODY_BYTES = 1_000_000
MAX_CLOCK_SKEW = 300  # seconds; Slack's own recommendation for X-Slack-Request-Timestamp
ACK_WAIT = 2.5  # seconds a listener waits for the turn's commit before acking anyway (Slack allows 3)
SERVER_ERRORS = frozenset({500, 502, 503, 504})  # slack_sdk's own handler retries only 500 and 503
log = logging.getLogger("elp.slack")

# How Slack writes the reactions people type for yes and no: the engine reads the emoji.
SHORTCODES = {"+1": "👍", "thumbsup": "👍", "-1": "👎", "thumbsdown": "👎"}
_SHORTCODE = re.compile(r":([a-z0-9_+-]+):(?::skin-tone-\d:)?")


def escape(text: str) -> str:
    """Escape Slack's mrkdwn control characters so text can never mention, link or format."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_TOKEN = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def unescape_incoming(text: str) -> str:
    """What the person typed: mention tokens made readable, &amp; undone, :+1: as 👍."""

    def readable(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return (label and target[0] + label) or target
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        return label or target

    text = _TOKEN.sub(readable, text or "")
    text = _SHORTCODE.sub(lambda m: SHORTCODES.get(m.group(1), m.group(0)), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _dict(value: object) -> dict[str, Any]:
    """A payload field that should be an object, or {} when a (signed but malformed) request has something else."""
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    """A payload field that should be a string (ids, text), or None."""
    return value if isinstance(value, str) and value else None


class ServerErrorRetries(ServerErrorRetryHandler):
    """Retry 502 and 504 too (Slack's edge answers them): slack_sdk's handler retries only 500 and 503."""

    def _can_retry(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
        return response is not None and response.status_code in SERVER_ERRORS


def _button_block(buttons: list[Button], first: int) -> dict[str, Any]:
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": f"elp-{first + i}",
                "value": b.action,
                "text": {"type": "plain_text", "text": b.label[:75], "emoji": True},
            }
            for i, b in enumerate(buttons)
        ],
    }


def to_blocks(outbound: Outbound) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, Block Kit blocks): sections of at most 3,000 characters, then button rows."""
    text = escape(outbound.text)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk or " "}}
        for chunk in split_text(text, SECTION_CHARS)
    ]
    buttons = list(outbound.buttons)
    for start in range(0, len(buttons), ACTIONS_PER_BLOCK):
        blocks.append(_button_block(buttons[start : start + ACTIONS_PER_BLOCK], start))
    return split_text(text, SECTION_CHARS)[0], blocks


def start_blocks(text: str, label: str) -> list[dict[str, Any]]:
    """Text and one Start/Continue button (App Home, reminders): pressing it says "start" to the engine."""
    button = {
        "type": "button",
        "action_id": "elp-home-start",
        "value": "start",
        "style": "primary",
        "text": {"type": "plain_text", "text": label},
    }
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}},
        {"type": "actions", "elements": [button]},
    ]


def to_messages(outbound: Outbound) -> list[tuple[str, list[dict[str, Any]]]]:
    """One engine reply as Slack messages of at most 50 blocks each (buttons stay on the last)."""
    _, blocks = to_blocks(outbound)
    messages = []
    for start in range(0, len(blocks), BLOCKS_PER_MESSAGE):
        part = blocks[start : start + BLOCKS_PER_MESSAGE]
        fallback = next((b["text"]["text"] for b in part if b["type"] == "section"), " ")
        messages.append((fallback, part))
    return messages


def offered_buttons(message: dict[str, Any]) -> list[Button]:
    """The buttons a posted message carried (read back from its blocks)."""
    return [
        Button(str((e.get("text") or {}).get("text", "")), str(e.get("value", "")))
        for block in message.get("blocks", [])
        if block.get("type") == "actions"
        for e in block.get("elements", [])
    ]


class SlackAdapter:
    """Connects one Engine to one Bolt App (listeners in, `UserQueues` for turns and posting)."""

    def __init__(self, *, engine: Engine, client: WebClient):
        self.engine, self.client = engine, client
        self.queues = UserQueues(log=log)
        self._names: dict[str, str | None] = {}
        self._greeted: set[str] = set()
        self._names_lock = threading.Lock()

    def attach(self, app: App) -> None:
        """Register every listener on the app."""
        app.event("message")(self._on_message)
        app.action(re.compile(r"^elp-\d+$"))(self._on_action)
        app.action("elp-home-start")(self._on_home_start)
        app.command("/elp")(self._on_command)
        app.event("app_home_opened")(self._home_opened)

    # ------------------------------------------------------------------ in

    def turn(self, user: str, inbound: Inbound, post: Callable[[Delivery], None]) -> None:
        """Run the turn in the user's queue (display name looked up there), wait for its commit, post after."""

        def run() -> Delivery:
            return self.engine.deliver(replace(inbound, display_name=self.display_name(user)))

        future = self.queues.submit(user, run, post)
        try:
            future.result(timeout=ACK_WAIT)
        except FutureTimeout:
            log.warning("turn still queued after %.1f s; acking, it will still run", ACK_WAIT)

    def _on_message(self, ack: Callable[..., None], body: dict[str, Any], event: dict[str, Any]) -> None:
        user, subtype, channel = _text(event.get("user")), event.get("subtype"), _text(event.get("channel"))
        if subtype == "message_changed" and event.get("channel_type") == "im":
            self._on_edit(event)
            ack()
            return
        if event.get("channel_type") != "im" or event.get("bot_id") or not user or subtype not in (None, "file_share"):
            ack()  # channel chatter and messages from bots (ourselves included) are not for the engine
            return
        text = unescape_incoming(_text(event.get("text")) or "")
        if subtype == "file_share":
            notice = Delivery(None, [Outbound(self.engine.say("slack_file_ignored"))])
            self.queues.submit(user, lambda: notice, lambda d: self.post(channel, d))
        if subtype is None or text.strip():
            inbound = Inbound(CHANNEL, user, text=text, message_id=delivery_id("ev", body.get("event_id")))
            self.turn(user, inbound, lambda d: self.post(channel, d))
        ack()

    def _on_edit(self, event: dict[str, Any]) -> None:
        """A person edited a message in the DM: say edits aren't read (the edit itself is not an answer).

        Only a person's own text change counts: Slack also sends message_changed when the bot updates its
        own message (a used button) or when a link preview is added, and those get nothing.
        """
        message, previous = _dict(event.get("message")), _dict(event.get("previous_message"))
        user, channel = _text(message.get("user")), _text(event.get("channel"))
        if not user or not channel or message.get("bot_id") or message.get("text") == previous.get("text"):
            return
        notice = Delivery(None, [Outbound(self.engine.say("edit_ignored"))])
        self.queues.submit(user, lambda: notice, lambda d: self.post(channel, d))

    def _on_action(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any]) -> None:
        user = _text(_dict(body.get("user")).get("id"))
        if user is None:
            ack()  # a (signed) payload that says nobody pressed it: nothing to do, never a 500
            return
        container = _dict(body.get("container"))
        value = str(action.get("value", ""))
        channel = _text(_dict(body.get("channel")).get("id")) or _text(container.get("channel_id"))
        message_id = delivery_id("act", container.get("message_ts"), action.get("action_ts"))
        message = _dict(body.get("message"))

        def post(delivery: Delivery) -> None:
            if marks_choice(self.engine, value, delivery.replies):
                self.mark_chosen(channel, container.get("message_ts"), message, value)
            self.post(channel, delivery)

        self.turn(user, Inbound(CHANNEL, user, action=value, message_id=message_id), post)
        ack()

    def _on_home_start(self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any]) -> None:
        user = _text(_dict(body.get("user")).get("id"))
        if user is None:
            ack()
            return
        inbound = Inbound(CHANNEL, user, text="start", message_id=delivery_id("home", action.get("action_ts")))
        self.turn(user, inbound, lambda d: self.post(self.open_dm(user), d))
        ack()

    def _on_command(self, ack: Callable[..., None], command: dict[str, Any]) -> None:
        """/elp: the reply goes in the ack (ephemeral, works in any channel or DM); `start` moves to a DM."""
        user = _text(command.get("user_id"))
        if user is None:
            ack()  # a (signed) command from nobody: nothing to answer, never a 500
            return
        text = unescape_incoming(_text(command.get("text")) or "").strip()
        parsed = parse_command(text)
        if parsed is not None and parsed.name == "start":
            inbound = Inbound(CHANNEL, user, text="start", message_id=delivery_id("cmd", command.get("trigger_id")))
            self.turn(user, inbound, lambda d: self.post(self.open_dm(user), d))
            reply = Outbound(self.engine.say("slack_moved_to_dm"))
        elif not text or (parsed is not None and parsed.name == "help"):
            reply = Outbound(self.engine.say("slack_command_help"))
        else:
            question = parsed.argument if parsed is not None and parsed.name == "ask" and parsed.argument else text
            reply = self.engine.ask(question)
        fallback, blocks = to_messages(reply)[0]
        ack(text=fallback, blocks=blocks)

    def _home_opened(self, event: dict[str, Any]) -> None:
        """Acked at once by Bolt; the view is published (or the Messages tab greeted) from the user's queue."""
        user = _text(event.get("user"))
        if not user:
            return
        if event.get("tab") == "home":
            self.queues.submit(user, lambda: self.publish_home(user))
        elif event.get("tab") == "messages" and user not in self._greeted:
            self._greeted.add(user)
            channel = _text(event.get("channel"))

            def greet() -> Delivery:
                _, label = self.engine.progress(CHANNEL, user)
                if label != self.engine.say("button_start"):
                    return Delivery()  # they have started: the conversation itself says where they are
                return Delivery(None, [Outbound(self.engine.say("slack_messages_tab"))])

            self.queues.submit(user, greet, lambda d: self.post(channel or self.open_dm(user), d))

    # ------------------------------------------------------------------ out

    def display_name(self, user: str) -> str | None:
        """The person's Slack display name (users.info, needs users:read), cached per user."""
        with self._names_lock:
            if user in self._names:
                return self._names[user]
        found = safe_call(log, self.client.users_info, user=user)
        profile = ((found or {}).get("user") or {}).get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or None
        with self._names_lock:
            self._names[user] = name
        return name

    def open_dm(self, user: str) -> str | None:
        """The id of the bot's direct-message channel with this user."""
        opened = safe_call(log, self.client.conversations_open, users=user)
        return opened["channel"]["id"] if opened else None

    def post(self, channel: str | None, delivery: Delivery) -> None:
        """Post a delivery's replies to a channel, then mark it sent (see `send_delivery`)."""

        def send(reply: Outbound) -> None:
            if channel:
                for text, blocks in to_messages(reply):
                    safe_call(log, self.client.chat_postMessage, channel=channel, text=text, blocks=blocks)

        send_delivery(self.engine, delivery, send)

    def send_unsent(self) -> None:
        """Post every batch committed before a crash but never posted (to the person's DM)."""
        for delivery in self.engine.unsent(CHANNEL):
            user = delivery.user_id or ""
            self.queues.submit(user, lambda d=delivery: d, lambda d, u=user: self.post(self.open_dm(u), d)).result()

    def mark_chosen(self, channel: str | None, ts: str | None, message: dict[str, Any], action: str) -> None:
        """Show the chosen button's label on its message and drop the buttons."""
        button = chosen_button(offered_buttons(message), action)
        if button is None or not channel or not ts:
            return
        sections = [b for b in message.get("blocks", []) if b.get("type") == "section"]
        label = escape(button.label)
        blocks = [*sections, {"type": "context", "elements": [{"type": "mrkdwn", "text": f"✓ *{label}*"}]}]
        safe_call(
            log, self.client.chat_update, channel=channel, ts=ts, text=message.get("text", "") or label, blocks=blocks
        )

    def publish_home(self, user: str) -> None:
        """Publish the App Home view: where the person is, and a start/continue button."""
        text, label = self.engine.progress(CHANNEL, user)
        view = {"type": "home", "blocks": start_blocks(text, label)}
        safe_call(log, self.client.views_publish, user_id=user, view=view)


def build_app(
    *, engine: Engine, bot_token: str, signing_secret: str | None = None, api_url: str | None = None, retries: int = 3
) -> App:
    """A Bolt App wired to the engine, after posting any replies a crash left unsent. No secret: Socket Mode."""
    client = WebClient(token=bot_token, base_url=api_url or WebClient.BASE_URL)
    client.retry_handlers.extend(
        [RateLimitErrorRetryHandler(max_retry_count=retries), ServerErrorRetries(max_retry_count=retries)]
    )
    app = App(
        client=client,
        signing_secret=signing_secret,
        request_verification_enabled=signing_secret is not None,
        # Listeners wait only for the turn's commit (in the user's queue), so they can finish before
        # the response: Slack's retry then finds the turn committed, never half done.
        process_before_response=True,
    )
    quiet_bolt_logs()
    adapter = SlackAdapter(engine=engine, client=client)
    adapter.attach(app)
    adapter.send_unsent()
    return app


def quiet_bolt_logs() -> None:
    """Bolt logs the whole body of a request with a bad signature at INFO: keep bodies out of logs."""
    logging.getLogger("slack_bolt.RequestVerification").setLevel(logging.WARNING)
    logging.getLogger("slack_bolt.middleware.request_verification.request_verification").setLevel(logging.WARNING)


def check_request(body: bytes, headers: dict[str, str], verifier: SignatureVerifier) -> tuple[int, str] | None:
    """(status, reason) for a request that must not reach Bolt, or None: size, then signature, then shape.

    The signature is checked before anything parses the body, so forged requests never get further.
    """
    if len(body) > MAX_BODY_BYTES:
        return 413, "request too large"
    timestamp = headers.get("x-slack-request-timestamp", "").strip()
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
        return 401, "missing or stale timestamp"
    signature = headers.get("x-slack-signature", "")
    if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
        return 401, "invalid signature"
    try:
        text = body.decode("utf-8")
        if headers.get("content-type", "").startswith("application/json"):
            if not isinstance(json.loads(text), dict):
                return 400, "not a JSON object"
        else:
            payload = parse_qs(text).get("payload")
            if payload and not isinstance(json.loads(payload[0]), dict):
                return 400, "payload is not a JSON object"
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return 400, "malformed body"
    return None


_REASONS = {400: "400 Bad Request", 401: "401 Unauthorized", 404: "404 Not Found", 413: "413 Payload Too Large"}


def guarded_wsgi(
    app: App, path: str = "/slack/events", signing_secret: str | None = None
) -> Callable[..., Iterable[bytes]]:
    """A WSGI app: Bolt on one path, behind `check_request` (the app's own signing secret by default)."""
    handler = SlackRequestHandler(app)
    secret = signing_secret or getattr(app, "_signing_secret", None)
    verifier = SignatureVerifier(secret) if secret else None

    def refuse(start_response: Callable[..., Any], status: int, reason: str) -> list[bytes]:
        start_response(_REASONS[status], [("Content-Type", "application/json")])
        return [json.dumps({"error": reason}).encode()]

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != path or environ.get("REQUEST_METHOD") != "POST":
            return refuse(start_response, 404, "not found")
        try:
            size = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return refuse(start_response, 400, "bad Content-Length")
        if size > MAX_BODY_BYTES:
            return refuse(start_response, 413, "request too large")
        body = environ["wsgi.input"].read(size) if size > 0 else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        problem = check_request(body, headers, verifier)
        if problem is not None:
            return refuse(start_response, *problem)
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            return handler(environ, start_response)
        except Exception as exc:  # Bolt could not read a signed payload of the wrong shape: 400, never a 500
            log.warning("request refused: its payload has the wrong shape (%s)", type(exc).__name__)
            return refuse(start_response, 400, "malformed payload")

    return wsgi


class HttpServer:
    """HTTP mode on waitress: many requests at once on worker threads; per-user order comes from the queues."""

    def __init__(
        self, app: App, *, signing_secret: str, host: str, port: int, path: str = "/slack/events", threads: int = 16
    ):
        import waitress

        self._server = waitress.create_server(
            guarded_wsgi(app, signing_secret=signing_secret, path=path),
            host=host,
            port=port,
            threads=threads,
            backlog=1024,
            connection_limit=1000,
            channel_timeout=30,  # a client that stalls is dropped; it never blocks anyone else
            max_request_body_size=MAX_BODY_BYTES,
            ident="elp",
        )

    @property
    def port(self) -> int:
        """The port actually listened on (useful with port 0)."""
        return int(self._server.effective_port)  # type: ignore[union-attr]

    def serve_forever(self) -> None:
        """Serve until `shutdown`."""
        self._server.run()

    def shutdown(self) -> None:
        """Stop listening and finish the requests in progress."""
        self._server.close()
        self._server.task_dispatcher.shutdown()  # type: ignore[union-attr]


def serve_http(app: App, *, signing_secret: str, host: str, port: int, path: str = "/slack/events") -> HttpServer:
    """The HTTP-mode server for a Bolt app (call `serve_forever()`)."""
    return HttpServer(app, signing_secret=signing_secret, host=host, port=port, path=path)
