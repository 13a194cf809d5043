"""Team results from submitted answers: pure functions over the model, no pandas.

A member's score for a principle is the mean of the values they gave its statements ("don't know"
and blanks left out). The team's median and mean are over those member scores; the spread is their
population standard deviation, which is what puts the principles where views differ most first.
The distribution counts every statement rating, so the team sees the shape, not only an average.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field, replace

from .framework import Band, Framework
from .release import Release
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
    # Rated by some, but by fewer than the round's minimum: nothing is shown but that fact, or
    # one person's score would stand on the page on its own.
    held_back: bool = False

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
    # Which snapshot these results come from, and what is held back (None: straight from the
    # answers given, as in the model's own tests).
    release: Release | None = None

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


def held_back(p: PrincipleResult) -> PrincipleResult:
    """The same principle with its figures withheld."""
    return replace(
        p, scores=(), distribution={v: 0 for v in p.distribution}, band=None, held_back=True
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
        result = PrincipleResult(p.id, p.title, scores, dist, dont_know, band)
        if 0 < len(scores) < rnd.min_answers:
            result = held_back(result)
        results.append(result)

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


def released_results(rnd: Round, framework: Framework, release: Release) -> RoundResults:
    """Results of what a facilitator may see: the last snapshot of an anonymous round (only the
    count before the first), every answer of a named round."""
    if not release.released:
        return RoundResults(
            rnd, framework, release.submitted_now, release.in_progress, release=release
        )
    res = aggregate(rnd, framework, list(release.answers))
    return replace(res, in_progress=release.in_progress, release=release)


@dataclass(frozen=True)
class RoleGroup:
    role: str
    answers: int  # 0 where the count itself is held back
    principles: tuple[PrincipleResult, ...] = ()  # empty when held back
    held: bool = False  # fewer than the minimum: not even the count is shown

    @property
    def shown(self) -> bool:
        return bool(self.principles)


@dataclass(frozen=True)
class RoleBreakdown:
    """Who got heard: answers per role, and results per role where that is safe to show."""

    groups: tuple[RoleGroup, ...]
    min_answers: int
    note: str = ""

    @property
    def shown(self) -> tuple[RoleGroup, ...]:
        return tuple(g for g in self.groups if g.shown)


NO_ROLE_LABEL = "No role given"
OTHER_ROLES_LABEL = "Other roles, or none given"
FOLDED_NOTE = (
    "Roles with fewer than {need} answers, and answers without a role, are counted together "
    "under \u201cother roles\u201d, so that no one's role or answers stand out."
)
SUBTRACTION_NOTE = (
    "Some results per role are not shown: together with the team's results they would let "
    "someone work out the answers of fewer than the minimum number of people."
)


def releasable(counts: dict[str, int], total: int, need: int, exclude: str = "") -> list[str]:
    """The groups whose results can be shown beside the whole's: each has at least ``need``
    people, and what is left over (everyone outside them) is nobody or at least ``need`` too,
    so no subtraction isolates fewer than ``need``. The smallest group gives way first."""
    shown = [g for g, c in counts.items() if c >= need and g != exclude]
    while shown:
        leftover = total - sum(counts[g] for g in shown)
        if leftover == 0 or leftover >= need:
            break
        shown.remove(min(shown, key=lambda g: (counts[g], g)))
    return shown


def by_role(rnd: Round, framework: Framework, answers: list[Answer]) -> RoleBreakdown:
    """Answers per role, and per-principle results, only for roles no one can be singled out by.

    A role is listed with its count only if at least the minimum answered in it; every other
    answer (rarer roles, and no role) is counted together under "other roles", itself held back
    if fewer than the minimum. Showing a role beside the team's results is not enough on its
    own: the answers outside every listed role could be worked out by subtraction. A role is
    listed only if what is left over is either nobody or at least the minimum; the smallest
    listed role is folded in with the others until that holds. Below the minimum, nothing.
    """
    submitted = [a for a in answers if a.submitted]
    need = rnd.min_answers
    if len(submitted) < need:
        return RoleBreakdown(
            (), need, "Answers per role are shown once the round has enough answers."
        )
    counts: dict[str, int] = {}
    for a in submitted:
        key = a.role or NO_ROLE_LABEL
        counts[key] = counts.get(key, 0) + 1
    candidates = releasable(counts, len(submitted), need, exclude=NO_ROLE_LABEL)
    order = [r for r in rnd.roles if r in candidates] + sorted(
        k for k in candidates if k not in rnd.roles
    )
    other = len(submitted) - sum(counts[r] for r in candidates)
    notes = []
    if other and any(c < need for r, c in counts.items()):
        notes.append(FOLDED_NOTE.format(need=need))
    if len(candidates) < sum(1 for r, c in counts.items() if c >= need and r != NO_ROLE_LABEL):
        notes.append(SUBTRACTION_NOTE)
    listed = list(candidates)
    if len(candidates) == 1 and len(submitted) == counts[candidates[0]]:
        candidates = []  # one role with every answer: the team's results already say it all
    # The same rule, principle by principle: people who said "don't know" to every statement
    # of a principle are not among its raters, so a role shown overall can still leave too few
    # raters of one principle outside it.
    per_member = {id(a): principle_scores(framework, a) for a in submitted}
    allowed: dict[str, set[str]] = {}
    for p in framework.principles:
        raters = {r: 0 for r in candidates}
        total = 0
        for a in submitted:
            if p.id in per_member[id(a)]:
                total += 1
                if a.role in raters:
                    raters[a.role] += 1
        allowed[p.id] = set(releasable(raters, total, need))
    groups = []
    for r in order:
        if r in candidates:
            sub = aggregate(rnd, framework, [a for a in submitted if a.role == r])
            ps = tuple(
                pr if r in allowed[pr.principle_id] or not pr.n else held_back(pr)
                for pr in sub.principles
            )
            if any(pr.held_back for pr in ps) and SUBTRACTION_NOTE not in notes:
                notes.append(SUBTRACTION_NOTE)
            groups.append(RoleGroup(r, counts[r], ps))
        elif r in listed:
            groups.append(RoleGroup(r, counts[r]))
    if other:
        held = other < need  # cannot happen after `releasable`, kept as the rule's own guard
        groups.append(RoleGroup(OTHER_ROLES_LABEL, 0 if held else other, held=held))
    return RoleBreakdown(tuple(groups), need, " ".join(notes))
