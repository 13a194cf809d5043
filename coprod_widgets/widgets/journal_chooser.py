"""How to reflect: each reflective model with what it is for and its stages, and a button to
start an entry with it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

import ipywidgets as w

from ..model.journal import ReflectiveModel


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
