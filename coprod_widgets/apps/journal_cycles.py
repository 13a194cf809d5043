"""Reflection cycles, wired: topics followed through cycles, their timeline, and their export."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..errors import CoprodError
from ..model.journal import Entry, ReflectiveModel, timeline
from ..widgets.journal_cycles import CyclesView
from ..widgets.journal_export import ExportPanel

if TYPE_CHECKING:
    from ..model.forms import ExportForm
    from ..store import Store


class CyclesMixin:
    """The cycles half of ``JournalApp`` (see there for the attributes it shares)."""

    store: Store
    owner: str
    model_list: list[ReflectiveModel]
    form_list: list[ExportForm]
    _cycles: CyclesView | None
    topic_panel: ExportPanel
    cycles_view: w.VBox

    _show: Callable[[w.Widget], None]
    open_entry: Callable[[int], None]
    _open: Callable[[Entry, ReflectiveModel], None]
    _model: Callable[[str], ReflectiveModel]
    _model_of: Callable[[Entry], ReflectiveModel]
    _wire_panel: Callable[..., None]
    _topic_scope: Callable[[], dict[str, Any]]

    def show_cycles(self, topic_id: int | None = None) -> None:
        if self._cycles is None:
            cv = CyclesView(self.model_list)
            cv.on("topic", self._show_topic)
            cv.on("new_topic", self._on_new_topic)
            cv.on("next_cycle", self._on_next_cycle)
            cv.on("open_cycle", self.open_entry)
            cv.on("status", self._on_topic_status)
            self.topic_panel = ExportPanel(self.form_list)
            self.topic_panel.set_scope("this topic's cycles")
            self._wire_panel(self.topic_panel, self._topic_scope)
            self._cycles = cv
            self.cycles_view = w.VBox([cv, self.topic_panel])
        self._show(self.cycles_view)
        topics = self.store.journal.topics(self.owner)
        self._cycles.show_topics(topics, topic_id)
        self.topic_panel.layout.display = "flex" if topics else "none"
        if topics:
            self._show_topic(self._cycles.topic.value)

    def _show_topic(self, topic_id: int) -> None:
        from ..reports.journal_html import timeline_html

        assert self._cycles is not None
        try:
            topic = self.store.journal.topic(self.owner, topic_id)
            cycles = self.store.journal.cycles(self.owner, topic_id)
        except CoprodError as e:
            self._cycles.show_message(str(e), "error")
            return
        model_for = {e.model_key: self._model_of(e) for e in cycles}
        tl = timeline(topic, cycles, model_for)
        self._cycles.show_topic(
            topic,
            timeline_html(tl, 4),
            [(f"Cycle {e.cycle}: {e.display_title()} ({e.entry_date})", e.id) for e in cycles],
        )

    def _on_new_topic(self, title: str, model_id: str) -> None:
        assert self._cycles is not None
        try:
            topic = self.store.journal.create_topic(self.owner, title, model_id)
        except CoprodError as e:
            self._cycles.show_message(f"Not started: {e}", "error")
            return
        self._cycles.new_title.value = ""
        self._cycles.show_message(f"Topic “{topic.title}” started: now start its first cycle.")
        self.show_cycles(topic.id)

    def _on_next_cycle(self) -> None:
        assert self._cycles is not None
        tid = self._cycles.topic.value
        try:
            topic = self.store.journal.topic(self.owner, tid)
            entry = self.store.journal.start_cycle(self.owner, tid, self._model(topic.model_id))
        except CoprodError as e:
            self._cycles.show_message(f"Not started: {e}", "error")
            return
        self._open(entry, self._model_of(entry))

    def _on_topic_status(self, status: str) -> None:
        assert self._cycles is not None
        tid = self._cycles.topic.value
        try:
            self.store.journal.update_topic(self.owner, tid, "status", status)
        except CoprodError as e:
            self._cycles.show_message(str(e), "error")
            return
        self.show_cycles(tid)
