"""Counting responses for the ELP team: kept for callers of the old names; the SQL lives in `Store`."""

from __future__ import annotations

from typing import Any

from storage import Store, Summary

__all__ = ["Summary", "school_statuses", "summary"]


def summary(store: Store) -> Summary:
    """Respondents, submitted, in progress; member schools responded (if marked); by type and role."""
    return store.summary()


def school_statuses(store: Store) -> list[dict[str, Any]]:
    """Every member school (or every open school if none are marked) with its response status."""
    return store.school_statuses()
