"""The few plain HTML pages the server writes itself: home, and link problems."""

from __future__ import annotations

from html import escape

from ..registry import workbooks
from ..style import css


def page(title: str, body_html: str) -> str:
    """A complete, accessible page. ``body_html`` must already be escaped."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)} · coprod</title><style>{css('plain')}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body_html}</main></body></html>"
    )


def message(title: str, text: str) -> str:
    return page(title, f"<p>{escape(text)}</p><p><a href='/'>Go to the start page</a></p>")


def home(base: str, demo: list[tuple[str, str, str]] | None = None) -> str:
    """The home page: a card for each registered workbook, linked to its page or its route when
    a person may open it from here (registry.Workbook.home), and the demo team's links."""
    items = []
    for wb in workbooks():
        if wb.home == "hidden":
            continue
        href = {"page": wb.page(base), "route": wb.route_url(base)}.get(wb.home)
        title = escape(wb.title)
        head = f"<h2><a href='{escape(href)}'>{title}</a></h2>" if href else f"<h2>{title}</h2>"
        items.append(f"<section class='card'>{head}<p>{escape(wb.summary)}</p></section>")
    demo_html = ""
    if demo:
        links = "".join(
            f"<li><a href='{escape(url)}'>{escape(label)}</a>: {escape(note)}</li>"
            for label, url, note in demo
        )
        demo_html = f"<section class='card'><h2>Try the demo team</h2><ul>{links}</ul></section>"
    intro = (
        "<p>Workbooks for co-production in public services. Teams rate privately how well they "
        "co-produce, then see together where they agree and where they differ.</p>"
    )
    return page("coprod workbooks", intro + demo_html + "".join(items))


# -- choices the server asks a person to make (issue 11: only the server makes tokens) ----------


def choice(
    title: str,
    paragraphs: list[str],
    action: str,
    hidden: dict[str, str],
    xsrf_html: str,
    buttons: list[tuple[str, str]],
) -> str:
    """A plain page that asks before anything is replaced: ``paragraphs`` (plain text, escaped
    here), then one form posted to ``action`` with ``hidden`` values and one button per
    ``(value of choice, label)``; the first button is the one that keeps what this device has.
    ``xsrf_html`` is the handler's ``xsrf_form_html()`` (a page elsewhere cannot post it)."""
    text = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    fields = "".join(
        f"<input type='hidden' name='{escape(k)}' value='{escape(v)}'>" for k, v in hidden.items()
    )
    style = "font-size:1rem;padding:.5rem 1rem;margin:.25rem .5rem .25rem 0"
    buttons_html = "".join(
        f"<button type='submit' name='choice' value='{escape(value)}' style='{style}'>"
        f"{escape(label)}</button>"
        for value, label in buttons
    )
    form = (
        f"<form method='post' action='{escape(action)}'>{xsrf_html}{fields}"
        f"<p>{buttons_html}</p></form>"
    )
    return page(title, text + form)


def journal_label(name: str, entries: int) -> str:
    """How a journal is named on a page: “name” (3 entries)."""
    return f"“{name}” ({entries} {'entry' if entries == 1 else 'entries'})"
