"""One way to hand a prepared file to a person: a link that saves it, with its name and size.

The file travels inside the link (a ``data:`` URL), so it works in JupyterLab, in a Voilà page
behind any proxy prefix, and from the keyboard, with no route on the server."""

from __future__ import annotations

import base64
from html import escape


def size_text(data: bytes) -> str:
    """The size a person reads: whole kilobytes, never "0 KB"."""
    return f"{max(1, round(len(data) / 1024))} KB"


def download_link(
    data: bytes,
    filename: str,
    mime: str,
    text: str = "",
    cls: str = "coprod-download-link",
) -> str:
    """An ``<a download>`` element carrying ``data``. ``text`` is what the link says (the
    filename and size are added); every part a person could have typed is escaped."""
    b64 = base64.b64encode(data).decode("ascii")
    words = text or f"Download {filename}"
    return (
        f"<a class='{escape(cls)}' download='{escape(filename)}' "
        f"href='data:{escape(mime)};base64,{b64}'>{escape(words)} "
        f"({escape(filename)}, {size_text(data)})</a>"
    )
