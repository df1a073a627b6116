"""Charts: every non-zero segment carries its count, inside the bar or after it, and a text alternative."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bot.results.charts import chart_svg
from bot.results.tables import Row

LABELS = ["Yes", "Partly", "No", "Not sure"]


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_every_non_zero_segment_is_labelled() -> None:
    rows = [
        Row("overall", "All respondents", (100, 2, 0, 1)),
        Row("type:primary", "Primary", (10, 10, 10, 10)),
        Row("role:other", "Other (role)", (0, 0, 0, 5)),
    ]
    svg = chart_svg(rows, LABELS, "Q1 Aims: answers", "chart-q-1")
    written = texts(svg)
    assert written.count("100") == 2, "a wide segment: its count inside (and the axis's 100)"
    assert "Partly 2 · Not sure 1" in written, "narrow segments: named, after the bar"
    assert written.count("10") == 4 and "5" in written
    assert written.count("0") == 1, "an empty segment gets no label (the 0 is the axis's)"
    assert 'aria-labelledby="chart-q-1-t chart-q-1-d"' in svg
    assert "All respondents: Yes 100, Partly 2, No 0, Not sure 1" in svg
