"""Reminders for in-progress respondents: on Teams (stored conversation references), Telegram and Slack.

A bot may start a conversation only where the platform allows it: a Teams personal chat the person
has already used (its conversation reference is stored), a Telegram private chat (the person
messaged the bot first; groups are never stored) and a Slack DM. Each person is reminded at most
once per N days (the reminder log), and only while the consultation is open.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from content import Content
from storage import Store

if TYPE_CHECKING:
    from adapters.teams import TeamsAdapter

__all__ = ["CHANNELS", "Reminder", "due", "send_all", "slack_sender", "teams_sender", "telegram_sender"]

CHANNELS = ("msteams", "telegram", "slack")
log = logging.getLogger("elp.reminders")
Sender = Callable[["Reminder"], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder to send: who, and what it says."""

    channel: str
    user_id: str
    answered: int
    total: int
    text: str
    button: str


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def due(store: Store, content: Content, now: dt.datetime, every_days: int) -> list[Reminder]:
    """Reminders due now: in-progress respondents not reminded in the last `every_days` days; none unless open."""
    consultation = content.consultation
    today = now.astimezone(ZoneInfo(consultation.timezone)).date()
    if not consultation.opens <= today <= consultation.closes:
        return []
    closes = f"{consultation.closes.day} {consultation.closes:%B %Y}"
    total = len(content.questions)
    since = _stamp(now - dt.timedelta(days=every_days))
    return [
        Reminder(
            row["channel"],
            row["user_id"],
            row["answered"],
            total,
            content.say("reminder", closes=closes, answered=row["answered"], total=total),
            content.say("button_continue"),
        )
        for row in store.reminder_candidates(CHANNELS, since)
    ]


async def send_all(
    store: Store, reminders: list[Reminder], senders: Mapping[str, Sender], now: dt.datetime
) -> dict[str, int]:
    """Send each reminder through its channel's sender; log the ones sent. Counts of sent, failed, skipped."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for reminder in reminders:
        sender = senders.get(reminder.channel)
        if sender is None:
            counts["skipped"] += 1
            continue
        try:
            ok = await sender(reminder)
        except Exception as exc:  # one person's failure must not stop the others
            log.warning("reminder on %s failed: %s", reminder.channel, type(exc).__name__)
            ok = False
        if ok:
            store.log_reminder(reminder.channel, reminder.user_id, _stamp(now))
            counts["sent"] += 1
        else:
            counts["failed"] += 1
    return counts


def teams_sender(adapter: TeamsAdapter) -> Sender:
    """Send reminders into Teams personal chats from their stored conversation references (an Adaptive Card)."""
    from adapters.teams import continue_activity

    async def send(reminder: Reminder) -> bool:
        return await adapter.send_proactive(reminder.user_id, [continue_activity(reminder.text, reminder.button)])

    return send


def telegram_sender(bot: object) -> Sender:
    """Send reminders into private chats with a python-telegram-bot `Bot` (chat id = user id there)."""
    from telegram import KeyboardButton, ReplyKeyboardMarkup
    from telegram.error import TelegramError

    async def send(reminder: Reminder) -> bool:
        keyboard = ReplyKeyboardMarkup(
            [[KeyboardButton(reminder.button)]], one_time_keyboard=True, resize_keyboard=True
        )  # pressing it sends the label, which the engine reads as "continue"
        try:
            await bot.send_message(  # type: ignore[attr-defined]
                chat_id=int(reminder.user_id), text=html.escape(reminder.text), parse_mode="HTML", reply_markup=keyboard
            )
        except TelegramError as exc:
            log.warning("telegram reminder failed: %s", type(exc).__name__)
            return False
        return True

    return send


def slack_sender(client: object) -> Sender:
    """Send reminders as DMs with a slack_sdk `WebClient`; the button is the App Home's start button."""
    from slack_sdk.errors import SlackApiError

    from adapters.slack import escape, start_blocks

    def send_sync(reminder: Reminder) -> bool:
        try:
            channel = client.conversations_open(users=reminder.user_id)["channel"]["id"]  # type: ignore[attr-defined]
            client.chat_postMessage(  # type: ignore[attr-defined]
                channel=channel, text=escape(reminder.text), blocks=start_blocks(reminder.text, reminder.button)
            )
        except SlackApiError as exc:
            log.warning("slack reminder failed: %s", exc.response.get("error"))
            return False
        return True

    async def send(reminder: Reminder) -> bool:
        return await asyncio.to_thread(send_sync, reminder)

    return send
