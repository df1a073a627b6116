"""Microsoft Teams channel on the Microsoft 365 Agents SDK: personal chats become `Inbound`; replies, Adaptive Cards.

- The SDK's aiohttp host (`CloudAdapter` + `AgentApplication`) receives activities on /api/messages and
  checks the Bot Framework bearer token (`jwt_authorization_middleware`); with
  `CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED=true` it accepts unauthenticated
  activities (local testing only).
- A respondent is `<tenant id>:<AAD object id>`; the consultation runs in personal scope only (in
  channels and group chats the bot only sees @mentions, and nothing from them is stored).
- Replies with buttons are Adaptive Cards whose `Action.Submit` carries the engine's action; the used
  card is updated in place (PUT) to show the choice without buttons, from the card we stored when
  sending it (what the client sends back is only ever the action, checked by the engine).
- Exactly once: the activity id goes to the engine as `message_id`, so a Teams retry changes nothing
  and sends nothing; a double submit carries a stale serial and the engine returns nothing. Replies are
  committed with the turn in the engine's durable outbox and marked sent after sending: if the process
  dies in between, they are sent at the next start (or when Teams redelivers the activity).
- Sending honours 429 Retry-After (with jitter) and retries 412/502/504, then logs the operation and
  status only (never tokens or bodies). A turn that fails tells the person whether it was saved.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
import threading
import warnings
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import ClientConnectionError, ClientResponseError, web
from aiohttp.web_exceptions import NotAppKeyWarning
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    ConversationReference,
    load_configuration_from_env,
)
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_middleware, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication,
    ClaimsIdentity,
    MemoryStorage,
    OutboundHostValidator,
    TurnContext,
    TurnState,
)
from pydantic import ValidationError

from adapters.base import chosen_button, delivery_id, log_failure, marks_choice, sent_part, split_text
from bot import Button, Delivery, Engine, Inbound, Outbound
from storage import Store

__all__ = [
    "CHANNEL",
    "TeamsAdapter",
    "TeamsSettings",
    "build_web_app",
    "chosen_card",
    "to_activities",
    "to_card",
    "user_key",
]

CHANNEL = "msteams"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
ACTIONS_PER_SET = 5  # Teams shows at most 6 actions side by side; more go to an overflow menu on phones
MAX_TEXT_CHARS = 20_000  # well under Teams' ~80–100 KB message limit, with room for the card's JSON
RETRIED_STATUSES = frozenset({412, 429, 502, 504})
CONTINUE_TEXT = "continue"  # what the reminder's Continue button says to the engine
log = logging.getLogger("elp.teams")
T = TypeVar("T")


# ---------------------------------------------------------------- settings


@dataclass(frozen=True, slots=True)
class TeamsSettings:
    """The SDK configuration (from CONNECTIONS__… environment variables) and our own switches."""

    sdk_config: Mapping[str, Any]
    typing_indicator: bool = True
    max_attempts: int = 4
    retry_delay: float = 1.0
    check_service_urls: bool = False  # production: only Microsoft's https service URLs (needs https, so not in tests)

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: Any) -> TeamsSettings:
        """Settings from environment variables, as the SDK's samples read them."""
        return cls(load_configuration_from_env(dict(env)), **overrides)

    @property
    def connection(self) -> Mapping[str, Any]:
        """The service connection's settings (CLIENTID, TENANTID, ANONYMOUS_ALLOWED…)."""
        return (self.sdk_config.get("CONNECTIONS", {}).get("SERVICE_CONNECTION", {}) or {}).get("SETTINGS", {}) or {}

    @property
    def client_id(self) -> str:
        """The bot's Entra app (client) id; empty in anonymous local testing."""
        return str(self.connection.get("CLIENTID") or "")

    @property
    def anonymous(self) -> bool:
        """Whether unauthenticated activities are accepted (tests and the Bot Framework Emulator only)."""
        return str(self.connection.get("ANONYMOUS_ALLOWED", "")).lower() == "true"


# ---------------------------------------------------------------- rendering


def user_key(activity: Activity) -> str | None:
    """The respondent's id: `<tenant>:<AAD object id>`, or None when the activity does not say who sent it."""
    sender = activity.from_property
    aad = getattr(sender, "aad_object_id", None) if sender else None
    tenant = getattr(activity.conversation, "tenant_id", None) if activity.conversation else None
    if not tenant and isinstance(activity.channel_data, dict):
        tenant = (activity.channel_data.get("tenant") or {}).get("id")
    if not aad or not tenant:
        return None
    return f"{tenant}:{aad}"


def to_card(outbound: Outbound, *, text: str | None = None) -> dict[str, Any]:
    """An Adaptive Card: the text as wrapped blocks, then the buttons as Action.Submit rows."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": para, "wrap": True}
        for para in (text if text is not None else outbound.text).split("\n\n")
        if para.strip()
    ]
    buttons = list(outbound.buttons)
    for start in range(0, len(buttons), ACTIONS_PER_SET):
        body.append(
            {
                "type": "ActionSet",
                "actions": [
                    {"type": "Action.Submit", "title": b.label, "data": {"elp": b.action}}
                    for b in buttons[start : start + ACTIONS_PER_SET]
                ],
            }
        )
    return {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "version": "1.4",
            "body": body or [{"type": "TextBlock", "text": " "}]}  # fmt: skip


def to_activities(outbound: Outbound) -> list[Activity]:
    """The message activities for one reply: plain text, or an Adaptive Card when there are buttons."""
    pieces = split_text(outbound.text, MAX_TEXT_CHARS)
    activities = [Activity(type=ActivityTypes.message, text=p, text_format="plain") for p in pieces[:-1]]
    if outbound.buttons:
        card = to_card(outbound, text=pieces[-1])
        activities.append(
            Activity(
                type=ActivityTypes.message,
                attachments=[Attachment(content_type=CARD_TYPE, content=card)],
                summary=pieces[-1][:200],
            )
        )
    else:
        activities.append(Activity(type=ActivityTypes.message, text=pieces[-1], text_format="plain"))
    return activities


def chosen_card(card: dict[str, Any], action: str, say: Callable[..., str]) -> dict[str, Any] | None:
    """The stored card with its buttons removed and the chosen one's label shown; None if it had no such button."""
    offered = [
        Button(a.get("title", ""), str((a.get("data") or {}).get("elp")))
        for block in card.get("body", [])
        if block.get("type") == "ActionSet"
        for a in block.get("actions", [])
    ]
    chosen = chosen_button(offered, action)
    if chosen is None:
        return None
    body = [b for b in card.get("body", []) if b.get("type") != "ActionSet"]
    shown = say("teams_chosen", label=chosen.label)
    body.append({"type": "TextBlock", "text": shown, "wrap": True, "weight": "Bolder"})
    return {**card, "body": body}


def _action_of(value: Any) -> tuple[str | None, str | None]:
    """(engine action, text) from an Action.Submit's value: only our own two shapes are accepted."""
    if not isinstance(value, dict):
        return None, None
    action, text = value.get("elp"), value.get("elp_text")
    if isinstance(action, str):
        return action, None
    if text == CONTINUE_TEXT:
        return None, CONTINUE_TEXT
    return None, None


def continue_activity(text: str, label: str) -> Activity:
    """A reminder: the text and one button that continues the consultation."""
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CARD_TYPE, content=continue_card(text, label))],
        summary=text[:200],
    )


def continue_card(text: str, label: str) -> dict[str, Any]:
    """A card with one button that continues the consultation (for reminders)."""
    return {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "version": "1.4",
            "body": [{"type": "TextBlock", "text": text, "wrap": True},
                     {"type": "ActionSet", "actions": [{"type": "Action.Submit", "title": label,
                                                        "data": {"elp_text": CONTINUE_TEXT}}]}]}  # fmt: skip


# ---------------------------------------------------------------- the adapter


class TeamsAdapter:
    """Connects one Engine to one AgentApplication; keeps Teams conversation references and sent cards."""

    def __init__(self, *, engine: Engine, store: Store, settings: TeamsSettings, clock: Callable[[], dt.datetime]):
        self.engine, self.store, self.settings, self.clock = engine, store, settings, clock
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._store_lock = threading.Lock()  # Store is not thread-safe; worker threads take turns
        self.connections = MsalConnectionManager(**settings.sdk_config)
        validator = OutboundHostValidator(enabled=settings.check_service_urls)
        self.cloud = CloudAdapter(connection_manager=self.connections, host_validator=validator)
        self.app: AgentApplication[TurnState] = AgentApplication[TurnState](
            storage=MemoryStorage(), connection_manager=self.connections, start_typing_timer=settings.typing_indicator
        )
        self.app.activity(ActivityTypes.message)(self._on_message)
        self.app.activity(ActivityTypes.message_update)(self._on_edit)
        self.app.conversation_update("membersAdded")(self._on_members_added)
        self.app.error(self._on_error)
        self.cloud.on_turn_error = self._on_error

    # ------------------------------------------------------------ the engine (the only engine-facing part)

    async def _turn(self, inbound: Inbound) -> Delivery:
        """Run one engine turn in a worker thread: committed together with its replies in the outbox.

        A redelivery of an activity whose replies were never sent (the process died) gets them again.
        """
        return await asyncio.to_thread(self.engine.deliver, inbound)

    async def _delivered(self, delivery: Delivery) -> None:
        """Mark a delivery's replies sent (or given up on, logged) in the engine's outbox."""
        await asyncio.to_thread(self.engine.mark_sent, delivery.id)

    async def resend_unsent(self) -> int:
        """At start-up: send replies committed but never sent, through the stored conversation references."""
        resent = 0
        for delivery in await asyncio.to_thread(self.engine.unsent, CHANNEL):
            activities = [a for reply in delivery.replies for a in to_activities(reply)]
            if delivery.user_id and await self.send_proactive(delivery.user_id, activities):
                resent += 1
            else:
                log.warning("unsent replies could not be sent after a restart; given up")
            await self._delivered(delivery)
        return resent

    # ------------------------------------------------------------ inbound

    async def _on_message(self, context: TurnContext, _state: TurnState) -> None:
        activity = context.activity
        if (activity.conversation.conversation_type or "personal") != "personal":
            await self._send_text(context, self.engine.say("teams_personal_only"))
            return
        user = user_key(activity)
        if user is None:
            await self._send_text(context, self.engine.say("error_bad_sender"))
            return
        action, text = _action_of(activity.value)
        if action is None and text is None:
            text = activity.text or ""
        inbound = Inbound(
            CHANNEL,
            user,
            text=text if action is None else None,
            action=action,
            display_name=getattr(activity.from_property, "name", None),
            message_id=delivery_id("act", activity.id) if activity.id else None,
        )
        await self._exchange(context, user, inbound)

    async def _on_edit(self, context: TurnContext, _state: TurnState) -> None:
        """An edited message (Teams sends messageUpdate): say edits aren't read, as Telegram and Slack do."""
        activity = context.activity
        if (activity.conversation.conversation_type or "personal") == "personal" and user_key(activity):
            await self._send_text(context, self.engine.say("edit_ignored"))

    async def _on_members_added(self, context: TurnContext, _state: TurnState) -> None:
        activity = context.activity
        if (activity.conversation.conversation_type or "personal") != "personal":
            return
        user = user_key(activity)  # installing the app in personal scope adds the bot to the user's chat
        if user is None:
            return
        await self._exchange(context, user, Inbound(CHANNEL, user, text="", message_id=delivery_id("act", activity.id)))

    async def _exchange(self, context: TurnContext, user: str, inbound: Inbound) -> None:
        """One turn for one person, in order: the engine, then the pressed card's update, then the replies."""
        async with self._locks[user]:
            delivery = await self._turn(inbound)
            replies = delivery.replies
            context.turn_state["elp_saved"] = True
            known = await self._remember(context, user)  # False once they have deleted their data
            pressed, card_id = inbound.action, context.activity.reply_to_id
            if known and pressed is not None and card_id and marks_choice(self.engine, pressed, replies):
                await self._mark_chosen(context, user, card_id, pressed)
            for index, reply in enumerate(replies):  # the outbox keeps what is left: a crash never repeats one
                await self._send(context, user, to_activities(reply), keep_cards=known)
                await asyncio.to_thread(sent_part, self.engine, delivery, index)
            await self._delivered(delivery)

    async def _on_error(self, context: TurnContext, error: Exception) -> None:
        """Tell the person what happened (never the exception) and log its type only."""
        log.error("turn failed: %s", type(error).__name__)
        key = "teams_reply_error" if context.turn_state.get("elp_saved") else "teams_turn_error"
        try:
            await self._send_text(context, self.engine.say(key))
        except Exception as exc:  # the connector is what failed: nothing more we can tell them
            log.warning("could not send the error notice: %s", type(exc).__name__)

    # ------------------------------------------------------------ outbound

    async def _remember(self, context: TurnContext, user: str) -> bool:
        """Keep the conversation reference for reminders, unless the engine holds nothing about them (erased)."""
        reference = context.activity.get_conversation_reference()
        stored = reference.model_dump_json(by_alias=True, exclude_none=True)

        def remember() -> bool:
            if self.store.conversation(CHANNEL, user) is None:
                return False
            self.store.save_teams_reference(user, reference.conversation.id, stored, self._now())
            return True

        return await self._stored(remember)

    async def _send(self, context: TurnContext, user: str, activities: list[Activity], *, keep_cards: bool) -> bool:
        """Send in order; keep each card sent (to update it when pressed). True if all were accepted."""
        accepted = True
        for activity in activities:
            response = await self.call("send", lambda a=activity: context.send_activity(a))
            accepted = accepted and response is not None
            if keep_cards and response is not None and response.id and activity.attachments:
                await self._stored(
                    self.store.save_teams_card,
                    context.activity.conversation.id,
                    response.id,
                    user,
                    json.dumps(activity.attachments[0].content),
                    self._now(),
                )
        return accepted

    async def _send_text(self, context: TurnContext, text: str) -> None:
        await self.call("send", lambda: context.send_activity(Activity(type="message", text=text, text_format="plain")))

    async def _mark_chosen(self, context: TurnContext, user: str, card_id: str, action: str) -> None:
        """Update the pressed card in place: its text, the chosen label, no buttons."""
        stored = await self._stored(self.store.teams_card, context.activity.conversation.id, card_id, user)
        card = chosen_card(json.loads(stored), action, self.engine.say) if stored else None
        if card is None:
            return
        update = Activity(
            type=ActivityTypes.message, id=card_id, attachments=[Attachment(content_type=CARD_TYPE, content=card)]
        )
        await self.call("update", lambda: context.update_activity(update))

    async def call(self, what: str, send: Callable[[], Awaitable[T]]) -> T | None:
        """Send, retrying 429 (after Retry-After, with jitter), 412/502/504 and network errors; then log, no secrets."""
        for attempt in range(1, self.settings.max_attempts + 1):
            delay = self.settings.retry_delay * 2 ** (attempt - 1)
            try:
                return await send()
            except ClientResponseError as exc:
                error, problem = exc, f"HTTP {exc.status}"
                retry = exc.status in RETRIED_STATUSES
                if exc.status == 429:
                    delay = _retry_after(exc.headers, delay)
            except (ClientConnectionError, TimeoutError) as exc:
                error, problem, retry = exc, "network", True
            if not retry or attempt == self.settings.max_attempts:
                log_failure(log, what, error, f"{problem}, {attempt} attempt(s)")
                return None
            await asyncio.sleep(delay * random.uniform(1.0, 1.25))
        return None

    # ------------------------------------------------------------ proactive messages (reminders)

    async def send_proactive(self, user: str, activities: list[Activity]) -> bool:
        """Send into a user's stored personal conversation; False when there is none or a send failed."""
        stored = await self._stored(self.store.teams_reference, user)
        if stored is None:
            return False
        reference = ConversationReference.model_validate_json(stored)
        sent: list[bool] = []

        async def callback(context: TurnContext) -> None:
            sent.append(await self._send(context, user, activities, keep_cards=True))

        continuation = reference.get_continuation_activity()
        if self.settings.anonymous:
            await self.cloud.continue_conversation_with_claims(
                ClaimsIdentity({}, False), continuation, callback, audience="https://api.botframework.com"
            )
        else:
            await self.cloud.continue_conversation(self.settings.client_id, continuation, callback)
        return bool(sent and sent[0])

    async def _stored(self, method: Callable[..., T], *args: Any) -> T:
        """Run a Store method in a worker thread, one at a time."""

        def locked() -> T:
            with self._store_lock:
                return method(*args)

        return await asyncio.to_thread(locked)

    def _now(self) -> str:
        return self.clock().astimezone(dt.UTC).isoformat(timespec="seconds")


def _retry_after(headers: Any, default: float) -> float:
    try:
        return max(0.0, float((headers or {}).get("Retry-After", default)))
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------- the web app


def build_web_app(adapter: TeamsAdapter, path: str = "/api/messages") -> web.Application:
    """The aiohttp app: the SDK's JWT middleware (anonymous only if configured), then the agent."""
    quiet_sdk_logs()
    app = web.Application(middlewares=[_guard, jwt_authorization_middleware])
    with warnings.catch_warnings():  # the SDK's middleware reads this plain string key
        warnings.simplefilter("ignore", NotAppKeyWarning)
        app["agent_configuration"] = adapter.connections.get_default_connection_configuration()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await start_agent_process(request, adapter.app, adapter.cloud)

    async def resend(_app: web.Application) -> None:
        await adapter.resend_unsent()

    app.on_startup.append(resend)  # before the server accepts requests: a redelivery then finds them sent
    app.router.add_post(path, messages)
    return app


def quiet_sdk_logs() -> None:
    """The SDK logs a body that is not an Activity at ERROR with pydantic's `input_value` (the body itself) and a
    traceback: keep bodies out of logs (the request still gets 400, and `_guard` logs that it was malformed)."""
    logging.getLogger("microsoft_agents.activity.activity").setLevel(logging.CRITICAL)


@web.middleware
async def _guard(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
    """A token check that fails in any way is a 401 and a body that is no Activity a 400, never a 500."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except ValidationError:  # the SDK parses the body after the token check: not an Activity
        log.warning("request refused: the body is not an Activity")
        return web.json_response({"error": "malformed activity"}, status=400)
    except Exception as exc:
        if "claims_identity" in request:  # authenticated: the failure is ours, not the caller's
            log.error("request failed: %s", type(exc).__name__)
            return web.json_response({"error": "internal error"}, status=500)
        log.warning("token check failed: %s", type(exc).__name__)
        return web.json_response({"error": "Invalid token or authentication failed."}, status=401)
