"""One round's results, prepared once for every place that shows them.

The results page and the team report show the same sections in the same order, and where a
section is held back they say why in the same words. Which sections there are, in what order,
and what holds one back is decided here, from the results (as released), the series of rounds,
the actions and the answers per role; the page and the report only render what this says.
Pure: no pandas, no store, no HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

from .actions import Action
from .aggregate import RoleBreakdown, RoundResults, by_role
from .framework import Framework
from .rounds import Round
from .trends import Effect, effects

# The order both show them in: the results, who got heard, looking back, agreeing, over time.
RESULTS = ("counts", "talk", "glance", "spread", "comments")
ORDER = (*RESULTS, "roles", "review", "actions", "trends", "earlier")

TITLES = {
    "counts": "Answers so far",
    "talk": "Where views differ most",
    "glance": "The principles at a glance",
    "spread": "How the ratings spread",
    "comments": "What people said",
    "roles": "Who got heard",
    "review": "Actions to look back on",
    "actions": "Agreed actions",
    "trends": "Over time",
    "earlier": "Earlier actions, and what moved",
}

NO_ROLES = (
    "This round did not ask for roles and no one gave one, so answers are not counted per role."
)
FIRST_ROUND_REVIEW = "This is the team's first round: there are no earlier actions to look back on."
NOTHING_TO_REVIEW = (
    "No actions were agreed on the earlier rounds, so there is nothing to look back on."
)
FIRST_ROUND_TRENDS = "Trends appear from the team's second round, when there is a round to compare."


@dataclass(frozen=True)
class Figure:
    """A chart as drawn (SVG text) with its text alternative and caption."""

    svg: str
    alt: str
    caption: str


@dataclass(frozen=True)
class Section:
    """One section as every place shows it: ``shown`` with its content, or held back and
    ``why``. A section with neither is left out everywhere (nothing to show, nothing to say)."""

    key: str
    title: str
    anchor: str
    shown: bool = True
    why: str = ""
    # Filled when the view is rendered (analysis): the section's body as HTML, its charts.
    html: str = ""
    figures: tuple[Figure, ...] = ()

    @property
    def present(self) -> bool:
        return self.shown or bool(self.why)


@dataclass(frozen=True)
class ResultsView:
    """Everything the results page and the team report show of one round, made once."""

    round: Round
    framework: Framework
    series: tuple[RoundResults, ...]  # oldest first, ending with this round; each as released
    roles: RoleBreakdown
    reviewed: tuple[Effect, ...]  # last round's actions (and older unfinished ones)
    actions: tuple[Action, ...]  # agreed on this round
    earlier: tuple[Effect, ...]  # older actions, finished before the last round
    sections: tuple[Section, ...]

    @property
    def results(self) -> RoundResults:
        return self.series[-1]

    @property
    def position(self) -> str:
        """ "round 3 of this team", or nothing for a team's first round."""
        return f"round {len(self.series)} of this team" if len(self.series) > 1 else ""

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def present(self, *keys: str) -> tuple[Section, ...]:
        """The sections among ``keys`` (all if none given) that are shown or say why not."""
        return tuple(s for s in self.sections if s.present and (not keys or s.key in keys))


def facts(view: ResultsView) -> tuple[tuple[str, str], ...]:
    """The round's facts at the top of the page and of the report, as (label, text) pairs."""
    rnd, fw = view.round, view.framework
    privacy = "anonymous (comments are shown without names)" if rnd.anonymous else "named"
    status = "open for answers" if rnd.is_open else f"closed on {(rnd.closed_at or '')[:10]}"
    rows = [
        ("Framework", f"{fw.title} (version {fw.version})"),
        ("Round", f"{rnd.id}, {privacy}"),
        ("Status", status),
        ("Opened", rnd.created_at[:10]),
    ]
    if view.position:
        rows.append(("In the series", view.position))
    return tuple(rows)


def compose(
    rnd: Round,
    framework: Framework,
    series: list[RoundResults],
    reviewed: list[Action],
    actions: list[Action],
    earlier: list[Action],
) -> ResultsView:
    """The prepared view: ``series`` ends with this round's results as released; ``reviewed``
    are the actions looked back on in this round, ``earlier`` the older finished ones."""
    results = series[-1]
    released = list(results.release.answers) if results.release else []
    roles = by_role(rnd, framework, released)  # the snapshot shown, never the live answers
    if not rnd.roles and not any(a.role for a in released if a.submitted):
        roles = RoleBreakdown((), roles.min_answers)
    review = effects(reviewed, series)
    before = effects(earlier, series)
    held: dict[str, str] = {}
    shown: dict[str, bool] = {k: True for k in ORDER}
    for k in RESULTS[1:]:
        shown[k] = results.shown  # below the minimum the counts say why, once
    if not roles.groups:  # below the minimum, or no roles at all: both say so
        shown["roles"], held["roles"] = False, roles.note or NO_ROLES
    if not review:
        shown["review"] = False
        held["review"] = FIRST_ROUND_REVIEW if len(series) < 2 else NOTHING_TO_REVIEW
    if len(series) < 2:
        shown["trends"], held["trends"] = False, FIRST_ROUND_TRENDS
    shown["earlier"] = bool(before)
    sections = tuple(Section(k, TITLES[k], k, shown[k], held.get(k, "")) for k in ORDER)
    return ResultsView(
        rnd,
        framework,
        tuple(series),
        roles,
        tuple(review),
        tuple(actions),
        tuple(before),
        sections,
    )
