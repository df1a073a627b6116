"""Charts for the board report: horizontal stacked bars as inline SVG that read in black and white.

Four greys with four hatch patterns; every non-zero segment carries its count, inside the bar when
it fits and after the bar, with its answer's name, when it does not; each chart has a title and a text description.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no screen: render to files only
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable, readable by screen readers
matplotlib.rcParams["svg.hashsalt"] = "elp-report"  # stable ids, so the same data gives the same file
import matplotlib.pyplot as plt  # noqa: E402

from bot.results.tables import Row  # noqa: E402

GREYS = ("#f2f2f2", "#bdbdbd", "#7a7a7a", "#3d3d3d")
HATCHES = ("", "///", "---", "xx")  # line hatches only: a dot hatch is thousands of tiny circles
BAR_HEIGHT = 0.56
INSIDE_MIN_SHARE = 7.0  # a segment narrower than this (% of the bar) gets its count outside


def _segment_labels(ax, rows: list[Row], ys: list[int], choice_labels: list[str]) -> None:
    """Write every non-zero count: centred in its segment, or after the bar ("Not sure 2") when it is narrow."""
    for row, y in zip(rows, ys, strict=True):
        left = 0.0
        outside = []
        for index, count in enumerate(row.counts):
            share = count / row.total * 100 if row.total else 0.0
            centre = left + share / 2
            left += share
            if not count:
                continue
            if share >= INSIDE_MIN_SHARE:
                ax.text(
                    centre,
                    y,
                    str(count),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if index >= 2 else "black",
                    bbox={"facecolor": GREYS[index], "edgecolor": "none", "pad": 0.5},
                )
            else:
                outside.append(f"{choice_labels[index]} {count}")
        if outside:
            ax.text(101.5, y, " · ".join(outside), ha="left", va="center", fontsize=6.5, clip_on=False)


def chart_svg(rows: list[Row], choice_labels: list[str], title: str, chart_id: str) -> str:
    """A horizontal stacked bar chart as inline SVG with a title and description for screen readers."""
    height = 0.85 + 0.36 * len(rows)
    fig, ax = plt.subplots(figsize=(7.0, height))
    lefts = [0.0] * len(rows)
    ys = list(range(len(rows)))[::-1]
    for index, label in enumerate(choice_labels):
        shares = [(r.counts[index] / r.total * 100 if r.total else 0.0) for r in rows]
        ax.barh(
            ys,
            shares,
            left=lefts,
            height=BAR_HEIGHT,
            color=GREYS[index],
            hatch=HATCHES[index],
            edgecolor="black",
            linewidth=0.6,
            label=label,
        )
        lefts = [left + share for left, share in zip(lefts, shares, strict=True)]
    _segment_labels(ax, rows, ys, choice_labels)
    ax.set_yticks(ys, [f"{r.label} (n={r.total})" for r in rows], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("% of answers", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(ncols=4, fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    description = "; ".join(
        f"{r.label}: " + ", ".join(f"{label} {count}" for label, count in zip(choice_labels, r.counts, strict=True))
        for r in rows
    )
    head, rest = svg.replace("<svg ", f'<svg role="img" aria-labelledby="{chart_id}-t {chart_id}-d" ', 1).split(">", 1)
    text = f'<title id="{chart_id}-t">{_xml(title)}</title><desc id="{chart_id}-d">{_xml(description)}</desc>'
    return f"{head}>{text}{rest}"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
