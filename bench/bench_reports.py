"""Team report and journal to HTML and PDF: our route against `jupyter nbconvert --execute`.

Both sides run the same report notebook (coprod_widgets/reports/notebooks/team_report.ipynb)
on the same database: the third round of a team's series, 12 submitted answers a round with
roles and comments, and actions agreed on each round and reviewed in the next, so the report
has results, who got heard, trends, the first-against-latest radar and actions. The journal
export is three Gibbs entries of the command line's user, as written. Per metric, our time, the
command line's, their ratio (baseline / ours) and the target (>= 4 for the team report):

- in-process (warm): `export_report(...)` in a process that has made a report before, as the
  results workbook's download button does in its already-running kernel;
- `coprod export team-report` / `coprod export journal` (cold): the command, a fresh process
  each time;
- baseline: the notebook with the parameters injected (papermill's way) written to a file, then
  `jupyter nbconvert --execute --to html` and `--to webpdf`, each a fresh process and kernel.

Stock webpdf launches only Playwright's own downloaded Chromium: it has no setting for the
browser's path (neither a traitlet nor a --config file can give one). The baseline therefore
points PLAYWRIGHT_BROWSERS_PATH at a folder where Playwright's expected executable is a symlink to
Debian's chromium, and passes --WebPDFExporter.disable_sandbox=True (needed as root).

Run: python -m bench reports [--quick]
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from .common import Figure, figure, median, medians


def make_round(url: str, answers: int = 12, rounds: int = 3) -> int:
    """A team's third round of 12 answers each, with roles, comments and actions agreed and
    reviewed along the way: the report has results, who got heard, trends and actions."""
    from coprod_widgets.content import FrameworkLibrary
    from coprod_widgets.store import Store

    store = Store(url)
    fw = FrameworkLibrary().get("nef-nesta-six")
    links = store.rounds.create("Bench ward", fw, roles=["Nurse", "Carer", "Patient"])
    rng = random.Random(7)
    for n in range(rounds):
        if n:
            for a in store.actions.for_round(links.round.id):
                store.actions.update(a.id, "status", "done", in_round=None)
            prev = links.round.id
            links = store.rounds.open_next(prev)
            for a in store.actions.for_round(prev):
                store.actions.update(a.id, "helped", "partly", in_round=links.round.id)
        for i in range(answers):
            me = f"bench-member-{n}-{i:04d}"
            for s in fw.statements:
                store.members.save_rating(links.member_code, me, s.id, rng.randint(1, 5))
            for p in fw.principles[::2]:
                store.members.save_comment(
                    links.member_code, me, p.id, f"Member {i} on {p.title}: <b>more</b> of this"
                )
            store.members.save_profile(
                links.member_code, me, role=["Nurse", "Carer", "Patient"][i % 3]
            )
            store.members.submit(links.member_code, me)
        for p in fw.principles[:3]:
            store.actions.add(links.round.id, p.id, f"Act on {p.title} <i>now</i>", lead="Sam")
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


def run(cmd: list[str], env: dict[str, str], out: Path) -> None:
    out.unlink(missing_ok=True)
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0 or not out.exists():
        raise RuntimeError(f"failed: {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")


def make_journal(url: str, owner: str, entries: int = 3) -> list[int]:
    """Three Gibbs entries with every stage written, for `coprod export journal`."""
    from coprod_widgets.content.models import ModelLibrary
    from coprod_widgets.store import Store

    gibbs = ModelLibrary().get("gibbs")
    store = Store(url)
    ids = []
    for i in range(entries):
        stages = {
            s: f"Entry {i}, {s}: we met as equals & set the agenda together."
            for s in gibbs.stage_ids
        }
        ids.append(
            store.journal.create(owner, gibbs, title=f"Planning meeting {i}", stages=stages).id
        )
    store.close()
    return ids


def figures(quick: bool) -> list[Figure]:
    from coprod_widgets.identity import journal_owner
    from coprod_widgets.reports.export import (
        export_report,
        find_chromium,
        inject_parameters,
        read_notebook,
        report_path,
    )
    from coprod_widgets.reports.journal import export_journal
    from coprod_widgets.store import Store

    n = 1 if quick else 3
    chromium = find_chromium()  # BrowserMissing: the part fails, saying how to install one
    work = Path(tempfile.mkdtemp(prefix="coprod-bench-reports-"))
    saved = {k: os.environ.get(k) for k in ("COPROD_HOME", "COPROD_DB")}
    try:
        url = f"sqlite:///{work / 'bench.sqlite'}"
        os.environ["COPROD_HOME"] = str(work / "home")
        os.environ["COPROD_DB"] = url
        rid = make_round(url)
        owner, _ = journal_owner(None)
        entries = make_journal(url, owner)
        params = {"round_id": rid, "db": None}  # db None: the kernel reads $COPROD_DB
        jparams = {"owner": owner, "entry_ids": entries, "db": None}
        books = {}
        for name, p in (("team_report", params), ("journal_report", jparams)):
            books[name] = work / f"{name}_injected.ipynb"
            books[name].write_text(
                json.dumps(inject_parameters(read_notebook(report_path(name)), p))
            )
        # Both sides as installed: Python may write bytecode, so after the warm-up run neither
        # compiles its modules again (a shell with PYTHONDONTWRITEBYTECODE=1 would make every
        # cold run compile ours, an editable install, but not nbconvert's, which pip compiled).
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "PLAYWRIGHT_BROWSERS_PATH": str(playwright_browsers(work / "pw", chromium)),
        }
        coprod = [sys.executable, "-m", "coprod_widgets.cli", "export"]
        store = Store(url)

        def nbconvert(name: str, to: str) -> Callable[[], None]:
            cmd = [sys.executable, "-m", "jupyter", "nbconvert", "--execute", str(books[name])]
            if to == "html":
                return lambda: run([*cmd, "--to", "html"], env, books[name].with_suffix(".html"))
            cmd += ["--to", "webpdf", "--WebPDFExporter.disable_sandbox=True"]
            return lambda: run(cmd, env, books[name].with_suffix(".pdf"))

        def cli(what: list[str], out: Path) -> Callable[[], None]:
            return lambda: run([*coprod, *what, "-o", str(out)], env, out)

        team, journal = ["team-report", "--round", str(rid)], ["journal"]
        for e in entries:
            journal += ["--entry", str(e)]
        measures: dict[str, Callable[[], object]] = {
            "team warm html": lambda: export_report("team_report", params, "html"),
            "team warm pdf": lambda: export_report("team_report", params, "pdf"),
            "team cold html": cli(team, work / "team.html"),
            "team cold pdf": cli(team, work / "team.pdf"),
            "team nbconvert html": nbconvert("team_report", "html"),
            "team nbconvert pdf": nbconvert("team_report", "pdf"),
            "journal warm html": lambda: export_journal(store, owner, "html", entry_ids=entries),
            "journal warm pdf": lambda: export_journal(store, owner, "pdf", entry_ids=entries),
            "journal cold html": cli(journal, work / "journal.html"),
            "journal cold pdf": cli(journal, work / "journal.pdf"),
            "journal nbconvert html": nbconvert("journal_report", "html"),
            "journal nbconvert pdf": nbconvert("journal_report", "pdf"),
        }
        times = medians(measures, n)
        store.close()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(work, ignore_errors=True)
    out = []
    for what, label, target in (
        ("team", "team report", ">= 4"),
        ("journal", "journal, 3 entries", None),
    ):
        for fmt, to in (("html", "html"), ("pdf", "webpdf")):
            base = times[f"{what} nbconvert {fmt}"]
            for how, desc in (("cold", "`coprod export`, cold"), ("warm", "in-process, warm")):
                ours = times[f"{what} {how} {fmt}"]
                out.append(
                    figure(
                        "reports",
                        f"{label} {fmt.upper()}, {desc} (median of {n})",
                        median(ours),
                        median(base),
                        f"`jupyter nbconvert --execute --to {to}`",
                        ratio="baseline/ours",
                        target=target if how == "cold" else None,
                        samples={"ours": ours, "baseline": base},
                    )
                )
    return out
