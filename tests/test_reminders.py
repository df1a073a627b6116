"""Reminders: due only for in-progress respondents, at most once per N days; sent on Teams, Telegram and Slack."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner
from slack_sdk import WebClient
from telegram import Bot

from adapters import reminders
from bot.cli import main
from storage import Store

from .standins.slack_api import SlackStandIn
from .standins.telegram_api import TelegramStandIn
from .test_teams import TENANT, running


async def test_a_reminder_reaches_an_in_progress_teams_respondent_and_not_a_submitted_one(
    make_engine, make_chat, db_path, clock
) -> None:
    engine = make_engine()
    async with running(engine, db_path, clock) as tenant:
        adapter, store = tenant.adapter, tenant.adapter.store
        for user in ("u-busy", "u-done"):
            await tenant.say(user, "hi")
            await tenant.press(user, "Start the consultation")
            await tenant.say(user, "Oakwood Primary")
            await tenant.press(user, "Primary")
            await tenant.press(user, "Headteacher")
            await tenant.press(user, "Skip")
            await tenant.press(user, "Yes, anonymously")
            await tenant.press(user, "Yes")
        await tenant.say("u-done", "review")
        await tenant.press("u-done", "Submit my response")
        await tenant.press("u-done", "Submit anyway")
        assert engine.store.respondent(2)["status"] == "submitted"

        due = reminders.due(store, engine.content, clock.now, every_days=7)
        assert [(r.channel, r.user_id) for r in due] == [("msteams", f"{TENANT}:u-busy")]
        before = {u: len(tenant.sent(u)) for u in ("u-busy", "u-done")}
        counts = await reminders.send_all(store, due, {"msteams": reminders.teams_sender(adapter)}, clock.now)
        assert counts == {"sent": 1, "failed": 0, "skipped": 0}
        assert len(tenant.sent("u-done")) == before["u-done"]
        (reminder,) = tenant.sent("u-busy")[before["u-busy"] :]
        assert "closes on 31 March 2027" in reminder.text and "answered 1 of 15 questions" in reminder.text
        assert [title for title, _ in reminder.buttons] == ["Continue the consultation"]

        # at most once per N days
        assert reminders.due(store, engine.content, clock.now + dt.timedelta(days=6), every_days=7) == []
        later = reminders.due(store, engine.content, clock.now + dt.timedelta(days=8), every_days=7)
        assert [r.user_id for r in later] == [f"{TENANT}:u-busy"]

        # the Continue button picks up where they left off
        replies = await tenant.press("u-busy", "Continue the consultation")
        assert "Question 2 of 15" in replies[-1].text


async def test_reminders_on_telegram_private_chats_and_slack_dms(make_engine, make_chat, db_path, clock) -> None:
    engine = make_engine()
    make_chat("5001", channel="telegram").identify()
    make_chat("U0SLACK1", channel="slack").identify()
    make_chat("console-user", channel="console").identify()  # no bot-initiated messages on the console
    store = Store.open(db_path)
    try:
        due = reminders.due(store, engine.content, clock.now, every_days=7)
        assert sorted(r.channel for r in due) == ["slack", "telegram"]
        async with TelegramStandIn() as telegram:
            with SlackStandIn() as slack:
                async with Bot(telegram.token, base_url=telegram.base_url) as bot:
                    senders = {
                        "telegram": reminders.telegram_sender(bot),
                        "slack": reminders.slack_sender(WebClient(token="xoxb-test", base_url=slack.api_url)),
                    }
                    counts = await reminders.send_all(store, due, senders, clock.now)
                assert counts == {"sent": 2, "failed": 0, "skipped": 0}
                (message,) = telegram.sent(5001)
                assert "answered 0 of 15" in message.params["text"]
                keyboard = message.params["reply_markup"]
                keyboard = json.loads(keyboard) if isinstance(keyboard, str) else keyboard
                assert keyboard["keyboard"][0][0]["text"] == "Continue the consultation"
                (posted,) = slack.posted()
                assert posted.params["blocks"][1]["elements"][0]["action_id"] == "elp-home-start"
        assert store.reminders_sent("telegram", "5001") and store.reminders_sent("slack", "U0SLACK1")
        # the Telegram button sends its label, which the engine reads as "continue"
        assert "Question 1 of 15" in make_chat("5001", channel="telegram").send("Continue the consultation")[-1].text
    finally:
        store.close()


def test_remind_dry_run_lists_and_sends_nothing(make_engine, make_chat, db_path, monkeypatch) -> None:
    make_engine()
    make_chat("5002", channel="telegram").identify()
    for name in ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID"):
        monkeypatch.delenv(name, raising=False)
    env = {"ELP_OPENS": "2000-01-01", "ELP_CLOSES": "2099-12-31"}
    result = CliRunner().invoke(main, ["remind", "--dry-run", "--db", str(db_path)], env=env)
    assert result.exit_code == 0, result.output
    assert "would remind telegram 5002 (0 of 15 answered)" in result.output
    result = CliRunner().invoke(main, ["remind", "--db", str(db_path)], env=env)
    assert result.exit_code == 0 and "sent 0, failed 0, skipped 1 (no credentials)" in result.output
    store = Store.open(db_path)
    try:
        assert store.reminders_sent("telegram", "5002") == []
    finally:
        store.close()
