"""The planner workbook: a team plans how it will involve people, before it starts.

The parts follow what the seeds say goes wrong: purpose and limits, where on the ladder, the
four Co's, voices and support, budget, timeline, risks, measures and review. Each part is a view
(``widgets.planner_parts``, ``planner_rows``, ``planner_review``); this module only wires them to
the store, the page's autosave and identity. Every field is saved to the store as it is typed,
one field at a time (two people editing different parts never overwrite each other); a reload,
a closed tab or a dead kernel brings it all back from there.

A plan is opened by its private code: ``?plan=<code>`` under ``coprod serve``, or ``show(code=)``.
Without one, the page offers to start a new plan (or, in JupyterLab, to open one of yours).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import replace
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from .. import identity

# Imported here, not on first use: a pre-started kernel runs this import before anyone asks
# for the page, so pandas, matplotlib, YAML and SQLAlchemy are loaded by the time it is asked.
from ..analysis.budget import budget_html
from ..content import ContentError, FrameworkLibrary
from ..content.planner import load_planner_content
from ..errors import Conflict, CoprodError, InvalidInput
from ..model.plan import KEPT, PlanData, PlannerContent, field_for, plan_link
from ..store import Store
from ..widgets import Notice, SaveStatus
from ..widgets.planner import FieldsBox, PlanPart, RowBox
from ..widgets.planner_parts import CosView, LadderView, PurposeView, VoicesView, header
from ..widgets.planner_review import ExportView, ReviewView
from ..widgets.planner_rows import BudgetView, MeasuresView, RisksView, TimelineView
from ..widgets.planner_style import STYLE
from .autosave import Autosave, keep, slug
from .common import safely
from .planner_review import ReviewActions

if TYPE_CHECKING:
    from ..model.plan import PlanRecord

log = logging.getLogger("coprod")


def _label(key: str) -> str:
    if key == "title":
        return "Name of the plan"
    try:
        return field_for(key).label
    except InvalidInput:
        return key


def _slug(title: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
    return s or "plan"


class PlannerApp(w.VBox):
    """Wires the plan's views to the store: every change is saved as it is made."""

    def __init__(
        self,
        store: Store,
        code: str,
        base_url: str = "",
        content: PlannerContent | None = None,
        today: date | None = None,
        frameworks: FrameworkLibrary | None = None,
    ):
        self.store, self.code, self.base_url = store, code, base_url
        self.plan: PlanRecord = store.plan_by_code(code)  # NotFound for an unknown code
        self.fields: dict[str, Any] = dict(store.plan_fields(code))
        self.content = content or load_planner_content()
        # What this page last read from or wrote to the store, field by field: the base a save
        # is checked against, so a stale tab cannot overwrite what another has saved since.
        self._seen: dict[str, Any] = {**self.fields, "title": self.plan.title}
        self._quiet = False
        self.clashes = Notice()
        self.clashes_clear = w.Button(
            description="Clear the kept text", tooltip="once you have copied what you need"
        )
        self.clashes_clear.on_click(self._on_clashes_clear_click)
        self.status = SaveStatus()
        self.autosave = Autosave(self.status)
        self.boxes: list[FieldsBox] = []

        library = frameworks or FrameworkLibrary()
        rounds = [(f"{f.title} ({len(f.principles)} principles)", f.id) for f in library]
        data, fields, content = self.data, self.fields, self.content
        self.header = header(base_url, code)
        self.purpose_view = PurposeView(self.plan.title, fields)
        self.ladder_view = LadderView(content, fields)
        self.cos_view = CosView(content, fields)
        self.voices_view = VoicesView(fields)
        self.budget_view = BudgetView(content, data, budget_html)
        self.timeline_view = TimelineView(data)
        self.risks_view = RisksView(content, data)
        self.measures_view = MeasuresView(content, data)
        today = today or date.today()
        self.review_view = ReviewView(fields, today, self.plan.title, rounds, bool(base_url))
        self.export_view = ExportView()
        self.views: list[PlanPart] = [
            self.purpose_view,
            self.ladder_view,
            self.cos_view,
            self.voices_view,
            self.budget_view,
            self.timeline_view,
            self.risks_view,
            self.measures_view,
            self.review_view,
            self.export_view,
        ]
        for view in self.views:
            for box in view.boxes:
                self._watch(box, view)
            for rows in view.row_lists:
                for row in rows.rows.values():
                    self._watch(row, view)
                rows.on_change(partial(self._on_rows, view))
        self.review_actions = ReviewActions(
            store, code, base_url, library, self.fields, self._seen, self.save, lambda: self.data
        )
        self.review_actions.wire(self.review_view.round, self.review_view.journal)
        self.review_view.open_review.on_click(self._on_open_review_click)
        self.export_view.make_html.on_click(lambda _b: self.export("html"))
        self.export_view.make_pdf.on_click(lambda _b: self.export("pdf"))
        super().__init__(
            [
                w.HTML(STYLE),
                self.header,
                self.clashes,
                self.clashes_clear,
                *self.views,
                self.status,
            ]
        )
        self.add_class("coprod-app")
        self.add_class("coprod-planner")
        self._show_clashes()

    @property
    def data(self) -> PlanData:
        return PlanData(self.plan.title, self.fields)

    def _refresh(self, view: PlanPart) -> None:
        data = self.data
        view.refresh(data)
        if view is self.review_view:  # the review date is on the timeline too
            self.timeline_view.refresh(data)

    def _watch(self, box: FieldsBox, view: PlanPart) -> None:
        """Save each field of the box as it changes, then refresh its part of the page."""
        self.boxes.append(box)
        for name, inp in box.inputs.items():
            if isinstance(inp, w.Text | w.Textarea):
                keep(inp, slug("plan", box.prefix + name))

        def on_values(change: dict[str, Any]) -> None:
            if self._quiet:
                return
            old, new = change["old"] or {}, change["new"] or {}
            for name, value in new.items():
                if old.get(name) != value:
                    self.save(box.prefix + name, value)
            self._refresh(view)

        box.observe(on_values, "values")

    def _on_rows(self, view: PlanPart, row: RowBox, event: str, first: dict[str, Any]) -> None:
        """A row added (its first fields saved together), removed or brought back."""
        if event == "added":
            self._save_many({row.prefix + k: v for k, v in first.items()})
        else:
            self.save(row.prefix + "removed", event == "removed")
        if event != "removed":
            self._watch(row, view)
        self._refresh(view)

    def _on_open_review_click(self, _b: Any) -> None:
        self.save("review.opened", True)
        self._refresh(self.review_view)

    # -- saving -------------------------------------------------------------------------------

    def save(self, key: str, value: Any) -> None:
        """Save one field through the page's autosave (typed text after a pause, a click at
        once). Each write says which value the page last saw, so a field someone else saved
        in the meantime is a clash (``_on_clash``), never an overwrite."""
        if key == "title":
            self.plan = replace(self.plan, title=value.strip() if isinstance(value, str) else "")
        else:
            self.fields[key] = value
        code, store, seen = self.code, self.store, self._seen

        def write() -> None:
            store.save_plan_field(code, key, value, base=seen.get(key))
            seen[key] = value  # here, so the next write of this box has the right base

        def refused(e: Exception) -> None:
            if isinstance(e, Conflict):
                self._on_clash(key, value, e.current, e.label)

        typed = isinstance(value, str)
        self.autosave.change(
            key,
            write,
            slug=slug("plan", key) if typed else "",
            value=value if typed else None,
            immediate=not typed,
            on_error=refused,
        )

    def _save_many(self, values: dict[str, Any]) -> None:
        """A new row's first fields, saved together."""
        self.fields.update(values)
        code, store, seen = self.code, self.store, self._seen

        def write() -> None:
            store.save_plan_fields(code, values)
            seen.update(values)

        self.autosave.change(("row", *sorted(values)), write, immediate=True)

    def _on_clash(self, key: str, ours: Any, theirs: Any, label: str) -> None:
        """Someone else saved this field first: show theirs in the box, keep ours in the plan
        (``kept.<key>``) and on the page, so nothing either person typed is lost."""
        self._seen[key] = theirs
        if key == "title":
            self.plan = replace(self.plan, title=theirs or "")
        else:
            self.fields[key] = theirs
        kept_key = f"{KEPT}.{key}"
        mine = ours if isinstance(ours, str) else ("" if ours is None else str(ours))
        earlier = self.fields.get(kept_key) or ""
        kept = f"{earlier}\n\n{mine}".strip() if earlier and mine not in earlier else mine
        try:
            if kept:
                self.store.save_plan_field(self.code, kept_key, kept)
                self.fields[kept_key] = self._seen[kept_key] = kept
        except Exception as e:  # noqa: BLE001 - it stays on this page, said plainly
            log.warning("kept text for %s not saved: %s", key, e)
        self._quiet = True
        try:
            for box in self.boxes:
                name = key[len(box.prefix) :]
                if key.startswith(box.prefix) and name in box.specs:
                    box.set_value(name, theirs)
        finally:
            self._quiet = False
        self.status.state = "error"
        self.status.message = f"Not saved: someone else changed “{label}” first. See above."
        self._show_clashes(label)

    def _show_clashes(self, label: str = "") -> None:
        prefix = f"{KEPT}."
        kept = {k[len(prefix) :]: v for k, v in self.fields.items() if k.startswith(prefix) and v}
        if not kept:
            self.clashes.title = self.clashes.text = ""
            self.clashes_clear.layout.display = "none"
            return
        first = (
            f"Someone else changed “{label}” while you were typing, and saved first. Their "
            "version is in the box now. "
            if label
            else ""
        )
        self.clashes.kind, self.clashes.title = "error", "Two people typed in the same box"
        self.clashes.text = (
            first + "What was typed here is kept below (and with the plan), to copy back what "
            "you need.\n" + "\n".join(f"{_label(k)}: {v}" for k, v in kept.items())
        )
        self.clashes_clear.layout.display = None

    def _on_clashes_clear_click(self, _b: Any) -> None:
        for k in [k for k in self.fields if k.startswith(f"{KEPT}.")]:
            self.save(k, "")
        self._show_clashes()

    def export(self, fmt: str) -> bytes | None:
        """Make the plan's HTML or PDF and offer it as a download link in the page."""
        say = self.export_view.say
        say("info", "Making the file...", "This takes a few seconds.")
        try:
            from ..reports.export import export_report

            data = export_report("plan_report", {"code": self.code, "db": self.store.url}, fmt)
        except CoprodError as e:
            say("error", "The file could not be made", str(e))
            return None
        except Exception:  # noqa: BLE001 - the page must say so, not show a traceback
            log.exception("plan export failed")
            say(
                "error",
                "The file could not be made",
                "Something went wrong. The plan itself is safe; try again.",
            )
            return None
        self.export_view.offer(fmt, data, f"{_slug(self.plan.title)}.{fmt}")
        return data


# -- without a plan: start one, or open one ------------------------------------------------------


class PlanStart(w.VBox):
    """Start a new plan (and see its private link), or open one by its code."""

    def __init__(self, store: Store, base_url: str = "", served: bool = False):
        self.store, self.base_url, self.served = store, base_url, served
        self.title = w.Text(
            description="Name of the plan",
            placeholder="e.g. Riverside youth drop-in",
            style={"description_width": "initial"},
        )
        self.start = w.Button(description="Start a new plan", button_style="primary")
        self.start.on_click(self._on_start_click)
        self.code = w.Text(
            description="Plan code",
            placeholder="the code at the end of your plan's link",
            style={"description_width": "initial"},
        )
        self.open_button = w.Button(description="Open the plan")
        self.open_button.on_click(self._on_open_click)
        self.message = Notice()
        self.body = w.VBox()
        header = w.HTML(
            "<header><h1>Plan how you will involve people</h1><p>For a commissioner, a "
            "service manager or a community group about to involve people in designing or "
            "running a service. The planner walks you through the questions to ask before "
            "you start, and leaves you with a plan to share and review.</p></header>"
        )
        children: list[w.Widget] = [
            w.HTML("<h2>Start a new plan</h2>"),
            self.title,
            self.start,
            w.HTML("<h2>Open a plan you started</h2><p>Paste the code from your plan's link.</p>"),
            w.HBox([self.code, self.open_button]),
        ]
        if not served:
            children.append(self._mine())
        # Hidden once a plan is open, so nobody starts a second plan by mistake.
        self.chooser = w.VBox(children)
        super().__init__([header, self.chooser, self.message, self.body])
        self.add_class("coprod-app")

    def _mine(self) -> w.Widget:
        """In JupyterLab the database is the user's own: list their plans to open."""
        plans = self.store.list_plans()[:20]
        if not plans:
            return w.HTML()
        buttons = []
        for s in plans:
            b = w.Button(description=f"Open: {s.plan.title or 'Untitled plan'}"[:80])
            b.on_click(lambda _b, code=s.plan.code: self._open(code))
            buttons.append(b)
        return w.VBox([w.HTML("<h2>Your plans</h2>"), *buttons])

    def _on_start_click(self, _b: Any) -> None:
        try:
            _plan, code = self.store.create_plan(self.title.value)
        except CoprodError as e:
            self.message.kind, self.message.title, self.message.text = (
                "error",
                "Not started",
                str(e),
            )
            return
        self.new_code = code
        url = plan_link(self.base_url, code)
        self.message.kind, self.message.title = "success", "Your plan is started"
        self.message.text = (
            f"Keep this private link to come back to it: {url}\n"
            "Anyone who has it can read and change the plan."
        )
        self._open(code)

    def _on_open_click(self, _b: Any) -> None:
        code = self.code.value.strip().rsplit("=", 1)[-1].rsplit("/", 1)[-1]
        self._open(code)

    def _open(self, code: str) -> None:
        page = safely(lambda: open_plan(code, self.base_url, self.store))
        self.body.children = [page]
        if isinstance(page, PlannerApp):
            self.chooser.layout.display = "none"


def _store(store: Store | None) -> Store:
    return store if store is not None else Store(os.environ.get("COPROD_DB") or None)


def open_plan(code: str, base_url: str = "", store: Store | None = None) -> w.Widget:
    try:
        return PlannerApp(_store(store), code, base_url)
    except ContentError as e:
        raise CoprodError(f"the planner's content files have problems: {e}") from None


def show(code: str | None = None, store: Store | None = None) -> w.Widget:
    """The workbook's one call: the plan whose code is given or in the link, or a way to start."""

    def build() -> w.Widget:
        if code:
            return open_plan(code, identity.base_url(), store)
        if identity.in_voila():
            visit = identity.from_request()
            if visit.plan:
                return open_plan(visit.plan, visit.base_url, store)
            return PlanStart(_store(store), visit.base_url, served=True)
        return PlanStart(_store(store), identity.base_url(), served=False)

    return safely(build)
