"""A team opening its member link together, at the protocol level (no browser).

One page view is what a browser does first: GET /j/<member code> (a new person: no cookie),
follow it to the page, read the page to its end, then open the page's kernel websocket
(/api/kernels/<id>/channels, the id from the page's jupyter-config-data) and ask for the state
of the page's root widget, as the widget manager does. The view is usable when that state
arrives. A view is blank when its page has no widget in it or no state comes within 120 s.

Rounds, against the same `coprod serve` in the same run: one page alone (the baseline, median
of --singles), then --burst pages at once, then --big pages at once. Between rounds the pages'
kernels are dropped and the pools are left to fill again.

Prints a table: blanks (0 wanted), median and worst time, and worst / single (<= 2 wanted).

Run: python -m bench burst [--quick], or python -m bench.bench_burst [--burst 8] [--big 20] [--singles 3]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
import warnings
from http.cookiejar import CookieJar
from pathlib import Path

from .common import ROOT, Figure, figure, table

sys.path.insert(0, str(ROOT / "tests"))

from browser.conftest import Server  # noqa: E402

VIEW_RE = re.compile(
    r'application/vnd\.jupyter\.widget-view\+json"?\s*[:>]\s*\{[^}]*?"model_id":\s*"([0-9a-f]+)"'
)
KERNEL_RE = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')
TIMEOUT = 120.0
# The views keep their websockets open across a round (and the reap bench drops them).
warnings.filterwarnings("ignore", message=r"connect\(\) must be used as a context manager")


def message(msg_type: str, content: dict, channel: str = "shell") -> str:
    return json.dumps(
        {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "msg_type": msg_type,
                "username": "bench",
                "session": uuid.uuid4().hex,
                "date": "",
                "version": "5.3",
            },
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": channel,
            "buffers": [],
        }
    )


def view(server: Server, url: str, sockets: list) -> tuple[float | None, str]:
    """Seconds until the page's root widget state arrived (None: blank), and why."""
    from websockets.sync.client import connect

    t0 = time.perf_counter()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    try:
        with opener.open(url, timeout=TIMEOUT) as r:
            html = r.read().decode("utf-8", "replace")
    except OSError as e:
        return None, f"page: {e}"
    kid = KERNEL_RE.search(html)
    views = VIEW_RE.findall(html)
    if not kid or not views:
        return None, "no widget in the page"
    model_id = views[0]
    ws = connect(
        f"ws://127.0.0.1:{server.port}/api/kernels/{kid.group(1)}/channels"
        f"?session_id={uuid.uuid4()}",
        open_timeout=TIMEOUT,
        max_size=None,
    )
    sockets.append(ws)
    ws.send(message("kernel_info_request", {}))
    ws.send(message("comm_msg", {"comm_id": model_id, "data": {"method": "request_state"}}))
    deadline = t0 + TIMEOUT
    while time.perf_counter() < deadline:
        try:
            raw = ws.recv(timeout=max(0.1, deadline - time.perf_counter()))
        except TimeoutError:
            break
        if isinstance(raw, bytes):  # a binary message: its header is JSON too
            continue
        msg = json.loads(raw)
        content = msg.get("content", {})
        if (
            msg.get("msg_type") in ("comm_msg", "comm_open")
            and content.get("comm_id") == model_id
            and content.get("data", {}).get("state") is not None
        ):
            return time.perf_counter() - t0, "ok"
    return None, "no widget state"


def burst(server: Server, url: str, n: int) -> tuple[list[float | None], list[str], list]:
    results: list[tuple[float | None, str]] = [(None, "not run")] * n
    sockets: list = []
    go = threading.Event()

    def one(i: int) -> None:
        go.wait()
        try:
            results[i] = view(server, url, sockets)
        except Exception as e:  # noqa: BLE001 - a failed view is a blank, reported
            results[i] = (None, f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    go.set()
    for t in threads:
        t.join(TIMEOUT + 30)
    return [r[0] for r in results], [r[1] for r in results], sockets


def drop(sockets: list) -> None:
    for ws in sockets:
        try:
            ws.close()
        except Exception:  # noqa: BLE001 - already closed
            pass


def settle(server: Server, count: int, timeout: float = 300) -> None:
    """Wait until ``count`` kernels run (the pools full, dropped pages reaped), quiet 3 s."""
    if not server.settle(count, timeout=timeout):
        print(f"  (pools did not settle: {len(server.kernels())} kernels, {count} expected)")


def figures(
    quick: bool, burst_n: int = 8, big: int = 0, singles: int = 0, people: int = 8
) -> list[Figure]:
    """One page alone (median of `singles`) against `burst_n` (and `big`) pages at once."""
    from coprod_widgets.content import FrameworkLibrary
    from coprod_widgets.store import Store

    singles = singles or (2 if quick else 3)
    home = Path(tempfile.mkdtemp(prefix="coprod-bench-burst-"))
    server = Server(
        home,
        fill_delay=2.0,
        pool=people,
        extra_args=("--expected-people", str(people), "--reap-after", "5"),
    )
    pooled = people + 3 * 2 + 1
    out = []
    try:
        store = Store(server.db)
        links = store.rounds.create("Bench team", FrameworkLibrary().get("nef-nesta-six"))
        store.close()
        url = f"{server.url}/j/{links.member_code}"
        settle(server, pooled)
        _, _, socks = burst(server, url, 1)  # the first view pays for the server's caches
        drop(socks)
        alone = []
        for _ in range(singles):
            settle(server, pooled)
            times, _, socks = burst(server, url, 1)
            drop(socks)
            if times[0] is not None:
                alone.append(times[0])
        single = statistics.median(alone) if alone else float("nan")
        for n in (burst_n, big):
            if not n:
                continue
            settle(server, pooled)
            times, why, socks = burst(server, url, n)
            drop(socks)
            ok = [t for t in times if t is not None]
            blanks = n - len(ok)
            reasons = ", ".join(f"{w} ({why.count(w)})" for w in sorted(set(why) - {"ok"}))
            out.append(
                figure(
                    "burst",
                    f"{n} member pages at once: worst time to the widget state; "
                    f"{blanks} blank (0 wanted){': ' + reasons if reasons else ''}",
                    max(ok) if ok else float("nan"),
                    single,
                    f"1 page alone (median of {singles})",
                    target="<= 2",
                    samples={"ours": ok, "baseline": alone},
                )
            )
            out[-1]["blank"] = blanks
        log = (home / "serve.log").read_text()
        for f in out:
            f["iopub_timeouts"] = log.count("Timeout waiting for IOPub")
    finally:
        server.stop()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--burst", type=int, default=8)
    ap.add_argument("--big", type=int, default=20)
    ap.add_argument("--singles", type=int, default=3)
    ap.add_argument("--expected-people", type=int, default=8)
    args = ap.parse_args()
    print(table(figures(False, args.burst, args.big, args.singles, args.expected_people)))
    return 0


def psutil_cpus() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
