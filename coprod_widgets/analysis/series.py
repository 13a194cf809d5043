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


def earlier_actions(store: Any, round_id: int) -> list[Any]:
    """Actions agreed before the previous round: the review covers the previous round's own,
    these show what moved after the older ones."""
    rnd = store.get_round(round_id)
    ids = [r.id for r in store.series(round_id)]
    before = set(ids[: ids.index(round_id)]) - {rnd.previous_id}
    return [a for a in store.series_actions(round_id) if a.round_id in before]
