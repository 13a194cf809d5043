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
from ..model.trends import comparable, effects
from ..widgets import ActionEditor, ActionReview, Notice, SaveStatus
from ..widgets.download import download_link
from .autosave import Autosave, keep, slug
from .common import CodeEntry, link, problem, safely
from .start import links_html

if TYPE_CHECKING:
    from ..store import Store

PAGE_ONLY = "coprod-page-only"  # the page's own controls: not part of the prepared view


def _page_only(widget: w.Widget) -> w.Widget:
    widget.add_class(PAGE_ONLY)
    return widget


def _section(title: str, anchor: str, *children: w.Widget) -> w.VBox:
    box = w.VBox([w.HTML(f"<h2 id='{anchor}'>{escape(title)}</h2>"), *children])
    box.add_class("coprod-section")
    return box


class Download(w.VBox):
    """A button that prepares a file, then a link that saves it (works with the keyboard)."""

    def __init__(self, label: str, filename: str, mime: str, make: Callable[[], bytes]):
        self._make, self.filename, self.mime = make, filename, mime
        self.button = w.Button(description=f"Prepare {label}")
        self.link = w.HTML()
        self.button.on_click(self._on_button_click)
        super().__init__([self.button, self.link])
        self.add_class("coprod-download")
        self._label = label

    def _on_button_click(self, _b: Any) -> None:
        self.button.disabled = True
        self.link.value = "<p role='status'>Preparing…</p>"
        try:
            data = self._make()
        except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
            self.link.value = (
                f"<p role='alert' class='coprod-status-error'>{escape(problem(e))}</p>"
            )
            return
        finally:
            self.button.disabled = False
        link = download_link(data, self.filename, self.mime, f"Download {self._label}")
        self.link.value = f"<p role='status'>{link}</p>"


class TeamResultsApp(w.VBox):
    """The page around the prepared view (analysis.view): its sections in their order, with
    the widgets to act on them (reviews, actions) in place, and the page's own controls."""

    def __init__(
        self, store: Store, code: str, base_url: str = "", library: FrameworkLibrary | None = None
    ):
        rnd, kind = store.round_by_code(code)
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
        self.next_box = w.VBox()
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
        self._build_downloads()
        self.refresh()

    # -- reading -------------------------------------------------------------------------

    @property
    def library(self) -> FrameworkLibrary:
        if self._library is None:
            self._library = FrameworkLibrary()
        return self._library

    def refresh(self) -> None:
        links = self.store.links(self.round_id)
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
        self._build_next()

    @property
    def titles(self) -> dict[str, str]:
        return {p.id: p.title for p in self.framework.principles}

    # -- looking back on the previous round's actions -------------------------------------

    def _build_review(self) -> None:
        section = self.view.section("review")
        if not section.shown:
            self.review_box.children = [w.HTML(section_html(section))]
            return
        earlier = self.store.actions_to_review(self.round_id)
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
            lambda: self.store.update_action(action_id, field, value, rid),
            value,
            slug("review", action_id, field),
        )

    # -- agreeing actions -----------------------------------------------------------------

    def _principle_options(self) -> list[tuple[str, str]]:
        return [(p.title, p.id) for p in self.framework.principles]

    def _build_actions(self) -> None:
        options = self._principle_options()
        editors = []
        for i, a in enumerate(self.store.actions(self.round_id), 1):
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
            lambda: self.store.update_action(action_id, field, value),
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
            self.store.add_action(self.round_id, v["principle_id"], v["what"], v["lead"], v["due"])
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

    # -- reports and data ------------------------------------------------------------------

    def _build_downloads(self) -> None:
        rid = self.round_id

        def report(fmt: str) -> Callable[[], bytes]:
            def make() -> bytes:
                from ..reports.export import export_report

                return export_report("team_report", {"round_id": rid, "db": self.store.url}, fmt)

            return make

        def ratings(fmt: str) -> Callable[[], bytes]:
            def make() -> bytes:
                from ..model.exchange import export_csv, export_json

                export = self.store.export_ratings(rid)  # refused below the minimum
                if fmt == "csv":
                    return export_csv(export).encode("utf-8-sig")
                return export_json(export).encode("utf-8")

            return make

        self.downloads.children = [
            w.HTML(
                "<p>The report holds what this page shows: results, who got heard, trends and "
                "actions, with the same minimum and anonymity.</p>"
            ),
            Download(
                "the team report (web page)",
                f"team-report-round-{rid}.html",
                "text/html",
                report("html"),
            ),
            Download(
                "the team report (PDF)",
                f"team-report-round-{rid}.pdf",
                "application/pdf",
                report("pdf"),
            ),
            w.HTML(
                "<p>The ratings as data, one row per rating, for a spreadsheet or your own "
                "analysis. In an anonymous round they carry no names, times or rare roles, and "
                "hold the same released answers as this page.</p>"
            ),
            Download("the ratings (CSV)", f"ratings-round-{rid}.csv", "text/csv", ratings("csv")),
            Download(
                "the ratings (JSON)",
                f"ratings-round-{rid}.json",
                "application/json",
                ratings("json"),
            ),
        ]

    # -- the next round ---------------------------------------------------------------------

    def _build_next(self) -> None:
        nxt = self.store.next_round(self.round_id)
        if nxt is not None:
            links = self.store.links(nxt.id)
            self.next_box.children = [
                w.HTML(
                    f"<p>Round {nxt.id} was opened from this one on {escape(nxt.created_at[:10])}."
                    " Its two links:</p>"
                    + links_html(self.base_url, links.member_code, links.facilitator_code, 3)
                )
            ]
            return
        fw = self.framework
        self.next_version = w.RadioButtons(
            description="Framework version", style={"description_width": "initial"}
        )
        choices = [(f"Keep version {fw.version}, as in this round", "keep")]
        note = ""
        try:
            newer = self.library.get(fw.id)
        except KeyError:
            newer = None
        self._newer = newer if newer is not None and newer.version != fw.version else None
        if self._newer is not None:
            changed = [
                p.title for p in self._newer.principles if not comparable(fw, self._newer, p.id)
            ]
            choices.append((f"Use version {self._newer.version}, the latest", "latest"))
            note = (
                f"<p class='coprod-note'>Version {escape(self._newer.version)} of {escape(fw.title)} "
                "is available. "
                + (
                    f"Its statements or scale differ for {escape(', '.join(changed))}: those principles "
                    "will not be compared with earlier rounds."
                    if changed
                    else "No principle's statements or scale changed, so every principle stays "
                    "comparable."
                )
                + "</p>"
            )
        self.next_version.options = choices
        self.next_version.value = "keep"
        if self._newer is None:
            self.next_version.layout.display = "none"
        self.open_next = w.Button(description="Open the next round", button_style="primary")
        self.open_next.on_click(self._on_open_next_click)
        self.next_message = Notice()
        is_open = self.store.get_round(self.round_id).is_open
        # Closing the old round is the default: left open, members who still have its link
        # keep answering it, and those answers never reach the next round's results.
        self.close_previous = w.Checkbox(
            value=is_open,
            description=f"Close this round (round {self.round_id}) when the next one opens",
            indent=False,
            style={"description_width": "initial"},
            layout=w.Layout(width="auto", display=None if is_open else "none"),
        )
        why = (
            "<p class='coprod-note'>Recommended: otherwise anyone with this round's member link "
            "could keep answering it, and those answers would not count in the next round.</p>"
            if is_open
            else ""
        )
        self.next_box.children = [
            w.HTML(
                "<p>When the team is ready to look again (every few months), open the next "
                "round. It keeps this round's framework, privacy, minimum and roles, and starts "
                "with this round's actions to review. Its results are kept as they are.</p>" + note
            ),
            self.next_version,
            self.close_previous,
            w.HTML(why),
            self.open_next,
            self.next_message,
        ]

    def _on_open_next_click(self, _b: Any) -> None:
        newer = self._newer if self.next_version.value == "latest" else None
        close = self.close_previous.value and self.close_previous.layout.display != "none"
        try:
            self.store.open_next_round(self.round_id, newer)
        except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
            self.next_message.kind, self.next_message.title = "error", "Not opened"
            self.next_message.text = problem(e)
            return
        if close:
            try:
                self.store.close_round(self.round_id)
            except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
                self._build_next()
                self.message.kind, self.message.title = "error", "This round is still open"
                self.message.text = (
                    f"The next round is open, but this one could not be closed: {problem(e)}. "
                    "Close it with the button at the top."
                )
                return
            self.message.kind, self.message.title = "success", "The round is closed"
            self.message.text = "The next round is open; this one no longer takes answers."
            self._on_refresh_click(None)  # the header, and the next round's links below
            return
        self._build_next()

    # -- closing ----------------------------------------------------------------------------

    def _on_refresh_click(self, _b: Any) -> None:
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
            self.store.close_round(self.round_id)
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
