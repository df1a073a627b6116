"""Confidence that means something: a logistic model over each candidate answer's features, fitted on dev.

The answerer (bot/_answers.py) turns a question into candidates: the closest curated answer and the
passages BM25 ranks highest, each described by the features below. `Calibration.probability` is the
chance, learned on the dev half of the evaluation sets (bench/calibrate.py), that a candidate contains
the right answer. The best candidate is given as an answer only at `threshold` or above; from
`related_threshold` it is shown as possibly related. The weights live in bot/calibration.json, written
by bench/calibrate.py and never edited by hand.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")

FEATURES = (
    "coverage",  # share of the question's weight the candidate covers (body, or its titles at 0.9)
    "body_coverage",  # share covered by the words shown
    "precision",  # share of the candidate's own weight the question covers (a short passage fully matched)
    "bm25",  # BM25 score over the best candidate's
    "first",  # 1 for the candidate BM25 ranks first
    "lead",  # coverage minus the best coverage among candidates on other topics
    "tied",  # log(1 + other candidates fitting as well, within 0.05)
    "unknown",  # share of the question's weight in words the content never uses
    "length",  # log(1 + the question's distinct content words)
    "faq",  # the curated phrasing's score (0–1) when the candidate is, or quotes, the closest curated answer
    "is_faq",
    "is_topic",  # a topic or section: found by its title
    "is_question",  # a questionnaire question
    "is_meta",  # the document, its dates or the fee table
    "everyday",  # read again with everyday.yaml's words
    "lacks",  # the heaviest question word the candidate lacks, over the question's heaviest
    "has",  # the heaviest question word the candidate has, over the question's heaviest
    "matched",  # log(1 + the question's words the candidate has)
    "phrases",  # share of the question's neighbouring word pairs the candidate has side by side
    "named",  # a questionnaire question the question names by number ("Q5.4", "question 3")
    "curated",  # a curated answer whose phrasing matches the question closely (FAQ_MIN or more)
    "asked",  # the classifier's chance that people asking this want this passage (bot/_classifier.py)
    "asked_first",  # 1 for the passage the classifier finds likeliest
    "asked_peak",  # the classifier's chance for its likeliest passage (low when nothing fits well)
    "asked_none",  # the classifier's chance that it asks for something the documents do not have
)
# What a question asks for, read from its words: the model learns which kinds the documents rarely answer
# (a date, a price, a name, a phone number, how to book) and which they do (is there…, what is…).
INTENTS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.I)
    for name, pattern in {
        "asks_who": r"\bwho\b|\bwhos\b",
        "asks_when": r"\bwhen\b|\bwhat time\b|\bdates?\b|\bdeadline\b|\bthis year\b|\bnext\b",
        "asks_where": r"\bwhere\b|\bvenue\b|\blocation\b",
        "asks_why": r"\bwhy\b|\breason",
        "asks_how_many": r"\bhow (?:many|much)\b|\bnumber of\b",
        "asks_cost": r"\bcost|\bprice|\bcharge|£|\bpay\b|\bfee",
        "asks_name": r"\bname",
        "asks_number": r"\bnumber\b|\bphone|\bcall\b|\bring\b",
        "asks_booking": r"\bbook|\bregister|\bsign ?up|\bapply|\benrol",
        "asks_exists": r"^(?:is there|are there|does (?:elp|the partnership)|do they|do you|can (?:we|i|our)|any\b)"
        r"|\bis there\b|\bare there\b",
        "asks_what": r"^(?:what is|what's|whats|what are|tell me|explain)",
        "asks_how_to": r"\bhow (?:do|can|should) (?:i|we)\b",
    }.items()
}
FEATURES = FEATURES + tuple(INTENTS)


def features(**values: float) -> tuple[float, ...]:
    """The feature vector in FEATURES order, from values given by name (every name, nothing else)."""
    if values.keys() != set(FEATURES):
        raise ValueError(f"features: missing {set(FEATURES) - values.keys()}, unknown {values.keys() - set(FEATURES)}")
    return tuple(float(values[name]) for name in FEATURES)


def intents(question: str) -> dict[str, float]:
    """1.0 for each kind of thing the question asks for (INTENTS), else 0.0, by name."""
    text = " ".join(question.casefold().replace("’", "'").split())
    return {name: float(bool(pattern.search(text))) for name, pattern in INTENTS.items()}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible answer to a question, with what the model reads about it."""

    key: str  # a passage key, or "faq:<id>"
    answer: str
    source: str | None
    topic: str | None
    kind: str  # faq | content
    features: tuple[float, ...]
    coverage: float
    related: tuple[str, ...] = ()
    compute: str | None = None


@dataclass(frozen=True, slots=True)
class Calibration:
    """Logistic weights per feature, a bias, and the two thresholds."""

    weights: tuple[float, ...]
    bias: float
    threshold: float
    related_threshold: float
    fitted_on: str = ""

    def probability(self, features: tuple[float, ...]) -> float:
        """The fitted chance that a candidate with these features is a right answer."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        """Read bot/calibration.json; its feature names must be FEATURES, in order."""
        data = json.loads(path.read_text(encoding="utf-8"))
        names = tuple(data["features"])
        if names != FEATURES:
            raise ValueError(f"{path.name}: fitted for features {names}, the answerer has {FEATURES}; re-run calibrate")
        return cls(
            tuple(float(data["weights"][n]) for n in names),
            float(data["bias"]),
            float(data["threshold"]),
            float(data["related_threshold"]),
            str(data.get("fitted_on", "")),
        )

    def save(self, path: Path = CALIBRATION_FILE) -> None:
        """Write the weights by feature name, so a change reads as a diff."""
        data = {
            "fitted_on": self.fitted_on,
            "features": list(FEATURES),
            "weights": {n: round(w, 6) for n, w in zip(FEATURES, self.weights, strict=True)},
            "bias": round(self.bias, 6),
            "threshold": self.threshold,
            "related_threshold": self.related_threshold,
        }
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
