"""A team's rounds side by side: how each principle moved, and whether actions were followed by change.

Rounds are compared principle by principle, and only where the comparison is fair: the principle
is in both rounds' frameworks with the same statements, and both rounds had enough answers to be
shown. A changed framework version is named, never silently mixed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .actions import Action
from .aggregate import RoundResults
from .framework import Framework


@dataclass(frozen=True)
class TrendPoint:
    round_id: int
    date: str  # YYYY-MM-DD the round opened
    version: str
    median: float | None
    spread: float | None
    n: int
    shown: bool  # the round reached its minimum


@dataclass(frozen=True)
class PrincipleTrend:
    principle_id: str
    title: str
    points: tuple[TrendPoint, ...]
    breaks: tuple[int, ...] = ()  # indexes where the principle's statements changed

    @property
    def shown_points(self) -> tuple[TrendPoint, ...]:
        return tuple(p for p in self.points if p.shown and p.median is not None)


@dataclass(frozen=True)
class Effect:
    """What happened to an action's principle between the round it was agreed on and the next."""

    action: Action
    title: str
    before: TrendPoint | None
    after: TrendPoint | None
    reason: str = ""  # why there is no comparison, when there is none

    @property
    def compared(self) -> bool:
        return not self.reason

    @property
    def median_change(self) -> float | None:
        if not self.compared:
            return None
        return self.after.median - self.before.median  # type: ignore[union-attr,operator]

    @property
    def spread_change(self) -> float | None:
        if not self.compared:
            return None
        return self.after.spread - self.before.spread  # type: ignore[union-attr,operator]


def statement_ids(framework: Framework, principle_id: str) -> tuple[str, ...] | None:
    try:
        return tuple(s.id for s in framework.principle(principle_id).statements)
    except KeyError:
        return None


def _asked(framework: Framework, principle_id: str) -> tuple[object, ...] | None:
    """What a principle asks: its statements' ids and wording, on which scale values."""
    try:
        p = framework.principle(principle_id)
    except KeyError:
        return None
    words = tuple((s.id, " ".join(s.text.split()).casefold()) for s in p.statements)
    return (words, framework.scale.values)


def comparable(a: Framework, b: Framework, principle_id: str) -> bool:
    """A principle can be compared across two rounds only if it asks the same statements, in
    the same words, on the same scale: a reworded statement or a 1-5 scale turned 1-4 is a
    different question, and its medians are not put side by side."""
    asked = _asked(a, principle_id)
    return asked is not None and asked == _asked(b, principle_id)


def version_changes(series: list[RoundResults]) -> list[str]:
    """Plain sentences naming each change of framework version along the series."""
    out = []
    for prev, cur in zip(series, series[1:]):
        if prev.framework.version != cur.framework.version:
            changed = [
                p.title
                for p in cur.framework.principles
                if not comparable(prev.framework, cur.framework, p.id)
            ]
            what = (
                f" The statements or the scale changed for: {', '.join(changed)}; those "
                "principles are not compared across the change."
                if changed
                else " No principle's statements or scale changed, so all are compared."
            )
            out.append(
                f"Round {cur.round.id} used version {cur.framework.version} of the framework; "
                f"round {prev.round.id} used version {prev.framework.version}.{what}"
            )
    return out


def _point(r: RoundResults, principle_id: str) -> TrendPoint:
    pr = next((p for p in r.principles if p.principle_id == principle_id), None)
    return TrendPoint(
        round_id=r.round.id,
        date=(r.round.created_at or "")[:10],
        version=r.framework.version,
        median=pr.median if pr else None,
        spread=pr.spread if pr else None,
        n=pr.n if pr else 0,
        shown=r.shown,
    )


def trends(series: list[RoundResults]) -> list[PrincipleTrend]:
    """One trend per principle of the latest round, across the series (oldest first)."""
    if not series:
        return []
    latest = series[-1].framework
    out = []
    for p in latest.principles:
        points: list[TrendPoint] = []
        breaks: list[int] = []
        for i, r in enumerate(series):
            if statement_ids(r.framework, p.id) is None:
                continue
            if points and not comparable(series[i - 1].framework, r.framework, p.id):
                breaks.append(len(points))
            points.append(_point(r, p.id))
        out.append(PrincipleTrend(p.id, p.title, tuple(points), tuple(breaks)))
    return out


def effects(actions: list[Action], series: list[RoundResults]) -> list[Effect]:
    """For each action, its principle's median and spread in its round and in the next one."""
    index = {r.round.id: i for i, r in enumerate(series)}
    out = []
    for a in actions:
        i = index.get(a.round_id)
        if i is None:
            continue
        here = series[i]
        title = _title(here.framework, a.principle_id)
        before = _point(here, a.principle_id)
        if i + 1 >= len(series):
            out.append(Effect(a, title, before, None, "no later round yet"))
            continue
        nxt = series[i + 1]
        after = _point(nxt, a.principle_id)
        if not comparable(here.framework, nxt.framework, a.principle_id):
            reason = "the principle's statements changed between the rounds, or the scale did"
        elif not (here.shown and nxt.shown):
            reason = "a round had too few answers to show results"
        elif before.median is None or after.median is None:
            reason = "too few people rated this principle in one of the rounds"
        else:
            reason = ""
        out.append(Effect(a, title, before, after, reason))
    return out


def _title(fw: Framework, principle_id: str) -> str:
    try:
        return fw.principle(principle_id).title
    except KeyError:
        return principle_id
