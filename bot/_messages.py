"""The engine's message types: what comes in from a channel and what goes back out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Button:
    """A button: the label a person sees and the opaque action string sent back when pressed."""

    label: str
    action: str


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a person: typed text or a pressed button's action.

    `message_id` is optional: a channel that can redeliver (Telegram update ids, Slack event ids)
    passes its id, and the engine processes each id once, in the same transaction as the answer.
    """

    channel: str
    user_id: str
    text: str | None = None
    action: str | None = None
    display_name: str | None = None
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class Outbound:
    """One reply: plain text (channels escape it), buttons, and the question it asks, if any."""

    text: str
    buttons: tuple[Button, ...] = field(default=())
    question_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.buttons, tuple):
            object.__setattr__(self, "buttons", tuple(self.buttons))


# adapters branch: the durable outbox ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Delivery:
    """The replies to one inbound message, and the outbox id to pass to `Engine.mark_sent` once sent.

    `id` is None when nothing was kept (no replies, or a turn that failed); `user_id` is set on
    deliveries read back by `Engine.unsent`, which are sent to that user before new messages.
    """

    id: int | None = None
    replies: list[Outbound] = field(default_factory=list)
    user_id: str | None = None


def encode_replies(replies: list[Outbound]) -> str:
    """Replies as JSON for the outbox."""
    encoded = [
        {"text": r.text, "buttons": [[b.label, b.action] for b in r.buttons], "question": r.question_id}
        for r in replies
    ]
    return json.dumps(encoded, ensure_ascii=False)


def decode_replies(encoded: str) -> list[Outbound]:
    """Replies read back from the outbox."""
    return [
        Outbound(r["text"], tuple(Button(label, action) for label, action in r["buttons"]), r["question"])
        for r in json.loads(encoded)
    ]
