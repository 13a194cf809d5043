"""A team's rounds as tables: rounds, one round's results, ratings and comments, trends and
actions; each read as the results page reads it (see the package's docstring)."""

from __future__ import annotations

from numbers import Integral
from typing import TYPE_CHECKING

from .common import frame, nan, released, round_id_of, store_of, why_held

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pandas as pd

    from ..store import Store

# -- rounds -------------------------------------------------------------------------------------

ROUND_COLUMNS = (
    "round",
    "team",
    "series",
    "previous",
    "framework",
    "framework_version",
    "anonymous",
    "min_answers",
    "status",
    "opened",
    "closed",
    "submitted",
    "in_progress",
    "shown",
)


def rounds(db: str | Store | None = None) -> pd.DataFrame:
    """Every round, oldest first: its team and settings, and how many answers its results count
    (as released: an anonymous round's last snapshot), and whether they are ``shown``.

    Example: the latest round of each team whose results can be shown::

        data.rounds().query("shown").groupby("team").tail(1)
    """
    from ..model.aggregate import released_results

    store = store_of(db)
    rows = []
    for s in store.rounds.all():
        rnd = s.round
        res = released_results(rnd, store.rounds.framework(rnd.id), store.rounds.released(rnd.id))
        rows.append(
            {
                "round": rnd.id,
                "team": rnd.team,
                "series": rnd.series_id or rnd.id,
                "previous": rnd.previous_id,
                "framework": rnd.framework_id,
                "framework_version": rnd.framework_version,
                "anonymous": rnd.anonymous,
                "min_answers": rnd.min_answers,
                "status": rnd.status,
                "opened": rnd.created_at[:10],
                "closed": (rnd.closed_at or "")[:10],
                "submitted": res.submitted,
                "in_progress": res.in_progress,
                "shown": res.shown,
            }
        )
    df = frame(rows, ROUND_COLUMNS)
    df["previous"] = df["previous"].astype("Int64")  # a round number, or none
    return df


# -- one round's results, ratings and comments ---------------------------------------------------

RESULT_COLUMNS = (
    "round",
    "team",
    "principle_id",
    "principle",
    "people",
    "median",
    "mean",
    "spread",
    "lowest",
    "highest",
    "band",
    "held_back",
)


def results(round: int | str | Iterable[int | str], db: str | Store | None = None) -> pd.DataFrame:
    """One row per principle, the numbers of the results page's summary table: how many rated
    it (``people``), the median, mean and spread (population SD) of their scores, the lowest and
    highest score, and the band. Empty below the round's minimum (``attrs["why"]`` says why);
    a principle rated by fewer than the minimum is ``held_back``, with no figures. Several
    rounds (a list, a column) give one table of them all.

    Example: the principles where views differ most::

        data.results(2).sort_values("spread", ascending=False).head(3)
    """
    if not isinstance(round, int | str | Integral):
        import pandas as pd

        frames = [results(r, db) for r in round]
        return pd.concat(frames, ignore_index=True) if frames else frame([], RESULT_COLUMNS)
    store = store_of(db)
    res = released(store, round_id_of(store, round))
    if not res.shown:
        return frame([], RESULT_COLUMNS, why_held(res))
    rows: list[dict[str, object]] = [
        {
            "round": res.round.id,
            "team": res.round.team,
            "principle_id": p.principle_id,
            "principle": p.title,
            "people": None if p.held_back else p.n,
            "median": nan(p.median),
            "mean": nan(p.mean),
            "spread": nan(p.spread),
            "lowest": nan(p.low),
            "highest": nan(p.high),
            "band": p.band.label if p.band else "",
            "held_back": p.held_back,
        }
        for p in res.principles
    ]
    df = frame(rows, RESULT_COLUMNS)
    df["people"] = df["people"].astype("Int64")  # none where held back
    return df


RATING_COLUMNS = (
    "round",
    "respondent",
    "name",
    "role",
    "principle_id",
    "principle",
    "statement_id",
    "value",
    "dont_know",
)


def ratings(round: int | str, db: str | Store | None = None) -> pd.DataFrame:
    """One row per rating given: the respondent (a number; in an anonymous round a fresh random
    order, no name, and a role only where enough people share it), the principle, the statement,
    the ``value`` (NaN for "don't know") and ``dont_know``. Empty below the minimum; the values
    of a held-back principle are left out, as the page leaves them out.

    Example: the results page's medians, derived again from the ratings::

        (data.ratings(2).groupby(["principle", "respondent"])["value"].mean()
         .groupby("principle").median())
    """
    store = store_of(db)
    round_id = round_id_of(store, round)
    res = released(store, round_id)
    if not res.shown:
        return frame([], RATING_COLUMNS, why_held(res))
    held = {p.principle_id for p in res.principles if p.held_back}
    export = store.imports.export(round_id)  # the same released answers, anonymised
    fw = export.framework
    of = {st.id: p for p in fw.principles for st in p.statements}
    rows: list[dict[str, object]] = []
    for r in export.respondents:
        for st in fw.statements:
            rating = r.ratings.get(st.id)
            if rating is None or (of[st.id].id in held and not rating.dont_know):
                continue
            rows.append(
                {
                    "round": round_id,
                    "respondent": r.number,
                    "name": r.name,
                    "role": r.role,
                    "principle_id": of[st.id].id,
                    "principle": of[st.id].title,
                    "statement_id": st.id,
                    "value": float("nan") if rating.dont_know else nan(rating.value),
                    "dont_know": rating.dont_know,
                }
            )
    return frame(rows, RATING_COLUMNS)


COMMENT_COLUMNS = ("round", "principle_id", "principle", "text", "name", "role")


def comments(round: int | str, db: str | Store | None = None) -> pd.DataFrame:
    """What people wrote, per principle, as the page lists it (no names in an anonymous round,
    sorted so that no order ties one person's comments together). Empty below the minimum.

    Example: ``data.comments(2).query("principle_id == 'mutuality'")["text"]``
    """
    store = store_of(db)
    res = released(store, round_id_of(store, round))
    if not res.shown:
        return frame([], COMMENT_COLUMNS, why_held(res))
    titles = {p.id: p.title for p in res.framework.principles}
    rows: list[dict[str, object]] = [
        {
            "round": res.round.id,
            "principle_id": c.principle_id,
            "principle": titles.get(c.principle_id, c.principle_id),
            "text": c.text,
            "name": c.name,
            "role": c.role,
        }
        for c in res.comments
    ]
    return frame(rows, COMMENT_COLUMNS)


# -- a team's series: trends and actions ---------------------------------------------------------

TREND_COLUMNS = (
    "round",
    "position",
    "opened",
    "framework_version",
    "principle_id",
    "principle",
    "people",
    "median",
    "spread",
    "shown",
)


def trends(round: int | str, db: str | Store | None = None) -> pd.DataFrame:
    """Each principle across the team's rounds up to this one (oldest first), as the page's
    "Over time" reads them: one row per round and principle, with the median and spread where
    that round's results are ``shown`` (NaN where not).

    Example: one principle's medians, round by round::

        data.trends(2).query("principle_id == 'mutuality'")[["round", "median"]]
    """
    from ..analysis.series import series_results
    from ..model.trends import trends as principle_trends

    store = store_of(db)
    series = series_results(store, round_id_of(store, round))
    position = {r.round.id: i for i, r in enumerate(series, 1)}
    rows: list[dict[str, object]] = []
    for t in principle_trends(series):
        for pt in t.points:
            rows.append(
                {
                    "round": pt.round_id,
                    "position": position[pt.round_id],
                    "opened": pt.date,
                    "framework_version": pt.version,
                    "principle_id": t.principle_id,
                    "principle": t.title,
                    "people": pt.n if pt.shown else 0,
                    "median": nan(pt.median) if pt.shown else float("nan"),
                    "spread": nan(pt.spread) if pt.shown else float("nan"),
                    "shown": pt.shown,
                }
            )
    return frame(rows, TREND_COLUMNS).sort_values("position", kind="stable", ignore_index=True)


ACTION_COLUMNS = (
    "action",
    "round",
    "principle_id",
    "principle",
    "what",
    "lead",
    "due",
    "status",
    "helped",
    "review_note",
    "reviewed_in",
)


def actions(round: int | str, db: str | Store | None = None) -> pd.DataFrame:
    """The actions the team agreed across its series of rounds: on which round's results
    (``round``), for which principle, who leads, when due, their status, whether they helped,
    and the round they were looked back on in.

    Example: ``data.actions(2).query("status == 'done'")[["principle", "what", "helped"]]``
    """
    store = store_of(db)
    round_id = round_id_of(store, round)
    titles = {p.id: p.title for p in store.rounds.framework(round_id).principles}
    rows: list[dict[str, object]] = [
        {
            "action": a.id,
            "round": a.round_id,
            "principle_id": a.principle_id,
            "principle": titles.get(a.principle_id, a.principle_id),
            "what": a.what,
            "lead": a.lead,
            "due": a.due,
            "status": a.status,
            "helped": a.helped,
            "review_note": a.review_note,
            "reviewed_in": a.reviewed_in,
        }
        for a in store.actions.in_series(round_id)
    ]
    df = frame(rows, ACTION_COLUMNS)
    df["reviewed_in"] = df["reviewed_in"].astype("Int64")  # a round's number, or none yet
    return df
