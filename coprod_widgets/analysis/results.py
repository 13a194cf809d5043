"""Tidy tables of a round's results, for the page, reports and exports."""

from __future__ import annotations

from html import escape

import pandas as pd

from ..model.aggregate import RoundResults


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def summary_frame(results: RoundResults) -> pd.DataFrame:
    """One row per principle: how many rated it, median, mean, spread, range and band."""
    rows = []
    need = results.round.min_answers
    for p in results.principles:
        rows.append(
            {
                "Principle": p.title,
                "People": f"fewer than {need}: not shown" if p.held_back else p.n,
                "Median": _r(p.median),
                "Mean": _r(p.mean),
                "Spread (SD)": _r(p.spread),
                "Lowest": _r(p.low),
                "Highest": _r(p.high),
                "Band": p.band.label if p.band else "",
            }
        )
    return pd.DataFrame(rows)


def distribution_frame(results: RoundResults) -> pd.DataFrame:
    """One row per principle: how many statement ratings fell on each point of the scale."""
    scale = results.framework.scale
    cols = [f"{pt.value} {pt.label}" for pt in scale.points]
    rows = []
    for p in results.principles:
        row: dict[str, object] = {"Principle": p.title}
        for c, pt in zip(cols, scale.points):
            row[c] = "–" if p.held_back else p.distribution.get(pt.value, 0)
        if scale.dont_know:
            row["Don't know"] = p.dont_know
        rows.append(row)
    return pd.DataFrame(rows)


def table_html(df: pd.DataFrame, caption: str) -> str:
    """An escaped HTML table with a caption (pandas escapes cell text by default)."""
    html = df.to_html(index=False, escape=True, na_rep="", border=0, classes="coprod-table")
    return html.replace(
        '<table class="dataframe coprod-table">',
        f'<table class="coprod-table"><caption>{escape(caption)}</caption>',
        1,
    )
