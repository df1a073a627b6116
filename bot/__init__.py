"""The ELP consultation engine: `Engine`, and the message types every channel adapter uses."""

from bot._messages import Button, Inbound, Outbound
from bot.engine import Engine

__all__ = ["Button", "Engine", "Inbound", "Outbound"]
