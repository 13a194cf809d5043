"""Finding entries: search, filters by tag, model and date, and a page of the list at a time.

The list never holds the whole journal: the app gives it a page (the latest 50, or the next 50)
and the totals of everything the filters match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

import ipywidgets as w
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_string import HTMLStyle
from traitlets import Dict, Int

from ..model.journal import EntrySummary, JournalPage, JournalTotals, cpd_hours

_WIDE = {"description_width": "initial"}
ANY = ""
MARK_START, MARK_END = "\x02", "\x03"


def snippet_html(text: str) -> str:
    """A preview or search snippet, escaped, with the matched words marked."""
    return escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def totals_text(totals: JournalTotals, shown: int, filtered: bool) -> str:
    """'Showing 50 of 10,000 entries in your journal · 812 hours of CPD, 301 participatory'."""
    n = totals.entries
    if not n:
        return "No entries match." if filtered else "Your journal is empty: write your first entry."
    which = "matching" if filtered else "in your journal"
    head = f"Showing {shown:,} of " if shown < n else ""
    return (
        f"{head}{n:,} entr{'ies' if n != 1 else 'y'} {which} · "
        f"{cpd_hours(totals.minutes)} hours of CPD, "
        f"{cpd_hours(totals.participatory_minutes)} participatory"
    )


class JournalFilters(w.VBox):
    """Search words, a tag, a model, a date range. ``value`` holds what is set."""

    value = Dict(help="query, tag, model_id, date_from, date_to")

    def __init__(
        self,
        tags: Sequence[tuple[str, str]] = (),
        models: Sequence[tuple[str, str]] = (),
        **kwargs,
    ):
        self._callbacks: list[Callable[[dict[str, str]], None]] = []
        self._muted = False
        self.query = w.Text(
            description="Search my entries",
            placeholder="words from the title or the text",
            continuous_update=False,
            style=_WIDE,
            layout=w.Layout(width="28rem"),
        )
        self.search = w.Button(description="Search", button_style="primary")
        self.tag = w.Dropdown(description="Tag", style=_WIDE)
        self.model = w.Dropdown(description="Model", style=_WIDE)
        self.date_from = w.DatePicker(description="From", style=_WIDE)
        self.date_to = w.DatePicker(description="To", style=_WIDE)
        self.clear = w.Button(description="Clear search and filters")
        self.set_options(tags, models)
        row1 = w.HBox([self.query, self.search])
        row2 = w.HBox([self.tag, self.model, self.date_from, self.date_to, self.clear])
        for r in (row1, row2):
            r.add_class("coprod-filter-row")
        super().__init__([row1, row2], **kwargs)
        self.add_class("coprod-filters")
        self.search.on_click(self._on_search_click)
        self.clear.on_click(self._on_clear_click)
        for wd in (self.query, self.tag, self.model, self.date_from, self.date_to):
            wd.observe(self._on_any_value, "value")
        self._read()

    def set_options(
        self, tags: Sequence[tuple[str, str]], models: Sequence[tuple[str, str]]
    ) -> None:
        """(label, value) pairs of the tags and models in use; the current choice is kept."""
        for dd, opts, any_label in (
            (self.tag, tags, "Any tag"),
            (self.model, models, "Any model"),
        ):
            current = dd.value
            options = [(any_label, ANY), *opts]
            self._muted = True
            try:
                dd.options = options
                dd.value = current if current in {v for _, v in options} else ANY
            finally:
                self._muted = False

    def _read(self) -> None:
        def iso(d: Any) -> str:
            return d.isoformat() if isinstance(d, dt.date) else ""

        self.value = {
            "query": self.query.value.strip(),
            "tag": self.tag.value or "",
            "model_id": self.model.value or "",
            "date_from": iso(self.date_from.value),
            "date_to": iso(self.date_to.value),
        }

    def _on_any_value(self, _change: Any) -> None:
        if not self._muted:
            self._emit()

    def on_search(self, callback: Callable[[dict[str, str]], None]) -> None:
        """``callback(value)`` whenever the search or a filter changes, or Search is pressed."""
        self._callbacks.append(callback)

    def _emit(self) -> None:
        self._read()
        for cb in self._callbacks:
            cb(dict(self.value))

    def _on_search_click(self, _b: Any) -> None:
        self._emit()

    def _on_clear_click(self, _b: Any) -> None:
        self._muted = True
        try:
            self.query.value = ""
            self.tag.value = ANY
            self.model.value = ANY
            self.date_from.value = None
            self.date_to.value = None
        finally:
            self._muted = False
        self._emit()

    @property
    def filtered(self) -> bool:
        return any(self.value.values())


class EntryRow(w.VBox):
    """One entry in the list: tick it to export it with others, or open it.

    Rows are reused from one search to the next (``show`` changes what they say): making
    widgets is what costs time in a list, not finding the entries.
    """

    entry_id = Int(0, help="the entry this row shows")

    def __init__(self, shared: dict[str, Any] | None = None, **kwargs):
        shared = shared or {}

        def kw(style: str) -> dict[str, Any]:
            return {
                k: v
                for k, v in (("layout", shared.get("layout")), ("style", shared.get(style)))
                if v
            }

        self.select = w.Checkbox(description="", indent=False, **kw("checkbox"))
        self.select.add_class("coprod-entry-select")
        self.open_button = w.Button(description="Open", **kw("button"))
        self.open_button.add_class("coprod-entry-open")
        self.meta = w.HTML(**kw("html"))
        head = w.HBox([self.select, self.open_button], **kw(""))
        head.add_class("coprod-entry-head")
        super().__init__([head, self.meta], **kw(""), **kwargs)
        self.add_class("coprod-entry-row")

    def show(self, item: EntrySummary, model_title: str) -> None:
        self.entry_id = item.id
        self.select.value = False
        self.select.description = item.display_title()
        self.open_button.tooltip = f"Open {item.display_title()}"
        badges = []
        if item.status == "draft":
            badges.append("<span class='coprod-badge'>draft</span>")
        if item.cycle:
            badges.append(f"<span class='coprod-badge'>cycle {item.cycle}</span>")
        hours = cpd_hours(item.minutes)
        time_spent = (
            f"{hours} h" + (" participatory" if item.participatory else "") if item.minutes else ""
        )
        meta = " · ".join(
            x for x in (escape(item.entry_date), escape(model_title), time_spent) if x
        )
        text = snippet_html(item.preview) or "<em>nothing written yet</em>"
        self.meta.value = (
            f"<p class='coprod-entry-meta'>{' '.join(badges)} {meta}</p>"
            f"<p class='coprod-entry-preview'>{text}</p>"
        )


class EntryList(w.VBox):
    """A page of entries and the totals; ``on_open(entry_id)``, and ``Show more`` asks for
    the next page through ``on_more()``."""

    def __init__(self, **kwargs: Any) -> None:
        self._open: list[Callable[[int], None]] = []
        self._more: list[Callable[[], None]] = []
        self.totals = w.HTML()
        self.totals.add_class("coprod-totals")
        self.rows_box = w.VBox()
        self.more = w.Button(description="Show more entries")
        self.more.layout.display = "none"
        self.more.on_click(self._on_more_click)
        self.rows: list[EntryRow] = []
        self._pool: list[EntryRow] = []
        # One layout and one style per kind for every row: ten widgets fewer to make per row.
        self._shared: dict[str, Any] = {
            "layout": w.Layout(),
            "checkbox": CheckboxStyle(),
            "button": w.ButtonStyle(),
            "html": HTMLStyle(),
        }
        super().__init__([self.totals, self.rows_box, self.more], **kwargs)
        self.add_class("coprod-entry-list")

    def on_open(self, callback: Callable[[int], None]) -> None:
        self._open.append(callback)

    def on_more(self, callback: Callable[[], None]) -> None:
        self._more.append(callback)

    def show(
        self,
        page: JournalPage,
        model_titles: dict[str, str],
        filtered: bool,
        append: bool = False,
    ) -> None:
        start = len(self.rows) if append else 0
        needed = start + len(page.items)
        while len(self._pool) < needed:
            row = EntryRow(self._shared)
            row.open_button.on_click(lambda _b, r=row: self._emit_open(r.entry_id))
            self._pool.append(row)
        for row, item in zip(self._pool[start:needed], page.items):
            row.show(item, model_titles.get(item.model_id, item.model_id))
        self.rows = self._pool[:needed]
        self.rows_box.children = tuple(self.rows)
        text = totals_text(page.totals, page.offset + len(page.items), filtered)
        self.totals.value = f"<p role='status' class='coprod-totals-text'>{escape(text)}</p>"
        self.more.layout.display = "flex" if page.more else "none"

    def selected(self) -> list[int]:
        return [r.entry_id for r in self.rows if r.select.value]

    def _emit_open(self, entry_id: int) -> None:
        for cb in self._open:
            cb(entry_id)

    def _on_more_click(self, _b: Any) -> None:
        for cb in self._more:
            cb()
