"""The team report: one round's results as a printable page, built from the store.

The report notebook calls `team_report`; the body is built by `team_report_html`, one section
after another, so a new section is one more line there. Every piece of user text is escaped.
"""

from __future__ import annotations

from datetime import date
from html import escape

from ..analysis.render import actions_html, effects_html, results_html, roles_html, trends_html
from ..analysis.series import earlier_actions, series_results
from ..errors import InvalidInput
from ..model.aggregate import by_role
from ..model.framework import Framework
from ..model.rounds import Round
from ..model.trends import effects
from ..store import Store


class ReportHTML:
    """A finished piece of report HTML: a notebook shows it, nbconvert exports it."""

    def __init__(self, html: str, title: str = ""):
        self.html = html
        self.title = title

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.title or "ReportHTML"


def header_html(rnd: Round, fw: Framework) -> str:
    """Who, with which framework, how private, and where the round stands."""
    privacy = "anonymous (comments are shown without names)" if rnd.anonymous else "named"
    status = (
        "open for answers" if rnd.is_open else f"closed on {escape((rnd.closed_at or '')[:10])}"
    )
    return (
        f"<header class='coprod-report-header'><h1>{escape(rnd.team)}: team report</h1>"
        "<dl class='coprod-facts'>"
        f"<dt>Framework</dt><dd>{escape(fw.title)} (version {escape(fw.version)})</dd>"
        f"<dt>Round</dt><dd>{rnd.id}, {privacy}</dd>"
        f"<dt>Status</dt><dd>{status}</dd>"
        f"<dt>Opened</dt><dd>{escape(rnd.created_at[:10])}</dd>"
        f"<dt>Report made</dt><dd>{date.today().isoformat()}</dd>"
        "</dl></header>"
    )


def team_report_html(store: Store, round_id: int) -> str:
    """The report's body, section by section, the same as the results page shows it: results
    (counts only below the minimum), who got heard, last round's actions and what moved, this
    round's actions, and the trend across the team's rounds."""
    rnd = store.get_round(round_id)  # NotFound: "there is no round 7"
    fw = store.framework_for(rnd.id)
    series = series_results(store, rnd.id)
    release = series[-1].release
    answers = list(release.answers) if release else []  # the snapshot shown, never live
    titles = {p.id: p.title for p in fw.principles}
    reviewed = store.actions_to_review(rnd.id)
    return "".join(
        [
            header_html(rnd, fw),
            results_html(series[-1]),
            roles_html(by_role(rnd, fw, answers)) if rnd.roles else "",
            effects_html(effects(reviewed, series), "Actions looked back on, and what moved"),
            actions_html(store.actions(rnd.id), titles),
            trends_html(series),
            effects_html(
                effects(earlier_actions(store, rnd.id), series), "Earlier actions, and what moved"
            ),
        ]
    )


def team_report(round_id: int | None, db: str | None = None) -> ReportHTML:
    """The report notebook's one call: `db` is a database URL ($COPROD_DB or the default if None)."""
    if round_id is None:
        raise InvalidInput("round_id: give the id of the round to report on")
    store = Store(db)
    try:
        rnd = store.get_round(round_id)
        html = team_report_html(store, round_id)
    finally:
        store.close()
    return ReportHTML(html, f"Team report: {rnd.team}, round {rnd.id}")
