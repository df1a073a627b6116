"""Slack channel on slack-bolt: DMs, buttons, /elp and App Home become `Inbound`; replies become Block Kit.

- Each listener runs the engine (fast; the answer is committed), queues the posting of the replies
  and acks, so Slack always gets its ack in well under 3 seconds, even while posting waits out a 429.
- Replies to one user are posted in the order their messages arrived (a per-user outbox on a
  thread pool of the adapter's own), while different users proceed concurrently.
- Exactly once: events pass Slack's event_id (the same on every retry) and button presses their
  message ts + action ts to the engine as `message_id`; duplicates change nothing and post nothing.
- Everything sent is mrkdwn-escaped (&, <, >) so no content or user input can ping @channel or
  forge a link; what users type is unescaped and Slack's mention tokens made readable before storing.
- HTTP mode puts a guard in front of Bolt: a missing or non-numeric timestamp, or a body that is
  not what its content type says, gets a 4xx instead of Bolt's 500; Bolt verifies the signature.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler

from bot import Engine, Inbound, Outbound

__all__ = [
    "CHANNEL",
    "SlackAdapter",
    "build_app",
    "escape",
    "guarded_wsgi",
    "start_blocks",
    "to_blocks",
    "unescape_incoming",
]

CHANNEL = "slack"
SECTION_CHARS = 3000
ACTIONS_PER_BLOCK = 25
log = logging.getLogger("elp.slack")


def escape(text: str) -> str:
    """Escape Slack's mrkdwn control characters so text can never mention, link or format."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_TOKEN = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def unescape_incoming(text: str) -> str:
    """What the person typed: Slack's <@U1>, <!channel>, <url|label> made readable, &amp; etc. undone."""

    def readable(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return (label and target[0] + label) or target
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        return label or target

    text = _TOKEN.sub(readable, text or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def to_blocks(outbound: Outbound) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, Block Kit blocks): sections of at most 3,000 characters, then button rows."""
    text = escape(outbound.text)
    blocks: list[dict[str, Any]] = []
    rest = text or " "
    while rest:
        cut = len(rest) if len(rest) <= SECTION_CHARS else (rest.rfind("\n", 0, SECTION_CHARS) or SECTION_CHARS)
        if cut <= 0:
            cut = SECTION_CHARS
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": rest[:cut]}})
        rest = rest[cut:].lstrip("\n")
    buttons = list(outbound.buttons)
    for start in range(0, len(buttons), ACTIONS_PER_BLOCK):
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"elp-{start + i}",
                        "value": b.action,
                        "text": {"type": "plain_text", "text": b.label[:75], "emoji": True},
                    }
                    for i, b in enumerate(buttons[start : start + ACTIONS_PER_BLOCK])
                ],
            }
        )
    return text[:3000], blocks


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


class _Outbox:
    """Posting jobs, run in order per user on a small thread pool of our own; nothing ever waits in Bolt's."""

    def __init__(self, workers: int = 8):
        self._queues: dict[str, deque[Callable[[], None]]] = defaultdict(deque)
        self._draining: set[str] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="elp-slack-post")

    def put(self, user: str, job: Callable[[], None]) -> None:
        """Queue a job behind the user's earlier ones."""
        with self._lock:
            self._queues[user].append(job)
            if user in self._draining:
                return
            self._draining.add(user)
        self._pool.submit(self._drain, user)

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
            except Exception:  # a posting bug must not stop this user's later replies
                log.exception("posting a reply failed")


class SlackAdapter:
    """Connects one Engine to one Bolt App.

    Every listener runs the engine (the answer is committed), queues the posting of the replies in the
    user's outbox, and acks: Slack gets its ack in milliseconds, replies go out in order per user.
    """

    def __init__(self, *, engine: Engine):
        self.engine = engine
        self.outbox = _Outbox()

    def attach(self, app: App) -> None:
        """Register every listener on the app."""
        app.event("message")(self._on_message)
        app.action(re.compile(r"^elp-\d+$"))(self._on_action)
        app.action("elp-home-start")(self._on_home_start)
        app.command("/elp")(self._on_command)
        app.event("app_home_opened")(self._home_opened)

    def _on_message(
        self, ack: Callable[..., None], body: dict[str, Any], event: dict[str, Any], client: WebClient
    ) -> None:
        if (
            event.get("channel_type") == "im"
            and not event.get("bot_id")
            and not event.get("subtype")
            and event.get("user")
        ):  # channel chatter, edits, and messages from bots (ourselves included) are not for the engine
            inbound = Inbound(
                CHANNEL,
                event["user"],
                text=unescape_incoming(event.get("text", "")),
                message_id=f"ev:{body.get('event_id')}",
            )
            replies = self.engine.handle(inbound)
            self.outbox.put(event["user"], lambda: self._post(client, event.get("channel"), replies))
        ack()

    def _on_action(
        self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        user = body["user"]["id"]
        container = body.get("container") or {}
        value = str(action.get("value", ""))
        inbound = Inbound(
            CHANNEL, user, action=value, message_id=f"act:{container.get('message_ts')}:{action.get('action_ts')}"
        )
        replies = self.engine.handle(inbound)
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")

        def deliver() -> None:
            if replies and self.engine.closes_prompt(value):
                self._mark_chosen(
                    client,
                    {
                        "channel": channel,
                        "press": action,
                        "message": body.get("message") or {},
                        "message_ts": container.get("message_ts"),
                    },
                )
            self._post(client, channel, replies)

        self.outbox.put(user, deliver)
        ack()

    def _on_home_start(
        self, ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        user = body["user"]["id"]
        replies = self.engine.handle(Inbound(CHANNEL, user, text="start", message_id=f"home:{action.get('action_ts')}"))
        self.outbox.put(user, lambda: self._post(client, self._open_dm(client, user), replies))
        ack()

    def _on_command(self, ack: Callable[..., None], command: dict[str, Any], client: WebClient) -> None:
        user, channel = command["user_id"], command.get("channel_id")
        text = unescape_incoming(command.get("text", "")).strip()
        verb, _, rest = text.partition(" ")
        if verb.casefold() in {"start", "continue", "resume"}:
            replies = self.engine.handle(
                Inbound(CHANNEL, user, text="start", message_id=f"cmd:{command.get('trigger_id')}")
            )

            def deliver() -> None:
                self._call(
                    client.chat_postEphemeral,
                    channel=channel,
                    user=user,
                    text=escape(self.engine.content.say("slack_moved_to_dm")),
                )
                self._post(client, self._open_dm(client, user), replies)

            self.outbox.put(user, deliver)
        else:
            if not text or verb.casefold() == "help":
                reply = Outbound(self.engine.content.say("slack_command_help"))
            else:
                reply = self.engine.ask(rest if verb.casefold() == "ask" else text)
            text_, blocks = to_blocks(reply)
            self.outbox.put(
                user,
                lambda: self._call(client.chat_postEphemeral, channel=channel, user=user, text=text_, blocks=blocks),
            )
        ack()

    def _open_dm(self, client: WebClient, user: str) -> str | None:
        opened = self._call(client.conversations_open, users=user)
        return opened["channel"]["id"] if opened else None

    def _post(self, client: WebClient, channel: str | None, replies: list[Outbound]) -> None:
        if not channel:
            return
        for reply in replies:
            text, blocks = to_blocks(reply)
            self._call(client.chat_postMessage, channel=channel, text=text, blocks=blocks)

    def _mark_chosen(self, client: WebClient, where: dict[str, Any]) -> None:
        """Show the chosen button's label on its message and drop the buttons."""
        message, press = where["message"], where["press"]
        sections = [b for b in message.get("blocks", []) if b.get("type") == "section"]
        label = escape(str((press.get("text") or {}).get("text", "")))
        blocks = [*sections, {"type": "context", "elements": [{"type": "mrkdwn", "text": f"✓ *{label}*"}]}]
        self._call(
            client.chat_update,
            channel=where["channel"],
            ts=where["message_ts"],
            text=message.get("text", "") or label,
            blocks=blocks,
        )

    def _home_opened(self, event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        text, label = self.engine.progress(CHANNEL, event["user"])
        view = {"type": "home", "blocks": start_blocks(text, label)}
        self._call(client.views_publish, user_id=event["user"], view=view)

    @staticmethod
    def _call(method: Callable[..., Any], **kwargs: Any) -> Any:
        """A Web API call that never raises (slack_sdk already retried 429s and 5xx); failures are logged."""
        try:
            return method(**kwargs)
        except SlackApiError as exc:
            log.warning("%s failed: %s", getattr(method, "__name__", "call"), exc.response.get("error"))
        except Exception as exc:  # network trouble after retries: the answer is stored, the post is lost
            log.warning("%s failed: %s", getattr(method, "__name__", "call"), type(exc).__name__)
        return None


def build_app(
    *, engine: Engine, bot_token: str, signing_secret: str | None = None, api_url: str | None = None, retries: int = 3
) -> App:
    """A Bolt App wired to the engine. Without a signing secret it is for Socket Mode only."""
    client = WebClient(token=bot_token, base_url=api_url or WebClient.BASE_URL)
    client.retry_handlers.extend(
        [RateLimitErrorRetryHandler(max_retry_count=retries), ServerErrorRetryHandler(max_retry_count=retries)]
    )
    app = App(
        client=client,
        signing_secret=signing_secret,
        request_verification_enabled=signing_secret is not None,
        # Listeners only run the engine and queue the posting, so they can finish before the response:
        # requests are then handled in arrival order. (Bolt would otherwise ack events at once and run
        # their listeners concurrently, and one person's messages could swap.)
        process_before_response=True,
    )
    SlackAdapter(engine=engine).attach(app)
    return app


def check_request(body: bytes, headers: dict[str, str]) -> tuple[int, str] | None:
    """(status, reason) for requests Bolt would answer with a 500, or None when the request is sound."""
    timestamp = headers.get("x-slack-request-timestamp", "")
    if not timestamp.strip().lstrip("-").isdigit() or not headers.get("x-slack-signature"):
        return 401, "missing or malformed signature headers"
    content_type = headers.get("content-type", "")
    try:
        text = body.decode("utf-8")
        if content_type.startswith("application/json"):
            json.loads(text)
        else:
            payload = parse_qs(text).get("payload")
            if payload:
                json.loads(payload[0])
    except (UnicodeDecodeError, ValueError):
        return 400, "malformed body"
    return None


def guarded_wsgi(app: App, path: str = "/slack/events") -> Callable[..., Iterable[bytes]]:
    """A WSGI app: Bolt behind the guard in check_request, on one path."""
    handler = SlackRequestHandler(app)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != path or environ.get("REQUEST_METHOD") != "POST":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(size) if size else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        problem = check_request(body, headers)
        if problem is not None:
            status, reason = problem
            start_response(
                f"{status} {'Unauthorized' if status == 401 else 'Bad Request'}", [("Content-Type", "application/json")]
            )
            return [json.dumps({"error": reason}).encode()]
        import io

        environ["wsgi.input"] = io.BytesIO(body)
        return handler(environ, start_response)

    return wsgi


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_http(app: App, *, host: str, port: int, path: str = "/slack/events"):
    """A WSGI server for HTTP mode (one request at a time: ordering is part of the design)."""
    return make_server(host, port, guarded_wsgi(app, path), handler_class=_QuietHandler)
