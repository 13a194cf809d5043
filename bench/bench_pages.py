"""Member page against a bare ipywidgets page, both served by one `coprod serve` in one run.

Prints, per metric, the coprod figure, the bare figure, their ratio and the target:
- time from navigation to a usable page (median of N loads; the member page's includes the
  /j/ redirect);
- kernel memory (RSS) of the page's own kernel once usable;
- kernels still running after 20 member pages were opened and closed (target 0).

Run: python bench/bench_pages.py [--n 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser.conftest import CHROMIUM_ARGS, Server, chromium_path  # noqa: E402


def load(browser, server, url: str, ready: str) -> tuple[float, float, int]:
    ctx = browser.new_context()
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_selector(ready, state="visible", timeout=60_000)
    elapsed = time.perf_counter() - t0
    time.sleep(1.0)
    pid = server.kernel_pid(page)
    rss = psutil.Process(pid).memory_info().rss / 2**20
    page.close(run_before_unload=True)
    ctx.close()
    return elapsed, rss, pid


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=7)
    ap.add_argument("--pages", type=int, default=20)
    args = ap.parse_args()
    path = chromium_path()
    if not path:
        print("Chromium not found: sudo apt-get install chromium")
        return 2
    from playwright.sync_api import sync_playwright

    from coprod_widgets.content import FrameworkLibrary
    from coprod_widgets.store import Store

    home = Path(tempfile.mkdtemp(prefix="coprod-bench-"))
    books = home / "workbooks"
    shutil.copytree(ROOT / "workbooks", books)
    shutil.copy(ROOT / "bench" / "bare.ipynb", books / "bare.ipynb")
    import os

    os.environ["COPROD_WORKBOOKS"] = str(books)
    server = Server(home, fill_delay=1.0, pool=1)
    store = Store(server.db)
    links = store.create_round("Bench team", FrameworkLibrary().get("nef-nesta-six"))
    member_url = f"{server.url}/j/{links.member_code}"
    bare_url = f"{server.url}/voila/render/bare.ipynb"
    pools = 4  # one pre-started kernel for each of the four notebooks
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            # Warm-up: the first load of each pays for the browser's and the server's caches.
            load(browser, server, bare_url, ".widget-button")
            load(browser, server, member_url, ".coprod-statement input[type=radio]")
            times: dict[str, list[float]] = {"coprod": [], "bare": []}
            mems: dict[str, list[float]] = {"coprod": [], "bare": []}
            for _ in range(args.n):
                for name, url, ready in (
                    ("bare", bare_url, ".widget-button"),
                    ("coprod", member_url, ".coprod-statement input[type=radio]"),
                ):
                    time.sleep(3.0)  # let the pool refill: both pages get a pre-started kernel
                    t, m, _ = load(browser, server, url, ready)
                    times[name].append(t)
                    mems[name].append(m)
            time.sleep(3.0)
            before = len(server.kernels())
            pids = []
            for _ in range(args.pages):
                _, _, pid = load(browser, server, member_url, ".coprod-statement input[type=radio]")
                pids.append(pid)
            deadline = time.time() + 30
            while time.time() < deadline and len(server.kernels()) > pools:
                time.sleep(0.5)
            time.sleep(3.0)
            after = len(server.kernels())
            browser.close()
    finally:
        server.stop()
    alive = [p for p in pids if psutil.pid_exists(p)]
    t_c, t_b = statistics.median(times["coprod"]), statistics.median(times["bare"])
    m_c, m_b = statistics.median(mems["coprod"]), statistics.median(mems["bare"])
    rows = [
        ("page usable (s, median)", t_c, t_b, t_c / t_b, "<= 1.20"),
        ("kernel RSS (MiB, median)", m_c, m_b, m_c / m_b, "<= 1.20"),
    ]
    print(f"{'metric':28} {'coprod':>9} {'bare':>9} {'ratio':>7}  target")
    for name, c, b, r, target in rows:
        print(f"{name:28} {c:9.2f} {b:9.2f} {r:7.2f}  {target}")
    print(
        f"kernels left after {args.pages} member pages opened and closed: "
        f"{len(alive)} (kernels running {before} before, {after} after; pool {pools})"
    )
    print(
        "samples (s): coprod "
        + " ".join(f"{x:.2f}" for x in times["coprod"])
        + " | bare "
        + " ".join(f"{x:.2f}" for x in times["bare"])
    )
    shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
