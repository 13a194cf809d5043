"""The planner workbook: a team plans how it will involve people, before it starts.

The parts follow what the seeds say goes wrong: purpose and limits, where on the ladder, the
four Co's, voices and support, budget, timeline, risks, measures and review. The page for one
plan is ``PlannerApp`` (``planner_app``); every field is saved to the store as it is typed,
so a reload, a closed tab or a dead kernel brings it all back from there.

A plan is opened by its private code: ``?plan=<code>`` under ``coprod serve``, or ``show(code=)``.
Without one, the page offers to start a new plan (or, in JupyterLab, to open one of yours).
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as w

from .. import identity

# Imported here, not on first use: a pre-started kernel runs this import before anyone asks
# for the page, so pandas, matplotlib, YAML and SQLAlchemy are loaded by the time it is asked.
from ..content import ContentError
from ..errors import CoprodError
from ..registry import plan_link
from ..store import Store
from ..widgets import Notice
from .common import safely
from .planner_app import PlannerApp

__all__ = ["PlanStart", "PlannerApp", "open_plan", "show"]


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
        plans = self.store.plans.all()[:20]
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
            _plan, code = self.store.plans.create(self.title.value)
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
