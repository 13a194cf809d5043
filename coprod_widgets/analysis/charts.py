"""Charts as SVG text, each with a text alternative; the table beside it carries the numbers."""

from __future__ import annotations

import io
import math
import re
from html import escape
from typing import cast

import matplotlib

# Figures are made with matplotlib.figure and written by its SVG backend: pyplot (its state
# machine and GUI backends) is never imported, a fifth of a cold report's start-up.
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..model.aggregate import RoundResults
from ..model.trends import PrincipleTrend, comparable

matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: searchable and smaller
PALETTE = [
    "#b2182b",
    "#ef8a62",
    "#fddbc7",
    "#d1e5f0",
    "#67a9cf",
    "#2166ac",
    "#053061",
    "#4d4d4d",
    "#878787",
    "#bababa",
]


def _svg(fig, label: str) -> str:
    buf = io.StringIO()
    # Our text (principle titles, scale labels, costs) is never read as mathtext: "$5 and $10"
    # stays as typed, and a stray "$x^$" cannot make the page or the report fail. Both the texts
    # made already and those made as the figure is drawn (tick labels), whatever rcParams say.
    with matplotlib.rc_context({"text.parse_math": False}):
        for text in fig.findobj(Text):
            text.set_parse_math(False)
        fig.savefig(buf, format="svg", bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def radar_svg(results: RoundResults, label: str) -> str:
    """Each principle's median on a radar (with the range of member scores shaded)."""
    ps = [p for p in results.principles if p.n]
    scale = results.framework.scale
    fig = Figure(figsize=(5.2, 5.2))
    ax = fig.add_subplot(projection="polar")
    if len(ps) >= 3:
        angles = [2 * math.pi * i / len(ps) for i in range(len(ps))]
        loop = [*angles, angles[0]]
        # ps holds only principles with scores, so none of these is None
        med = [cast(float, p.median) for p in ps]
        lo = [cast(float, p.low) for p in ps]
        hi = [cast(float, p.high) for p in ps]
        ax.fill_between(
            loop, [*lo, lo[0]], [*hi, hi[0]], color="#67a9cf", alpha=0.25, label="range of views"
        )
        ax.plot(loop, [*med, med[0]], color="#053061", linewidth=2, marker="o", label="median")
        ax.set_xticks(angles)
        ax.set_xticklabels([_wrap(p.title) for p in ps], fontsize=9)
        ax.set_ylim(scale.minimum - 0.5 if scale.minimum > 0 else 0, scale.maximum)
        ax.set_yticks(list(scale.values))
        ax.legend(loc="lower right", bbox_to_anchor=(1.15, -0.12), fontsize=8, frameon=False)
    return _svg(fig, label)


def compare_radar_svg(first: RoundResults, latest: RoundResults, label: str) -> str:
    """The first and the latest round's medians on one radar, principles of the latest round."""
    scale = latest.framework.scale
    ps = [p for p in latest.principles if p.n]
    # Only principles asked the same way in both rounds get a first-round point; the others
    # leave a gap in that line rather than put unlike medians side by side.
    firsts = {
        p.principle_id: cast(float, p.median)  # p.n: it has scores, so a median
        for p in first.principles
        if p.n and comparable(first.framework, latest.framework, p.principle_id)
    }
    fig = Figure(figsize=(5.2, 5.2))
    ax = fig.add_subplot(projection="polar")
    if len(ps) >= 3:
        angles = [2 * math.pi * i / len(ps) for i in range(len(ps))]
        loop = [*angles, angles[0]]
        then = [firsts.get(p.principle_id, math.nan) for p in ps]
        if any(not math.isnan(v) for v in then):
            ax.plot(
                loop,
                [*then, then[0]],
                color="#b2182b",
                linewidth=2,
                linestyle="--",
                marker="s",
                label=f"first round ({first.round.created_at[:10]})",
            )
        now = [cast(float, p.median) for p in ps]  # ps: principles with scores
        ax.plot(
            loop,
            [*now, now[0]],
            color="#053061",
            linewidth=2,
            marker="o",
            label=f"latest round ({latest.round.created_at[:10]})",
        )
        ax.set_xticks(angles)
        ax.set_xticklabels([_wrap(p.title) for p in ps], fontsize=9)
        ax.set_ylim(scale.minimum - 0.5 if scale.minimum > 0 else 0, scale.maximum)
        ax.set_yticks(list(scale.values))
        ax.legend(loc="lower right", bbox_to_anchor=(1.2, -0.14), fontsize=8, frameon=False)
    return _svg(fig, label)


def trend_svg(trends: list[PrincipleTrend], scale_min: int, scale_max: int, label: str) -> str:
    """One line per principle across the rounds; a gap where its statements changed."""
    fig = Figure(figsize=(7.5, 4.2))
    ax = fig.subplots()
    rounds: list[int] = []
    for t in trends:
        for pt in t.points:
            if pt.round_id not in rounds:
                rounds.append(pt.round_id)
    rounds.sort()
    markers = "osD^v<>ph*"
    for k, t in enumerate(trends):
        xs: list[float] = []
        ys: list[float] = []
        for i, pt in enumerate(t.points):
            if i in t.breaks and xs:
                ax.plot(xs, ys, color=_line_colour(k), marker=markers[k % len(markers)])
                xs, ys = [], []
            if pt.shown and pt.median is not None:
                xs.append(rounds.index(pt.round_id))
                ys.append(pt.median)
        ax.plot(
            xs,
            ys,
            color=_line_colour(k),
            marker=markers[k % len(markers)],
            label=_wrap(t.title, 30),
        )
    dates = {pt.round_id: pt.date for t in trends for pt in t.points}
    ax.set_xticks(range(len(rounds)))
    ax.set_xticklabels([f"Round {r}\n{dates.get(r, '')}" for r in rounds], fontsize=8)
    ax.set_ylim(scale_min - 0.2, scale_max + 0.2)
    ax.set_ylabel("median of member scores")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, frameon=False)
    return _svg(fig, label)


def _line_colour(k: int) -> str:
    return ["#053061", "#b2182b", "#1b7837", "#762a83", "#e08214", "#4d4d4d", "#2166ac"][k % 7]


def distribution_svg(results: RoundResults, label: str) -> str:
    """A stacked horizontal bar per principle: the share of ratings on each point of the scale."""
    scale = results.framework.scale
    ps = list(results.principles)
    fig = Figure(figsize=(7.5, 0.55 * len(ps) + 1.3))
    ax = fig.subplots()
    names = [_wrap(p.title, 28) for p in ps][::-1]
    left = [0.0] * len(ps)
    colours = _colours(len(scale.points))
    for k, pt in enumerate(scale.points):
        counts = [p.distribution.get(pt.value, 0) for p in ps][::-1]
        ax.barh(
            names,
            counts,
            left=left,
            color=colours[k],
            label=f"{pt.value} {pt.label}",
            edgecolor="white",
        )
        left = [a + b for a, b in zip(left, counts)]
    if scale.dont_know:
        dk = [p.dont_know for p in ps][::-1]
        ax.barh(
            names, dk, left=left, color="#bdbdbd", label="Don't know", hatch="//", edgecolor="white"
        )
    ax.set_xlabel("number of statement ratings")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        ncol=min(6, len(scale.points) + 1),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.25),
        fontsize=8,
        frameon=False,
    )
    return _svg(fig, label)


def _colours(n: int) -> list[str]:
    if n <= 1:
        return [PALETTE[5]]
    idx = [round(i * 6 / (n - 1)) for i in range(n)]
    return [PALETTE[i] for i in idx]


def _wrap(text: str, width: int = 18) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)
