"""The Teams app package: manifest.json with the bot's id filled in, and its two icons drawn with matplotlib."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

__all__ = ["ManifestError", "build_package", "icon_png", "manifest"]

HERE = Path(__file__).parent
ACCENT = "#1F4E79"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class ManifestError(ValueError):
    """The package cannot be built (say, no valid bot id)."""


def manifest(bot_id: str) -> dict[str, Any]:
    """manifest.json with the bot's Entra app id as the app id and `bots[0].botId`."""
    if not _GUID.match(bot_id or ""):
        raise ManifestError(
            f"the bot id {bot_id!r} is not an Entra app id (a GUID): set TEAMS_BOT_ID or"
            " CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID, or pass --bot-id"
        )
    text = (HERE / "manifest.json").read_text(encoding="utf-8").replace("${BOT_ID}", bot_id.lower())
    return json.loads(text)


def icon_png(size: int, *, outline: bool) -> bytes:
    """A square PNG: colour (white ELP on the accent colour) or outline (white on transparent, as Teams asks)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    figure = Figure(figsize=(size / 100, size / 100), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.axis("off")
    if outline:
        axes.add_patch(FancyBboxPatch((0.12, 0.12), 0.76, 0.76, boxstyle="round,pad=0,rounding_size=0.16",
                                      fill=False, edgecolor="white", linewidth=size / 16))  # fmt: skip
        axes.text(0.5, 0.47, "E", color="white", ha="center", va="center", fontsize=size * 0.42, fontweight="bold")
    else:
        axes.add_patch(FancyBboxPatch((0, 0), 1, 1, boxstyle="round,pad=0,rounding_size=0.18", color=ACCENT))
        axes.text(0.5, 0.5, "ELP", color="white", ha="center", va="center", fontsize=size * 0.26, fontweight="bold")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, transparent=True)
    return buffer.getvalue()


def build_package(out: Path, *, bot_id: str) -> Path:
    """Write the zip Teams accepts for sideloading or the org catalogue: manifest.json, color.png, outline.png."""
    data = manifest(bot_id)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False))
        package.writestr("color.png", icon_png(192, outline=False))
        package.writestr("outline.png", icon_png(32, outline=True))
    return out
