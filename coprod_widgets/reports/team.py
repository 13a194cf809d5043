"""The team report: one round's results as a printable page, built from the store.

The report notebook calls `team_report`; the body is the prepared view (analysis.view), the
same one the results page shows, so a new section is added there once for both.
"""

from __future__ import annotations

from datetime import date
from html import escape

from ..analysis.view import facts_html, prepare, sections_html
from ..errors import InvalidInput
from ..model.composition import ResultsView
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


def header_html(view: ResultsView) -> str:
    """Who, with which framework, how private, and where the round stands: the page's facts,
    and the day the report was made (the report's own)."""
    made = (("Report made", date.today().isoformat()),)
    return (
        f"<header class='coprod-report-header'><h1>{escape(view.round.team)}: team report</h1>"
        f"{facts_html(view, made)}</header>"
    )


def team_report_html(store: Store, round_id: int) -> str:
    """The report's body: the header, then every section of the prepared view, in the same
    order, with the same numbers and reasons for what is held back as the results page."""
    view = prepare(store, round_id)
    return header_html(view) + sections_html(view)


def team_report(round_id: int | None, db: str | None = None) -> ReportHTML:
    """The report notebook's one call: `db` is a database URL ($COPROD_DB or the default if None)."""
    if round_id is None:
        raise InvalidInput("round_id: give the id of the round to report on")
    store = Store(db)
    try:
        rnd = store.rounds.get(round_id)
        html = team_report_html(store, round_id)
    finally:
        store.close()
    return ReportHTML(html, f"Team report: {rnd.team}, round {rnd.id}")
