"""A round's submitted ratings gathered for export, anonymised where the round is."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ...errors import InvalidInput
from ..aggregate import aggregate
from ..framework import Framework
from ..release import Release
from ..rounds import Answer, Rating, Round


@dataclass(frozen=True)
class Respondent:
    number: int
    ratings: dict[str, Rating]
    role: str = ""  # blank where it would single someone out
    name: str = ""  # named rounds only
    submitted_at: str = ""  # named rounds only


@dataclass(frozen=True)
class ExportComment:
    principle_id: str
    text: str
    respondent: int | None = None  # named rounds only
    name: str = ""


@dataclass(frozen=True)
class RatingsExport:
    round: Round
    framework: Framework
    submitted: int
    respondents: tuple[Respondent, ...]
    comments: tuple[ExportComment, ...] = field(default=())
    # Anonymous rounds: principles that fewer than the minimum rated (the others said "don't
    # know"); their values are left out, as the results page holds them back.
    held_back: tuple[str, ...] = ()
    release: Release | None = None  # the snapshot exported (anonymous rounds)


def too_few_message(rnd: Round, submitted: int) -> str:
    return (
        f"round {rnd.id} has {submitted} submitted answer{'s' if submitted != 1 else ''}; "
        f"its ratings can be exported from {rnd.min_answers} (fewer would show what "
        "individuals said)"
    )


def shown_roles(rnd: Round, answers: Sequence[Answer]) -> frozenset[str]:
    """The roles an export may show: in an anonymous round, those at least min_answers share.

    The people left without a role (rarer roles and none) must be that many too, or no role is
    shown: with Staff x5 and Carer x1, a blank role would be the one carer.
    """
    counts = Counter(a.role for a in answers)
    if not rnd.anonymous:
        return frozenset(r for r in counts if r)
    shown = {r for r, n in counts.items() if r and n >= rnd.min_answers}
    rest = sum(n for r, n in counts.items() if r not in shown)
    return frozenset(shown) if rest == 0 or rest >= rnd.min_answers else frozenset()


def build_export(
    rnd: Round,
    framework: Framework,
    answers: Sequence[Answer],
    shuffle: Callable[[list[Answer]], None] | None = None,
    release: Release | None = None,
) -> RatingsExport:
    """A round's submitted ratings ready to write, or InvalidInput below the minimum.

    ``answers``: what may be released (an anonymous round's last snapshot, ``release``), so the
    export moves only when the results page does. Anonymous rounds: respondents numbered in a
    fresh random order (``shuffle``, by default the system's random source), no names or
    times, comments apart and sorted by principle and text. Named rounds: respondents by name,
    with their comments.
    """
    submitted = [a for a in answers if a.submitted]
    if release is not None and not release.released:
        raise InvalidInput(too_few_message(rnd, release.submitted_now))
    if len(submitted) < rnd.min_answers:
        raise InvalidInput(too_few_message(rnd, len(submitted)))
    roles = shown_roles(rnd, submitted)
    if rnd.anonymous:
        (shuffle or random.SystemRandom().shuffle)(submitted)
    else:
        submitted.sort(key=lambda a: (a.name.casefold(), a.submitted_at or ""))
    order = {p.id: i for i, p in enumerate(framework.principles)}
    # The results page's own rule decides what is held back, so page and export agree.
    held = (
        {p.principle_id for p in aggregate(rnd, framework, submitted).principles if p.held_back}
        if rnd.anonymous
        else set()
    )
    hidden = {st.id for p in framework.principles if p.id in held for st in p.statements}
    respondents = []
    comments = []
    for n, a in enumerate(submitted, 1):
        respondents.append(
            Respondent(
                n,
                {
                    s.id: a.rating(s.id)
                    for s in framework.statements
                    if a.rating(s.id).answered
                    and not (s.id in hidden and a.rating(s.id).value is not None)
                },
                a.role if a.role in roles else "",
                "" if rnd.anonymous else a.name,
                "" if rnd.anonymous else (a.submitted_at or ""),
            )
        )
        for pid, text in sorted(a.comments.items(), key=lambda kv: order.get(kv[0], 99)):
            if text.strip():
                comments.append(
                    ExportComment(pid, text.strip())
                    if rnd.anonymous
                    else ExportComment(pid, text.strip(), n, a.name)
                )
    if rnd.anonymous:
        comments.sort(key=lambda c: (order.get(c.principle_id, 99), c.text.casefold(), c.text))
    return RatingsExport(
        rnd,
        framework,
        len(submitted),
        tuple(respondents),
        tuple(comments),
        tuple(p.id for p in framework.principles if p.id in held),
        release if release is not None and not release.live else None,
    )
