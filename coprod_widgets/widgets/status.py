"""Messages to the person: save status and notices, read out by screen readers."""

from __future__ import annotations

from html import escape

import ipywidgets as w
from traitlets import Enum, Unicode, observe


class SaveStatus(w.HTML):
    """'Saved at 12:04:05' or a failure, in a polite live region."""

    state = Enum(["idle", "saved", "error"], default_value="idle", help="last save outcome")
    message = Unicode("", help="text shown to the person")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_class("coprod-save-status")
        self._render()

    @observe("state", "message")
    def _on_state(self, _change=None) -> None:
        self._render()

    def _render(self) -> None:
        role = "alert" if self.state == "error" else "status"
        cls = f"coprod-status coprod-status-{self.state}"
        self.value = f"<p role='{role}' aria-live='polite' class='{cls}'>{escape(self.message)}</p>"


class Notice(w.HTML):
    """A plain message: a title and text, all escaped."""

    title = Unicode("", help="heading")
    text = Unicode("", help="body text")
    kind = Enum(["info", "error", "success"], default_value="info", help="how it looks")

    def __init__(self, title: str = "", text: str = "", kind: str = "info", **kwargs):
        super().__init__(**kwargs)
        self.set_trait("kind", kind)
        self.set_trait("title", title)
        self.text = text
        self._render()

    @observe("title", "text", "kind")
    def _on_change(self, _change=None) -> None:
        self._render()

    def _render(self) -> None:
        role = "alert" if self.kind == "error" else "status"
        head = f"<h2>{escape(self.title)}</h2>" if self.title else ""
        body = "".join(f"<p>{escape(line)}</p>" for line in self.text.split("\n") if line)
        self.value = (
            f"<div role='{role}' class='coprod-notice coprod-notice-{self.kind}'>{head}{body}</div>"
        )
