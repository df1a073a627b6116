"""The confidence model: its file, its arithmetic, and that the shipped weights are the ones its sets give."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bot._confidence import CALIBRATION_FILE, FEATURES, Calibration


def test_shipped_calibration_loads_for_these_features() -> None:
    calibration = Calibration.load()
    assert len(calibration.weights) == len(FEATURES)
    assert 0 < calibration.related_threshold < calibration.threshold < 1
    assert "dev" in calibration.fitted_on


def test_probability_is_the_logistic_of_the_weighted_sum() -> None:
    calibration = Calibration(tuple(1.0 if n == "coverage" else 0.0 for n in FEATURES), -0.5, 0.7, 0.35)
    features = tuple(0.8 if n == "coverage" else 9.0 for n in FEATURES)
    assert calibration.probability(features) == pytest.approx(1 / (1 + math.exp(-0.3)))
    huge = tuple(1e6 for _ in FEATURES)
    assert calibration.probability(huge) == pytest.approx(1.0)  # no overflow


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    calibration = Calibration(tuple(float(i) / 7 for i in range(len(FEATURES))), 0.25, 0.7, 0.35, "a test")
    path = tmp_path / "calibration.json"
    calibration.save(path)
    loaded = Calibration.load(path)
    assert loaded.threshold == 0.7 and loaded.fitted_on == "a test"
    assert loaded.weights == pytest.approx(calibration.weights, abs=1e-6)
    assert list(json.loads(path.read_text())["weights"]) == list(FEATURES)  # by name, so a change reads as a diff


def test_weights_for_other_features_are_refused_with_the_fix(tmp_path: Path) -> None:
    data = json.loads(CALIBRATION_FILE.read_text())
    data["features"] = data["features"][:-1]
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="re-run calibrate"):
        Calibration.load(path)


def test_shipped_weights_are_what_the_fitting_sets_give(content) -> None:
    """bot/calibration.json is stale when content, features or the sets changed without `python
    bench/calibrate.py --write`: fitting again on dev and calibration must give the same weights."""
    pytest.importorskip("sklearn")
    from bench.bench_answers import load_set
    from bench.calibrate import FITTED_ON, fit, rows
    from bot._answers import Answerer

    shipped = Calibration.load()
    assert all(f"{name}.yaml" in shipped.fitted_on for name in FITTED_ON)
    answerer = Answerer(content, Calibration(tuple(0.0 for _ in FEATURES), 0.0, 1.0, 1.0))
    features, labels, _ = rows(answerer, [item for name in FITTED_ON for item in load_set(name)])
    again = fit(features, labels, shipped.threshold, shipped.fitted_on)
    assert again.weights == pytest.approx(shipped.weights, abs=1e-3)
    assert again.bias == pytest.approx(shipped.bias, abs=1e-3)


def test_the_readme_counts_the_features() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"described by {len(FEATURES)} numbers" in readme
