"""The ELP consultation engine: `Engine`, and the message types every channel adapter uses."""

from bot._messages import Button, Delivery, Inbound, Outbound
from bot._text import Command
from bot.engine import Engine

__all__ = ["Button", "Command", "Delivery", "Engine", "Inbound", "Outbound"]
