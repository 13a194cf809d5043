"""The planner's page for one plan: its parts' views wired to the store, the page's autosave
and identity. Each part is a view (``widgets.planner_parts``, ``planner_rows``,
``planner_review``); here every field a view holds is saved as it is typed, one field at a
time, and a field someone else saved first is kept, never overwritten.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..analysis.budget import budget_html
from ..content import FrameworkLibrary
from ..content.planner import load_planner_content
from ..errors import Conflict, CoprodError, InvalidInput
from ..model.plan import KEPT, PlanData, PlannerContent, field_for
from ..registry import plan_link
from ..style import style_tag
from ..widgets import Notice, SaveStatus
from ..widgets.planner import FieldsBox, PlanPart, RowBox
from ..widgets.planner_parts import CosView, LadderView, PurposeView, VoicesView, header
from ..widgets.planner_review import ExportView, ReviewView
from ..widgets.planner_rows import BudgetView, MeasuresView, RisksView, TimelineView
from .autosave import Autosave, keep, slug
from .planner_review import ReviewActions

if TYPE_CHECKING:
    from ..model.plan import PlanRecord
    from ..store import Store

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
        self.plan: PlanRecord = store.plans.by_code(code)  # NotFound for an unknown code
        self.fields: dict[str, Any] = dict(store.plans.fields(code))
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
        self.header = header(plan_link(base_url, code), bool(base_url))
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
                w.HTML(style_tag("planner")),
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
            store.plans.save_field(code, key, value, base=seen.get(key))
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
            store.plans.save_fields(code, values)
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
                self.store.plans.save_field(self.code, kept_key, kept)
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
