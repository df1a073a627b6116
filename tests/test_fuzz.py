"""A seeded random walk over the engine API (tests/fuzz_walk.py): forged, stale and garbage input, invariants per turn.

Fixed seeds, a few seconds in all. bench/fuzz_engine.py runs the long version (many processes, SIGKILLs).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot import Engine
from content import Content
from tests.conftest import OPEN_DAY, Chat, Clock
from tests.fuzz_walk import (
    AUDIT,
    INVALID_CHOICE,
    NO_REPLY,
    RAISED,
    UNOFFERED,
    Walk,
    Walker,
    database_invariants,
    integrity,
)

SEEDS = (1, 2, 3)
TURNS = 1000  # per seed; about a second each on an idle machine


class Outcome:
    """The walks of every seed, and the database they left."""

    def __init__(self, walks: list[Walk], path: Path, content: Content, closed_at: dt.datetime):
        self.walks, self.path, self.content, self.closed_at = walks, path, content, closed_at

    def broken(self, invariant: str) -> str:
        return "\n".join(w.report(invariant) for w in self.walks if w.counts[invariant])


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory, content: Content) -> Outcome:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    walks = []
    for seed in SEEDS:
        clock = Clock(OPEN_DAY)
        engine = Engine.open(path, content=content, clock=clock, admins=frozenset({("fuzz", f"s{seed}-0")}))
        try:
            walker = Walker(
                engine, seed, people=3, prefix=f"s{seed}-", set_clock=lambda t, c=clock: setattr(c, "now", t)
            )
            walks.append(walker.run(TURNS))
        finally:
            engine.close()
    return Outcome(walks, path, content, clock.now)


def test_fuzz_walk_covers_the_ground(outcome: Outcome) -> None:
    """The walk itself is worth something: it stored answers, submitted, erased, replayed ids, passed closing."""
    import sqlite3

    conn = sqlite3.connect(outcome.path)
    try:
        answers = conn.execute("SELECT count(*) FROM answer_log").fetchone()[0]
        submitted = conn.execute("SELECT count(*) FROM respondents WHERE submitted_at IS NOT NULL").fetchone()[0]
    finally:
        conn.close()
    assert sum(w.turns for w in outcome.walks) == TURNS * len(SEEDS)
    assert answers > 50 and submitted >= 1, (answers, submitted)
    assert all(w.duplicates > 0 for w in outcome.walks)
    assert outcome.closed_at.date() > outcome.content.consultation.closes


def test_fuzz_never_raises(outcome: Outcome) -> None:
    assert not outcome.broken(RAISED), outcome.broken(RAISED)


def test_fuzz_always_replies_unless_duplicate(outcome: Outcome) -> None:
    assert not outcome.broken(NO_REPLY), outcome.broken(NO_REPLY)


def test_fuzz_stored_choices_are_valid(outcome: Outcome) -> None:
    assert not outcome.broken(INVALID_CHOICE), outcome.broken(INVALID_CHOICE)


def test_fuzz_audit_log_grows_exactly_with_stored_changes(outcome: Outcome) -> None:
    assert not outcome.broken(AUDIT), outcome.broken(AUDIT)


def test_fuzz_no_action_answers_a_question_not_yet_offered(outcome: Outcome) -> None:
    assert not outcome.broken(UNOFFERED), outcome.broken(UNOFFERED)


def test_fuzz_database_is_sound_at_the_end(outcome: Outcome) -> None:
    import sqlite3

    conn = sqlite3.connect(outcome.path)
    try:
        assert integrity(conn) == "ok"
        codes = {c.code for c in outcome.content.consultation.choices}
        kinds = {q.id: q.kind for q in outcome.content.questions}
        assert database_invariants(conn, codes, kinds) == []
    finally:
        conn.close()


def test_fuzz_found_retyped_identical_answer_is_not_a_change(chat: Chat, engine: Engine) -> None:
    """Minimal reproduction of a violation of the audit invariant that bench/fuzz_engine.py found."""
    chat.identify()
    for _ in range(2):
        chat.send("change 5.11")
        chat.send("My proposal")
    rows = engine.store.conn.execute("SELECT count(*) FROM answer_log WHERE question_id = 'q5.11'").fetchone()[0]
    assert rows == 1
