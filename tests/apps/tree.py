"""Reading a widget tree as a person would, for the headless app tests."""

from __future__ import annotations

import ipywidgets as w


def page_text(widget: w.Widget) -> str:
    """Every HTML and text value (and button label) in a widget tree, in order."""
    parts = []
    for attr in ("value", "description"):
        v = getattr(widget, attr, None)
        if isinstance(v, str):
            parts.append(v)
    for child in getattr(widget, "children", ()):
        parts.append(page_text(child))
    return "\n".join(parts)


def find_button(widget: w.Widget, description: str) -> w.Button:
    if isinstance(widget, w.Button) and widget.description == description:
        return widget
    for child in getattr(widget, "children", ()):
        try:
            return find_button(child, description)
        except LookupError:
            pass
    raise LookupError(description)
