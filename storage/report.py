"""Kept for callers of the old names: the report and workbook now live in `bot.results`."""

from __future__ import annotations

from typing import Any

__all__ = ["build_report", "tallies"]


def build_report(*args: Any, **kwargs: Any) -> str:
    """The board report (see `bot.results.report.build_report`)."""
    from bot.results.report import build_report as build

    return build(*args, **kwargs)


def tallies(*args: Any, **kwargs: Any) -> Any:
    """Counts per question and group (see `bot.results.tables.tallies`)."""
    from bot.results.tables import tallies as count

    return count(*args, **kwargs)
