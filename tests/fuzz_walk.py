"""A seeded random walk over the public engine API, checking invariants after every turn.

Used by tests/test_fuzz.py (a few seconds, fixed seeds) and bench/fuzz_engine.py (longer, many processes).
Each walker owns its respondents (user ids with its own prefix), so several walkers, in threads or
processes, can share one database file and still check their own respondents exactly.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from bot import Engine, Inbound, Outbound
from bot import _actions as actions

# Invariant names (the keys of Walk.violations).
RAISED = "never raises"  # handle() raised, or a turn failed and was rolled back ("Sorry, something went wrong")
NO_REPLY = "always replies unless duplicate"
INVALID_CHOICE = "stored choices are valid codes"
AUDIT = "audit log grows exactly with stored changes"
UNOFFERED = "no action answers a question not yet offered"
INVARIANTS = (RAISED, NO_REPLY, INVALID_CHOICE, AUDIT, UNOFFERED)

WORDS = [
    "hi",
    "hello",
    "/start",
    "/start elp",
    "/start x" * 3,
    "start",
    "help",
    "menu",
    "/help",
    "back",
    "skip",
    "next",
    "no comment",
    "review",
    "submit",
    "yes",
    "no",
    "y",
    "n",
    "nope",
    "no thanks",
    "nothing",
    "n/a",
    "my data",
    "delete my data",
    "erase",
    "stats",
    "unanswered",
    "sections",
    "section 2",
    "change q3",
    "change 5.10",
    "fee",
    "ask",
    "what is the fee",
    "how much for 420 pupils",
    "primary",
    "secondary",
    "420",
    "0",
    "-5",
    "1",
    "2",
    "3",
    "4",
    "5",
    "9",
    "²",
    "①",
    "٣",
    "Yes",
    "Partly, because of cost",
    "partly",
    "No",
    "Don't know",
    "unsure",
    "Yes 👍",
    ":+1:",
    "👍",
    "🎉🎉",
    "Partly, 🎉🎉",
    "St Mark's Primary",
    "Drayton Manor",
    "none of these",
    "Headteacher",
    "Chair of governors",
    "Ada Lovelace",
    "what does ELP offer",
    "tell me about CPD",
    "cancel",
    "keep",
    "confirm",
    "submit anyway",
    "",
    "   ",
    "\u200b",
    "\x00",
    "\u202eevil",
    "ÿ" * 300,
    "a" * 5000,
    "SELECT * FROM answers; --",
    "'; DROP TABLE answers; --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "%s%s%n",
    "\ud800",
    "Ω≈ç√∫",
    "q5.10 yes",
    "ans:q1:yes:1",
]
# Words that move around the conversation, drawn more often so that every prompt is reached and left.
NAVIGATION = [
    "back", "skip", "next", "no comment", "help", "menu", "review", "submit", "yes", "no", "fee", "ask",
    "delete my data", "my data", "start", "1", "2", "²", "①", "Partly, because of cost", "St Mark's Primary",
    "Headteacher",
]  # fmt: skip
GARBAGE_ACTIONS = [
    "",
    ":",
    "ans",
    "ans:",
    "ans:q1",
    "ans:q1:yes",
    "ans:q1:yes:",
    "ans:q1:yes:x",
    "ans:Q1:YES:1",
    "ans:q1:yes:-1",
    "ans:q1:yes:1:2",
    "nav:start:99999999999",
    "go:nowhere",
    "more:",
    "more:../../etc",
    "x" * 65,
    "ans:q1:yes:1" + " ",
    "🎉",
    "\x00",
    "ans:q1:yes:1\n",
    "nav:start:01",
    "fee:band::1",
    "id:school::1",
    "cmt:q99:1",
    "chg::1",
]


@dataclass
class Person:
    """One respondent the walker drives, and what it has been offered."""

    channel: str
    user_id: str
    display_name: str | None
    offered_actions: list[str] = field(default_factory=list)
    offered_questions: set[str] = field(default_factory=set)
    sent_actions: set[str] = field(default_factory=set)


@dataclass
class Walk:
    """The outcome of a walk: turns taken and, per invariant, how often it broke and the first few turns that did."""

    turns: int = 0
    duplicates: int = 0
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def record(self, invariant: str, detail: str) -> None:
        """Count a violation; keep the first few, enough to reproduce it."""
        self.counts[invariant] += 1
        if len(self.examples[invariant]) < 5:
            self.examples[invariant].append(detail)

    def report(self, invariant: str) -> str:
        """What broke `invariant`, for an assertion message."""
        return f"{self.counts[invariant]} of {self.turns} turns broke {invariant!r}; first: " + "\n".join(
            self.examples[invariant]
        )


class Walker:
    """Drives `people` through `engine` with random inbound messages; `close_at` turn moves the clock past closing."""

    def __init__(
        self,
        engine: Engine,
        seed: int,
        *,
        people: int = 3,
        prefix: str = "w",
        set_clock: Callable[[dt.datetime], None] | None = None,
    ):
        self.engine, self.rng, self.prefix = engine, random.Random(seed), prefix
        self.content = engine.content
        self.set_clock = set_clock
        channels = ["fuzz", "fuzz", "other"]
        self.people = [
            Person(channels[n % len(channels)], f"{prefix}{n}", self.rng.choice([None, "Ada", "Bob"]))
            for n in range(people)
        ]
        self.codes = {c.code for c in self.content.consultation.choices}
        self.kinds = {q.id: q.kind for q in self.content.questions}
        self.error_text = self.content.say("error")
        self.used_ids: list[tuple[str, str]] = []
        self.serial = 0
        self.walk = Walk()
        self.conn = engine.store.conn

    # ---------------------------------------------------------------- inbound generation

    def forged_action(self) -> str:
        rng = self.rng
        verb = rng.choice(["ans", "ans", "ans", "id", "nav", "chg", "sec", "cmt", "fee", "more", "go"])
        qids = list(self.kinds)
        args = {
            "ans": lambda: (rng.choice(qids), rng.choice([*self.codes, "maybe"])),
            "id": lambda: (
                rng.choice(["type", "role", "consent", "name", "school"]),
                rng.choice(["skip", "display", "none", "primary", "headteacher", "123456"]),
            ),
            "nav": lambda: (
                rng.choice(
                    ["start", "back", "skip", "submit", "confirm", "changes", "review", "nocomment", "erase", "keep"]
                ),
            ),
            "chg": lambda: (rng.choice(qids),),
            "sec": lambda: (rng.choice(["s1", "s2", "s3", "s9"]),),
            "cmt": lambda: (rng.choice(qids),),
            "fee": lambda: (
                rng.choice(["band", "size"]),
                rng.choice(["primary", "secondary", "special", "pru_primary", "x"]),
            ),
            "more": lambda: (rng.choice(["aims", "fees", "cpd", "nothing"]),),
            "go": lambda: (rng.choice(["menu", "help", "ask", "fee", "review", "sections"]),),
        }[verb]()
        needs_serial = actions._VERBS[verb][1]
        serial = rng.choice([0, 1, 2, rng.randint(0, 60), rng.randint(0, 10**9 - 1)]) if needs_serial else None
        return actions.Action(verb, tuple(args), serial).encode()

    def next_inbound(self, person: Person) -> Inbound:
        rng = self.rng
        roll = rng.random()
        text = action = None
        if roll < 0.32 and person.offered_actions:
            action = rng.choice(person.offered_actions[-8:])  # a button on one of the last messages
        elif roll < 0.42 and person.offered_actions:
            action = rng.choice(person.offered_actions)  # a stale button from any earlier turn
        elif roll < 0.47:
            others = [p for p in self.people if p is not person and p.offered_actions]
            action = rng.choice(rng.choice(others).offered_actions) if others else self.forged_action()
        elif roll < 0.57:
            action = self.forged_action()
        elif roll < 0.60:
            action = rng.choice(GARBAGE_ACTIONS)
        else:
            text = rng.choice(NAVIGATION if rng.random() < 0.5 else WORDS)
        message_id: str | None
        if self.used_ids and rng.random() < 0.05:
            channel, message_id = rng.choice(self.used_ids)
            if channel != person.channel:
                message_id = None
        elif rng.random() < 0.1:
            message_id = None
        else:
            self.serial += 1
            message_id = f"{self.prefix}m{self.serial}"
            self.used_ids.append((person.channel, message_id))
        return Inbound(
            person.channel,
            person.user_id,
            text=text,
            action=action,
            display_name=person.display_name,
            message_id=message_id,
        )

    # ---------------------------------------------------------------- observation

    def respondent_id(self, person: Person) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM respondents WHERE channel = ? AND user_id = ?", (person.channel, person.user_id)
        ).fetchone()
        return row[0] if row else None

    def answers(self, respondent_id: int | None) -> dict[str, tuple[str | None, str | None]]:
        if respondent_id is None:
            return {}
        rows = self.conn.execute(
            "SELECT question_id, choice, comment FROM answers WHERE respondent_id = ?", (respondent_id,)
        )
        return {q: (c, m) for q, c, m in rows}

    def log_rows(self, respondent_id: int | None, after: int) -> list[tuple[str, str | None, str | None]]:
        if respondent_id is None:
            return []
        rows = self.conn.execute(
            "SELECT question_id, choice, comment FROM answer_log WHERE respondent_id = ? AND id > ? ORDER BY id",
            (respondent_id, after),
        )
        return list(rows)

    def last_log_id(self, respondent_id: int | None) -> int:
        # Per respondent: row ids of answer_log are reused after another process's erasure deletes the
        # newest rows, so a table-wide maximum read before the turn can hide this turn's own row.
        return self.conn.execute(
            "SELECT coalesce(max(id), 0) FROM answer_log WHERE respondent_id = ?", (respondent_id,)
        ).fetchone()[0]

    def seen(self, inbound: Inbound) -> bool:
        if inbound.message_id is None:
            return False
        row = self.conn.execute(
            "SELECT 1 FROM inbound_seen WHERE channel = ? AND message_id = ?", (inbound.channel, inbound.message_id)
        ).fetchone()
        return row is not None

    # ---------------------------------------------------------------- one turn

    def turn(self, person: Person) -> None:
        inbound = self.next_inbound(person)
        what = f"turn {self.walk.turns}: {person.channel}/{person.user_id} {inbound!r}"
        duplicate = self.seen(inbound)
        respondent_before = self.respondent_id(person)
        answers_before = self.answers(respondent_before)
        log_before = self.last_log_id(respondent_before)
        offered_before = set(person.offered_questions)
        try:
            replies = self.engine.handle(inbound)
        except Exception as exc:  # the invariant under test: handle never raises
            self.walk.record(RAISED, f"{what} raised {exc!r}")
            replies = []
        self.walk.turns += 1
        self.walk.duplicates += duplicate
        if any(r.text == self.error_text for r in replies):
            self.walk.record(RAISED, f"{what} failed and was rolled back")
        repeated = inbound.action is not None and (
            inbound.action in person.sent_actions or _answer_already(inbound.action, answers_before)
        )
        if not replies and not duplicate and not repeated:
            self.walk.record(NO_REPLY, f"{what} got no reply")
        if inbound.action is not None:
            person.sent_actions.add(inbound.action)
        respondent_after = self.respondent_id(person)
        if respondent_before is not None and respondent_after != respondent_before:
            person.offered_questions.clear()  # erased: nothing has been offered to whoever starts afresh
            offered_before, answers_before = set(), {}
        answers_after = self.answers(respondent_after)
        self.check_choices(what, answers_after)
        changed = {q for q, v in answers_after.items() if answers_before.get(q) != v}
        logged = self.log_rows(respondent_after, log_before)
        if sorted(q for q, _, _ in logged) != sorted(changed) or any(
            answers_after.get(q) != (c, m) for q, c, m in logged
        ):
            self.walk.record(AUDIT, f"{what}: changed {sorted(changed)} but logged {logged}")
        if respondent_after is not None:
            unoffered = changed - offered_before
            if unoffered:
                self.walk.record(UNOFFERED, f"{what} stored {sorted(unoffered)}, offered only {sorted(offered_before)}")
        self.learn(person, replies)

    def check_choices(self, what: str, answers: dict[str, tuple[str | None, str | None]]) -> None:
        for qid, (choice, _) in answers.items():
            kind = self.kinds.get(qid)
            valid = (kind == "choice" and choice in self.codes) or (kind == "text" and choice is None)
            if not valid:
                self.walk.record(INVALID_CHOICE, f"{what}: {qid} stored choice {choice!r}")

    def learn(self, person: Person, replies: list[Outbound]) -> None:
        for reply in replies:
            if reply.question_id:
                person.offered_questions.add(reply.question_id)
            for button in reply.buttons:
                person.offered_actions.append(button.action)
                decoded = actions.decode(button.action)
                if decoded is not None and decoded.verb == "ans":
                    person.offered_questions.add(decoded.args[0])
        del person.offered_actions[:-200]

    # ---------------------------------------------------------------- the walk

    def run(self, turns: int, close_after: float | None = 0.85) -> Walk:
        """Take `turns` turns, people interleaved at random; the clock passes the closing date near the end."""
        for n in range(turns):
            if close_after is not None and n == int(turns * close_after):
                self.close()
            self.turn(self.rng.choice(self.people))
        return self.walk

    def close(self) -> None:
        """Move the clock two days past the consultation's closing date."""
        closing = dt.datetime.combine(self.content.consultation.closes, dt.time(12), tzinfo=dt.UTC)
        if self.set_clock is not None:
            self.set_clock(closing + dt.timedelta(days=2))


def _answer_already(action: str, answers: dict[str, tuple[str | None, str | None]]) -> bool:
    """An answer button whose answer is already the stored one: pressing it again changes nothing."""
    decoded = actions.decode(action)
    return decoded is not None and decoded.verb == "ans" and answers.get(decoded.args[0], (None,))[0] == decoded.args[1]


def integrity(conn: sqlite3.Connection) -> str:
    """PRAGMA integrity_check's verdict ('ok' when the file is sound)."""
    return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))


def database_invariants(conn: sqlite3.Connection, codes: set[str], kinds: dict[str, str]) -> list[str]:
    """Whole-database checks after any number of processes and kills: valid choices, every answer in the audit log."""
    problems = []
    for rid, qid, choice in conn.execute("SELECT respondent_id, question_id, choice FROM answers"):
        kind = kinds.get(qid)
        if not ((kind == "choice" and choice in codes) or (kind == "text" and choice is None)):
            problems.append(f"respondent {rid} {qid}: invalid stored choice {choice!r}")
    latest = conn.execute(
        "SELECT a.respondent_id, a.question_id FROM answers a WHERE NOT EXISTS (SELECT 1 FROM answer_log l"
        " WHERE l.respondent_id = a.respondent_id AND l.question_id = a.question_id AND l.choice IS a.choice"
        " AND l.comment IS a.comment AND l.id = (SELECT max(id) FROM answer_log m WHERE m.respondent_id ="
        " a.respondent_id AND m.question_id = a.question_id))"
    ).fetchall()
    problems += [f"respondent {rid} {qid}: answer differs from its last audit row" for rid, qid in latest]
    orphans = conn.execute(
        "SELECT count(*) FROM answer_log l WHERE NOT EXISTS (SELECT 1 FROM respondents r WHERE r.id = l.respondent_id)"
    ).fetchone()[0]
    if orphans:
        problems.append(f"{orphans} audit rows of respondents that no longer exist")
    return problems
