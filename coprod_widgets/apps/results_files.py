"""The results page's files to take away: the team report (web page, PDF) and the ratings as
data, each prepared on a click and handed over as a download link (widgets.download)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..widgets.download import download_link
from .common import problem

if TYPE_CHECKING:
    from ..store import Store


class Download(w.VBox):
    """A button that prepares a file, then a link that saves it (works with the keyboard)."""

    def __init__(self, label: str, filename: str, mime: str, make: Callable[[], bytes]):
        self._make, self.filename, self.mime = make, filename, mime
        self.button = w.Button(description=f"Prepare {label}")
        self.link = w.HTML()
        self.button.on_click(self._on_button_click)
        super().__init__([self.button, self.link])
        self.add_class("coprod-download")
        self._label = label

    def _on_button_click(self, _b: Any) -> None:
        self.button.disabled = True
        self.link.value = "<p role='status'>Preparing…</p>"
        try:
            data = self._make()
        except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
            self.link.value = (
                f"<p role='alert' class='coprod-status-error'>{escape(problem(e))}</p>"
            )
            return
        finally:
            self.button.disabled = False
        link = download_link(data, self.filename, self.mime, f"Download {self._label}")
        self.link.value = f"<p role='status'>{link}</p>"


def downloads(store: Store, round_id: int) -> list[w.Widget]:
    """The report in both formats and the ratings as CSV and JSON, with what each holds."""
    rid = round_id

    def report(fmt: str) -> Callable[[], bytes]:
        def make() -> bytes:
            from ..reports.export import export_report

            return export_report("team_report", {"round_id": rid, "db": store.url}, fmt)

        return make

    def ratings(fmt: str) -> Callable[[], bytes]:
        def make() -> bytes:
            from ..model.exchange import export_csv, export_json

            export = store.imports.export(rid)  # refused below the minimum
            if fmt == "csv":
                return export_csv(export).encode("utf-8-sig")
            return export_json(export).encode("utf-8")

        return make

    return [
        w.HTML(
            "<p>The report holds what this page shows: results, who got heard, trends and "
            "actions, with the same minimum and anonymity.</p>"
        ),
        Download(
            "the team report (web page)",
            f"team-report-round-{rid}.html",
            "text/html",
            report("html"),
        ),
        Download(
            "the team report (PDF)",
            f"team-report-round-{rid}.pdf",
            "application/pdf",
            report("pdf"),
        ),
        w.HTML(
            "<p>The ratings as data, one row per rating, for a spreadsheet or your own "
            "analysis. In an anonymous round they carry no names, times or rare roles, and "
            "hold the same released answers as this page.</p>"
        ),
        Download("the ratings (CSV)", f"ratings-round-{rid}.csv", "text/csv", ratings("csv")),
        Download(
            "the ratings (JSON)",
            f"ratings-round-{rid}.json",
            "application/json",
            ratings("json"),
        ),
    ]
