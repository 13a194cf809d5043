"""Writing a journal entry: the facts (title, date, time, participatory), the stages of a
reflective model one at a time, and tags.

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

_WIDE = {"description_width": "initial"}


def _prompt_html(stage: Any) -> str:
    hints = ""
    if stage.hints:
        items = "".join(f"<li>{escape(h)}</li>" for h in stage.hints)
        hints = (
            "<details class='coprod-hints'><summary>Questions that may help</summary>"
            f"<ul>{items}</ul></details>"
        )
    return f"<p class='coprod-prompt'>{escape(stage.prompt)}</p>{hints}"


def _paragraphs(text: str) -> str:
    lines = [escape(x) for x in text.strip().split("\n")]
    return "<br>".join(lines) if text.strip() else "<em>not written yet</em>"


class StageEditor(w.VBox):
    """The stages of one model, one at a time, with where you are and the way on."""

    index = Int(0, help="the stage shown, from 0")
    written = Int(0, help="how many stages hold some text")

    def __init__(self, model: ReflectiveModel, texts: dict[str, str] | None = None, **kwargs):
        self.model = model
        texts = texts or {}
        self._callbacks: list[Callable[[str, str], None]] = []
        self.areas: dict[str, w.Textarea] = {}
        for s in model.stages:
            area = w.Textarea(
                value=texts.get(s.id, ""),
                description=s.title,
                placeholder="Write here: it is saved as you type.",
                continuous_update=True,
                style=_WIDE,
                layout=w.Layout(width="100%", height="12em"),
            )
            area.add_class("coprod-stage-text")
            area.observe(self._make_handler(s.id), "value")
            self.areas[s.id] = area
        self.progress = w.HTML()
        self.prompt = w.HTML()
        self.compare = w.HTML()
        self.compare.add_class("coprod-compare")
        self.area_box = w.VBox()
        single = len(model.stages) == 1
        self.previous = w.Button(description="Previous stage")
        self.next = w.Button(description="Next stage", button_style="primary")
        self.jump = w.Dropdown(
            options=[(f"{i + 1}. {s.title}", i) for i, s in enumerate(model.stages)],
            value=0,
            description="Go to stage",
            style=_WIDE,
        )
        nav = w.HBox([self.previous, self.jump, self.next])
        nav.add_class("coprod-stage-nav")
        if single:
            nav.layout.display = "none"
        super().__init__([self.progress, self.prompt, self.compare, self.area_box, nav], **kwargs)
        self.add_class("coprod-stages")
        self.previous.on_click(self._on_previous_click)
        self.next.on_click(self._on_next_click)
        self.jump.observe(self._on_jump_value, "value")
        self._count()
        self._render()

    def on_stage(self, callback: Callable[[str, str], None]) -> None:
        """Call ``callback(stage_id, text)`` on every edit."""
        self._callbacks.append(callback)

    def texts(self) -> dict[str, str]:
        return {k: a.value for k, a in self.areas.items()}

    def _make_handler(self, stage_id: str) -> Callable[[dict[str, Any]], None]:
        def handler(change: dict[str, Any]) -> None:
            self._count()
            for cb in self._callbacks:
                cb(stage_id, change["new"])

        return handler

    def _count(self) -> None:
        self.written = sum(1 for a in self.areas.values() if a.value.strip())

    def _on_previous_click(self, _b: Any) -> None:
        self.index = max(0, self.index - 1)

    def _on_next_click(self, _b: Any) -> None:
        self.index = min(len(self.model.stages) - 1, self.index + 1)

    def _on_jump_value(self, change: dict[str, Any]) -> None:
        if change["new"] is not None:
            self.index = change["new"]

    @observe("index", "written")
    def _on_state(self, _change: Any = None) -> None:
        self._render()

    def _render(self) -> None:
        m, n = self.model, len(self.model.stages)
        stage = m.stages[self.index]
        self.jump.value = self.index
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= n - 1
        where = (
            f"Stage {self.index + 1} of {n}: <strong>{escape(stage.title)}</strong> &middot; "
            if n > 1
            else ""
        )
        self.progress.value = (
            f"<p class='coprod-progress'>{where}{self.written} of {n} "
            f"stage{'s' if n != 1 else ''} written</p>"
        )
        self.prompt.value = _prompt_html(stage)
        self.area_box.children = [self.areas[stage.id]]
        self.compare.value = self._compare_html(stage.id)

    def _compare_html(self, stage_id: str) -> str:
        """PDSA: while writing what was observed, and when studying it, the prediction sits
        beside the observation."""
        c = self.model.compare
        if c is None or c.observed not in self.areas:
            return ""
        ids = self.model.stage_ids
        at = ids.index(stage_id)
        observed_at = ids.index(c.observed)
        if at not in (observed_at, observed_at + 1):
            return ""
        predicted = self.areas[c.predicted].value if c.predicted in self.areas else ""
        observed = self.areas[c.observed].value
        p_title = escape(self.model.stage(c.predicted).title)
        o_title = escape(self.model.stage(c.observed).title)
        return (
            "<table class='coprod-table coprod-side-by-side'><caption>What you predicted, "
            "beside what you observed</caption><thead><tr>"
            f"<th scope='col'>{p_title}: what you predicted</th>"
            f"<th scope='col'>{o_title}: what you observed</th></tr></thead>"
            f"<tbody><tr><td>{_paragraphs(predicted)}</td><td>{_paragraphs(observed)}</td>"
            "</tr></tbody></table>"
        )

    def refresh_compare(self) -> None:
        self.compare.value = self._compare_html(self.model.stages[self.index].id)


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


class ModelChooser(w.VBox):
    """How to reflect: each model with what it is for and its stages, and a button to start."""

    def __init__(self, models: Sequence[ReflectiveModel], **kwargs):
        self._callbacks: list[Callable[[str], None]] = []
        self.buttons: dict[str, w.Button] = {}
        cards: list[w.Widget] = []
        for m in models:
            stages = " → ".join(s.title for s in m.stages) if len(m.stages) > 1 else ""
            info = w.HTML(
                f"<h3>{escape(m.title)}</h3><p>{escape(m.summary)}</p>"
                + (f"<p class='coprod-note'>Stages: {escape(stages)}</p>" if stages else "")
            )
            button = w.Button(description=f"Write with {m.title}")
            button.on_click(lambda _b, mid=m.id: self._emit(mid))
            self.buttons[m.id] = button
            card = w.VBox([info, button])
            card.add_class("coprod-model-card")
            cards.append(card)
        super().__init__(
            [
                w.HTML(
                    "<h2>Write a new entry</h2><p>Choose how you want to reflect. You can change "
                    "it later; nothing you write is lost.</p>"
                ),
                *cards,
            ],
            **kwargs,
        )
        self.add_class("coprod-model-chooser")

    def on_choose(self, callback: Callable[[str], None]) -> None:
        self._callbacks.append(callback)

    def _emit(self, model_id: str) -> None:
        for cb in self._callbacks:
            cb(model_id)


class VersionsView(w.VBox):
    """The earlier versions of an entry: read one, and bring it back if you want."""

    def __init__(self, **kwargs: Any) -> None:
        self._callbacks: list[Callable[[int], None]] = []
        self.choice = w.Dropdown(description="Earlier version", options=[], style=_WIDE)
        self.text = w.HTML()
        self.restore = w.Button(description="Bring this version back")
        self.restore.on_click(self._on_restore_click)
        self.choice.observe(lambda _c: self._render(), "value")
        self._versions: dict[int, Any] = {}
        self._model_for: Callable[[dict[str, Any]], ReflectiveModel] | None = None
        super().__init__([self.choice, self.text, self.restore], **kwargs)
        self.add_class("coprod-versions")

    def on_restore(self, callback: Callable[[int], None]) -> None:
        self._callbacks.append(callback)

    def show(
        self, versions: Sequence[Any], model_for: Callable[[dict[str, Any]], ReflectiveModel]
    ) -> None:
        self._versions = {v.number: v for v in versions}
        self._model_for = model_for
        self.choice.options = [
            (f"{v.number}: {v.saved_at[:16].replace('T', ' ')} UTC ({v.reason})", v.number)
            for v in reversed(versions)
        ]
        self.restore.disabled = not versions
        if not versions:
            self.text.value = (
                "<p class='coprod-note'>No earlier versions yet. A version is kept when you "
                "finish an entry, and when you come back to edit it after a break.</p>"
            )
        self._render()

    def _render(self) -> None:
        v = self._versions.get(self.choice.value)
        if v is None or self._model_for is None:
            return
        m = self._model_for(v.content)
        stages = v.content.get("stages", {})
        body = "".join(
            f"<h4>{escape(s.title)}</h4><p>{_paragraphs(stages[s.id])}</p>"
            for s in m.stages
            if stages.get(s.id)
        )
        self.text.value = (
            f"<div class='coprod-version-text'><p><strong>{escape(v.title)}</strong> "
            f"({escape(str(v.content.get('entry_date', '')))})</p>"
            f"{body or '<p><em>No text in this version.</em></p>'}</div>"
        )

    def _on_restore_click(self, _b: Any) -> None:
        if self.choice.value is not None:
            for cb in self._callbacks:
                cb(self.choice.value)
