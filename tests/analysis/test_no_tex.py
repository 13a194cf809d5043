"""Charts show our text as typed: a "$" in a title, a label or a cost is never read as mathtext."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import pandas as pd
import pytest

from coprod_widgets.analysis.budget import ALL_STAGES, TOTAL, budget_chart_svg
from coprod_widgets.analysis.charts import (
    compare_radar_svg,
    distribution_svg,
    radar_svg,
    trend_svg,
)
from coprod_widgets.model.aggregate import aggregate
from coprod_widgets.model.framework import Principle, ScalePoint, Statement
from coprod_widgets.model.rounds import Answer, Rating, Round
from coprod_widgets.model.trends import PrincipleTrend, TrendPoint

# Each of these is mathtext to matplotlib; the last two make it raise ValueError.
TITLES = ("Power $x^2$ shared", "Cost $5 and $10", "Pay $x^$ now", "A $\\nosuch$ symbol")


def svg_text(svg: str) -> str:
    """The words a chart shows: its <text> elements (svg.fonttype none keeps text as text)."""
    return " ".join(unescape(t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S))


@pytest.fixture
def dollar_results(small_framework):
    """Results of a round of a framework whose principle titles and scale labels hold "$"."""
    fw = small_framework
    principles = tuple(
        Principle(
            id=f"p{i}",
            title=title,
            description="About money.",
            statements=(Statement(f"p{i}-a", "We ask."),),
        )
        for i, title in enumerate(TITLES)
    )
    points = (ScalePoint(1, "Never $0$", "Not once."), *fw.scale.points[1:])
    fw = replace(fw, principles=principles, scale=replace(fw.scale, points=points))
    rnd = Round(1, "Team $x^2$", fw.id, fw.version, min_answers=1)
    answers = [
        Answer(ratings={f"p{i}-a": Rating(1 + (i + k) % 4) for i in range(4)}, status="submitted")
        for k in range(3)
    ]
    return aggregate(rnd, fw, answers)


def test_every_chart_shows_dollar_titles_as_typed(dollar_results):
    charts = {
        "radar": radar_svg(dollar_results, "radar"),
        "distribution": distribution_svg(dollar_results, "distribution"),
        "compare": compare_radar_svg(dollar_results, dollar_results, "compare"),
    }
    for name, svg in charts.items():
        words = svg_text(svg)
        for title in TITLES:
            # titles are wrapped onto lines in the charts: compare word by word
            assert all(part in words for part in title.split()), (name, title, words)
        assert "$x^2$" in words, name
    assert "1 Never $0$" in svg_text(charts["distribution"])


def test_trend_lines_named_with_dollars_are_drawn(dollar_results):
    trend = [
        PrincipleTrend(
            f"p{i}",
            title,
            (
                TrendPoint(1, "2025-01-01", "1.0", 2.0, 1.0, 3, True),
                TrendPoint(2, "2025-04-01", "1.0", 3.0, 1.0, 3, True),
            ),
        )
        for i, title in enumerate(TITLES)
    ]
    words = svg_text(trend_svg(trend, 1, 4, "trend"))
    assert "$x^2$" in words and "$5" in words and "$10" in words and "$x^$" in words


def test_budget_chart_shows_dollar_costs_as_typed():
    totals = pd.DataFrame(
        {"Pay $x^$ now": [10.0, 10.0], "Cost $5 and $10": [5.0, 5.0], TOTAL: [15.0, 15.0]},
        index=pd.Index(["Stage $1$", ALL_STAGES], name="Stage"),
    )
    words = svg_text(budget_chart_svg(totals, "budget"))
    assert "Pay $x^$ now" in words and "Cost $5 and $10" in words and "Stage $1$" in words
