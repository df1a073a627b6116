"""Telegram channel on python-telegram-bot: updates become `Inbound`, replies become HTML messages.

Built on the adapter contract in `adapters/base.py`:

- Private chats run the consultation; in groups the bot answers /ask and points people to a
  private chat for everything else.
- Every callback query is answered first, before the turn. A pressed button that uses up its
  message (an answer, a choice) has that message edited to show the choice and lose its keyboard.
- Updates from one chat are processed strictly in order (PerChatUpdateProcessor); different chats
  run concurrently. The engine's SQLite work runs in a worker thread, off the event loop.
- Exactly once: each message (chat id + message id) and each callback query id is passed to the
  engine as `message_id`. Replies are committed with the turn in the engine's outbox and marked sent
  once Telegram accepted them; a redelivery of an unsent turn, or the next start, sends them.
- Sending honours RetryAfter, retries network errors and 5xx a few times, and logs (never raises)
  when a user has blocked the bot. Start-up retries getMe/deleteWebhook (bootstrap_retries) and an
  error handler logs polling hiccups in one line.
- Edited messages and photo captions get a notice saying what happened; `/start <payload>` (a t.me
  deep link) is read as `/start`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import html
import json
import logging
import secrets
import signal
import warnings
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import tornado.web
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, BaseUpdateProcessor, ContextTypes, TypeHandler
from telegram.warnings import PTBDeprecationWarning
from tornado.httpserver import HTTPServer

from adapters.base import (
    chosen_button,
    delivery_id,
    log_failure,
    marks_choice,
    parse_command,
    sent_part,
    split_text,
)
from bot import Button, Delivery, Engine, Inbound, Outbound

__all__ = [
    "ALLOWED_UPDATES",
    "BOOTSTRAP_RETRIES",
    "CHANNEL",
    "COMMANDS",
    "TelegramAdapter",
    "build_application",
    "run_webhook",
    "serve_webhook",
    "to_inbound",
    "to_messages",
]

CHANNEL = "telegram"
MAX_MESSAGE_CHARS = 4096
BOOTSTRAP_RETRIES = 5  # getMe / deleteWebhook / setWebhook at start-up: a 502 there must not kill the bot
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
MAX_WEBHOOK_BYTES = 1_000_000
COMMANDS = (
    ("start", "Start or continue the consultation"),
    ("help", "What I can do"),
    ("ask", "Ask about ELP, e.g. /ask what is EGFL?"),
    ("fee", "Work out your school's subscription"),
    ("review", "See, change and submit your answers"),
    ("mydata", "See everything we store about you"),
)
log = logging.getLogger("elp.telegram")
T = TypeVar("T")


def to_inbound(update: Update) -> Inbound | None:
    """The engine message for a Telegram update, or None for updates that carry nothing for it."""
    query = update.callback_query
    if query is not None:
        return Inbound(
            CHANNEL,
            str(query.from_user.id),
            action=query.data or "",
            display_name=query.from_user.full_name,
            message_id=delivery_id("cb", query.id),
        )
    message = update.message
    if message is None or message.from_user is None:
        return None
    text = message.text or ""
    if text.startswith("/start") and (command := parse_command(text.split(maxsplit=1)[0])) and command.name == "start":
        text = "/start"  # a t.me deep link sends "/start <payload>": it means start (or continue), nothing more
    # Stickers and voice notes arrive with no text: the engine replies that it got none.
    return Inbound(
        CHANNEL,
        str(message.from_user.id),
        text=text,
        display_name=message.from_user.full_name,
        message_id=delivery_id("msg", message.chat_id, message.message_id),
    )


def notice_for(update: Update) -> str | None:
    """The messages.yaml key of a notice for updates the engine is not given (edits, captions), or None."""
    if update.edited_message is not None:
        return "edit_ignored"
    message = update.message
    if message is not None and message.text is None and message.caption:
        return "telegram_caption_ignored"
    return None


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """Buttons in rows that fit a phone: short labels share a row (up to 4), long ones get their own."""
    if not buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    width = 0
    for button in buttons:
        size = len(button.label)
        if row and (len(row) == 4 or width + size > 32 or size > 16):
            rows.append(row)
            row, width = [], 0
        row.append(InlineKeyboardButton(button.label, callback_data=button.action))
        width += size
        if size > 16:
            rows.append(row)
            row, width = [], 0
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows)


def to_messages(outbound: Outbound) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """One engine reply as Telegram messages: escaped HTML, split to fit, keyboard on the last."""
    chunks = split_text(html.escape(outbound.text, quote=False), MAX_MESSAGE_CHARS)
    markup = keyboard(outbound.buttons)
    return [(chunk, markup if i == len(chunks) - 1 else None) for i, chunk in enumerate(chunks)]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Process updates concurrently across chats but strictly in arrival order within one chat."""

    def __init__(self, max_concurrent_updates: int = 256):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once every earlier update of the same chat has finished."""
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else 0
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class TelegramAdapter:
    """Connects one Engine to one python-telegram-bot Application."""

    def __init__(self, *, engine: Engine, retry_delay: float = 1.0, max_attempts: int = 4):
        self.engine = engine
        self.retry_delay = retry_delay
        self.max_attempts = max_attempts

    def attach(self, application: Application) -> None:
        """Register the handler, the error handler, the command list and the start-up resend of unsent replies."""
        application.add_handler(TypeHandler(Update, self.handle))
        application.add_error_handler(self.on_error)
        previous = application.post_init

        async def post_init(app: Application) -> None:
            if previous is not None:
                await previous(app)
            await self.call(app.bot.set_my_commands, [BotCommand(name, text) for name, text in COMMANDS])
            await self.send_unsent(app)

        application.post_init = post_init

    async def send_unsent(self, application: Application) -> None:
        """Send every reply batch committed before a crash but never sent (in a private chat, chat id = user id)."""
        for delivery in await asyncio.to_thread(self.engine.unsent, CHANNEL):
            await self.send(application.bot, int(delivery.user_id or 0), delivery)

    async def handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One update: answer a button press at once, run the turn (in a worker thread), send the replies."""
        chat = update.effective_chat
        if chat is None:
            return
        notice = notice_for(update)
        if notice is not None:
            if chat.type == ChatType.PRIVATE:
                await self.send(context.bot, chat.id, Delivery(None, [Outbound(self.engine.say(notice))]))
            return
        inbound = to_inbound(update)
        if inbound is None:
            return
        query = update.callback_query
        if query is not None:
            await self.call(query.answer)  # before the turn: the spinner stops at once
        if chat.type != ChatType.PRIVATE:
            delivery = Delivery(None, await self.group_replies(update, context))
        else:
            delivery = await asyncio.to_thread(self.engine.deliver, inbound)
        if query is not None and query.message and marks_choice(self.engine, query.data or "", delivery.replies):
            await self.mark_chosen(query)
        await self.send(context.bot, chat.id, delivery)

    async def send(self, bot: Any, chat_id: int, delivery: Delivery) -> None:
        """Send a delivery's replies in order (never raising), then mark it sent in the outbox."""
        for index, reply in enumerate(delivery.replies):
            for text, markup in to_messages(reply):
                await self.call(bot.send_message, chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
            if delivery.id is not None and index < len(delivery.replies) - 1:
                await asyncio.to_thread(sent_part, self.engine, delivery, index)
        if delivery.id is not None:
            await asyncio.to_thread(self.engine.mark_sent, delivery.id)

    async def group_replies(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> list[Outbound]:
        """In a group: answer /ask questions; point everything else to a private chat."""
        message = update.message
        text = (message.text or "") if message else ""
        command = parse_command(text) if text.startswith("/") else None
        if command is not None and command.name == "ask" and command.argument:
            return [await asyncio.to_thread(self.engine.ask, command.argument)]
        if update.callback_query is None and not text.startswith("/"):
            return []  # ordinary group conversation is not for the bot
        username = context.bot.username if context.bot else ""
        return [Outbound(self.engine.say("private_only", link=f"https://t.me/{username}"))]

    async def mark_chosen(self, query: Any) -> None:
        """Show the pressed button's label on its message and remove the keyboard."""
        markup = query.message.reply_markup
        offered = [Button(b.text, b.callback_data) for row in (markup.inline_keyboard if markup else ()) for b in row]
        button = chosen_button(offered, query.data or "")
        if button is None:
            return
        original = query.message.text_html if query.message.text else ""
        text = split_text(f"{original}\n\n✓ <b>{html.escape(button.label, quote=False)}</b>", MAX_MESSAGE_CHARS)[0]
        await self.call(query.edit_message_text, text, parse_mode=ParseMode.HTML, reply_markup=None)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """PTB's error handler: polling hiccups and handler bugs in one line (no token, no message text)."""
        error = context.error
        if isinstance(error, NetworkError):
            log.warning("Telegram connection problem (%s); PTB retries", type(error).__name__)
        elif error is not None:
            log.error("an update failed: %s", type(error).__name__, exc_info=error)

    async def call(self, method: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T | None:
        """A Bot API call that never raises: honours RetryAfter, retries network errors, logs the rest."""
        name = getattr(method, "__name__", "call")
        for attempt in range(1, self.max_attempts + 1):
            try:
                return await method(*args, **kwargs)
            except RetryAfter as exc:
                with warnings.catch_warnings():  # PTB 22 warns that retry_after will become a timedelta
                    warnings.simplefilter("ignore", PTBDeprecationWarning)
                    wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
                log.warning("%s: flood control, retrying in %.0f s", name, seconds)
                await asyncio.sleep(seconds)
            except Forbidden as exc:
                log.info("%s: not allowed (%s); the user may have blocked the bot", name, exc.message)
                return None
            except BadRequest as exc:
                log_failure(log, name, exc, f"Telegram refused the request: {exc.message}")
                return None
            except NetworkError as exc:  # includes timeouts and 5xx replies
                log.warning("%s: network problem (%s), attempt %d of %d", name, exc.message, attempt, self.max_attempts)
                await asyncio.sleep(self.retry_delay * attempt)
            except TelegramError as exc:
                log_failure(log, name, exc, exc.message)
                return None
        log.error(
            "%s: giving up after %d attempts; the answer is stored, the reply was not sent", name, self.max_attempts
        )
        return None


def build_application(
    *,
    token: str,
    engine: Engine,
    base_url: str | None = None,
    retry_delay: float = 1.0,
    max_concurrent_updates: int = 256,
) -> Application:
    """A PTB Application wired to the engine; base_url is passed as is (PTB appends the token)."""
    builder = ApplicationBuilder().token(token).concurrent_updates(PerChatUpdateProcessor(max_concurrent_updates))
    if base_url:
        builder = builder.base_url(base_url).base_file_url(base_url.replace("/bot", "/file/bot"))
    application = builder.build()
    quiet_http_logs()
    TelegramAdapter(engine=engine, retry_delay=retry_delay).attach(application)
    return application


class _WebhookHandler(tornado.web.RequestHandler):
    """POST <path>: the secret header checked first, then the body read as an Update; bad JSON gets 400."""

    def initialize(self, ptb: Application, secret: str) -> None:
        """Tornado's per-request set-up."""
        self.ptb, self.secret = ptb, secret

    async def post(self) -> None:
        """Queue one update for the application."""
        given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            self.set_status(403)
            return
        try:
            data = json.loads(self.request.body)
            update = Update.de_json(data, self.ptb.bot) if isinstance(data, dict) else None
        except Exception:  # malformed JSON or not an Update: the sender's fault, never a 500
            update = None
        if update is None:
            self.set_status(400)
            self.write({"error": "not a Telegram update"})
            return
        await self.ptb.update_queue.put(update)


def serve_webhook(application: Application, *, listen: str, port: int, url_path: str, secret: str) -> HTTPServer:
    """Listen for Telegram's webhook requests on `listen:port/url_path` (a started application handles them)."""
    path = "/" + url_path.lstrip("/")
    web = tornado.web.Application(
        [(path, _WebhookHandler, {"ptb": application, "secret": secret})],
        log_function=lambda handler: None,  # no access log: paths and bodies stay out of the logs
    )
    server = HTTPServer(web, max_body_size=MAX_WEBHOOK_BYTES)
    server.listen(port, listen)
    return server


async def _with_retries(call: Callable[[], Awaitable[T]], retries: int, what: str) -> T:
    """A start-up call retried on network errors and 5xx (what bootstrap_retries does in polling mode)."""
    attempt = 0
    while True:
        try:
            return await call()
        except BadRequest:
            raise
        except NetworkError as exc:  # includes 502s and timeouts
            if attempt >= retries:
                raise
            attempt += 1
            log.warning("%s failed (%s), retrying (%d of %d)", what, type(exc).__name__, attempt, retries)
            await asyncio.sleep(min(2**attempt / 4, 30))


async def run_webhook(
    application: Application,
    *,
    listen: str,
    port: int,
    url_path: str,
    webhook_url: str,
    secret: str,
    bootstrap_retries: int = BOOTSTRAP_RETRIES,
    stop: asyncio.Event | None = None,
) -> None:
    """Webhook mode until SIGINT/SIGTERM (or `stop` is set): start-up calls retried, then `serve_webhook`."""
    await _with_retries(application.initialize, bootstrap_retries, "getMe")
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    server = serve_webhook(application, listen=listen, port=port, url_path=url_path, secret=secret)
    try:
        await _with_retries(
            lambda: application.bot.set_webhook(webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES),
            bootstrap_retries,
            "setWebhook",
        )
        if stop is None:
            stop = asyncio.Event()
            for signum in (signal.SIGINT, signal.SIGTERM):
                asyncio.get_running_loop().add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        server.stop()
        await application.stop()
        await application.shutdown()


def quiet_http_logs() -> None:
    """Bot API URLs contain the token: httpx logs them at INFO and python-telegram-bot at DEBUG.

    Pin those loggers above the levels that would print URLs, even when the rest of the app logs DEBUG.
    """
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO)


def new_webhook_secret() -> str:
    """A random secret for X-Telegram-Bot-Api-Secret-Token (1–256 of A–Z, a–z, 0–9, _ and -)."""
    return secrets.token_urlsafe(32)
