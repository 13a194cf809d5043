"""The trainer page's portfolios: one participant's or everyone's, as web pages or PDFs, written
to a folder of the trainer's own with a progress bar, then handed over as download links."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..model.cohort import ParticipantRow
from ..paths import private_dir, user_dir
from ..widgets.download import download_link
from .common import problem

if TYPE_CHECKING:
    from ..store import Store

MIMES = {"html": "text/html", "pdf": "application/pdf"}
_WIDE = {"description_width": "initial"}


def portfolios_dir(cohort_id: int) -> Path:
    """A new folder for one export: ``<user folder>/portfolios/cohort-7-20261206-140231``."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    top = user_dir() / "portfolios"
    top.mkdir(parents=True, exist_ok=True)
    private_dir(top)
    out = top / f"cohort-{cohort_id}-{stamp}"
    n = 1
    while out.exists():
        n += 1
        out = top / f"cohort-{cohort_id}-{stamp}-{n}"
    out.mkdir()
    return out


def _zip(paths: Sequence[Path]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in paths:
            z.write(p, p.name)
    return buf.getvalue()


class PortfolioExport(w.VBox):
    """Whose portfolios, which format, a button; then a labelled progress bar fed by the
    export's ``progress(done, total, name)``, and a link per file (and one for them all)."""

    def __init__(self, store: Store, cohort_id: int):
        self.store, self.cohort_id = store, cohort_id
        self.who = w.Dropdown(description="Whose portfolios", options=[], style=_WIDE)
        self.fmt = w.RadioButtons(
            description="Format",
            options=[("Web pages (HTML)", "html"), ("PDF", "pdf")],
            value="html",
            style=_WIDE,
        )
        self.button = w.Button(description="Export portfolios", button_style="primary")
        self.progress = w.IntProgress(
            value=0, min=0, max=1, description="Portfolios written", style=_WIDE
        )
        self.status = w.HTML()
        self.links = w.HTML()
        self.bar = w.VBox([self.progress, self.status], layout=w.Layout(display="none"))
        self.bar.add_class("coprod-export-progress")
        self.files: list[Path] = []
        self.button.on_click(self._on_button_click)
        super().__init__(
            [
                w.HTML(
                    "<p>A portfolio holds a participant's answers with your feedback beside "
                    "them and a CPD record of the course. Each is written to its own file.</p>"
                ),
                self.who,
                self.fmt,
                self.button,
                self.bar,
                self.links,
            ]
        )

    def set_roster(self, rows: Sequence[ParticipantRow]) -> None:
        chosen = self.who.value
        options = [(f"Everyone ({len(rows)})", 0)] + [(p.name, p.id) for p in rows]
        self.who.options = options
        self.who.value = chosen if chosen in {o[1] for o in options} else 0
        self.button.disabled = not rows

    def _on_progress(self, done: int, total: int, name: str) -> None:
        self.progress.max = max(1, total)
        self.progress.value = done
        self.status.value = (
            f"<p role='status' aria-live='polite'>{done} of {total} written: {escape(name)}</p>"
        )

    def _on_button_click(self, _b: Any = None) -> None:
        if self.button.disabled:
            return
        self.button.disabled = True
        try:
            self.export()
        finally:
            self.button.disabled = False

    def export(self) -> list[Path]:
        """Write the chosen portfolios now; the links (or why not) are in the page."""
        from ..reports.portfolio import export_portfolios

        pid = int(self.who.value or 0)
        fmt = str(self.fmt.value)
        self.links.value = ""
        self.progress.value, self.bar.layout.display = 0, None
        self.status.value = "<p role='status' aria-live='polite'>Starting…</p>"
        try:
            out = portfolios_dir(self.cohort_id)
            self.files = export_portfolios(
                self.store,
                self.cohort_id,
                out,
                fmt,
                participant_ids=[pid] if pid else None,
                progress=self._on_progress,
            )
        except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
            self.status.value = (
                f"<p role='alert' class='coprod-status-error'>Not exported: "
                f"{escape(problem(e))}</p>"
            )
            return []
        mime = MIMES[fmt]
        items = [
            f"<li>{download_link(p.read_bytes(), p.name, mime, f'Download {p.name}')}</li>"
            for p in self.files
        ]
        everything = ""
        if len(self.files) > 1:
            name = f"{out.name}.zip"
            link = download_link(_zip(self.files), name, "application/zip", "Download them all")
            everything = f"<p>{link}</p>"
        self.links.value = (
            f"<p role='status'>{len(self.files)} portfolio"
            f"{'s' if len(self.files) != 1 else ''} written to the folder "
            f"<code>{escape(str(out))}</code>.</p>{everything}<ul>{''.join(items)}</ul>"
        )
        return self.files
