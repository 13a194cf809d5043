"""An agreed action as a small form: what, which principle, who leads, by when, status.

The widget holds no store: it reports each edited field through ``on_change`` and the app saves
it, so every keystroke is kept and two people editing different fields never clash.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w
from traitlets import Int

from ..model.actions import HELPED, STATUSES, Action
from .status import SaveStatus

_WIDE = {"description_width": "initial"}


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class ActionEditor(w.VBox):
    """Edit one action (``action_id`` > 0) or draft a new one (``action_id`` == 0)."""

    action_id = Int(0, help="the action edited; 0 for a new one")

    def __init__(
        self, principles: list[tuple[str, str]], action: Action | None = None, number: int = 0
    ):
        self._callbacks: list[Callable[[int, str, str], None]] = []
        label = f"Action {number}" if number else "New action"
        self.what = w.Textarea(
            description=f"{label}: what will the team do?",
            placeholder="e.g. Pay people with lived experience for their time at every meeting",
            style=_WIDE,
            layout=w.Layout(width="100%", height="4.5em"),
        )
        self.principle = w.Dropdown(
            description="Which principle it addresses", options=principles, style=_WIDE
        )
        self.lead = w.Text(description="Who leads", placeholder="a name or a role", style=_WIDE)
        self.due = w.DatePicker(description="By when", style=_WIDE)
        self.status = w.Dropdown(
            description="Status", options=[(v, k) for k, v in STATUSES.items()], style=_WIDE
        )
        self.save_status = SaveStatus()
        if action is not None:
            self.action_id = action.id
            self.what.value = action.what
            self.principle.value = action.principle_id
            self.lead.value = action.lead
            self.due.value = _date(action.due)
            self.status.value = action.status
        else:
            self.status.layout.display = "none"  # a new action starts open
        super().__init__(
            [
                self.what,
                w.HBox([self.principle, self.lead]),
                w.HBox([self.due, self.status]),
                self.save_status,
            ]
        )
        self.add_class("coprod-action")
        for name, widget in self.fields().items():
            widget.observe(self._make_handler(name), "value")

    def fields(self) -> dict[str, w.Widget]:
        return {
            "what": self.what,
            "principle_id": self.principle,
            "lead": self.lead,
            "due": self.due,
            "status": self.status,
        }

    def values(self) -> dict[str, str]:
        return {name: _text(widget.value) for name, widget in self.fields().items()}

    def on_change(self, callback: Callable[[int, str, str], None]) -> None:
        """Call ``callback(action_id, field, value)`` whenever a field is edited."""
        self._callbacks.append(callback)

    def _make_handler(self, name: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            if not self.action_id:
                return
            for cb in self._callbacks:
                cb(self.action_id, name, _text(change["new"]))

        return handler


class ActionReview(w.VBox):
    """Looking back on an action from the round before: done or not, and did it help."""

    action_id = Int(0, help="the action reviewed")

    def __init__(self, action: Action, principle_title: str, number: int):
        self._callbacks: list[Callable[[int, str, str], None]] = []
        self.action_id = action.id
        extra = ", ".join(
            x
            for x in (
                f"led by {escape(action.lead)}" if action.lead else "",
                f"by {escape(action.due)}" if action.due else "",
            )
            if x
        )
        self.summary = w.HTML(
            f"<h3>Action {number}: {escape(action.what)}</h3>"
            f"<p>For <strong>{escape(principle_title)}</strong>{'; ' + extra if extra else ''}.</p>"
        )
        self.status = w.Dropdown(
            description=f"Action {number}: status",
            options=[(v, k) for k, v in STATUSES.items()],
            value=action.status,
            style=_WIDE,
        )
        self.helped = w.Dropdown(
            description=f"Action {number}: did it help?",
            options=[(v, k) for k, v in HELPED.items()],
            value=action.helped,
            style=_WIDE,
        )
        self.note = w.Textarea(
            description=f"Action {number}: what happened",
            value=action.review_note,
            placeholder="What was done, what changed, what the team learnt",
            style=_WIDE,
            layout=w.Layout(width="100%", height="4em"),
        )
        self.save_status = SaveStatus()
        super().__init__(
            [self.summary, w.HBox([self.status, self.helped]), self.note, self.save_status]
        )
        self.add_class("coprod-action")
        for name, widget in (
            ("status", self.status),
            ("helped", self.helped),
            ("review_note", self.note),
        ):
            widget.observe(self._make_handler(name), "value")

    def on_change(self, callback: Callable[[int, str, str], None]) -> None:
        self._callbacks.append(callback)

    def _make_handler(self, name: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            for cb in self._callbacks:
                cb(self.action_id, name, _text(change["new"]))

        return handler


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
