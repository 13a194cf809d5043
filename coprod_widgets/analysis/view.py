"""The prepared view of a round's results, rendered: made once from the store, then shown by
the results page (around its widgets) and by the team report (as one page), section by
section in the same order, with the same titles, numbers, charts and reasons for what is held
back. Which sections there are is decided in model.composition; their bodies are drawn here.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape

from ..model.composition import Figure, ResultsView, Section, compose, facts
from .render import (
    actions_html,
    comments_html,
    counts_html,
    effects_html,
    glance,
    roles_html,
    spread,
    talk_html,
    trends_html,
)
from .series import ResultsSource, earlier_actions, series_results


def _body(view: ResultsView, key: str) -> tuple[str, tuple[Figure, ...]]:
    r = view.results
    if key == "glance":
        return glance(r)
    if key == "spread":
        return spread(r)
    if key == "trends":
        return trends_html(list(view.series))
    titles = {p.id: p.title for p in view.framework.principles}
    text = {
        "counts": lambda: counts_html(r),
        "talk": lambda: talk_html(r),
        "comments": lambda: comments_html(r),
        "roles": lambda: roles_html(view.roles),
        "review": lambda: effects_html(view.reviewed),
        "actions": lambda: actions_html(view.actions, titles),
        "earlier": lambda: effects_html(view.earlier),
    }[key]
    return text(), ()


def prepare(store: ResultsSource, round_id: int) -> ResultsView:
    """Read the round from the store (its released results, the series for trends, actions and
    their review) and draw every shown section once."""
    rnd = store.rounds.get(round_id)  # NotFound: "there is no round 7"
    view = compose(
        rnd,
        store.rounds.framework(rnd.id),
        series_results(store, rnd.id),
        store.actions.to_review(rnd.id),
        store.actions.for_round(rnd.id),
        earlier_actions(store, rnd.id),
    )
    drawn = []
    for s in view.sections:
        if s.shown:
            html, figures = _body(view, s.key)
            s = replace(s, html=html, figures=figures)
        drawn.append(s)
    return replace(view, sections=tuple(drawn))


def heading_html(s: Section) -> str:
    return f"<h2 id='{escape(s.anchor)}'>{escape(s.title)}</h2>"


def held_html(s: Section) -> str:
    """What stands in a held-back section's place: why it is held back."""
    return f"<p class='coprod-held-why'>{escape(s.why)}</p>"


def section_html(s: Section, body: str | None = None) -> str:
    """A section as a whole: its heading, then its body (or why it is held back). ``body``
    replaces the drawn body (the page's live summary of reviews)."""
    inner = (s.html if body is None else body) if s.shown else held_html(s)
    return f"<section class='coprod-section-{escape(s.key)}'>{heading_html(s)}{inner}</section>"


def sections_html(view: ResultsView, *keys: str) -> str:
    """The sections among ``keys`` (all if none), in the view's order."""
    return "".join(section_html(s) for s in view.present(*keys))


def facts_html(view: ResultsView, extra: tuple[tuple[str, str], ...] = ()) -> str:
    """The round's facts as a definition list (the page and the report share it)."""
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in (*facts(view), *extra))
    return f"<dl class='coprod-facts'>{rows}</dl>"
