"""The Slack channel: the real Bolt app over HTTP on 127.0.0.1, signed requests, a stand-in Web API."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from adapters.slack import build_app, escape, serve_http, to_blocks, to_messages, unescape_incoming
from bot import Button, Engine, Outbound
from storage.export import records

from .standins.slack_api import SlackStandIn

SECRET = "test-signing-secret"
FORM = "application/x-www-form-urlencoded"
FIXTURES = Path(__file__).parent / "fixtures" / "slack"
counter = itertools.count(1)


class Workspace:
    """Sends what Slack would send, signed, and reads what the app posted back."""

    def __init__(self, url: str, api: SlackStandIn):
        self.url, self.api = url, api
        self.signer = SignatureVerifier(SECRET)

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: str | None = None,
        signature: str | None = None,
        extra: dict[str, str] | None = None,
        sign: bool = True,
    ) -> tuple[int, str]:
        timestamp = timestamp if timestamp is not None else str(int(time.time()))
        headers = {"Content-Type": content_type, **(extra or {})}
        if sign:
            headers["X-Slack-Request-Timestamp"] = timestamp
            headers["X-Slack-Signature"] = signature or self.signer.generate_signature(timestamp=timestamp, body=body)
        request = urllib.request.Request(self.url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def signed(self, body: str) -> dict[str, str]:
        """Signature headers for a body, as Slack would send them."""
        timestamp = str(int(time.time()))
        return {
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": self.signer.generate_signature(timestamp=timestamp, body=body),
        }

    def settle(self, before: int) -> None:
        self.api.wait_for(lambda a: len(a.calls) > before)
        while True:
            count = len(self.api.calls)
            time.sleep(0.1)
            if len(self.api.calls) == count:
                return

    def event(
        self,
        user: str,
        text: str,
        *,
        event_id: str | None = None,
        retry: int | None = None,
        extra_event: dict[str, Any] | None = None,
        wait: bool = True,
    ) -> list[Any]:
        body = json.loads((FIXTURES / "message_im.json").read_text())
        body["event_id"] = event_id or f"Ev{next(counter):08d}"
        body["event"].update(
            {"user": user, "text": text, "channel": dm(user), "ts": f"{time.time():.6f}", **(extra_event or {})}
        )
        extra = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        before, posted = len(self.api.calls), len(self.api.posted(dm(user)))
        status, _ = self.post(json.dumps(body), "application/json", extra=extra)
        assert status == 200
        if wait:
            self.settle(before)
        return [c.params["text"] for c in self.api.posted(dm(user))[posted:]]

    def press(self, user: str, label: str, *, times: int = 1) -> list[str]:
        call = next(
            c for c in reversed(self.api.posted(dm(user))) if any(b["type"] == "actions" for b in c.params["blocks"])
        )
        ts = call.result["ts"]
        element = next(
            e
            for b in call.params["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e["text"]["text"] == label
        )
        payload = json.loads((FIXTURES / "block_actions.json").read_text())
        payload["user"] = {"id": user, "username": user.lower(), "team_id": "T0ELP"}
        payload["channel"] = {"id": dm(user), "name": "directmessage"}
        payload["container"].update({"message_ts": ts, "channel_id": dm(user)})
        payload["message"] = {"ts": ts, "text": call.params["text"], "blocks": call.params["blocks"]}
        before, posted = len(self.api.calls), len(self.api.posted(dm(user)))
        for _ in range(times):
            payload["actions"] = [{**element, "block_id": "b1", "action_ts": f"{time.time():.6f}"}]
            status, _ = self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")
            assert status == 200
        self.settle(before)
        return [c.params["text"] for c in self.api.posted(dm(user))[posted:]]

    def command(self, user: str, text: str, channel: str = "C0GENERAL") -> tuple[int, dict[str, Any]]:
        """Send /elp; (HTTP status, the ack's JSON body: what the person sees)."""
        form = json.loads((FIXTURES / "slash_command.json").read_text())
        form.update({"user_id": user, "text": text, "channel_id": channel, "trigger_id": f"tr{next(counter)}"})
        status, body = self.post(urlencode(form), "application/x-www-form-urlencoded")
        time.sleep(0.2)
        return status, json.loads(body) if body.startswith("{") else {}


def dm(user: str) -> str:
    return "D" + user.lstrip("U")


@contextmanager
def running(engine: Engine) -> Iterator[tuple[SlackStandIn, Workspace]]:
    """The stand-in Web API, and the real Bolt app serving HTTP on 127.0.0.1 in a thread."""
    with SlackStandIn() as api:
        app = build_app(engine=engine, bot_token="xoxb-test-token", signing_secret=SECRET, api_url=api.api_url)
        server = serve_http(app, signing_secret=SECRET, host="127.0.0.1", port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield api, Workspace(f"http://127.0.0.1:{server.port}/slack/events", api)
        finally:
            server.shutdown()


@pytest.fixture
def slack(make_engine) -> Iterator[tuple[SlackStandIn, Workspace, Engine]]:
    engine = make_engine()
    with running(engine) as (api, workspace):
        yield api, workspace, engine


def record_of(engine: Engine, user: str) -> dict[str, Any]:
    (record,) = [
        r for r in records(engine.store, [q.id for q in engine.content.questions]) if r["respondent"]["user_id"] == user
    ]
    return record


# ------------------------------------------------------------------ units


def test_escaping_both_ways() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert unescape_incoming("<!channel> hi <@U123> &amp; &lt;b&gt; <https://x.org|site>") == (
        "@channel hi @U123 & <b> site"
    )


def test_blocks_split_and_buttons() -> None:
    _, blocks = to_blocks(Outbound("a" * 2999 + "\n" + "b" * 3500, tuple(Button(f"B{n}", f"x:{n}") for n in range(30))))
    sections = [b for b in blocks if b["type"] == "section"]
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(s["text"]["text"]) for s in sections] == [2999, 3000, 500]
    assert [len(a["elements"]) for a in actions] == [25, 5]
    assert actions[1]["elements"][0] == {
        "type": "button",
        "action_id": "elp-25",
        "value": "x:25",
        "text": {"type": "plain_text", "text": "B25", "emoji": True},
    }


# ------------------------------------------------------------------ end to end


def test_whole_consultation_over_slack(slack) -> None:
    api, ws, engine = slack
    replies = ws.event("U777001", "hi")
    assert "Welcome to the Ealing Learning Partnership" in replies[0]
    ws.press("U777001", "Start the consultation")
    ws.event("U777001", "Oakwood Primary")
    ws.press("U777001", "Primary")
    ws.press("U777001", "Headteacher")
    ws.event("U777001", "Jo Bloggs")
    replies = ws.press("U777001", "No, please don't quote me")
    assert "Question 1 of 15" in replies[-1]
    ws.press("U777001", "Yes")
    update = api.of("chat.update")[-1].params
    assert update["blocks"][-1]["elements"][0]["text"] == "✓ *Yes*"
    assert not any(b["type"] == "actions" for b in update["blocks"])
    ws.event("U777001", "Partly, the convictions overlap")
    ws.press("U777001", "No")
    ws.event("U777001", "Too dear for small schools")
    ws.press("U777001", "Not sure")
    for _ in range(10):
        ws.press("U777001", "Yes")
    ws.event("U777001", "A joint training day for business managers")
    replies = ws.press("U777001", "Submit my response")
    assert "ELP-2026-0001" in replies[-1]
    record = record_of(engine, "U777001")
    assert record["status"] == "submitted" and record["respondent"]["channel"] == "slack"
    assert record["answers"]["q2"] == {"choice": "partly", "comment": "the convictions overlap"}
    assert record["answers"]["q3"] == {"choice": "no", "comment": "Too dear for small schools"}
    assert record["answers"]["q4"] == {"choice": "unsure", "comment": None}
    assert len(record["answers"]) == 15


def test_retries_and_double_clicks_change_nothing(slack) -> None:
    api, ws, engine = slack
    ws.event("U2", "hi")
    ws.press("U2", "Start the consultation")
    first = ws.event("U2", "Castlebar School", event_id="EvSAME")
    count = len(api.posted(dm("U2")))
    again = ws.event("U2", "Castlebar School", event_id="EvSAME", retry=1, wait=False)
    ws.event("U2", "help")  # handled after the retry: had the retry replied, its reply would come first
    assert first == ["What type of school is Castlebar School?"] and again == []
    assert "At any time you can type" in api.posted(dm("U2"))[count].params["text"]
    ws.press("U2", "Special")
    ws.press("U2", "Headteacher")
    ws.press("U2", "Skip")
    ws.press("U2", "Yes, anonymously")
    replies = ws.press("U2", "Partly", times=2)
    assert replies[0] == "Saved: Partly." and len(replies) == 2
    assert [(e["question_id"], e["choice"]) for e in engine.store.answer_log(1)] == [("q1", "partly")]


def test_forged_and_malformed_requests_get_4xx(slack) -> None:
    api, ws, engine = slack
    body = (FIXTURES / "message_im.json").read_text()
    now = str(int(time.time()))
    assert ws.post(body, "application/json", signature="v0=" + "0" * 64)[0] == 401
    stale = str(int(time.time()) - 600)
    assert ws.post(body, "application/json", timestamp=stale)[0] == 401
    assert ws.post(body, "application/json", sign=False)[0] == 401
    bad = "{this is not json"
    assert ws.post(bad, "application/json", timestamp=now)[0] == 400
    assert (
        ws.post(
            body,
            "application/json",
            timestamp="yesterday",
            signature=ws.signer.generate_signature(timestamp="yesterday", body=body),
        )[0]
        == 401
    )
    assert ws.post("payload=%7Bnot-json", "application/x-www-form-urlencoded")[0] == 400
    time.sleep(0.2)
    assert api.posted() == [] and engine.store.db["conversations"].count == 0


def test_slash_command_for_a_question_a_fee_and_starting(slack) -> None:
    api, ws, _ = slack
    status, answer = ws.command("U3", "ask what is EGFL?")
    assert status == 200 and "www.egfl.org.uk" in answer["text"]
    _, answer = ws.command("U3", "fee secondary 900")
    assert "Secondary, 900 pupils: £6,762 + 900 × £5.77 = £11,955" in answer["text"]
    _, answer = ws.command("U3", "start")
    assert "sent you a direct message" in answer["text"]
    api.wait_for(lambda a: a.posted(dm("U3")))
    assert api.of("conversations.open")[-1].params["users"] == "U3"
    assert "Welcome to the Ealing Learning Partnership" in api.posted(dm("U3"))[0].params["text"]
    _, answer = ws.command("U3", "")
    assert "/elp fee" in answer["text"]
    assert api.of("chat.postEphemeral") == [], "nothing depends on chat.postEphemeral (fails in DMs between people)"


def test_rate_limits_and_server_errors_are_retried(slack) -> None:
    api, ws, _ = slack
    api.fail_next("chat.postMessage", 429, retry_after=1)
    ws.event("U4", "hi", wait=False)
    api.wait_for(lambda a: len(a.posted(dm("U4"))) == 2)
    limited = api.of("chat.postMessage", status=429)[0]
    assert len(api.of("chat.postMessage", status=429)) == 1
    assert api.posted(dm("U4"))[0].at - limited.at >= 0.9, "retried after Retry-After"
    api.fail_next("chat.postMessage", 500)
    ws.event("U4", "what is EGFL?", wait=False)
    api.wait_for(lambda a: len(a.posted(dm("U4"))) == 3)
    assert "www.egfl.org.uk" in api.posted(dm("U4"))[2].params["text"]
    assert len(api.of("chat.postMessage", status=500)) == 1


def test_200_users_interleaved(slack) -> None:
    api, ws, engine = slack
    users = [f"U{900000 + n}" for n in range(200)]
    script = ["hi", "start", "School {user}", "1", "1", "skip", "2", "yes", "partly, {user} wants more"]
    queues = {u: [line.format(user=u) for line in script] for u in users}
    order = [u for u in users for _ in script]
    random.Random(5).shuffle(order)
    for user in order:
        ws.event(user, queues[user].pop(0), wait=False)
    api.wait_for(lambda a: len(a.posted()) >= len(users) * len(script), timeout=120)
    ws.settle(0)
    for user in users:
        record = record_of(engine, user)
        assert record["respondent"]["school"] == f"School {user}"
        assert record["answers"]["q1"] == {"choice": "yes", "comment": None}
        assert record["answers"]["q2"] == {"choice": "partly", "comment": f"{user} wants more"}


def test_hostile_text_is_escaped_and_stored_readably(make_engine, roomy_content) -> None:
    engine = make_engine(content=roomy_content)
    with running(engine) as (api, ws):
        ws.event("U5", "hi")
        ws.press("U5", "Start the consultation")
        replies = ws.event("U5", "<!channel> &amp; <@U123> School")
        assert "@channel &amp; @U123 School" in replies[0]
        for text in ("1", "1", "skip", "1", "partly"):
            ws.event("U5", text)
        long = "&lt;script&gt; <!here> " + "x" * 10_000
        ws.event("U5", long)
        for call in api.calls:
            dumped = json.dumps(call.params)
            assert "<!channel>" not in dumped and "<!here>" not in dumped and "<@U123>" not in dumped
    assert engine.store.respondent(1)["school"] == "@channel & @U123 School"
    assert engine.store.answers(1)["q1"].comment == "<script> @here " + "x" * 10_000


def test_bot_messages_and_channel_chatter_are_ignored(slack) -> None:
    api, ws, engine = slack
    ws.event("U6", "hello from a bot", extra_event={"bot_id": "B0OTHER"}, wait=False)
    ws.event("U6", "edited", extra_event={"subtype": "message_changed"}, wait=False)
    ws.event("U6", "in a channel", extra_event={"channel_type": "channel"}, wait=False)
    time.sleep(0.3)
    assert api.posted() == [] and engine.store.db["conversations"].count == 0


def test_app_home_shows_progress_with_a_button(slack) -> None:
    api, ws, _ = slack
    body = json.loads((FIXTURES / "app_home_opened.json").read_text())
    before = len(api.calls)
    assert ws.post(json.dumps(body), "application/json")[0] == 200
    ws.settle(before)
    view = api.of("views.publish")[-1].params["view"]
    assert "you have not started yet" in view["blocks"][0]["text"]["text"]
    assert view["blocks"][1]["elements"][0]["action_id"] == "elp-home-start"


def test_socket_mode_handler_setup(engine: Engine) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    with SlackStandIn() as api:
        app = build_app(engine=engine, bot_token="xoxb-t", api_url=api.api_url)
        handler = SocketModeHandler(app, "xapp-1-test")
        assert handler.app is app
        assert handler.client.app_token == "xapp-1-test"
        assert handler.client.socket_mode_request_listeners, "Bolt's dispatcher is registered"
        handler.client.close()


def test_a_failing_turn_tells_the_user_and_stores_nothing(slack, monkeypatch) -> None:
    _api, ws, engine = slack
    ws.event("U8", "hi")
    ws.press("U8", "Start the consultation")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine.store, "update_respondent", broken)
    replies = ws.event("U8", "Oakwood Primary")
    assert "something went wrong and nothing from that message was saved" in replies[0]
    assert engine.store.respondent(1)["school"] is None


def test_no_tokens_or_bodies_in_info_logs(slack, caplog) -> None:
    _api, ws, _ = slack
    caplog.set_level("INFO")
    ws.event("U9", "hi")
    ws.event("U9", "my secret comment text")
    ws.command("U9", "ask what is EGFL?")
    assert "xoxb-test-token" not in caplog.text and "my secret comment text" not in caplog.text
    assert SECRET not in caplog.text


def test_admin_commands_over_slack(make_engine) -> None:
    engine = make_engine(admins=frozenset({("slack", "UADMIN")}))
    with running(engine) as (_, ws):
        ws.event("UHEAD", "hi")
        ws.press("UHEAD", "Start the consultation")
        assert "only for the ELP team" in ws.event("UHEAD", "stats")[0]
        replies = ws.event("UADMIN", "stats")
        assert any("Responses so far: 1 respondents, 0 submitted, 1 in progress." in r for r in replies)


# ------------------------------------------------------------------ issue 13: hardening


def test_13_2_forged_requests_get_401_before_anything_parses_them(slack, caplog) -> None:
    api, ws, engine = slack
    caplog.set_level("DEBUG")
    wrong = "v0=" + "0" * 64
    assert ws.post("[]", "application/json", signature=wrong)[0] == 401
    assert ws.post("payload=1", "application/x-www-form-urlencoded", signature=wrong)[0] == 401
    assert ws.post("[]", "application/json")[0] == 400, "signed but not an event: 400, not 500"
    assert ws.post("payload=1", "application/x-www-form-urlencoded")[0] == 400
    assert ws.post("{}", "application/json", timestamp="1e9")[0] == 401
    port = int(ws.url.split(":")[2].split("/")[0])
    http = HTTPConnection("127.0.0.1", port, timeout=10)
    http.putrequest("POST", "/slack/events")
    for key, value in {"Content-Type": "application/json", "Content-Length": "2400000", **ws.signed("x")}.items():
        http.putheader(key, value)
    http.endheaders()  # the body never follows: the size alone is refused
    assert http.getresponse().status == 413, "bodies over 1 MB are refused before they are read"
    http.close()
    assert ws.post('{"token": "FORGED-BODY-MARKER"}', "application/json", signature=wrong)[0] == 401
    assert "FORGED-BODY-MARKER" not in caplog.text and "Traceback" not in caplog.text
    assert api.posted() == [] and engine.store.db["conversations"].count == 0


def test_13_7_slash_command_in_a_dm_between_two_people_answers_in_the_ack(slack) -> None:
    api, ws, _ = slack
    api.fail_next("chat.postEphemeral", 200)  # would be channel_not_found in a DM between two people
    status, answer = ws.command("U31", "ask what is EGFL?", channel="D0TWOPEOPLE")
    assert status == 200 and "www.egfl.org.uk" in answer["text"]
    assert answer["blocks"][0]["type"] == "section"
    assert api.of("chat.postEphemeral", status=None) == []


def test_13_7_app_home_acks_first_and_publishes_from_the_queue(slack) -> None:
    api, ws, _ = slack
    api.fail_next("views.publish", 429, retry_after=2)
    body = json.loads((FIXTURES / "app_home_opened.json").read_text())
    started = time.monotonic()
    assert ws.post(json.dumps(body), "application/json")[0] == 200
    assert time.monotonic() - started < 1.0, "acked before publishing (which waits out the 429)"
    api.wait_for(lambda a: a.of("views.publish"), timeout=15)
    assert "you have not started yet" in api.of("views.publish")[-1].params["view"]["blocks"][0]["text"]["text"]


def test_13_7_32_concurrent_senders_and_a_stalled_client(slack) -> None:
    import socket

    api, ws, engine = slack
    port = int(ws.url.split(":")[2].split("/")[0])
    stalled = socket.create_connection(("127.0.0.1", port))
    stalled.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")  # never finishes
    users = [f"U32{n:03d}" for n in range(32)]
    barrier = threading.Barrier(len(users))

    def send(user: str) -> None:
        barrier.wait()
        for text in ("hi", "start", f"School {user}"):
            ws.event(user, text, wait=False)

    threads = [threading.Thread(target=send, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    api.wait_for(lambda a: all(len(a.posted(dm(u))) >= 3 for u in users), timeout=60)
    deadline = time.monotonic() + 30
    while engine.unsent("slack") and time.monotonic() < deadline:  # engine.unsent takes the engine's lock
        time.sleep(0.05)
    ws.settle(0)  # every batch is marked sent: nothing writes any more, the test may read the database
    stalled.close()
    for user in users:
        texts = [c.params["text"] for c in api.posted(dm(user))]
        assert "Welcome to the Ealing Learning Partnership" in texts[0]
        assert texts[-1] == f"What type of school is School {user}?", "each user's replies in order"
        assert record_of(engine, user)["respondent"]["school"] == f"School {user}"


def test_13_7_my_data_is_split_within_slack_limits(make_engine, roomy_content) -> None:
    engine = make_engine(content=roomy_content)
    with running(engine) as (api, ws):
        ws.event("U33", "hi")
        ws.press("U33", "Start the consultation")
        for text in ("Oakwood & Partners School", "1", "1", "skip", "1"):
            ws.event("U33", text)
        for _ in range(12):
            ws.event("U33", "Partly, " + ("fees & budgets " * 700)[:9_900])
        before = len(api.posted(dm("U33")))
        ws.event("U33", "my data")
        calls = api.posted(dm("U33"))[before:]
    assert len(calls) > 1, "split across messages"
    for call in calls:
        blocks = call.params["blocks"]
        assert len(blocks) <= 50
        for block in blocks:
            if block["type"] == "section":
                text = block["text"]["text"]
                assert len(text) <= 3000 and not re.search(r"&[a-z]{0,3}$", text), text[-10:]


def test_13_7_sections_never_cut_inside_an_escape() -> None:
    _, blocks = to_blocks(Outbound("&" * 5000))
    sections = [b["text"]["text"] for b in blocks]
    assert all(s.endswith("&amp;") for s in sections) and "".join(sections) == "&amp;" * 5000
    messages = to_messages(Outbound("word & " * 40_000, (Button("Yes", "a"),)))
    assert all(len(blocks) <= 50 for _, blocks in messages)
    assert messages[-1][1][-1]["type"] == "actions", "buttons stay on the last message"


def test_13_7_thumbs_up_shortcode_is_yes(slack) -> None:
    _api, ws, engine = slack
    ws.event("U34", "hi")
    ws.press("U34", "Start the consultation")
    for text in ("Oakwood Primary", "1", "1", "skip", "1"):
        ws.event("U34", text)
    ws.event("U34", ":+1::skin-tone-3:")
    ws.event("U34", ":thumbsdown: too dear")
    answers = record_of(engine, "U34")["answers"]
    assert answers["q1"] == {"choice": "yes", "comment": None}
    assert answers["q2"] == {"choice": "no", "comment": "too dear"}
    assert unescape_incoming("we :+1: it :tada:") == "we 👍 it :tada:"


def test_13_7_file_shares_and_the_messages_tab_get_a_reply(slack) -> None:
    api, ws, engine = slack
    replies = ws.event("U35", "", extra_event={"subtype": "file_share", "files": [{"id": "F1"}]})
    assert replies == ["I can't open files, only text. Send the words as a message."]
    body = json.loads((FIXTURES / "app_home_opened.json").read_text())
    body["event"].update({"user": "U36", "channel": dm("U36"), "tab": "messages"})
    before = len(api.calls)
    assert ws.post(json.dumps(body), "application/json")[0] == 200
    ws.settle(before)
    assert "Type start to answer the consultation" in api.posted(dm("U36"))[0].params["text"]
    assert engine.store.db["conversations"].count == 0, "a greeting stores nothing"


def test_13_7_display_name_from_users_info_offers_im_name(slack) -> None:
    api, ws, _ = slack
    api.names["U37"] = "Jo Bloggs"
    ws.event("U37", "hi")
    ws.press("U37", "Start the consultation")
    ws.event("U37", "Oakwood Primary")
    ws.press("U37", "Primary")
    ws.press("U37", "Headteacher")
    labels = [
        e["text"]["text"]
        for b in api.posted(dm("U37"))[-1].params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert "I'm Jo Bloggs" in labels
    assert len(api.of("users.info")) == 1, "looked up once, then cached"


def test_13_4_sigkill_between_commit_and_post_reply_arrives_once(tmp_path: Path) -> None:
    """The real `elp-bot slack --http` process, killed with SIGKILL while its reply is being posted."""
    import socket
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db, log = tmp_path / "slack.db", (tmp_path / "slack.log").open("ab")
    with SlackStandIn() as api:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": api.api_url,
            "ELP_DB": str(db),
            "ELP_OPENS": "2020-01-01",
            "ELP_CLOSES": "2099-12-31",
        }

        def start() -> subprocess.Popen[bytes]:
            command = [sys.executable, "-m", "bot", "slack", "--http", "--host", "127.0.0.1", "--port", str(port)]
            process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        return process
                time.sleep(0.1)
            process.kill()
            raise TimeoutError("the Slack app did not start listening")

        ws = Workspace(f"http://127.0.0.1:{port}/slack/events", api)
        process = start()
        try:
            ws.event("U40", "hi")
            held = api.hold_next("chat.postMessage")
            ws.event("U40", "what is EGFL?", event_id="EvCRASH", wait=False)  # acked: the turn is committed
            api.wait_for(lambda a: a.of("chat.postMessage", status=0))
            with sqlite3.connect(db) as conn:
                assert conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 1
            process.kill()  # SIGKILL while the post is in flight
            process.wait(timeout=10)
            held.set()
            process = start()  # posts what was left unsent before serving
            api.wait_for(lambda a: any("www.egfl.org.uk" in c.params["text"] for c in a.posted(dm("U40"))))
            again = ws.event("U40", "what is EGFL?", event_id="EvCRASH", retry=1, wait=False)  # Slack's retry
            assert ws.event("U40", "help") and again == []
        finally:
            process.terminate()
            process.wait(timeout=20)
        answers = [c for c in api.posted(dm("U40")) if "www.egfl.org.uk" in c.params["text"]]
        assert len(answers) == 1, "the reply arrives exactly once"
    log.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 0


# ------------------------------------------------------------------ fix-chan: independent end-to-end testing


def test_signed_but_malformed_payloads_get_no_500_and_no_traceback(slack, caplog) -> None:
    """Signed payloads whose fields have the wrong shape (no user, a user that is a string, text that is a
    number, a channel that is a number) get a 200 or a 400: never a 500 (Slack would retry it) or a traceback."""
    _api, ws, engine = slack
    caplog.set_level("INFO")
    event = json.loads((FIXTURES / "message_im.json").read_text())
    event["event"].update({"user": ["U1"], "text": 5})
    assert ws.post(json.dumps(event), "application/json")[0] == 200
    event["event"].update({"user": "U1", "text": 5, "channel": dm("U1")})
    assert ws.post(json.dumps(event), "application/json")[0] == 200
    action = json.loads((FIXTURES / "block_actions.json").read_text())
    for user in (None, "U1", {"name": "x"}):
        forged = {**action, "user": user, "container": "x", "channel": 7}
        assert ws.post(urlencode({"payload": json.dumps(forged)}), "application/x-www-form-urlencoded")[0] in (200, 400)
        assert ws.post(urlencode({"payload": json.dumps({**forged, "channel": None})}), FORM)[0] == 200
    assert ws.post("[" * 100_000 + "]" * 100_000, "application/json")[0] == 400, "nested too deep for json"
    assert ws.post("payload=" + "%5B" * 100_000, FORM)[0] == 400
    command = json.loads((FIXTURES / "slash_command.json").read_text())
    command.pop("user_id")
    assert ws.post(urlencode(command), "application/x-www-form-urlencoded")[0] == 200
    time.sleep(0.3)
    assert "Traceback" not in caplog.text and "Failed to run listener" not in caplog.text
    assert engine.store.db["answers"].count == 0


def test_502_and_504_from_the_web_api_are_retried_not_dropped(slack) -> None:
    """slack_sdk retries only 500 and 503: a 502 or 504 from Slack's edge must not lose the reply."""
    api, ws, _ = slack
    api.fail_next("chat.postMessage", 502)
    api.fail_next("chat.postMessage", 504)
    ws.event("U40", "hi", wait=False)
    api.wait_for(lambda a: len(a.posted(dm("U40"))) == 2, timeout=15)
    assert "Welcome to the Ealing Learning Partnership" in api.posted(dm("U40"))[0].params["text"]
    assert [c.status for c in api.of("chat.postMessage", status=None)][:2] == [502, 504]


def test_an_edited_message_gets_a_notice_and_bot_updates_get_nothing(slack) -> None:
    """Editing a message in the DM says edits aren't read (as on Telegram); the bot's own chat.update of a
    used button and a link preview added to a message (same text) get nothing."""
    api, ws, engine = slack
    ws.event("U41", "hi")
    ws.press("U41", "Start the consultation")

    def changed(message: dict[str, Any], previous: dict[str, Any]) -> int:
        body = json.loads((FIXTURES / "message_im.json").read_text())
        body["event_id"] = f"Ev{next(counter):08d}"
        body["event"] = {"type": "message", "subtype": "message_changed", "channel": dm("U41"), "channel_type": "im",
                         "hidden": True, "message": message, "previous_message": previous}  # fmt: skip
        before = len(api.posted(dm("U41")))
        assert ws.post(json.dumps(body), "application/json")[0] == 200
        time.sleep(0.5)
        return len(api.posted(dm("U41"))) - before

    assert changed({"user": "UBOT", "bot_id": "B1", "text": "Q1"}, {"user": "UBOT", "bot_id": "B1", "text": "Q"}) == 0
    assert changed({"user": "U41", "text": "Oakwood"}, {"user": "U41", "text": "Oakwood"}) == 0, "a link preview"
    assert changed({"user": "U41", "text": "Oakwood Primary"}, {"user": "U41", "text": "Oakwod"}) == 1
    assert api.posted(dm("U41"))[-1].params["text"] == "Edits aren't read: send the new text as a message."
    assert engine.store.db["answers"].count == 0


def test_a_half_posted_turn_keeps_only_the_unposted_replies_in_the_outbox(slack) -> None:
    """fix-chan: the outbox kept the whole batch until every reply was posted, so a crash after the first of
    two replies re-posted both at the next start. Now only the replies not yet posted are kept."""
    api, ws, engine = slack
    held = api.hold_next("chat.postMessage", after=1)  # the welcome is posted; the privacy notice hangs
    ws.event("U42", "hi", wait=False)
    api.wait_for(lambda a: a.of("chat.postMessage", status=0))
    (batch,) = engine.unsent("slack")
    assert [r.text[:7] for r in batch.replies] == ["Privacy"], "what a restart would post: only the rest"
    held.set()
    api.wait_for(lambda a: not engine.unsent("slack"))
