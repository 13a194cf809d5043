"""What the data API's tables share: the store, the round a number or code names, a frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from ..model.aggregate import RoundResults
    from ..store import Store

_STORES: dict[str, Store] = {}


def store_of(db: str | Store | None) -> Store:
    from ..store import Store

    if isinstance(db, Store):
        return db
    key = db or ""
    if key not in _STORES:
        _STORES[key] = Store(db or None)
    return _STORES[key]


def round_id_of(store: Store, round: int | str) -> int:
    """The round a number (a numpy one too, as a DataFrame's cell is) or a results link code
    names (NotFound otherwise)."""
    from numbers import Integral

    from ..errors import NotFound

    if isinstance(round, Integral) or (isinstance(round, str) and round.isdigit()):
        return store.rounds.get(int(round)).id
    code = str(round).strip().rsplit("/", 1)[-1]
    rnd, kind = store.rounds.by_code(code)
    if kind != "facilitator":
        raise NotFound("that is a member's link code; the results need the results link's code")
    return rnd.id


def frame(rows: list[dict[str, object]], columns: tuple[str, ...], why: str = "") -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame(rows, columns=list(columns))
    df.attrs["why"] = why
    return df


def released(store: Store, round_id: int) -> RoundResults:
    """The round's results as the page shows them: the last of its series' released results."""
    from ..analysis.series import series_results

    return series_results(store, round_id)[-1]


def why_held(res: RoundResults) -> str:
    if res.shown:
        return ""
    need = res.round.min_answers
    return (
        f"round {res.round.id} has {res.submitted} answer(s) released; its results are shown "
        f"from {need}"
    )


def nan(x: float | None) -> float:
    return float("nan") if x is None else float(x)
