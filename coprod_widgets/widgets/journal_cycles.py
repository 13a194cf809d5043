"""Reflection cycles: a topic followed through cycles, its timeline, and the next cycle.

No store here: the view reports what the author asked for and the app answers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import ipywidgets as w

from ..model.journal import ReflectiveModel, Topic

_WIDE = {"description_width": "initial"}
NONE = 0


class CyclesView(w.VBox):
    def __init__(self, models: Sequence[ReflectiveModel], default_model: str = "pdsa", **kwargs):
        self._cbs: dict[str, list[Callable[..., None]]] = {
            k: [] for k in ("topic", "new_topic", "next_cycle", "open_cycle", "status")
        }
        self.intro = w.HTML(
            "<h2>Reflection cycles</h2><p>Follow one topic through cycles: try something, look at "
            "what happened, adjust. Each cycle is an entry; what it decides to do next becomes the "
            "starting point of the next cycle.</p>"
        )
        self.topic = w.Dropdown(description="Topic", options=[("No topics yet", NONE)], style=_WIDE)
        self.new_title = w.Text(
            description="A new topic",
            placeholder="e.g. Welcoming new members to the group",
            style=_WIDE,
            layout=w.Layout(width="26rem"),
        )
        ids = [m.id for m in models]
        self.new_model = w.Dropdown(
            description="Model for its cycles",
            options=[(m.title, m.id) for m in models],
            value=default_model if default_model in ids else (ids[0] if ids else None),
            style=_WIDE,
        )
        self.start_topic = w.Button(description="Start this topic")
        self.message = w.HTML()
        self.timeline = w.HTML()
        self.timeline.add_class("coprod-timeline-view")
        self.next_cycle = w.Button(description="Start the next cycle", button_style="primary")
        self.cycle = w.Dropdown(description="Cycle", options=[], style=_WIDE)
        self.open_cycle = w.Button(description="Open this cycle")
        self.status = w.Button(description="Close this topic")
        self.actions = w.VBox(
            [w.HBox([self.next_cycle, self.status]), w.HBox([self.cycle, self.open_cycle])]
        )
        new_box = w.HBox([self.new_title, self.new_model, self.start_topic])
        new_box.add_class("coprod-filter-row")
        super().__init__(
            [self.intro, self.topic, new_box, self.message, self.timeline, self.actions], **kwargs
        )
        self.add_class("coprod-cycles")
        self._topic_status = "open"
        self.topic.observe(self._on_topic_value, "value")
        self.start_topic.on_click(self._on_start_topic_click)
        self.next_cycle.on_click(lambda _b: self._emit("next_cycle"))
        self.open_cycle.on_click(self._on_open_cycle_click)
        self.status.on_click(self._on_status_click)
        self._muted = False
        self.actions.layout.display = "none"

    def on(self, event: str, callback: Callable[..., None]) -> None:
        """``topic(id)``, ``new_topic(title, model_id)``, ``next_cycle()``, ``open_cycle(entry_id)``,
        ``status(new_status)``."""
        self._cbs[event].append(callback)

    def _emit(self, event: str, *args: Any) -> None:
        for cb in self._cbs[event]:
            cb(*args)

    def _on_topic_value(self, change: dict[str, Any]) -> None:
        if not self._muted and change["new"]:
            self._emit("topic", change["new"])

    def _on_start_topic_click(self, _b: Any) -> None:
        self._emit("new_topic", self.new_title.value, self.new_model.value)

    def _on_open_cycle_click(self, _b: Any) -> None:
        if self.cycle.value:
            self._emit("open_cycle", self.cycle.value)

    def _on_status_click(self, _b: Any) -> None:
        self._emit("status", "closed" if self._topic_status == "open" else "open")

    # -- shown by the app -------------------------------------------------------------------------

    def show_topics(self, topics: Sequence[Topic], selected: int | None = None) -> None:
        self._muted = True
        try:
            if topics:
                self.topic.options = [
                    (
                        f"{t.title} ({t.cycles} cycle{'s' if t.cycles != 1 else ''}"
                        f"{', closed' if t.status == 'closed' else ''})",
                        t.id,
                    )
                    for t in topics
                ]
                self.topic.value = selected if selected in {t.id for t in topics} else topics[0].id
            else:
                self.topic.options = [("No topics yet", NONE)]
                self.topic.value = NONE
        finally:
            self._muted = False

    def show_topic(
        self, topic: Topic, timeline_html: str, cycles: Sequence[tuple[str, int]]
    ) -> None:
        self._topic_status = topic.status
        self.timeline.value = (
            f"<h3>{escape(topic.title)}</h3>"
            f"<p class='coprod-note'>{'Open' if topic.status == 'open' else 'Closed'} · "
            f"{len(cycles)} cycle{'s' if len(cycles) != 1 else ''}</p>{timeline_html}"
        )
        self.cycle.options = list(cycles)
        self.cycle.value = cycles[-1][1] if cycles else None
        self.open_cycle.disabled = not cycles
        self.next_cycle.disabled = topic.status != "open"
        self.next_cycle.description = "Start the next cycle" if cycles else "Start the first cycle"
        self.status.description = (
            "Close this topic" if topic.status == "open" else "Reopen this topic"
        )
        self.actions.layout.display = "flex"

    def show_message(self, text: str, kind: str = "info") -> None:
        role = "alert" if kind == "error" else "status"
        cls = "coprod-status-error" if kind == "error" else "coprod-note"
        self.message.value = f"<p role='{role}' class='{cls}'>{escape(text)}</p>" if text else ""
