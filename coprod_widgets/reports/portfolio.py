"""Portfolios: one participant's work in a cohort, or every participant's, as HTML or PDF files.

The order is always: check the cohort and the participants asked for (``NotFound``, nothing
written), read the course as the cohort started it and the labels its exercises name, then per
participant compose the view (``model.portfolio.compose``), write it as HTML
(``portfolio_html``) or print that page with the one Chromium kept open (``printer``), and put
the file in place whole (a temporary file renamed). A batch is one process and one browser.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InvalidInput, NotFound
from ..model.course import LADDER, REFLECTION, SELF_ASSESSMENT, Course
from ..model.portfolio import Labels, PortfolioView, RefLabels, compose
from .portfolio_html import portfolio_body, portfolio_html

if TYPE_CHECKING:
    from typing import Protocol

    from ..store.ports import CohortsPort

    class _HasCohorts(Protocol):
        """A Store, or anything with its cohorts repository."""

        cohorts: CohortsPort


__all__ = [
    "FORMATS",
    "content_labels",
    "export_portfolios",
    "portfolio_body",
    "portfolio_filename",
    "portfolio_html",
    "portfolio_pdf",
    "portfolio_views",
]

FORMATS = ("html", "pdf")
Progress = Callable[[int, int, str], object]


def content_labels(course: Course) -> Labels:
    """What the course's ladders, reflective models and frameworks call their parts, from the
    content libraries (shipped and the user's own). A reference no longer found keeps its ids."""
    kinds = {e.kind for e in course.exercises}
    ladders: dict[str, RefLabels] = {}
    models: dict[str, RefLabels] = {}
    frameworks: dict[str, RefLabels] = {}
    if LADDER in kinds:
        from ..content.ladders import LadderLibrary

        for lid, lad in LadderLibrary().ladders.items():
            ladders[lid] = RefLabels(lad.title, {s.id: s.title for s in lad.steps})
    if REFLECTION in kinds:
        from ..content.models import ModelLibrary

        for mid, m in ModelLibrary().latest().items():
            models[mid] = RefLabels(m.title, {s.id: s.title for s in m.stages})
    if SELF_ASSESSMENT in kinds:
        from ..content.frameworks import FrameworkLibrary

        for fid, fw in FrameworkLibrary().latest().items():
            frameworks[fid] = RefLabels(
                fw.title,
                {s.id: s.text for s in fw.statements},
                {p.value: p.label for p in fw.scale.points},
            )
    return Labels(ladders, models, frameworks)


def portfolio_pdf(view: PortfolioView) -> bytes:
    """The page printed to PDF (A4, page numbers) by the Chromium kept open between PDFs."""
    from .printer import print_pdf

    return print_pdf(portfolio_html(view))


def _slug(name: str, n: int = 40) -> str:
    """A name as a file name's letters: ASCII, lowercase, hyphens; no dots, no slashes."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug[:n].rstrip("-") or "participant"


def portfolio_filename(name: str, participant_id: int, fmt: str) -> str:
    """``ann-example-7.pdf``: the name made safe, then the participant's id (names repeat)."""
    return f"{_slug(name)}-{participant_id}.{fmt}"


def _chosen(
    store: _HasCohorts, cohort_id: int, participant_ids: Iterable[int] | None
) -> list[tuple[int, str, str]]:
    """(id, name, last saved) of each participant asked for, checked before anything is written."""
    cohort = store.cohorts.get(cohort_id)  # NotFound: no such cohort
    roster = {r.id: r for r in store.cohorts.roster(cohort_id)}
    if participant_ids is None:
        rows = list(roster.values())
        if not rows:
            raise InvalidInput(
                f"cohort {cohort_id} ({cohort.title}) has no participants yet: nothing to export"
            )
    else:
        wanted = list(dict.fromkeys(participant_ids))
        missing = [str(p) for p in wanted if p not in roster]
        if missing:
            known = ", ".join(f"{r.id} ({r.name})" for r in roster.values()) or "none yet"
            raise NotFound(
                f"cohort {cohort_id} ({cohort.title}) has no participant "
                f"{', '.join(missing)}; its participants are: {known}. Nothing was written."
            )
        if not wanted:
            raise InvalidInput("choose at least one participant to export")
        rows = [roster[p] for p in wanted]
    return [(r.id, r.name, r.updated_at) for r in rows]


def portfolio_views(
    store: _HasCohorts, cohort_id: int, participant_ids: Iterable[int] | None = None
) -> list[tuple[int, PortfolioView]]:
    """Each participant's composed portfolio, (id, view), in the roster's order."""
    course = store.cohorts.course(cohort_id)
    labels = content_labels(course)
    return [
        (pid, _view(store, cohort_id, pid, course, labels, updated))
        for pid, _, updated in _chosen(store, cohort_id, participant_ids)
    ]


def _view(
    store: _HasCohorts, cohort_id: int, pid: int, course: Course, labels: Labels, updated: str
) -> PortfolioView:
    p = store.cohorts.portfolio(cohort_id, pid)
    if not p.exported_at:
        p = dataclasses.replace(p, exported_at=date.today().isoformat())
    return compose(course, p, labels, updated_at=updated)


def export_portfolios(
    store: _HasCohorts,
    cohort_id: int,
    out_dir: str | Path,
    fmt: str = "html",
    participant_ids: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write each participant's portfolio (all of the cohort's, or ``participant_ids``) to
    ``out_dir``, one file each, named from the name and id; ``progress(done, total, name)`` after
    each file. A bad format, folder, cohort or participant is refused before any file is written.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"format: expected html or pdf, not {fmt!r}")
    out = Path(out_dir)
    if not out.is_dir():
        raise InvalidInput(f"cannot write portfolios to {out}: the folder does not exist")
    chosen = _chosen(store, cohort_id, participant_ids)
    course = store.cohorts.course(cohort_id)
    labels = content_labels(course)
    from .export import write_file

    if fmt == "pdf":
        from .printer import find_chromium, start_browser

        find_chromium()  # BrowserMissing, with how to install one, before any file
        start_browser()
    written: list[Path] = []
    for done, (pid, name, updated) in enumerate(chosen, start=1):
        view = _view(store, cohort_id, pid, course, labels, updated)
        data = portfolio_html(view).encode("utf-8") if fmt == "html" else portfolio_pdf(view)
        written.append(write_file(data, out / portfolio_filename(name, pid, fmt)))
        if progress is not None:
            progress(done, len(chosen), name)
    return written
