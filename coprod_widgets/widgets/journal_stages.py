"""The stages of a reflective model, one at a time: the prompt, hints, where you are, and (PDSA)
what you predicted beside what you observed. No store: every edit goes to ``on_stage``."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w
from traitlets import Int, observe

from ..model.journal import ReflectiveModel, Stage

_WIDE = {"description_width": "initial"}


def _prompt_html(stage: Stage) -> str:
    hints = ""
    if stage.hints:
        items = "".join(f"<li>{escape(h)}</li>" for h in stage.hints)
        hints = (
            "<details class='coprod-hints'><summary>Questions that may help</summary>"
            f"<ul>{items}</ul></details>"
        )
    return f"<p class='coprod-prompt'>{escape(stage.prompt)}</p>{hints}"


def paragraphs_html(text: str) -> str:
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
            f"<tbody><tr><td>{paragraphs_html(predicted)}</td><td>{paragraphs_html(observed)}</td>"
            "</tr></tbody></table>"
        )

    def refresh_compare(self) -> None:
        self.compare.value = self._compare_html(self.model.stages[self.index].id)
