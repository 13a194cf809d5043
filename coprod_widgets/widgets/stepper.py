"""One step at a time: where you are, how much is answered, and the way back and forward."""

from __future__ import annotations

from html import escape

import ipywidgets as w
from traitlets import Int, List, Unicode, observe


class Stepper(w.VBox):
    index = Int(0, help="the step shown, from 0")
    titles = List(Unicode(), help="the title of each step")
    answered = Int(0, help="statements answered so far")
    total = Int(0, help="statements in all")

    def __init__(self, titles: list[str], total: int, **kwargs):
        self.progress = w.HTML()
        self.jump = w.Dropdown(
            options=[(f"{i + 1}. {t}", i) for i, t in enumerate(titles)],
            value=0,
            description="Go to principle",
            style={"description_width": "initial"},
        )
        self.previous = w.Button(description="Previous principle")
        self.next = w.Button(description="Next principle", button_style="primary")
        super().__init__(
            children=[self.progress, w.HBox([self.previous, self.jump, self.next])], **kwargs
        )
        self.add_class("coprod-stepper")
        self.titles = titles
        self.total = total
        self.previous.on_click(self._on_previous_click)
        self.next.on_click(self._on_next_click)
        self.jump.observe(self._on_jump_value, "value")
        self._render()

    def _on_previous_click(self, _b) -> None:
        self.index = max(0, self.index - 1)

    def _on_next_click(self, _b) -> None:
        self.index = min(len(self.titles) - 1, self.index + 1)

    def _on_jump_value(self, change) -> None:
        if change["new"] is not None:
            self.index = change["new"]

    @observe("index", "answered", "total", "titles")
    def _on_state(self, _change=None) -> None:
        self._render()

    def _render(self) -> None:
        n = len(self.titles)
        if not n:
            return
        self.jump.value = self.index
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= n - 1
        title = escape(self.titles[self.index])
        self.progress.value = (
            f"<p class='coprod-progress'>Principle {self.index + 1} of {n}: <strong>{title}"
            f"</strong> &middot; {self.answered} of {self.total} statements answered "
            f"<progress max='{self.total}' value='{self.answered}' "
            f"aria-label='Statements answered'>{self.answered} of {self.total}</progress></p>"
        )
