"""Tidy tables of a round's results, for the page, reports and exports.

The rows are plain (``summary_rows``, ``distribution_rows``) and ``rows_html`` writes them as a
table the way pandas' ``to_html`` would (each float column to the decimals its values need), so
the results page and a cold report never import pandas; ``summary_frame`` and
``distribution_frame`` give the same rows as DataFrames, for analysis in a notebook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from ..model.aggregate import RoundResults

if TYPE_CHECKING:
    import pandas as pd

Cell = str | int | float | None
Row = Mapping[str, Cell]


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def summary_rows(results: RoundResults) -> list[dict[str, Cell]]:
    """One row per principle: how many rated it, median, mean, spread, range and band."""
    need = results.round.min_answers
    return [
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
        for p in results.principles
    ]


def distribution_rows(results: RoundResults) -> list[dict[str, Cell]]:
    """One row per principle: how many statement ratings fell on each point of the scale."""
    scale = results.framework.scale
    cols = [f"{pt.value} {pt.label}" for pt in scale.points]
    rows = []
    for p in results.principles:
        row: dict[str, Cell] = {"Principle": p.title}
        for c, pt in zip(cols, scale.points):
            row[c] = "–" if p.held_back else p.distribution.get(pt.value, 0)
        if scale.dont_know:
            row["Don't know"] = p.dont_know
        rows.append(row)
    return rows


def summary_frame(results: RoundResults) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(summary_rows(results))


def distribution_frame(results: RoundResults) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(distribution_rows(results))


def _decimals(x: float) -> int:
    text = repr(float(x))
    return 0 if "e" in text else len(text.split(".")[1].rstrip("0"))


def _column(values: Sequence[Cell]) -> list[str]:
    """A column's cells as pandas writes them: a column of floats (gaps allowed) with the same
    decimals throughout, at least one; anything else as it is; a gap as nothing."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, float) for v in present):
        places = max(1, *(_decimals(float(v)) for v in present))  # type: ignore[arg-type]
        return ["" if v is None else f"{v:.{places}f}" for v in values]
    return ["" if v is None else str(v) for v in values]


def rows_html(rows: Sequence[Row], caption: str) -> str:
    """An escaped HTML table with a caption: a header row of the rows' keys, then the rows."""
    heads = list(rows[0]) if rows else []
    columns = [_column([row.get(h) for row in rows]) for h in heads]
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(col[i])}</td>" for col in columns) + "</tr>"
        for i in range(len(rows))
    )
    return (
        f"<table class='coprod-table'><caption>{escape(caption)}</caption><thead><tr>"
        + "".join(f"<th>{escape(h)}</th>" for h in heads)
        + f"</tr></thead><tbody>{body}</tbody></table>"
    )


def table_html(df: pd.DataFrame, caption: str) -> str:
    """An escaped HTML table of a DataFrame, with a caption (pandas escapes cell text)."""
    html = df.to_html(index=False, escape=True, na_rep="", border=0, classes="coprod-table")
    return html.replace(
        '<table class="dataframe coprod-table">',
        f'<table class="coprod-table"><caption>{escape(caption)}</caption>',
        1,
    )
