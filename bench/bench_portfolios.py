"""30 portfolios to PDF: one `coprod export portfolio` (one process, one Chromium kept open for the
batch) against `jupyter nbconvert --to webpdf` run once per portfolio.

The cohort: the shipped course (data/courses/intro-coproduction) with 30 participants who
answered every exercise, with the trainer's feedback on some, in a SQLite file. Both sides print
the same content:

- ours, cold: `coprod export portfolio --cohort ID --format pdf -o DIR`, a fresh process that
  reads the store, composes each portfolio and prints the 30 pages with one browser;
- ours, in-process: `export_portfolios(store, id, dir, "pdf")` in a process that has printed
  before (a trainer's page in its running kernel);
- baseline: per participant, a notebook holding that portfolio (its HTML body, composed by the
  same code, in one Markdown cell; nothing to execute) converted by
  `jupyter nbconvert --to webpdf`, a fresh process and browser each time: 30 runs.

Stock webpdf launches only Playwright's own Chromium: as bench_reports does, the baseline points
PLAYWRIGHT_BROWSERS_PATH at a folder whose expected executable is Debian's chromium.

Run: python -m bench portfolios [--quick]
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .bench_reports import playwright_browsers, run
from .common import Figure, figure, median

PARTICIPANTS = 30


def _answer(e: Any, i: int) -> Any:
    """Participant i's answer to exercise e, of the shape its kind expects."""
    if e.kind == "rating":
        return e.scale.low + i % (e.scale.high - e.scale.low + 1)
    if e.kind == "choice":
        ids = [o.id for o in e.options]
        return ids[i % len(ids) :][:2] if e.multiple else ids[i % len(ids)]
    if e.kind == "ladder":
        return e.parts[i % len(e.parts)]
    if e.kind == "reflection":
        return {s: f"Participant {i} on {s}: we met as equals & set the agenda." for s in e.parts}
    if e.kind == "self-assessment":
        return {s: (n + i) % 5 + 1 for n, s in enumerate(e.parts)}
    if e.kind == "planner":
        return f"https://coprod.example.org/plan?plan=p{i}"
    return f"Participant {i} on {e.id}: working with people, not for them. " * 3


def make_cohort(url: str, n: int = PARTICIPANTS) -> int:
    """A cohort of the shipped course; n participants who answered all of it, with feedback."""
    from coprod_widgets.content.courses import load_course
    from coprod_widgets.store import Store

    from .common import ROOT

    course = load_course(ROOT / "data" / "courses" / "intro-coproduction")
    store = Store(url)
    links = store.cohorts.create("Bench cohort", course, min_answers=3)
    cid = links.cohort.id
    for i in range(n):
        me = f"bench-participant-{i:04d}-abcdefghijklmnop"
        store.cohorts.join(links.join_code, me, f"Participant {i:02d}")
        for e in course.exercises:
            store.cohorts.save_answer(links.join_code, me, e.id, _answer(e, i))
        store.cohorts.add_time(links.join_code, me, 180)
    for r in store.cohorts.roster(cid):
        for e in course.exercises[::4]:
            store.cohorts.save_feedback(cid, r.id, e.id, f"Good, {r.name}: say more & cite it.")
    store.close()
    return cid


def notebooks(url: str, cid: int, folder: Path) -> list[Path]:
    """One notebook per participant holding their portfolio, for the baseline."""
    from coprod_widgets.reports.portfolio import portfolio_body, portfolio_views
    from coprod_widgets.store import Store

    store = Store(url)
    try:
        views = portfolio_views(store, cid)
    finally:
        store.close()
    folder.mkdir()
    out = []
    for pid, view in views:
        nb = {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {"title": f"{view.title}: {view.name}"},
            "cells": [
                {
                    "cell_type": "markdown",
                    "id": f"portfolio-{pid}",
                    "metadata": {},
                    "source": portfolio_body(view),
                }
            ],
        }
        path = folder / f"portfolio-{pid}.ipynb"
        path.write_text(json.dumps(nb), encoding="utf-8")
        out.append(path)
    return out


def figures(quick: bool) -> list[Figure]:
    from coprod_widgets.reports.export import find_chromium
    from coprod_widgets.reports.portfolio import export_portfolios
    from coprod_widgets.store import Store

    reps = 1 if quick else 2
    chromium = find_chromium()  # BrowserMissing: the part fails, saying how to install one
    work = Path(tempfile.mkdtemp(prefix="coprod-bench-portfolios-"))
    try:
        url = f"sqlite:///{work / 'bench.sqlite'}"
        cid = make_cohort(url)
        books = notebooks(url, cid, work / "books")
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "COPROD_HOME": str(work / "home"),
            "PLAYWRIGHT_BROWSERS_PATH": str(playwright_browsers(work / "pw", chromium)),
        }
        webpdf = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "webpdf"]
        webpdf.append("--WebPDFExporter.disable_sandbox=True")
        cold = [sys.executable, "-m", "coprod_widgets.cli", "--db", url, "export", "portfolio"]
        cold += ["--cohort", str(cid), "--format", "pdf", "-o"]

        def ours_cold(k: int) -> None:
            out = work / f"cold-{k}"
            run([*cold, str(out)], env, out)
            if len(list(out.glob("*.pdf"))) != PARTICIPANTS:
                raise RuntimeError(f"coprod export portfolio wrote {len(list(out.iterdir()))}")

        def baseline() -> list[float]:
            each = []
            for nb in books:
                t0 = time.perf_counter()
                run([*webpdf, str(nb)], env, nb.with_suffix(".pdf"))
                each.append(time.perf_counter() - t0)
            return each

        store = Store(url)
        warm_dir = work / "warm"
        warm_dir.mkdir()
        # Warm-up: both sides once (bytecode written, the page cache filled, our browser open).
        run([*webpdf, str(books[0])], env, books[0].with_suffix(".pdf"))
        ours_cold(-1)
        export_portfolios(store, cid, warm_dir, "pdf")
        times: dict[str, list[float]] = {"cold": [], "warm": [], "nbconvert": []}
        per_portfolio: list[float] = []
        for k in range(reps):
            t0 = time.perf_counter()
            ours_cold(k)
            times["cold"].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            export_portfolios(store, cid, warm_dir, "pdf")
            times["warm"].append(time.perf_counter() - t0)
            each = baseline()
            per_portfolio += each
            times["nbconvert"].append(sum(each))
        store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = median(times["nbconvert"])
    against = f"`jupyter nbconvert --to webpdf`, once per portfolio ({PARTICIPANTS} runs)"
    return [
        figure(
            "portfolios",
            f"{PARTICIPANTS} portfolios to PDF, {desc} (median of {reps})",
            median(times[how]),
            base,
            against,
            ratio="baseline/ours",
            target=">= 5" if how == "cold" else None,
            samples={"ours": times[how], "baseline": times["nbconvert"], "each": per_portfolio},
        )
        for how, desc in (
            ("cold", "`coprod export portfolio`, one process and one browser"),
            ("warm", "`export_portfolios` in-process, browser open"),
        )
    ]
