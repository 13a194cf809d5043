"""Team report to HTML and PDF: our route against `jupyter nbconvert --execute`, in one run.

Both sides run the same report notebook (coprod_widgets/reports/notebooks/team_report.ipynb)
on the same database: the third round of a team's series, 12 submitted answers a round with
roles and comments, and actions agreed on each round and reviewed in the next, so the report
has results, who got heard, trends, the first-against-latest radar and actions. Prints, per metric, our
time, the command line's, their ratio (baseline / ours) and the target (>= 4.0):

- in-process (warm): `export_report(...)` in a process that has made a report before, as the
  results workbook's download button does in its already-running kernel;
- `coprod export team-report` (cold): the command, a fresh process each time;
- baseline: the notebook with the parameters injected (papermill's way) written to a file, then
  `jupyter nbconvert --execute --to html` and `--to webpdf`, each a fresh process and kernel.

Stock webpdf launches only Playwright's own downloaded Chromium: it has no setting for the
browser's path (neither a traitlet nor a --config file can give one). The baseline therefore
points PLAYWRIGHT_BROWSERS_PATH at a folder where Playwright's expected executable is a symlink to
Debian's chromium, and passes --WebPDFExporter.disable_sandbox=True (needed as root).

Run: python bench/bench_reports.py [--n 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_round(url: str, answers: int = 12, rounds: int = 3) -> int:
    """A team's third round of 12 answers each, with roles, comments and actions agreed and
    reviewed along the way: the report has results, who got heard, trends and actions."""
    from coprod_widgets.content import FrameworkLibrary
    from coprod_widgets.store import Store

    store = Store(url)
    fw = FrameworkLibrary().get("nef-nesta-six")
    links = store.create_round("Bench ward", fw, roles=["Nurse", "Carer", "Patient"])
    rng = random.Random(7)
    for n in range(rounds):
        if n:
            for a in store.actions(links.round.id):
                store.update_action(a.id, "status", "done", in_round=None)
            prev = links.round.id
            links = store.open_next_round(prev)
            for a in store.actions(prev):
                store.update_action(a.id, "helped", "partly", in_round=links.round.id)
        for i in range(answers):
            me = f"bench-member-{n}-{i:04d}"
            for s in fw.statements:
                store.save_rating(links.member_code, me, s.id, rng.randint(1, 5))
            for p in fw.principles[::2]:
                store.save_comment(
                    links.member_code, me, p.id, f"Member {i} on {p.title}: <b>more</b> of this"
                )
            store.save_profile(links.member_code, me, role=["Nurse", "Carer", "Patient"][i % 3])
            store.submit(links.member_code, me)
        for p in fw.principles[:3]:
            store.add_action(links.round.id, p.id, f"Act on {p.title} <i>now</i>", lead="Sam")
    store.close()
    return links.round.id


def playwright_browsers(folder: Path, chromium: str) -> Path:
    """A PLAYWRIGHT_BROWSERS_PATH whose Chromium builds are Debian's chromium (for stock webpdf)."""
    import playwright

    spec = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    revs = {b["name"]: b["revision"] for b in json.loads(spec.read_text())["browsers"]}
    for name, sub, exe in (
        ("chromium_headless_shell", "chrome-headless-shell-linux64", "chrome-headless-shell"),
        ("chromium", "chrome-linux64", "chrome"),
    ):
        rev = revs[name.replace("_", "-")]
        d = folder / f"{name}-{rev}" / sub
        d.mkdir(parents=True, exist_ok=True)
        (d / exe).symlink_to(chromium)
    return folder


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run(cmd: list[str], env: dict[str, str], out: Path) -> None:
    out.unlink(missing_ok=True)
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0 or not out.exists():
        raise SystemExit(f"failed: {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5, help="runs per measure (median)")
    args = ap.parse_args()

    from coprod_widgets.reports.export import (
        BrowserMissing,
        export_report,
        find_chromium,
        inject_parameters,
        read_notebook,
        report_path,
    )

    try:
        chromium = find_chromium()
    except BrowserMissing as e:
        print(f"{e}")
        return 2
    import nbformat

    work = Path(tempfile.mkdtemp(prefix="coprod-bench-reports-"))
    url = f"sqlite:///{work / 'bench.sqlite'}"
    os.environ["COPROD_HOME"] = str(work / "home")
    os.environ["COPROD_DB"] = url
    rid = make_round(url)
    params = {"round_id": rid, "db": None}  # db None: the kernel reads $COPROD_DB
    injected = work / "team_report_injected.ipynb"
    nbformat.write(inject_parameters(read_notebook(report_path("team_report")), params), injected)
    env = {
        **os.environ,
        "PLAYWRIGHT_BROWSERS_PATH": str(playwright_browsers(work / "pw", chromium)),
    }
    nbconvert = [sys.executable, "-m", "jupyter", "nbconvert", "--execute", str(injected)]
    coprod = [sys.executable, "-m", "coprod_widgets.cli", "export", "team-report"]
    measures: dict[str, Callable[[], object]] = {
        "ours html": lambda: export_report("team_report", params, "html"),
        "ours pdf": lambda: export_report("team_report", params, "pdf"),
        "cli html": lambda: run(
            [*coprod, "--round", str(rid), "-o", str(work / "cli.html")], env, work / "cli.html"
        ),
        "cli pdf": lambda: run(
            [*coprod, "--round", str(rid), "-o", str(work / "cli.pdf")], env, work / "cli.pdf"
        ),
        "nbconvert html": lambda: run(
            [*nbconvert, "--to", "html", "--output", "base"], env, work / "base.html"
        ),
        "nbconvert webpdf": lambda: run(
            [*nbconvert, "--to", "webpdf", "--WebPDFExporter.disable_sandbox=True"],
            env,
            work / "team_report_injected.pdf",
        ),
    }
    t_start = time.perf_counter()
    for fn in measures.values():  # warm-up: imports, caches, the first kernel spec lookup
        fn()
    times: dict[str, list[float]] = {k: [] for k in measures}
    for _ in range(args.n):  # interleaved, so both sides see the same load on the machine
        for name, fn in measures.items():
            times[name].append(timed(fn))
    med = {k: statistics.median(v) for k, v in times.items()}
    rows = [
        ("HTML, in-process (warm)", "ours html", "nbconvert html"),
        ("PDF, in-process (warm)", "ours pdf", "nbconvert webpdf"),
        ("HTML, coprod export (cold)", "cli html", "nbconvert html"),
        ("PDF, coprod export (cold)", "cli pdf", "nbconvert webpdf"),
    ]
    print(
        "team report, third round of a series (12 answers a round, roles, actions, trends); "
        f"median of {args.n} runs, seconds"
    )
    print(f"{'metric':30} {'ours':>7} {'baseline':>9} {'ratio':>7}  target")
    for label, ours, base in rows:
        ratio = med[base] / med[ours]
        print(f"{label:30} {med[ours]:7.2f} {med[base]:9.2f} {ratio:7.2f}  >= 4.0")
    print("baseline: jupyter nbconvert --execute --to html | --to webpdf, on the same notebook")
    print(
        "samples (s): "
        + "; ".join(f"{k} " + " ".join(f"{x:.2f}" for x in v) for k, v in times.items())
    )
    print(f"bench took {time.perf_counter() - t_start:.0f} s")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
