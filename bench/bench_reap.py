"""Page views dropped without unload: are their kernels shut down, and is the memory given back?

A view: GET /j/<member code> as a new person, read the page, open its kernel websocket, get
the root widget's state (bench_burst.py's view), then drop the TCP connection: no close frame,
no shutdown beacon, as when a browser crashes or a laptop leaves the network. --views views,
--at-once at a time, against one `coprod serve --reap-after R` in the same run.

Prints a table: kernels of dropped pages still alive R s + one reaper round after the last
drop (0 wanted), and the server's memory (its RSS and its children's) after, against idle
(the same server, pools warm, before any view; within 10% wanted).

Run: python bench/bench_reap.py [--views 200] [--at-once 8] [--reap-after 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_burst import burst, settle  # noqa: E402
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--views", type=int, default=200)
    ap.add_argument("--at-once", type=int, default=8)
    ap.add_argument("--reap-after", type=float, default=10.0)
    ap.add_argument("--expected-people", type=int, default=8)
    args = ap.parse_args()
    from coprod_widgets.content import FrameworkLibrary
    from coprod_widgets.store import Store

    home = Path(tempfile.mkdtemp(prefix="coprod-bench-reap-"))
    people = args.expected_people
    server = Server(
        home,
        fill_delay=2.0,
        pool=people,
        extra_args=("--expected-people", str(people), "--reap-after", str(args.reap_after)),
    )
    pooled = people + 3 * 2 + 1
    try:
        store = Store(server.db)
        links = store.create_round("Reap team", FrameworkLibrary().get("nef-nesta-six"))
        store.close()
        url = f"{server.url}/j/{links.member_code}"
        settle(server, pooled)
        # Warm the server's caches with one view, closed and reaped, then measure idle.
        _, _, socks = burst(server, url, 1)
        for ws in socks:
            ws.socket.close()
        time.sleep(args.reap_after + 12)
        settle(server, pooled)
        idle = rss_mib(server)
        idle_kernels = {p.pid for p in server.kernels()}
        seen: set[int] = set()
        shown = blank = 0
        started = time.time()
        done = 0
        while done < args.views:
            n = min(args.at_once, args.views - done)
            times, _, socks = burst(server, url, n)
            shown += sum(t is not None for t in times)
            blank += sum(t is None for t in times)
            seen |= {p.pid for p in server.kernels()}
            for ws in socks:
                ws.socket.close()  # dropped: no close frame, no beacon
            done += n
        elapsed = time.time() - started
        time.sleep(args.reap_after + 12)  # the reap time and one reaper round (at most 10 s)
        page_kernels = seen - idle_kernels
        left = [p.pid for p in server.kernels() if p.pid in page_kernels]
        settle(server, pooled)
        after = rss_mib(server)
        print()
        print(
            f"{args.views} member page views dropped without unload, {args.at_once} at a time, "
            f"in {elapsed:.0f} s; coprod serve --reap-after {args.reap_after:g}; "
            f"{shown} shown, {blank} blank"
        )
        print(f"{'measure':<44}{'idle':>10}{'after':>10}{'target':>24}")
        print(f"{'kernels of dropped pages still running':<44}{0:>10}{len(left):>10}{'0':>24}")
        print(
            f"{'kernels running (pools)':<44}{len(idle_kernels):>10}{len(server.kernels()):>10}{'same':>24}"
        )
        print(
            f"{'server + children RSS, MiB':<44}{idle:>10.0f}{after:>10.0f}"
            f"{f'within 10% ({after / idle - 1:+.1%})':>24}"
        )
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
