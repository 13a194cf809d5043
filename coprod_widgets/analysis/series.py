"""A team's series of rounds, read from the store and aggregated: the input to trends."""

from __future__ import annotations

from typing import Protocol

from ..model.actions import Action
from ..model.aggregate import RoundResults, released_results
from ..model.framework import Framework
from ..model.release import Release
from ..model.rounds import Round


class ResultsSource(Protocol):
    """What the results need from the store (analysis never imports the store itself)."""

    def get_round(self, round_id: int) -> Round: ...
    def framework_for(self, round_id: int) -> Framework: ...
    def series(self, round_id: int) -> list[Round]: ...
    def released(self, round_id: int, _retry: bool = True) -> Release: ...
    def actions(self, round_id: int) -> list[Action]: ...
    def series_actions(self, round_id: int) -> list[Action]: ...
    def actions_to_review(self, round_id: int) -> list[Action]: ...


def series_results(store: ResultsSource, round_id: int) -> list[RoundResults]:
    """Results of every round of this round's series up to and including it, oldest first:
    each as released (an anonymous round's last snapshot), never the live answers."""
    out = []
    for rnd in store.series(round_id):
        out.append(released_results(rnd, store.framework_for(rnd.id), store.released(rnd.id)))
        if rnd.id == round_id:
            break
    return out


def earlier_actions(store: ResultsSource, round_id: int) -> list[Action]:
    """Actions agreed before the previous round and not under review in this one (those that
    were finished earlier): these show what moved after the older ones."""
    ids = [r.id for r in store.series(round_id)]
    before = set(ids[: ids.index(round_id)])
    reviewed = {a.id for a in store.actions_to_review(round_id)}
    return [
        a for a in store.series_actions(round_id) if a.round_id in before and a.id not in reviewed
    ]
