"""Fit the answerer's confidence model on dev and the calibration set; choose its threshold by leaving each
writer out.

Run from the repository root: `python bench/calibrate.py` (prints the leave-one-writer-out table) and
`python bench/calibrate.py --write` (also writes bot/calibration.json). Only the FITTED_ON sets are read:
each candidate the answerer considers for one of their questions (bot/_confidence.py) is a row, labelled
right when it contains every expected phrase. The calibration set (three writers, 25 Nov 2026) is used for
nothing else: the content was never tuned on it, so its rows show how the features look on new questions,
where dev's are flattered by the curated answers and lexicon written while reading dev. (The older
labelled set was tried as more rows: it drew the model towards its short curated phrasings and the holdout
lost 4.6 points, so it is left out.)
A logistic regression (scikit-learn) is fitted on all writers' questions but one and the whole
answerer is scored on the one left out, for every threshold. The threshold chosen
is the one whose pooled left-out figures give the most right answers less WRONG_COST times the
confidently wrong ones (a wrong answer stated with confidence costs more than a "not sure" that still
shows the closest passage), among those declining at least DECLINED_FLOOR of the out-of-scope
questions. The final weights are fitted on every writer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_answers import Score, has_all, load_set, run  # noqa: E402
from bot._answers import Answerer  # noqa: E402
from bot._confidence import FEATURES, Calibration  # noqa: E402
from content import load_content  # noqa: E402

FITTED_ON = ("dev", "calibration")
WRONG_COST = 4  # a confidently wrong answer costs four right ones (see README, "Answer quality")
DECLINED_FLOOR = 0.95
RELATED_SHARE = 0.5  # below the threshold, a candidate this fraction of it is shown as possibly related
THRESHOLDS = [round(t, 2) for t in np.arange(0.30, 0.96, 0.05)]
REGULARISATION = 1.0  # scikit-learn's C


def rows(answerer: Answerer, items: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, labels, writer) for every candidate of every dev question."""
    features, labels, writers = [], [], []
    for item in items:
        for candidates in answerer.candidate_sets(item["q"]):
            for candidate in candidates:
                right = item["kind"] != "out_of_scope" and has_all(
                    f"{candidate.answer}\n{candidate.source or ''}", item["expect"]
                )
                features.append(candidate.features)
                labels.append(int(right))
                writers.append(item["set"])
    return np.array(features, dtype=float), np.array(labels), np.array(writers)


def fit(features: np.ndarray, labels: np.ndarray, threshold: float, fitted_on: str) -> Calibration:
    """A logistic regression over the candidates' features, as a Calibration."""
    model = LogisticRegression(C=REGULARISATION, max_iter=5000)
    model.fit(features, labels)
    return Calibration(
        tuple(float(w) for w in model.coef_[0]),
        float(model.intercept_[0]),
        threshold,
        round(threshold * RELATED_SHARE, 3),
        fitted_on,
    )


def pooled(scores: list[Score]) -> Score:
    """Several writers' scores added together."""
    total = Score()
    for score in scores:
        for name in ("in_scope", "right", "wrong", "related", "out", "declined", "fees", "fees_right"):
            setattr(total, name, getattr(total, name) + getattr(score, name))
    return total


def main() -> None:
    """Print the left-out table; with --write, fit on all of dev and write bot/calibration.json."""
    parser = argparse.ArgumentParser(description="Fit the answerer's confidence model on dev.")
    parser.add_argument("--write", action="store_true", help="write bot/calibration.json")
    parser.add_argument("--on", default=",".join(FITTED_ON), help=f"sets to fit on (default {','.join(FITTED_ON)})")
    options = parser.parse_args()
    write = options.write
    content = load_content()
    dev = [item for name in options.on.split(",") for item in load_set(name)]
    answerer = Answerer(content, Calibration(tuple(0.0 for _ in FEATURES), 0.0, 1.0, 1.0))
    features, labels, writers = rows(answerer, dev)
    print(f"{len(dev)} questions → {len(labels)} candidates, {labels.sum()} right")
    table: dict[float, list[Score]] = {t: [] for t in THRESHOLDS}
    for writer in sorted(set(writers)):
        held = [item for item in dev if item["set"] == writer]
        model = fit(features[writers != writer], labels[writers != writer], 0.5, f"dev without {writer}")
        for threshold in THRESHOLDS:
            answerer.calibration = Calibration(model.weights, model.bias, threshold, threshold * RELATED_SHARE)
            table[threshold].append(run(answerer, held))
    print(
        f"{'threshold':>9} {'right':>7} {'conf. wrong':>11} {'declined':>9} {'fees':>7}  right - {WRONG_COST} x wrong"
    )
    best: tuple[float, float] | None = None  # (value, threshold)
    for threshold, scores in table.items():
        total = pooled(scores)
        wrong, declined = total.rate(total.wrong), total.declined / total.out
        value = total.rate(total.right) - WRONG_COST * wrong
        ok = declined >= DECLINED_FLOOR
        if ok and (best is None or value > best[0] + 1e-9):
            best = (value, threshold)
        print(f"{threshold:>9.2f} {total.row()[:38]}  {value:+.3f}{'' if ok else '  declines too few'}")
    chosen = best[1] if best is not None else THRESHOLDS[-1]
    print(f"chosen threshold {chosen:.2f}")
    sets = " + ".join(f"{name}.yaml" for name in options.on.split(","))
    fitted_on = f"{sets}, {len(dev)} questions; threshold by leaving each writer out"
    final = fit(features, labels, chosen, fitted_on)
    for name, weight in zip(FEATURES, final.weights, strict=True):
        print(f"  {name:<14} {weight:+.3f}")
    print(f"  {'bias':<14} {final.bias:+.3f}")
    if write:
        final.save()
        print("wrote bot/calibration.json")


if __name__ == "__main__":
    main()
