"""The results workbook: the facilitator sees the team's answers, once there are enough, and
the team turns them into actions, looks back on the last round's actions, follows the trend
across rounds, downloads its report and opens the next round."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from .. import identity
from .. import store as store_package

# Imported here, not on first use: a pre-started kernel runs this import before anyone asks
# for the page, so pandas, matplotlib and SQLAlchemy are loaded by the time the request comes.
from ..analysis.render import NO_ACTIONS, effects_html
from ..analysis.view import facts_html, heading_html, prepare, section_html, sections_html
from ..content import FrameworkLibrary
from ..errors import NotFound
from ..model.composition import RESULTS
from ..model.trends import effects
from ..widgets import ActionEditor, ActionReview, Notice, SaveStatus
from .autosave import Autosave, keep, slug
from .common import CodeEntry, link, problem, safely
from .next_round import NextRound
from .results_files import Download, downloads

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["PAGE_ONLY", "Download", "TeamResultsApp", "open_results", "show"]

PAGE_ONLY = "coprod-page-only"  # the page's own controls: not part of the prepared view


def _page_only(widget: w.Widget) -> w.Widget:
    widget.add_class(PAGE_ONLY)
    return widget


def _section(title: str, anchor: str, *children: w.Widget) -> w.VBox:
    box = w.VBox([w.HTML(f"<h2 id='{anchor}'>{escape(title)}</h2>"), *children])
    box.add_class("coprod-section")
    return box


class TeamResultsApp(w.VBox):
    """The page around the prepared view (analysis.view): its sections in their order, with
    the widgets to act on them (reviews, actions) in place, and the page's own controls."""

    def __init__(
        self, store: Store, code: str, base_url: str = "", library: FrameworkLibrary | None = None
    ):
        rnd, kind = store.rounds.by_code(code)
        if kind != "facilitator":
            raise NotFound("this is the team's link for answering, not the results link")
        self.store, self.code, self.base_url = store, code, base_url
        self._library = library
        self._autosaves: dict[int, Autosave] = {}
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
        self.roles = w.HTML()
        self.review_box = w.VBox()
        self.actions_box = w.VBox()
        self.new_action: ActionEditor | None = None
        self.add_button = w.Button(description="Add this action", button_style="primary")
        self.action_message = Notice()
        self.trends = w.HTML()
        self.downloads = w.VBox()
        self.next_box = NextRound(
            store, rnd.id, base_url, lambda: self.library, self._tell, self._on_refresh_click
        )
        self.refresh_button.on_click(self._on_refresh_click)
        self.close_button.on_click(self._on_close_click)
        self.confirm_button.on_click(self._on_confirm_click)
        self.cancel_button.on_click(self._on_cancel_click)
        self.add_button.on_click(self._on_add_click)
        super().__init__(
            [
                self.header,
                _page_only(w.HBox([self.refresh_button, self.close_button])),
                _page_only(self.confirm_box),
                _page_only(self.message),
                self.body,
                self.roles,
                self.review_box,
                self.actions_box,
                self.trends,
                _page_only(_section("Reports and data", "reports", self.downloads)),
                _page_only(_section("The next round", "next-round", self.next_box)),
            ]
        )
        self.add_class("coprod-app")
        self.downloads.children = downloads(store, rnd.id)
        self.refresh()

    # -- reading -------------------------------------------------------------------------

    @property
    def library(self) -> FrameworkLibrary:
        if self._library is None:
            self._library = FrameworkLibrary()
        return self._library

    def refresh(self) -> None:
        links = self.store.rounds.links(self.round_id)
        rnd = links.round
        self.view = view = prepare(self.store, rnd.id)
        self.framework, self.series = view.framework, list(view.series)
        self.results = view.results
        share = ""
        if rnd.is_open:
            share = (
                "<p>Link for the team to answer: "
                f"<code>{escape(link(self.base_url, links.member_code))}</code></p>"
            )
        self.header.value = (
            f"<header><h1>{escape(rnd.team)}: team results</h1>{facts_html(view)}"
            f"<div class='{PAGE_ONLY}'>{share}"
            "<nav aria-label='On this page'><p>On this page: "
            "<a href='#actions'>agreed actions</a> &middot; "
            "<a href='#reports'>reports and data</a> &middot; "
            "<a href='#next-round'>the next round</a></p></nav></div></header>"
        )
        self.close_button.layout.display = None if rnd.is_open else "none"
        self.body.value = f"<div class='coprod-results'>{sections_html(view, *RESULTS)}</div>"
        self.roles.value = sections_html(view, "roles")
        self.trends.value = sections_html(view, "trends", "earlier")
        self._build_review()
        self._build_actions()
        self.next_box.build()

    @property
    def titles(self) -> dict[str, str]:
        return {p.id: p.title for p in self.framework.principles}

    # -- looking back on the previous round's actions -------------------------------------

    def _build_review(self) -> None:
        section = self.view.section("review")
        if not section.shown:
            self.review_box.children = [w.HTML(section_html(section))]
            return
        earlier = self.store.actions.to_review(self.round_id)
        reviews = []
        for i, a in enumerate(earlier, 1):
            r = ActionReview(a, self.titles.get(a.principle_id, a.principle_id), i)
            r.on_change(self._on_review_change)
            keep(r.note, slug("review", r.action_id, "review_note"))
            r.on_change(self._refresh_review_summary)
            reviews.append(r)
        self._reviews = {r.action_id: r for r in reviews}
        self._reviewed = earlier
        self.review_summary = w.HTML(section.html)
        intro = w.HTML(
            "<p>These actions were agreed on the last round's results, with any older ones not "
            "yet finished. For each: was it done, "
            "and did it help? Your answers are saved as you go.</p>"
        )
        heading = w.HTML(heading_html(section))
        box = w.VBox([heading, _page_only(intro), *reviews, self.review_summary])
        box.add_class("coprod-section")
        self.review_box.children = [box]

    def _refresh_review_summary(self, _action_id: int = 0, field: str = "", _v: str = "") -> None:
        """The summary under the reviews, from what the page shows now: it follows each change
        to a status or a "did it help?" as it is made, whenever the store write lands."""
        if field == "review_note":
            return  # not in the summary: no work on every keystroke
        shown = []
        for a in self._reviewed:
            r = self._reviews[a.id]
            shown.append(
                replace(
                    a,
                    status=r.status.value or a.status,
                    helped=r.helped.value or "",
                    review_note=r.note.value or "",
                )
            )
        self.review_summary.value = effects_html(effects(shown, self.series))

    def _on_review_change(self, action_id: int, field: str, value: str) -> None:
        target = self._reviews[action_id].save_status
        rid = self.round_id
        self._save(
            target,
            ("review", action_id, field),
            lambda: self.store.actions.update(action_id, field, value, rid),
            value,
            slug("review", action_id, field),
        )

    # -- agreeing actions -----------------------------------------------------------------

    def _principle_options(self) -> list[tuple[str, str]]:
        return [(p.title, p.id) for p in self.framework.principles]

    def _build_actions(self) -> None:
        options = self._principle_options()
        editors = []
        for i, a in enumerate(self.store.actions.for_round(self.round_id), 1):
            ed = ActionEditor(options, a, number=i)
            ed.on_change(self._on_action_change)
            for name in ("what", "lead"):
                keep(ed.fields()[name], slug("action", ed.action_id, name))
            editors.append(ed)
        self._editors = {e.action_id: e for e in editors}
        if self.new_action is None:
            self.new_action = ActionEditor(options)
            talk = self.results.to_talk_about
            if talk:  # start from where views differ most
                self.new_action.principle.value = talk[0].principle_id
        section = self.view.section("actions")
        intro = (
            "<p>What will the team do about these results? Each action names the principle it "
            "addresses. Changes are saved as you type.</p>"
            if editors
            else "<p>Agree what the team will do, and add it here.</p>"
        )
        add = w.VBox(
            [w.HTML(intro), w.HTML("<h3>Add an action</h3>"), self.new_action, self.add_button]
        )
        box = w.VBox(
            [
                w.HTML(heading_html(section) + ("" if editors else f"<p>{NO_ACTIONS}</p>")),
                *editors,
                _page_only(add),
                _page_only(self.action_message),
            ]
        )
        box.add_class("coprod-section")
        self.actions_box.children = [box]

    def _on_action_change(self, action_id: int, field: str, value: str) -> None:
        target = self._editors[action_id].save_status
        self._save(
            target,
            ("action", action_id, field),
            lambda: self.store.actions.update(action_id, field, value),
            value,
            slug("action", action_id, field),
        )

    def _save(
        self,
        status: SaveStatus,
        key: tuple[Any, ...],
        write: Callable[[], Any],
        value: Any,
        name: str,
    ) -> None:
        """Each action's box saves through the one autosave, and says so beside the action."""
        save = self._autosaves.get(id(status))
        if save is None or save.status is not status:
            save = self._autosaves[id(status)] = Autosave(status)
        typed = isinstance(value, str)
        save.change(
            key,
            write,
            slug=name if typed else "",
            value=value if typed else None,
            immediate=not typed,
        )

    def flush(self) -> bool:
        """Save now whatever waits in any action's boxes."""
        return all([a.flush() for a in self._autosaves.values()])

    def _on_add_click(self, _b: Any) -> None:
        assert self.new_action is not None
        v = self.new_action.values()
        try:
            self.store.actions.add(self.round_id, v["principle_id"], v["what"], v["lead"], v["due"])
        except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
            self.action_message.kind, self.action_message.title = "error", "Not added yet"
            self.action_message.text = f"{problem(e)}. What you typed is still in the form."
            return
        self.new_action = None
        self.action_message.kind, self.action_message.title = "success", "Action added"
        self.action_message.text = (
            "It is saved with this round and will come up for review next time."
        )
        self._build_actions()

    # -- closing ----------------------------------------------------------------------------

    def _tell(self, kind: str, title: str, text: str) -> None:
        self.message.kind, self.message.title, self.message.text = kind, title, text

    @property
    def next_version(self) -> w.RadioButtons:
        return self.next_box.next_version

    @property
    def close_previous(self) -> w.Checkbox:
        return self.next_box.close_previous

    def _on_refresh_click(self, _b: Any = None) -> None:
        try:
            self.refresh()
        except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
            self.message.kind, self.message.title = "error", "Not refreshed"
            self.message.text = problem(e)

    def _on_close_click(self, _b: Any) -> None:
        self.confirm_box.layout.display = None

    def _on_cancel_click(self, _b: Any) -> None:
        self.confirm_box.layout.display = "none"

    def _on_confirm_click(self, _b: Any) -> None:
        try:
            self.store.rounds.close(self.round_id)
        except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
            self.message.kind, self.message.title = "error", "The round is still open"
            self.message.text = problem(e)
            return
        self.confirm_box.layout.display = "none"
        self.message.kind, self.message.title = "success", "The round is closed"
        self.message.text = "Answers can no longer be given or changed."
        self._on_refresh_click(None)


def open_results(code: str, base_url: str = "", store: Store | None = None) -> w.Widget:
    if store is None:
        store = store_package.Store(os.environ.get("COPROD_DB") or None)
    return TeamResultsApp(store, code, base_url)


def show(code: str | None = None, store: Store | None = None) -> w.Widget:
    """The workbook's one call."""

    def build() -> w.Widget:
        visit = identity.from_request(code)
        if not visit.code:
            if visit.served:
                raise NotFound("this page needs the results link you were given")
            return CodeEntry("Team results", lambda c: open_results(c, visit.base_url, store))
        return open_results(visit.code, visit.base_url, store)

    return safely(build)
