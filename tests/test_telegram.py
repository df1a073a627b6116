"""The Telegram channel: the real python-telegram-bot Application against a stand-in Bot API server."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Bot, Update

from adapters.telegram import (
    COMMANDS,
    build_application,
    keyboard,
    run_webhook,
    split_text,
    to_inbound,
    to_messages,
)
from bot import Button, Engine, Inbound, Outbound
from storage.export import records

from .standins.telegram_api import Fault, TelegramStandIn, callback_update, message_update

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"


@pytest.fixture
async def api() -> AsyncIterator[TelegramStandIn]:
    async with TelegramStandIn() as server:
        yield server


@asynccontextmanager
async def running(api: TelegramStandIn, engine: Engine) -> AsyncIterator[Any]:
    """Start the real Application (polling, as run_polling does) and stop it cleanly afterwards."""
    app = build_application(token=api.token, engine=engine, base_url=api.base_url, retry_delay=0.01)
    await app.initialize()
    await app.post_init(app)  # type: ignore[misc]
    await app.start()
    await app.updater.start_polling(  # type: ignore[union-attr]
        poll_interval=0.0,
        timeout=1,
        # what Application.run_polling passes: polling errors go to the registered error handler
        error_callback=lambda exc: app.create_task(app.process_error(error=exc, update=None)),
    )
    try:
        yield app
    finally:
        await app.updater.stop()  # type: ignore[union-attr]
        await app.stop()
        await app.shutdown()


class Phone:
    """One Telegram user talking to the bot in a private chat."""

    message_ids = iter(range(10_000, 10_000_000))

    def __init__(self, api: TelegramStandIn, chat_id: int, name: str = "Jo"):
        self.api, self.chat_id, self.name = api, chat_id, name
        self.queries = 0

    async def settle(self, before: int, timeout: float = 30.0) -> None:
        """Wait until the bot has reacted and gone quiet (no new calls, queue drained unless kept)."""
        await self.api.wait_for(lambda a: a.bot_calls > before)
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            count = self.api.bot_calls
            await asyncio.sleep(0.05)
            drained = self.api.keep_confirmed or not self.api.pending_updates
            if self.api.bot_calls == count and drained:
                return
        raise TimeoutError("the bot did not go quiet")

    async def say(self, text: str) -> list[str]:
        sent = len(self.api.sent(self.chat_id))
        before = self.api.bot_calls
        self.api.push(message_update(self.chat_id, text, message_id=next(self.message_ids), first_name=self.name))
        await self.api.wait_for(lambda a: len(a.sent(self.chat_id)) > sent)
        await self.settle(before)
        return [c.params["text"] for c in self.api.sent(self.chat_id)[sent:]]

    def last_with_buttons(self) -> dict[str, Any]:
        return next(c.result for c in reversed(self.api.sent(self.chat_id)) if c.params.get("reply_markup"))

    def button_data(self, label: str) -> tuple[str, dict[str, Any]]:
        message = self.last_with_buttons()
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if button["text"] == label:
                    return button["callback_data"], message
        raise AssertionError(f"no button {label!r}")

    async def press(self, label: str, *, times: int = 1) -> list[str]:
        data, message = self.button_data(label)
        sent = len(self.api.sent(self.chat_id))
        answered = len(self.api.of("answerCallbackQuery"))
        before = self.api.bot_calls
        for _ in range(times):
            self.queries += 1
            self.api.push(
                callback_update(
                    self.chat_id, data, query_id=f"{self.chat_id}-{self.queries}", message=message, first_name=self.name
                )
            )
        await self.api.wait_for(lambda a: len(a.of("answerCallbackQuery")) >= answered + times)
        # queries are answered before the turn runs: wait for the turn's reply too, then for quiet
        await self.api.wait_for(lambda a: len(a.sent(self.chat_id)) > sent)
        await self.settle(before)
        return [c.params["text"] for c in self.api.sent(self.chat_id)[sent:]]


def answers_of(engine: Engine, user_id: str) -> dict[str, Any]:
    (record,) = [
        r
        for r in records(engine.store, [q.id for q in engine.content.questions])
        if r["respondent"]["user_id"] == user_id
    ]
    return record


# ------------------------------------------------------------------ units


def test_recorded_payloads_become_inbound() -> None:
    bot = Bot("123:abc")
    message = Update.de_json(json.loads((FIXTURES / "message_update.json").read_text()), bot)
    assert to_inbound(message) == Inbound(
        "telegram",
        "777001",
        text="Yes, but the fees are too high",
        display_name="Jo Bloggs",
        message_id="msg:777001:52",
    )
    press = Update.de_json(json.loads((FIXTURES / "callback_update.json").read_text()), bot)
    assert to_inbound(press) == Inbound(
        "telegram", "777001", action="ans:q1:partly:7", display_name="Jo Bloggs", message_id="cb:4382974290847239847"
    )
    sticker = Update.de_json(json.loads((FIXTURES / "sticker_update.json").read_text()), bot)
    assert to_inbound(sticker).text == ""


def test_html_is_escaped_and_long_text_split_at_paragraphs() -> None:
    paragraphs = [f"<b>{n}</b> & " + "x" * 1500 for n in range(7)]
    messages = to_messages(Outbound("\n\n".join(paragraphs), (Button("Yes", "a:1"),)))
    assert len(messages) == 4, "two 1,530-character paragraphs fit in a message, three do not"
    assert all(len(text) <= 4096 for text, _ in messages)
    assert [text[:26] for text, _ in messages] == [f"&lt;b&gt;{n}&lt;/b&gt; &amp;" for n in (0, 2, 4, 6)]
    assert [markup is not None for _, markup in messages] == [False, False, False, True]
    assert "".join(t for t, _ in messages).count("&amp;") == 7


def test_split_never_cuts_an_entity() -> None:
    text = "&amp;" * 2000
    chunks = split_text(text, limit=4096)
    assert all(chunk.endswith(";") for chunk in chunks)
    assert "".join(chunks) == text


def test_keyboard_layout() -> None:
    buttons = tuple(
        Button(label, f"x:{n}")
        for n, label in enumerate(["Yes", "Partly", "No", "Not sure", "Tell me more", "Skip", "Back"])
    )
    rows = keyboard(buttons).inline_keyboard
    assert [[b.text for b in row] for row in rows] == [
        ["Yes", "Partly", "No", "Not sure"],
        ["Tell me more", "Skip", "Back"],
    ]


# ------------------------------------------------------------------ end to end


async def test_whole_consultation_over_telegram(api: TelegramStandIn, engine: Engine) -> None:
    async with running(api, engine):
        await api.wait_for(lambda a: a.of("setMyCommands"))
        commands = [c["command"] for c in api.of("setMyCommands")[0].params["commands"]]
        assert commands == ["start", "help", "ask", "fee", "review", "mydata"]
        head = Phone(api, 777001, "Jo Bloggs")
        replies = await head.say("/start")
        assert "Welcome to the Ealing Learning Partnership" in replies[0]
        await head.press("Start the consultation")
        await head.say("Oakwood Primary")
        await head.press("Primary")
        await head.press("Headteacher")
        await head.press("I'm Jo Bloggs")
        replies = await head.press("No, please don't quote me")
        assert "Question 1 of 15" in replies[-1]
        await head.press("Yes")
        edit = api.of("editMessageText")[-1].params
        assert edit["text"].endswith("✓ <b>Yes</b>") and not edit.get("reply_markup")
        await head.say("Partly, the convictions overlap")
        await head.press("No")
        await head.say("Too dear for small schools")
        await head.say("what does EGFL stand for?")
        await head.press("Not sure")
        for _ in range(10):
            await head.press("Yes")
        await head.say("A joint training day for business managers")
        replies = await head.press("Submit my response")
        assert "ELP-2026-0001" in replies[-1]
    record = answers_of(engine, "777001")
    assert record["status"] == "submitted" and record["respondent"]["name"] == "Jo Bloggs"
    assert record["answers"]["q1"] == {"choice": "yes", "comment": None}
    assert record["answers"]["q2"] == {"choice": "partly", "comment": "the convictions overlap"}
    assert record["answers"]["q3"] == {"choice": "no", "comment": "Too dear for small schools"}
    assert record["answers"]["q4"] == {"choice": "unsure", "comment": None}
    assert record["answers"]["q5.11"] == {"choice": None, "comment": "A joint training day for business managers"}
    assert len(record["answers"]) == 15
    assert len(api.of("answerCallbackQuery")) == head.queries, "every callback query answered"


async def test_duplicate_update_and_double_tap(api: TelegramStandIn, engine: Engine) -> None:
    async with running(api, engine):
        head = Phone(api, 777002)
        await head.say("hi")
        await head.press("Start the consultation")
        update = message_update(777002, "Castlebar School", message_id=555)
        sent = len(api.sent(777002))
        before = api.bot_calls
        api.push(update)
        api.push(update)  # Telegram delivers the same message again (a new update id)
        await head.settle(before)
        assert len(api.sent(777002)) == sent + 1, "one reply"
        await head.press("Special")
        await head.press("Headteacher")
        await head.press("Skip")
        await head.press("Yes, anonymously")
        replies = await head.press("Partly", times=2)
        assert replies[0] == "Saved: Partly." and "Would you like to say why" in replies[1]
        assert len(replies) == 2, "a double-tapped button replies once"
        assert len(api.of("answerCallbackQuery")) == head.queries
    assert engine.store.respondent(1)["school"] == "Castlebar School"
    assert [(e["question_id"], e["choice"]) for e in engine.store.answer_log(1)] == [("q1", "partly")]


async def test_restart_resumes_and_replays_nothing(api: TelegramStandIn, make_engine) -> None:
    first = make_engine()
    head = Phone(api, 777003)
    async with running(api, first):
        await head.say("hi")
        await head.press("Start the consultation")
        for text in ("Villiers High", "2", "1", "skip", "2", "yes"):
            await head.say(text)
        api.keep_confirmed = True  # the process dies before Telegram hears which updates were handled
        await head.say("no")
    first.close()
    sent_before = len(api.sent(777003))
    assert api.pending_updates > 0, "unconfirmed updates are delivered again after the restart"
    second = make_engine()
    async with running(api, second):
        api.keep_confirmed = False
        # Updates of one chat are handled in order, so by the time "hi" is answered the redelivered
        # "no" has been handled too: had it been replayed, its replies would come first.
        replies = await head.say("hi")
        assert "Welcome back" in replies[0] and "Question 2 of 15" in replies[0]
        assert len(api.sent(777003)) == sent_before + len(replies)
    log = second.store.answer_log(1)
    assert [(e["question_id"], e["choice"]) for e in log] == [("q1", "yes"), ("q2", "no")], "each stored once"


async def test_flood_control_and_server_errors(api: TelegramStandIn, engine: Engine, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(api, engine):
        head = Phone(api, 777004)
        api.fail_next("sendMessage", Fault(429, "Too Many Requests: retry after 1", retry_after=1))
        replies = await head.say("hi")
        assert replies, "the message still goes out after retry_after"
        failed = [c for c in api.of("sendMessage") if isinstance(c.result, Fault)]
        retried = [c for c in api.sent(777004)]
        assert retried[0].at - failed[0].at >= 0.9
        api.fail_next("sendMessage", Fault(502, "Bad Gateway"))
        replies = await head.say("what is EGFL?")
        assert "www.egfl.org.uk" in replies[0]
        assert "network problem" in caplog.text
        assert "123456:TEST-TOKEN" not in caplog.text


async def test_blocked_user_is_logged_and_the_answer_kept(api: TelegramStandIn, engine: Engine, caplog) -> None:
    caplog.set_level(logging.INFO, logger="elp.telegram")
    async with running(api, engine):
        head = Phone(api, 777005)
        await head.say("hi")
        await head.press("Start the consultation")
        for text in ("Ark Acton", "2", "1", "skip", "1"):
            await head.say(text)
        api.fail_next("sendMessage", Fault(403, "Forbidden: bot was blocked by the user"), times=2)
        before = api.bot_calls
        api.push(message_update(777005, "yes, we agree", message_id=9001))
        await api.wait_for(lambda a: len(a.of("sendMessage")) > 0 and isinstance(a.of("sendMessage")[-1].result, Fault))
        await head.settle(before)
        assert "user may have blocked the bot" in caplog.text
        replies = await head.say("review")
        assert "Q1 Aims: Yes – “we agree”" in replies[0], "the bot kept running and the answer was stored"


async def test_200_chats_concurrently_in_order(api: TelegramStandIn, engine: Engine, content) -> None:
    chats = list(range(900_000, 900_200))
    script = [
        "hi",
        "start",
        "{school}",
        "1",
        "1",
        "skip",
        "2",
        "yes",
        "partly, {school} wants more",
        "no, too dear",
        "y",
    ]
    queues = {chat: [line.format(school=f"School {chat}") for line in script] for chat in chats}
    order = [chat for chat in chats for _ in script]
    random.Random(7).shuffle(order)
    async with running(api, engine):
        for chat in order:
            api.push(message_update(chat, queues[chat].pop(0), message_id=next(Phone.message_ids)))
        await api.wait_for(lambda a: len(a.sent()) >= len(chats) * len(script), timeout=120)
        await Phone(api, chats[0]).settle(0)
    reference = Engine.open(":memory:", content=content, clock=engine.clock)
    for chat in chats:
        record = answers_of(engine, str(chat))
        assert record["respondent"]["school"] == f"School {chat}"
        assert record["answers"]["q2"] == {"choice": "partly", "comment": f"School {chat} wants more"}
        assert [record["answers"][q]["choice"] for q in ("q1", "q3", "q4")] == ["yes", "no", "yes"]
        expected = [
            r.text
            for line in script
            for r in reference.handle(Inbound("telegram", str(chat), text=line.format(school=f"School {chat}")))
        ]
        got = [c.params["text"] for c in api.sent(chat)]
        assert got == [t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for t in expected]
    reference.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def webhook_mode(api: TelegramStandIn, engine: Engine) -> AsyncIterator[str]:
    """The application in webhook mode exactly as `elp-bot telegram --webhook-url` runs it; yields its URL."""
    port, stop = free_port(), asyncio.Event()
    app = build_application(token=api.token, engine=engine, base_url=api.base_url, retry_delay=0.01)
    task = asyncio.create_task(
        run_webhook(
            app,
            listen="127.0.0.1",
            port=port,
            url_path="/tg",
            webhook_url="https://elp.example.org/tg",
            secret="s3cret-token",
            stop=stop,
        )
    )
    await api.wait_for(lambda a: a.webhook is not None or task.done(), timeout=30)
    try:
        yield f"http://127.0.0.1:{port}/tg"
    finally:
        stop.set()
        await task


async def test_webhook_checks_the_secret(api: TelegramStandIn, engine: Engine) -> None:
    update = {"update_id": 1, **message_update(777006, "hi", message_id=1)}
    async with webhook_mode(api, engine) as url, aiohttp.ClientSession() as http:
        assert api.webhook and api.webhook["url"] == "https://elp.example.org/tg"
        assert api.webhook["secret_token"] == "s3cret-token"
        async with http.post(url, json=update) as response:
            assert response.status == 403
        async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as response:
            assert response.status == 403
        assert api.sent(777006) == []
        async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}) as r:
            assert r.status == 200
        await api.wait_for(lambda a: a.sent(777006))
        assert "Welcome to the Ealing Learning Partnership" in api.sent(777006)[0].params["text"]


async def test_13_6_malformed_json_with_the_right_secret_gets_400(api: TelegramStandIn, engine: Engine, caplog) -> None:
    api.fail_next("getMe", Fault(502, "Bad Gateway"))
    api.fail_next("setWebhook", Fault(502, "Bad Gateway"))
    secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token", "Content-Type": "application/json"}
    async with webhook_mode(api, engine) as url, aiohttp.ClientSession() as http:
        for body in ("{not json", "[]", '{"update_id": "x", "message": 5}', "\xff"):
            async with http.post(url, data=body.encode("latin-1"), headers=secret) as response:
                assert response.status == 400, body
        async with http.post(url, json={"update_id": 7, **message_update(777026, "hi", message_id=1)}, headers=secret):
            pass
        await api.wait_for(lambda a: a.sent(777026))
    assert "Traceback" not in caplog.text and "{not json" not in caplog.text
    assert len(api.of("getMe")) >= 2 and len(api.of("setWebhook")) == 2, "start-up calls retried after a 502"


async def test_group_chats_answer_questions_and_point_to_private(api: TelegramStandIn, engine: Engine) -> None:
    async with running(api, engine):
        group = -100123
        api.push(message_update(group, "/ask@elp_consultation_bot what is EGFL?", message_id=1, chat_type="group"))
        api.push(message_update(group, "/start", message_id=2, chat_type="group"))
        api.push(message_update(group, "morning all", message_id=3, chat_type="group"))
        await api.wait_for(lambda a: len(a.sent(group)) >= 2)
        await Phone(api, group).settle(0)
        texts = [c.params["text"] for c in api.sent(group)]
        assert len(texts) == 2
        assert "www.egfl.org.uk" in texts[0]
        assert "message me privately: https://t.me/elp_consultation_bot" in texts[1]
    assert engine.store.db["conversations"].count == 0, "nothing stored from a group"


async def test_hostile_text_is_escaped_split_and_stored_exactly(
    api: TelegramStandIn, make_engine, roomy_content
) -> None:
    engine = make_engine(content=roomy_content)
    school = "<b>St Mark's</b> & <script>alert(1)</script> 🏫"
    comment = ("مدرسة <i>&amp;</i> 👩‍🏫 " * 500)[:10_000]
    async with running(api, engine):
        head = Phone(api, 777007)
        await head.say("hi")
        await head.press("Start the consultation")
        replies = await head.say(school)
        assert "&lt;b&gt;St Mark's&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt; 🏫" in replies[0]
        for text in ("1", "1", "skip", "1", "partly"):
            await head.say(text)
        await head.say(comment)
        replies = await head.say("review")
        assert all(len(r) <= 4096 for r in replies)
        assert all(c.params.get("parse_mode") == "HTML" for c in api.sent(777007))
    respondent = engine.store.respondent(1)
    assert respondent["school"] == school
    assert engine.store.answers(1)["q1"].comment == comment.strip()


async def test_admins_and_my_data_over_telegram(api: TelegramStandIn, make_engine) -> None:
    engine = make_engine(admins=frozenset({("telegram", "777100")}))
    async with running(api, engine):
        head = Phone(api, 777101)
        await head.say("hi")
        await head.press("Start the consultation")
        for text in ("Oakwood Primary", "1", "1", "skip", "2", "yes"):
            await head.say(text)
        refused = await head.say("/stats")
        assert "only for the ELP team" in refused[0]
        admin = Phone(api, 777100)
        stats = await admin.say("stats")
        assert "Responses so far: 1 respondents, 0 submitted, 1 in progress." in "\n".join(stats)
        mine = await head.say("/mydata")
        assert "Q1 Aims: Yes" in mine[0] and "School: Oakwood Primary (Primary)" in mine[0]
        await head.say("delete my data")
        done = await head.press("Yes, delete everything")
        assert "has been deleted" in done[0]
    assert engine.store.db["respondents"].count == 0
    assert engine.store.db["inbound_seen"].count_where("user_id = ?", ["777101"]) == 0, "their message ids went too"
    assert engine.store.db["inbound_seen"].count_where("user_id = ?", ["777100"]) == 1


# ------------------------------------------------------------------ the real process: start-up and crashes


@asynccontextmanager
async def bot_process(api: TelegramStandIn, db: Path, log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`elp-bot telegram` (polling) as a real subprocess against the stand-in; killed if still running."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE": api.base_url,
        "ELP_DB": str(db),
        "ELP_OPENS": "2020-01-01",
        "ELP_CLOSES": "2099-12-31",
    }
    with log.open("ab") as err:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "telegram", env=env, stdout=err, stderr=err
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=20)
            except TimeoutError:
                process.kill()
                await process.wait()


async def test_13_6_bootstrap_retries_survive_502(api: TelegramStandIn, tmp_path: Path) -> None:
    api.fail_next("getMe", Fault(502, "Bad Gateway"))
    api.fail_next("deleteWebhook", Fault(502, "Bad Gateway"))
    async with bot_process(api, tmp_path / "tg.db", tmp_path / "bot.log") as process:
        api.push(message_update(777020, "hi", message_id=1))
        await api.wait_for(lambda a: a.sent(777020), timeout=60)
        assert process.returncode is None, "one 502 at start-up does not kill the bot"
    assert len(api.of("getMe")) >= 2 and len(api.of("deleteWebhook")) >= 2
    logged = (tmp_path / "bot.log").read_text()
    assert "No error handlers are registered" not in logged and api.token not in logged


async def test_13_4_sigkill_between_commit_and_send_reply_arrives_once(api: TelegramStandIn, tmp_path: Path) -> None:
    db, log = tmp_path / "tg.db", tmp_path / "bot.log"
    async with bot_process(api, db, log):
        api.push(message_update(777021, "hi", message_id=1))
        await api.wait_for(lambda a: a.sent(777021), timeout=60)
        await Phone(api, 777021).settle(0)
    async with bot_process(api, db, log) as process:
        await api.wait_for(lambda a: len(a.of("getUpdates")) > 2, timeout=60)
        api.keep_confirmed = True  # Telegram will deliver the update again after the crash, too
        api.hold_next("sendMessage")
        api.push(message_update(777021, "what is EGFL?", message_id=2))
        await api.wait_for(lambda a: any(c.result == "held" for c in a.of("sendMessage")), timeout=60)
        with sqlite3.connect(db) as conn:  # the turn is committed, its reply is in the outbox, unsent
            assert conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 1
        process.kill()  # SIGKILL: no clean-up, no chance to send
        await process.wait()
    api.holds["sendMessage"].set()
    async with bot_process(api, db, log):
        await api.wait_for(lambda a: any("www.egfl.org.uk" in c.params["text"] for c in a.sent(777021)), timeout=60)
        api.keep_confirmed = False
        api.push(message_update(777021, "help", message_id=3))
        await api.wait_for(lambda a: any("At any time" in c.params["text"] for c in a.sent(777021)), timeout=60)
        await Phone(api, 777021).settle(0)
    answers = [c for c in api.sent(777021) if "www.egfl.org.uk" in c.params["text"]]
    assert len(answers) == 1, "the reply arrives exactly once (start-up resend; the redelivery is a duplicate)"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 0


async def test_sigkill_in_the_middle_of_a_batch_repeats_no_reply(api: TelegramStandIn, tmp_path: Path) -> None:
    """fix-chan: killed after the first of a turn's two replies was sent, the restart sent both (the first twice)."""
    db, log = tmp_path / "tg.db", tmp_path / "bot.log"
    async with bot_process(api, db, log) as process:
        await api.wait_for(lambda a: len(a.of("getUpdates")) > 1, timeout=60)
        api.hold_next("sendMessage", after=1)  # the welcome goes out, the privacy notice and menu do not
        api.push(message_update(777031, "hi", message_id=1))
        await api.wait_for(lambda a: any(c.result == "held" for c in a.of("sendMessage")), timeout=60)
        process.kill()
        await process.wait()
    api.holds["sendMessage"].set()
    async with bot_process(api, db, log):
        await api.wait_for(lambda a: any("Privacy" in c.params["text"] for c in a.sent(777031)), timeout=60)
        await Phone(api, 777031).settle(0)
    sent = [c.params["text"] for c in api.sent(777031)]
    assert sum("Welcome to the Ealing Learning Partnership" in t for t in sent) == 1, sent
    assert sum("Privacy" in t for t in sent) == 1, sent
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 0


async def test_13_6_callback_queries_are_answered_before_the_turn(api: TelegramStandIn, engine: Engine) -> None:
    async with running(api, engine):
        head = Phone(api, 777022)
        await head.say("hi")
        before = len(api.calls)
        await head.press("Start the consultation")
        methods = [c.method for c in api.calls[before:] if c.method != "getUpdates"]
        assert methods[0] == "answerCallbackQuery" and "sendMessage" in methods


async def test_13_6_start_deep_link_resumes_mid_way(api: TelegramStandIn, engine: Engine) -> None:
    async with running(api, engine):
        head = Phone(api, 777023)
        await head.say("hi")
        await head.press("Start the consultation")
        await head.say("Oakwood Primary")
        replies = await head.say("/start ref-newsletter-2026")
        assert "Welcome back" in replies[0] and "not sure I have an answer" not in " ".join(replies)


async def test_13_6_edits_and_photo_captions_get_a_notice(api: TelegramStandIn, engine: Engine) -> None:
    async with running(api, engine):
        head = Phone(api, 777024)
        await head.say("hi")
        edited = message_update(777024, "Oakwood Primary", message_id=42)
        api.push({"edited_message": {**edited["message"], "edit_date": 1764583300}})
        await api.wait_for(lambda a: any("Edits aren't read" in c.params["text"] for c in a.sent(777024)))
        photo = message_update(777024, "", message_id=43)["message"]
        del photo["text"]
        photo.update(photo=[{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}], caption="our plan")
        api.push({"message": photo})
        await api.wait_for(lambda a: any("I can't see pictures" in c.params["text"] for c in a.sent(777024)))
    assert engine.store.db["conversations"].count == 1, "neither touched the conversation"


async def test_13_6_polling_errors_go_to_the_error_handler(api: TelegramStandIn, engine: Engine, caplog) -> None:
    caplog.set_level(logging.INFO)
    async with running(api, engine):
        api.fail_next("getUpdates", Fault(502, "Bad Gateway"), times=2)
        await api.wait_for(lambda a: len([c for c in a.of("getUpdates") if isinstance(c.result, Fault)]) == 2)
        replies = await Phone(api, 777025).say("hi")
        assert replies, "polling carried on"
    assert "No error handlers are registered" not in caplog.text
    assert "Telegram connection problem (NetworkError)" in caplog.text or "Bad Gateway" in caplog.text
    assert "Traceback" not in caplog.text


def test_13_6_readme_lists_exactly_the_registered_commands() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    line = next(line for line in readme.splitlines() if "Commands are registered with Telegram" in line)
    listed = [word.strip(".,") for word in line.split(":", 1)[1].split() if word.startswith("/")]
    assert listed == [f"/{name}" for name, _ in COMMANDS]
