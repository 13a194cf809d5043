"""The results workbook: the facilitator sees the team's answers, once there are enough."""

from __future__ import annotations

import os
from html import escape
from typing import Any

import ipywidgets as w

from .. import identity

# Imported here, not on first use: a pre-started kernel runs this import before anyone asks
# for the page, so pandas, matplotlib and SQLAlchemy are loaded by the time the request comes.
from ..analysis.render import results_html
from ..errors import NotFound
from ..model.aggregate import aggregate
from ..store import Store
from ..widgets import Notice
from .common import CodeEntry, link, safely


class TeamResultsApp(w.VBox):
    def __init__(self, store: Any, code: str, base_url: str = ""):
        rnd, kind = store.round_by_code(code)
        if kind != "facilitator":
            raise NotFound("this is the team's link for answering, not the results link")
        self.store, self.code, self.base_url = store, code, base_url
        self.round_id = rnd.id
        self.header = w.HTML()
        self.body = w.HTML()
        self.body.add_class("coprod-results-body")
        self.refresh_button = w.Button(description="Refresh results")
        self.close_button = w.Button(description="Close the round", button_style="warning")
        self.confirm_button = w.Button(description="Yes, close it now", button_style="danger")
        self.cancel_button = w.Button(description="Keep it open")
        self.confirm_box = w.VBox(
            [
                w.HTML(
                    "<p role='alert'>Closing stops anyone answering or changing answers. "
                    "It cannot be undone.</p>"
                ),
                w.HBox([self.confirm_button, self.cancel_button]),
            ],
            layout=w.Layout(display="none"),
        )
        self.message = Notice()
        self.refresh_button.on_click(self._on_refresh_click)
        self.close_button.on_click(self._on_close_click)
        self.confirm_button.on_click(self._on_confirm_click)
        self.cancel_button.on_click(self._on_cancel_click)
        super().__init__(
            [
                self.header,
                w.HBox([self.refresh_button, self.close_button]),
                self.confirm_box,
                self.message,
                self.body,
            ]
        )
        self.add_class("coprod-app")
        self.refresh()

    def refresh(self) -> None:
        links = self.store.links(self.round_id)
        rnd = links.round
        fw = self.store.framework_for(rnd.id)
        self.results = aggregate(rnd, fw, self.store.answers(rnd.id))
        status = "open for answers" if rnd.is_open else f"closed on {rnd.closed_at[:10]}"
        share = ""
        if rnd.is_open:
            share = (
                "<p>Link for the team to answer: "
                f"<code>{escape(link(self.base_url, links.member_code))}</code></p>"
            )
        privacy = "anonymous" if rnd.anonymous else "named"
        self.header.value = (
            f"<header><h1>{escape(rnd.team)}: team results</h1>"
            f"<p>{escape(fw.title)} (version {escape(fw.version)}) &middot; {privacy} round "
            f"&middot; {status}</p>{share}</header>"
        )
        self.close_button.layout.display = None if rnd.is_open else "none"
        self.body.value = results_html(self.results)

    def _on_refresh_click(self, _b: Any) -> None:
        self.refresh()

    def _on_close_click(self, _b: Any) -> None:
        self.confirm_box.layout.display = None

    def _on_cancel_click(self, _b: Any) -> None:
        self.confirm_box.layout.display = "none"

    def _on_confirm_click(self, _b: Any) -> None:
        self.store.close_round(self.round_id)
        self.confirm_box.layout.display = "none"
        self.message.kind, self.message.title = "success", "The round is closed"
        self.message.text = "Answers can no longer be given or changed."
        self.refresh()


def open_results(code: str, base_url: str = "", store: Any = None) -> w.Widget:
    if store is None:
        store = Store(os.environ.get("COPROD_DB") or None)
    return TeamResultsApp(store, code, base_url)


def show(code: str | None = None, store: Any = None) -> w.Widget:
    """The workbook's one call."""

    def build() -> w.Widget:
        visit = identity.from_request(code)
        if not visit.code:
            if visit.served:
                raise NotFound("this page needs the results link you were given")
            return CodeEntry("Team results", lambda c: open_results(c, visit.base_url, store))
        return open_results(visit.code, visit.base_url, store)

    return safely(build)
