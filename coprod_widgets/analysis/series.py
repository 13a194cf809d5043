"""A team's series of rounds, read from the store and aggregated: the input to trends."""

from __future__ import annotations

from typing import Any

from ..model.aggregate import RoundResults, aggregate


def series_results(store: Any, round_id: int) -> list[RoundResults]:
    """Results of every round of this round's series up to and including it, oldest first."""
    out = []
    for rnd in store.series(round_id):
        out.append(aggregate(rnd, store.framework_for(rnd.id), store.answers(rnd.id)))
        if rnd.id == round_id:
            break
    return out
