"""A team's series of rounds, read from the store and aggregated: the input to trends."""

from __future__ import annotations

from typing import Protocol

from ..model.actions import Action
from ..model.aggregate import RoundResults, released_results
from ..model.framework import Framework
from ..model.release import Release
from ..model.rounds import Round


class _Rounds(Protocol):
    def get(self, round_id: int) -> Round: ...
    def framework(self, round_id: int) -> Framework: ...
    def series(self, round_id: int) -> list[Round]: ...
    def released(self, round_id: int) -> Release: ...


class _Actions(Protocol):
    def for_round(self, round_id: int) -> list[Action]: ...
    def in_series(self, round_id: int) -> list[Action]: ...
    def to_review(self, round_id: int) -> list[Action]: ...


class ResultsSource(Protocol):
    """What the results need from the store (analysis never imports the store itself)."""

    @property
    def rounds(self) -> _Rounds: ...
    @property
    def actions(self) -> _Actions: ...


def series_results(store: ResultsSource, round_id: int) -> list[RoundResults]:
    """Results of every round of this round's series up to and including it, oldest first:
    each as released (an anonymous round's last snapshot), never the live answers."""
    out = []
    for rnd in store.rounds.series(round_id):
        out.append(
            released_results(rnd, store.rounds.framework(rnd.id), store.rounds.released(rnd.id))
        )
        if rnd.id == round_id:
            break
    return out


def earlier_actions(store: ResultsSource, round_id: int) -> list[Action]:
    """Actions agreed before the previous round and not under review in this one (those that
    were finished earlier): these show what moved after the older ones."""
    ids = [r.id for r in store.rounds.series(round_id)]
    before = set(ids[: ids.index(round_id)])
    reviewed = {a.id for a in store.actions.to_review(round_id)}
    return [
        a
        for a in store.actions.in_series(round_id)
        if a.round_id in before and a.id not in reviewed
    ]
