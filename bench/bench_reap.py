"""Page views dropped without unload: are their kernels shut down, and is the memory given back?

A view: GET /j/<member code> as a new person, read the page, open its kernel websocket, get
the root widget's state (bench_burst.py's view), then drop the TCP connection: no close frame,
no shutdown beacon, as when a browser crashes or a laptop leaves the network. --views views,
--at-once at a time, against one `coprod serve --reap-after R` in the same run.

Prints a table: kernels of dropped pages still alive R s + one reaper round after the last
drop (0 wanted), and the server's memory (its RSS and its children's) after, against idle
(the same server, pools warm, before any view; within 10% wanted).

Run: python -m bench reap [--quick], or python -m bench.bench_reap [--views 200] [--at-once 8]\n[--reap-after 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import psutil

from .bench_burst import burst, settle
from .common import ROOT, Figure, figure, table

sys.path.insert(0, str(ROOT / "tests"))

from browser.conftest import Server  # noqa: E402


def rss_mib(server: Server) -> float:
    procs = [psutil.Process(server.proc.pid)]
    procs += procs[0].children(recursive=True)
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20


def figures(
    quick: bool, views: int = 0, at_once: int = 8, reap_after: float = 10.0, people: int = 8
) -> list[Figure]:
    a_views, a_at_once, a_reap_after = views or (24 if quick else 200), at_once, reap_after
    a_expected_people = people
    from coprod_widgets.content import FrameworkLibrary
    from coprod_widgets.store import Store

    home = Path(tempfile.mkdtemp(prefix="coprod-bench-reap-"))
    people = a_expected_people
    server = Server(
        home,
        fill_delay=2.0,
        pool=people,
        extra_args=("--expected-people", str(people), "--reap-after", str(a_reap_after)),
    )
    pooled = people + 3 * 2 + 1
    try:
        store = Store(server.db)
        links = store.rounds.create("Reap team", FrameworkLibrary().get("nef-nesta-six"))
        store.close()
        url = f"{server.url}/j/{links.member_code}"
        settle(server, pooled)
        # Warm the server's caches with one view, closed and reaped, then measure idle.
        _, _, socks = burst(server, url, 1)
        for ws in socks:
            ws.socket.close()
        time.sleep(a_reap_after + 12)
        settle(server, pooled)
        idle = rss_mib(server)
        idle_kernels = {p.pid for p in server.kernels()}
        seen: set[int] = set()
        shown = blank = 0
        started = time.time()
        done = 0
        while done < a_views:
            n = min(a_at_once, a_views - done)
            times, _, socks = burst(server, url, n)
            shown += sum(t is not None for t in times)
            blank += sum(t is None for t in times)
            seen |= {p.pid for p in server.kernels()}
            for ws in socks:
                ws.socket.close()  # dropped: no close frame, no beacon
            done += n
        elapsed = time.time() - started
        time.sleep(a_reap_after + 12)  # the reap time and one reaper round (at most 10 s)
        page_kernels = seen - idle_kernels
        left = [p.pid for p in server.kernels() if p.pid in page_kernels]
        settle(server, pooled)
        after = rss_mib(server)
        kernels_after = len(server.kernels())
    finally:
        server.stop()
    what = f"{a_views} member page views dropped without unload, {a_at_once} at a time"
    return [
        figure(
            "reap",
            f"kernels running after {what} ({shown} shown, {blank} blank); "
            f"of the dropped pages' still running: {len(left)} (0 wanted)",
            kernels_after,
            len(idle_kernels),
            "idle: the same server, pools full, before any view",
            unit="kernels",
            target="<= 1",
        ),
        figure(
            "reap",
            f"server + children RSS after {what} (in {elapsed:.0f} s)",
            after,
            idle,
            "idle, before any view",
            unit="MiB",
            target="<= 1.1",
        ),
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--views", type=int, default=200)
    ap.add_argument("--at-once", type=int, default=8)
    ap.add_argument("--reap-after", type=float, default=10.0)
    ap.add_argument("--expected-people", type=int, default=8)
    args = ap.parse_args()
    print(table(figures(False, args.views, args.at_once, args.reap_after, args.expected_people)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
