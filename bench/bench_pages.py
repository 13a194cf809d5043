"""Each workbook's page against a bare ipywidgets page, all served by one `coprod serve` in one run.

Per workbook (start page, member page, results, journal, planner) and for the bare page
(bench/bare.ipynb: one button): the time from navigation to a usable page (median of N loads in
a real Chromium; the member and results pages' include the /j/ redirect) and the memory (RSS)
of the page's own kernel once usable. Loads are interleaved and each waits for the pools to
refill, so every page gets a pre-started kernel.

Run: python -m bench pages [--quick]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil

from .common import ROOT, Figure, figure, median

sys.path.insert(0, str(ROOT / "tests"))

READY = ".coprod-app"
MEMBER_READY = ".coprod-statement input[type=radio]"
BARE_READY = ".widget-button"


def load(browser, server, url: str, ready: str) -> tuple[float, float, int]:
    ctx = browser.new_context()
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(ready, state="visible", timeout=90_000)
    elapsed = time.perf_counter() - t0
    time.sleep(1.0)
    pid = server.kernel_pid(page)
    rss = psutil.Process(pid).memory_info().rss / 2**20
    page.close(run_before_unload=True)
    ctx.close()
    return elapsed, rss, pid


def pages(server) -> dict[str, tuple[str, str]]:
    """Each workbook's URL and what shows it is usable, on a round with answers and a plan."""
    from coprod_widgets.content import FrameworkLibrary
    from coprod_widgets.store import Store

    store = Store(server.db)
    fw = FrameworkLibrary().get("nef-nesta-six")
    team = store.rounds.create("Bench team", fw, min_answers=3)
    for i in range(4):
        me = f"bench-pages-member-{i:04d}"
        for s in fw.statements:
            store.members.save_rating(team.member_code, me, s.id, 1 + (i + len(s.id)) % 5)
        store.members.submit(team.member_code, me)
    fresh = store.rounds.create("Fresh team", fw)
    store.close()
    u = server.url
    return {
        "bare page": (f"{u}/voila/render/bare.ipynb", BARE_READY),
        "start page": (f"{u}/voila/render/start_round.ipynb", READY),
        "member page": (f"{u}/j/{fresh.member_code}", MEMBER_READY),
        "results": (f"{u}/j/{team.facilitator_code}", READY),
        "journal": (f"{u}/journal", READY),
        "planner": (f"{u}/voila/render/planner.ipynb", READY),
    }


def figures(quick: bool) -> list[Figure]:
    from browser.conftest import CHROMIUM_ARGS, Server, chromium_path
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if not path:
        raise RuntimeError("Chromium not found: sudo apt-get install chromium")
    n = 1 if quick else 3
    home = Path(tempfile.mkdtemp(prefix="coprod-bench-pages-"))
    books = home / "workbooks"
    shutil.copytree(ROOT / "workbooks", books)
    shutil.copy(ROOT / "bench" / "bare.ipynb", books / "bare.ipynb")
    saved = os.environ.get("COPROD_WORKBOOKS")
    os.environ["COPROD_WORKBOOKS"] = str(books)
    server = Server(home, fill_delay=1.0, pool=1)
    times: dict[str, list[float]] = {}
    mems: dict[str, list[float]] = {}
    try:
        urls = pages(server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            for url, ready in urls.values():  # warm-up: the browser's and the server's caches
                time.sleep(3.0)
                load(browser, server, url, ready)
            for _ in range(n):
                for name, (url, ready) in urls.items():
                    time.sleep(3.0)  # the pool refills: every page gets a pre-started kernel
                    t, m, _ = load(browser, server, url, ready)
                    times.setdefault(name, []).append(t)
                    mems.setdefault(name, []).append(m)
            browser.close()
    finally:
        server.stop()
        if saved is None:
            os.environ.pop("COPROD_WORKBOOKS", None)
        else:
            os.environ["COPROD_WORKBOOKS"] = saved
        shutil.rmtree(home, ignore_errors=True)
    out = []
    bare_t, bare_m = times.pop("bare page"), mems.pop("bare page")
    for name in times:
        out.append(
            figure(
                "pages",
                f"{name}: usable (median of {n})",
                median(times[name]),
                median(bare_t),
                "bare ipywidgets page",
                target="<= 1.2" if name == "member page" else None,
                samples={"ours": times[name], "baseline": bare_t},
            )
        )
        out.append(
            figure(
                "pages",
                f"{name}: kernel RSS (median of {n})",
                median(mems[name]),
                median(bare_m),
                "bare ipywidgets page",
                unit="MiB",
                target="<= 1.2" if name == "member page" else None,
                samples={"ours": mems[name], "baseline": bare_m},
            )
        )
    return out
