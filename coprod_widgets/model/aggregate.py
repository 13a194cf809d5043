"""Team results from submitted answers: pure functions over the model, no pandas.

A member's score for a principle is the mean of the values they gave its statements ("don't know"
and blanks left out). The team's median and mean are over those member scores; the spread is their
population standard deviation, which is what puts the principles where views differ most first.
The distribution counts every statement rating, so the team sees the shape, not only an average.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from .framework import Band, Framework
from .rounds import Answer, Round


@dataclass(frozen=True)
class Comment:
    principle_id: str
    text: str
    name: str = ""  # empty in an anonymous round
    role: str = ""


@dataclass(frozen=True)
class PrincipleResult:
    principle_id: str
    title: str
    scores: tuple[float, ...]  # one per member who rated at least one statement with a value
    distribution: dict[int, int]  # scale value -> number of statement ratings
    dont_know: int
    band: Band | None

    @property
    def n(self) -> int:
        return len(self.scores)

    @property
    def median(self) -> float | None:
        return statistics.median(self.scores) if self.scores else None

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.scores) if self.scores else None

    @property
    def spread(self) -> float | None:
        return (
            statistics.pstdev(self.scores)
            if len(self.scores) > 1
            else (0.0 if self.scores else None)
        )

    @property
    def low(self) -> float | None:
        return min(self.scores) if self.scores else None

    @property
    def high(self) -> float | None:
        return max(self.scores) if self.scores else None


@dataclass(frozen=True)
class RoundResults:
    round: Round
    framework: Framework
    submitted: int
    in_progress: int
    principles: tuple[PrincipleResult, ...] = ()
    comments: tuple[Comment, ...] = field(default=())

    @property
    def shown(self) -> bool:
        """Results are shown only at or above the round's minimum number of answers."""
        return self.submitted >= self.round.min_answers

    @property
    def to_talk_about(self) -> tuple[PrincipleResult, ...]:
        """Principles ordered by how much views differ, most first (then by lowest median)."""
        rated = [p for p in self.principles if p.n]
        return tuple(
            sorted(rated, key=lambda p: (-(p.spread or 0.0), p.median or 0.0, p.principle_id))
        )


def principle_scores(framework: Framework, answer: Answer) -> dict[str, float]:
    out: dict[str, float] = {}
    for p in framework.principles:
        values = [
            r.value
            for s in p.statements
            if (r := answer.rating(s.id)).value is not None and not r.dont_know
        ]
        if values:
            out[p.id] = statistics.fmean(values)
    return out


def aggregate(rnd: Round, framework: Framework, answers: list[Answer]) -> RoundResults:
    """Results of a round. Below the minimum, only the counts are filled in."""
    submitted = [a for a in answers if a.submitted]
    in_progress = len(answers) - len(submitted)
    if len(submitted) < rnd.min_answers:
        return RoundResults(rnd, framework, len(submitted), in_progress)

    per_member = [principle_scores(framework, a) for a in submitted]
    results = []
    for p in framework.principles:
        dist = {v: 0 for v in framework.scale.values}
        dont_know = 0
        for a in submitted:
            for s in p.statements:
                r = a.rating(s.id)
                if r.dont_know:
                    dont_know += 1
                elif r.value is not None:
                    dist[r.value] += 1
        # Sorted: the order must not tie one member's scores together across principles.
        scores = tuple(sorted(m[p.id] for m in per_member if p.id in m))
        mean = statistics.fmean(scores) if scores else None
        band = framework.band_for(mean) if mean is not None else None
        results.append(PrincipleResult(p.id, p.title, scores, dist, dont_know, band))

    comments = []
    for a in submitted:
        for pid, text in a.comments.items():
            if text.strip():
                comments.append(
                    Comment(pid, text.strip(), *(("", "") if rnd.anonymous else (a.name, a.role)))
                )
    if rnd.anonymous:
        # No order that could tie one person's comments together (submission order would).
        comments.sort(key=lambda c: (c.principle_id, c.text.casefold()))
    return RoundResults(
        rnd, framework, len(submitted), in_progress, tuple(results), tuple(comments)
    )
