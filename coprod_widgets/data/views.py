"""Views made of the tables, for the questions the examples ask: one principle followed across a
team's rounds with its actions, and one's reflections per principle in a year. Each is the
tables' own pandas, named once here so that a notebook stays one import and one call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .own import journal
from .rounds import actions, trends

if TYPE_CHECKING:
    import pandas as pd

    from ..store import Store


def principle_history(
    round: int | str, principle_id: str, db: str | Store | None = None
) -> pd.DataFrame:
    """One principle across the team's rounds up to ``round`` (people, median, spread, as the
    trends show them), beside the actions agreed on it in each round and how they went.

    >>> data.principle_history(2, "mutuality")  # doctest: +SKIP
    """
    trend = trends(round, db).query("principle_id == @principle_id")
    agreed = actions(round, db).query("principle_id == @principle_id")
    return trend[["round", "opened", "people", "median", "spread"]].merge(
        agreed[["round", "what", "status", "helped", "reviewed_in"]], on="round", how="left"
    )


def reflections_by_principle(
    key: str | None = None, year: int | None = None, db: str | Store | None = None
) -> pd.Series:
    """How many of one's journal entries (in ``year``, or all) carry each principle, most first.

    >>> data.reflections_by_principle(year=2026)  # doctest: +SKIP
    """
    entries = journal(key, db)
    if year is not None:
        entries = entries.loc[entries["date"].dt.year == year]
    return (
        entries.explode("principles")
        .dropna(subset=["principles"])
        .groupby("principles")
        .size()
        .rename("reflections")
        .sort_values(ascending=False)
    )
