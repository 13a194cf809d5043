"""The earlier versions of a journal entry: read one, and bring it back if you want."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import ipywidgets as w

from ..model.journal import EntryVersion, ReflectiveModel
from .journal_stages import paragraphs_html

_WIDE = {"description_width": "initial"}


class VersionsView(w.VBox):
    """The earlier versions of an entry: read one, and bring it back if you want."""

    def __init__(self, **kwargs: Any) -> None:
        self._callbacks: list[Callable[[int], None]] = []
        self.choice = w.Dropdown(description="Earlier version", options=[], style=_WIDE)
        self.text = w.HTML()
        self.restore = w.Button(description="Bring this version back")
        self.restore.on_click(self._on_restore_click)
        self.choice.observe(lambda _c: self._render(), "value")
        self._versions: dict[int, EntryVersion] = {}
        self._model_for: Callable[[dict[str, Any]], ReflectiveModel] | None = None
        super().__init__([self.choice, self.text, self.restore], **kwargs)
        self.add_class("coprod-versions")

    def on_restore(self, callback: Callable[[int], None]) -> None:
        self._callbacks.append(callback)

    def show(
        self,
        versions: Sequence[EntryVersion],
        model_for: Callable[[dict[str, Any]], ReflectiveModel],
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
            f"<h4>{escape(s.title)}</h4><p>{paragraphs_html(stages[s.id])}</p>"
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
