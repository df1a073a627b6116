"""The adapter contract (adapters/base.py) and the engine's durable outbox it relies on."""

from __future__ import annotations

import logging
import threading
import time

import pytest

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
from bot import Button, Engine, Inbound, Outbound


def test_delivery_ids_are_kind_and_platform_ids() -> None:
    assert delivery_id("msg", 777001, 52) == "msg:777001:52"
    assert delivery_id("ev", "Ev08A1") == "ev:Ev08A1"


def test_split_text_at_paragraphs_within_the_limit_never_inside_an_escape() -> None:
    text = "\n\n".join(["a" * 60, "b" * 60, "c" * 60])
    assert split_text(text, 130) == ["a" * 60 + "\n\n" + "b" * 60, "c" * 60]
    escaped = "x" * 7 + "&amp;" * 10
    chunks = split_text(escaped, 10)
    assert "".join(chunks) == escaped and all(len(c) <= 10 for c in chunks)
    assert all(not c.rstrip(";").endswith(("&", "&a", "&am")) for c in chunks)
    assert split_text("", 10) == [""]


def test_safe_call_never_raises_and_logs_no_arguments(caplog) -> None:
    caplog.set_level(logging.INFO)

    def post(**kwargs: object) -> None:
        raise ConnectionError("secret body text")

    assert safe_call(logging.getLogger("elp.test"), post, text="secret body text", token="xoxb-1") is None
    assert "post failed: ConnectionError" in caplog.text
    assert "secret body text" not in caplog.text and "xoxb-1" not in caplog.text


def test_chosen_button_and_marks_choice(engine: Engine) -> None:
    offered = [Button("Yes", "ans:q1:yes:3"), Button("Partly", "ans:q1:partly:3")]
    assert chosen_button(offered, "ans:q1:partly:3") == offered[1]
    assert chosen_button(offered, "ans:q9:yes:3") is None
    assert marks_choice(engine, "ans:q1:partly:3", [Outbound("Saved")])
    assert not marks_choice(engine, "ans:q1:partly:3", []), "a duplicate press changes nothing on screen"


def test_command_words_come_from_bot() -> None:
    assert parse_command("/start@ElpBot").name == "start"
    assert parse_command("ask what is EGFL?").argument == "what is EGFL?"


def test_user_queues_keep_each_users_order_and_run_users_concurrently() -> None:
    queues = UserQueues(workers=8)
    seen: dict[str, list[int]] = {"a": [], "b": []}
    running = threading.Event()
    release = threading.Event()

    def slow_first() -> int:
        running.set()
        release.wait(5)
        return 0

    first = queues.submit("a", slow_first, lambda n: seen["a"].append(n))
    assert running.wait(5)
    later = [queues.submit("a", lambda n=n: n, lambda n: seen["a"].append(n)) for n in range(1, 6)]
    other = queues.submit("b", lambda: 99, lambda n: seen["b"].append(n))
    assert other.result(timeout=5) == 99, "user b is not held up behind user a"
    release.set()
    assert first.result(timeout=5) == 0 and [f.result(timeout=5) for f in later] == [1, 2, 3, 4, 5]
    deadline = time.monotonic() + 5
    while len(seen["a"]) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen == {"a": [0, 1, 2, 3, 4, 5], "b": [99]}
    queues.close()


def test_a_failing_job_does_not_stop_the_users_queue() -> None:
    queues = UserQueues(workers=2)

    def broken() -> int:
        raise RuntimeError("bug")

    failed = queues.submit("a", broken)
    after = queues.submit("a", lambda: 1)
    assert isinstance(failed.exception(timeout=5), RuntimeError) and after.result(timeout=5) == 1
    queues.close()


def test_13_4_outbox_redelivery_returns_unsent_replies_until_marked_sent(engine: Engine) -> None:
    hello = Inbound("telegram", "9", text="hi", message_id="msg:9:1")
    first = engine.deliver(hello)
    assert first.id is not None and first.replies
    # a simulated crash: committed, never sent; the platform redelivers
    again = engine.deliver(hello)
    assert again.id == first.id and again.replies == first.replies
    assert [(d.id, d.user_id) for d in engine.unsent("telegram")] == [(first.id, "9")]
    assert engine.unsent("slack") == []
    sent: list[str] = []
    send_delivery(engine, again, lambda reply: sent.append(reply.text))
    assert sent == [r.text for r in first.replies]
    assert engine.deliver(hello).replies == [] and engine.unsent("telegram") == []
    assert engine.store.db["outbox"].get(first.id)["replies"] == "[]", "sent text is not kept"
    assert engine.handle(Inbound("telegram", "9", text="help", message_id="msg:9:2"))
    assert engine.store.db["outbox"].count == 1, "handle() writes no outbox"


def test_13_4_outbox_is_erased_with_the_person(engine: Engine) -> None:
    engine.deliver(Inbound("slack", "U1", text="hi", message_id="ev:1"))
    engine.deliver(Inbound("slack", "U1", text="my data", message_id="ev:2"))
    engine.store.erase_person("slack", "U1")
    assert engine.store.db["outbox"].count == 0


def test_send_delivery_keeps_only_unsent_replies_when_a_send_dies(engine: Engine) -> None:
    """fix-chan: a crash after the first reply left the whole batch unsent, so the restart repeated the first."""
    delivery = engine.deliver(Inbound("slack", "U1", text="hi", message_id="ev:1"))
    assert len(delivery.replies) == 2

    def send(reply: Outbound) -> None:
        if reply is delivery.replies[1]:
            raise KeyboardInterrupt  # the process dies while posting the second reply

    with pytest.raises(KeyboardInterrupt):
        send_delivery(engine, delivery, send)
    (left,) = engine.unsent("slack")
    assert left.replies == [delivery.replies[1]]
    again = engine.deliver(Inbound("slack", "U1", text="hi", message_id="ev:1"))  # the platform's redelivery
    assert again.replies == [delivery.replies[1]]
