"""Messages to the person: save status and notices, read out by screen readers."""

from __future__ import annotations

import json
from html import escape

import ipywidgets as w
from traitlets import Dict, Enum, Unicode, observe


class SaveStatus(w.HTML):
    """'Saved at 12:04:05' or a failure, in a polite live region.

    ``acks`` tells the page's script which texts the store has confirmed (a box's name and a
    hash of the text), so it can stop keeping them in the browser; see ``apps.autosave``.
    """

    state = Enum(
        ["idle", "saving", "saved", "retrying", "error"],
        default_value="idle",
        help="idle, saving (a change waits), saved, retrying (store unreachable), error (refused)",
    )
    message = Unicode("", help="text shown to the person")
    acks = Dict(help="box name -> hash of the text the store last confirmed for it")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_class("coprod-save-status")
        self._render()

    @observe("state", "message", "acks")
    def _on_state(self, _change=None) -> None:
        self._render()

    def _render(self) -> None:
        role = "alert" if self.state in ("error", "retrying") else "status"
        cls = f"coprod-status coprod-status-{self.state}"
        acks = (
            f"<span class='coprod-acks' hidden data-acks='{escape(json.dumps(self.acks))}'></span>"
            if self.acks
            else ""
        )
        self.value = (
            f"<p role='{role}' aria-live='polite' class='{cls}'>{escape(self.message)}</p>{acks}"
        )


class FieldNote(w.HTML):
    """Beside a text box: why it was not saved, and how near it is to its limit."""

    message = Unicode("", help="why the box's text was not saved ('' when it was)")
    counter = Unicode("", help="e.g. '9,100 of 10,000 characters', near the limit only")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.add_class("coprod-field-note")
        self._render()

    @observe("message", "counter")
    def _on_change(self, _change=None) -> None:
        self._render()

    def _render(self) -> None:
        parts = []
        if self.message:
            parts.append(f"<p role='alert' class='coprod-status-error'>{escape(self.message)}</p>")
        if self.counter:
            parts.append(f"<p class='coprod-counter' aria-live='polite'>{escape(self.counter)}</p>")
        self.value = "".join(parts)


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
