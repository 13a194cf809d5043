"""Journal exports: one entry, a selection or a topic's cycles, as written or in a regulator's
form, to Markdown, HTML or PDF, with the identifier check and the word limits before any of it.

The order is always: gather and check ONCE (``journal_prepare.prepare``: the owner's entries
only, the form filled once, identifiers scanned once), then render that one ``Prepared``:
Markdown here (``journal_markdown``), HTML and PDF through the report route
(``reports/notebooks/journal_report.ipynb`` run by ``reports.export``, handed the HTML of
``journal_html``), so they look like every other coprod report and say what the page's preview
says. Nothing is gathered a second time to render a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput
from ..model.forms import ExportForm
from .journal_html import body_html, html_text, timeline_html
from .journal_markdown import md_text, to_markdown
from .journal_prepare import (
    FORMATS,
    SUFFIX,
    IdentifiersFound,
    OverLimit,
    Prepared,
    check,
    default_tag_labels,
    models_for,
    prepare,
)

if TYPE_CHECKING:
    from ..store import Store

__all__ = [
    "FORMATS",
    "SUFFIX",
    "Exported",
    "IdentifiersFound",
    "OverLimit",
    "Prepared",
    "body_html",
    "check",
    "default_tag_labels",
    "export_journal",
    "html_text",
    "journal_report",
    "md_text",
    "models_for",
    "prepare",
    "render",
    "timeline_html",
    "to_markdown",
]


def journal_report(
    owner: str = "",
    entry_ids: Sequence[int] = (),
    topic_id: int | None = None,
    form_id: str | None = None,
    db: str | None = None,
    body: str | None = None,
    title: str = "",
) -> Any:
    """The report notebook's one call: the export's HTML body, for nbconvert. ``body`` (with its
    ``title``) is an export already prepared and rendered by ``render``: shown as it is, not
    gathered again. Without it (the notebook run on its own), the export is prepared here."""
    from .team import ReportHTML

    if body is not None:
        return ReportHTML(body, title)
    from ..content.models import FormLibrary
    from ..store import Store

    form = FormLibrary().get(form_id) if form_id else None
    store = Store(db)
    try:
        prep = prepare(store, owner, entry_ids=entry_ids, topic_id=topic_id, form=form)
    finally:
        store.close()
    return ReportHTML(body_html(prep), prep.title)


@dataclass(frozen=True)
class Exported:
    data: bytes
    filename: str
    mime: str
    prepared: Prepared


def render(prep: Prepared, fmt: str) -> bytes:
    """The prepared export as bytes: Markdown here, HTML and PDF through the report route, all
    from ``prep`` (nothing is read from the store again)."""
    if fmt == "md":
        return to_markdown(prep).encode("utf-8")
    if fmt not in FORMATS:
        raise InvalidInput(f"format: expected md, html or pdf, not {fmt!r}")
    from .export import export_report

    params = {"body": body_html(prep), "title": prep.title}
    return export_report("journal_report", params, fmt, prep.title)


def export_journal(
    store: Store,
    owner: str,
    fmt: str,
    *,
    entry_ids: Sequence[int] = (),
    topic_id: int | None = None,
    form: ExportForm | None = None,
    ignore_identifiers: bool = False,
) -> Exported:
    """Gather, check, render. OverLimit / IdentifiersFound (with what and where) refuse it."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format: expected md, html or pdf, not {fmt!r}")
    prep = prepare(store, owner, entry_ids=entry_ids, topic_id=topic_id, form=form)
    check(prep, ignore_identifiers=ignore_identifiers)
    return Exported(render(prep, fmt), prep.filename(fmt), FORMATS[fmt], prep)
