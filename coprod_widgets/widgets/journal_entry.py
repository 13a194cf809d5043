"""Writing a journal entry: the facts (title, date, time, participatory), the stages of a
reflective model one at a time (``journal_stages``), and tags.

No store here: every edit is reported through a callback (``on_change``, ``on_stage``,
``on_tag``) as it happens, and the app saves it, so every keystroke is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import ipywidgets as w
from traitlets import Int, Unicode, observe

from ..model.journal import Entry, ReflectiveModel
from .journal_stages import StageEditor

_WIDE = {"description_width": "initial"}


class TagPicker(w.VBox):
    """Principles of every framework, and the areas of benefit, as labelled checkboxes."""

    summary = Unicode("", help="what is chosen, in words")

    def __init__(self, groups: Sequence[tuple[str, Sequence[tuple[str, str]]]], **kwargs):
        """``groups``: (heading, [(tag, label), ...]) in the order to show them."""
        self._callbacks: list[Callable[[str, bool], None]] = []
        self.boxes: dict[str, w.Checkbox] = {}
        self._labels: dict[str, str] = {}
        sections: list[w.Widget] = []
        for heading, tags in groups:
            boxes = []
            for tag, label in tags:
                cb = w.Checkbox(value=False, description=label, indent=False)
                cb.observe(self._make_handler(tag), "value")
                self.boxes[tag] = cb
                self._labels[tag] = label
                boxes.append(cb)
            box = w.VBox([w.HTML(f"<h3 class='coprod-tag-group'>{escape(heading)}</h3>"), *boxes])
            box.add_class("coprod-tag-section")
            sections.append(box)
        self.toggle = w.Button(description="Choose tags")
        self.chosen = w.HTML()
        self.panel = w.VBox(sections, layout=w.Layout(display="none"))
        self.panel.add_class("coprod-tag-panel")
        super().__init__([w.HBox([self.toggle, self.chosen]), self.panel], **kwargs)
        self.add_class("coprod-tags")
        self.toggle.on_click(self._on_toggle_click)
        self._update()

    def on_tag(self, callback: Callable[[str, bool], None]) -> None:
        self._callbacks.append(callback)

    @property
    def value(self) -> tuple[str, ...]:
        return tuple(sorted(t for t, cb in self.boxes.items() if cb.value))

    def set_value(self, tags: Sequence[str]) -> None:
        """Show these tags as chosen, without reporting it as an edit."""
        self._quiet = True
        try:
            for t, cb in self.boxes.items():
                cb.value = t in tags
        finally:
            self._quiet = False
        self._update()

    def _make_handler(self, tag: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            self._update()
            if getattr(self, "_quiet", False):
                return
            for cb in self._callbacks:
                cb(tag, bool(change["new"]))

        return handler

    def _on_toggle_click(self, _b: Any) -> None:
        shown = self.panel.layout.display != "none"
        self.panel.layout.display = "none" if shown else "flex"
        self.toggle.description = "Choose tags" if shown else "Hide the tags"

    def _update(self) -> None:
        names = [self._labels[t] for t in self.value]
        self.summary = "; ".join(names)
        self.chosen.value = (
            f"<p class='coprod-note'>Tagged: {escape(self.summary)}</p>"
            if names
            else "<p class='coprod-note'>No tags yet.</p>"
        )


class EntryEditor(w.VBox):
    """One entry: its facts, its stages (or free text), its tags and its save status."""

    entry_id = Int(0, help="the entry edited; 0 until its first word is saved")

    def __init__(
        self,
        models: Sequence[ReflectiveModel],
        tag_groups: Sequence[tuple[str, Sequence[tuple[str, str]]]],
        **kwargs,
    ):
        self._callbacks: list[Callable[[str, Any], None]] = []
        self._stage_callbacks: list[Callable[[str, str], None]] = []
        self._loading = False
        self._texts: dict[str, str] = {}  # every stage's text, other models' stages included
        self.models = {m.id: m for m in models}
        self.heading = w.HTML()
        self.title = w.Text(
            description="Title",
            placeholder="A few words you will recognise later",
            continuous_update=True,
            style=_WIDE,
            layout=w.Layout(width="100%"),
        )
        self.date = w.DatePicker(description="Date", style=_WIDE)
        self.hours = w.BoundedFloatText(
            description="Time spent (hours, for your CPD record)",
            min=0,
            max=100,
            step=0.25,
            continuous_update=True,  # saved as typed, like every other box
            style=_WIDE,
        )
        self.participatory = w.Checkbox(
            description="Participatory: I learnt with other people", indent=False
        )
        self.model = w.Dropdown(
            description="Reflective model",
            options=[(m.title, m.id) for m in models],
            style=_WIDE,
        )
        self.model_about = w.HTML()
        self.tags = TagPicker(tag_groups)
        self.stage_box = w.VBox()
        self.stages: StageEditor | None = None
        self.other = w.HTML()
        facts = w.HBox([self.date, self.hours, self.participatory])
        facts.add_class("coprod-facts-row")
        super().__init__(
            [
                self.heading,
                self.title,
                facts,
                self.model,
                self.model_about,
                self.stage_box,
                self.other,
                self.tags,
            ],
            **kwargs,
        )
        self.add_class("coprod-entry-editor")
        for name, widget in (
            ("title", self.title),
            ("entry_date", self.date),
            ("hours", self.hours),
            ("participatory", self.participatory),
            ("model", self.model),
        ):
            widget.observe(self._make_handler(name), "value")

    # -- what the app listens to ----------------------------------------------------------------

    def on_change(self, callback: Callable[[str, Any], None]) -> None:
        """``callback(field, value)`` for title, entry_date, minutes, participatory, model."""
        self._callbacks.append(callback)

    def on_stage(self, callback: Callable[[str, str], None]) -> None:
        self._stage_callbacks.append(callback)

    def _make_handler(self, name: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            if self._loading:
                return
            value = change["new"]
            if name == "model":
                self._show_model(self.models[value], self._texts)
            if name == "hours":
                name_, value = "minutes", round((value or 0) * 60)
            elif name == "entry_date":
                name_, value = name, value.isoformat() if isinstance(value, dt.date) else ""
                if not value:
                    return  # a half-typed date: nothing to save yet
            else:
                name_ = name
            for cb in self._callbacks:
                cb(name_, value)

        return handler

    def _on_stage(self, stage_id: str, text: str) -> None:
        if self._loading:
            return
        self._texts[stage_id] = text
        if self.stages is not None:
            self.stages.refresh_compare()
        for cb in self._stage_callbacks:
            cb(stage_id, text)

    # -- showing an entry ---------------------------------------------------------------------------

    def load(self, entry: Entry, model: ReflectiveModel) -> None:
        """Show an entry (``entry.id`` 0 for a new one) without reporting anything as an edit."""
        self._loading = True
        try:
            if model.id not in self.models:
                self.models[model.id] = model
                self.model.options = [*self.model.options, (model.title, model.id)]
            self.entry_id = entry.id
            self.title.value = entry.title
            self.date.value = dt.date.fromisoformat(entry.entry_date) if entry.entry_date else None
            self.hours.value = round(entry.minutes / 60, 2)
            self.participatory.value = entry.participatory
            self.model.value = model.id
            self.tags.set_value(entry.tags)
            self._texts = dict(entry.stages)
            self._show_model(model, self._texts)
        finally:
            self._loading = False
        self._heading()

    def _show_model(self, model: ReflectiveModel, texts: dict[str, str]) -> None:
        self.current_model = model
        self.stages = StageEditor(model, texts)
        self.stages.on_stage(self._on_stage)
        self.stage_box.children = [self.stages]
        self.model_about.value = (
            f"<p class='coprod-note'>{escape(model.summary)} <small>Source: "
            f"{escape(model.source.citation)}</small></p>"
        )
        kept = [k for k, v in texts.items() if v.strip() and k not in model.stage_ids]
        self.other.value = (
            "<p class='coprod-note'>Text written for another model's stages is kept with this "
            "entry and comes back if you choose that model again.</p>"
            if kept
            else ""
        )

    def _heading(self) -> None:
        what = "Your entry" if self.entry_id else "A new entry"
        self.heading.value = (
            f"<h2>{what}</h2><p class='coprod-note'>Everything is saved as you type. "
            "Only you can see it.</p>"
        )

    @observe("entry_id")
    def _on_entry_id(self, _change: Any) -> None:
        self._heading()

    def values(self) -> dict[str, Any]:
        """Everything shown, as the store takes it (for the first save of a new entry)."""
        d = self.date.value
        return {
            "title": self.title.value,
            "entry_date": d.isoformat() if isinstance(d, dt.date) else None,
            "minutes": round((self.hours.value or 0) * 60),
            "participatory": bool(self.participatory.value),
            "stages": {
                k: v
                for k, v in (self.stages.texts() if self.stages else {}).items()
                if v and k in self.current_model.stage_ids
            },
            "tags": list(self.tags.value),
        }
