"""PostgreSQL against SQLite in the same run: journal search on 10,000 entries, and 50 members
saving at once through the store's member save path.

- search: ``store.journal.find(owner, words)`` (a page of 50, the totals, the marked snippets) on
  PostgreSQL (``journal_search``: a generated ``tsvector`` under a GIN index) against SQLite's
  FTS5, on the same 10,000 entries of one owner and 2,000 of another (built by the journal
  bench on SQLite, then moved with ``coprod db copy``'s ``copy_database``); p50 and p95;
- writers: 50 members of one round, each saving ratings (``store.members.save_rating``) as
  fast as they can, through a pool of the server's ``store_threads`` (4, as ``coprod serve``
  runs its members' API) and through 50 threads of their own (one Store per process, as the
  server has); throughput, p50 and p95 of a save as the member waits for it (queueing
  included), and lost writes: each member's last value of each statement read back.

PostgreSQL is a throwaway cluster in a temporary folder (``tests/pg.py``), or the database of
``COPROD_BENCH_PG`` (a URL; it must be empty). Run: python -m bench pg [--quick].
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.content.models import ModelLibrary
from coprod_widgets.store import Store
from coprod_widgets.store.copy import copy_database

from .bench_journal import OWNER, build
from .common import ROOT, Figure, figure, table

SEARCH_P95_MS = 200.0
SAVE_P95_MS = 300.0
QUERIES = ["accessible room", "peer worker", "jargon", "trust deadline", "pay"]


def cluster() -> tuple[str, Callable[[], None]]:
    """A PostgreSQL URL and how to let it go."""
    if os.environ.get("COPROD_BENCH_PG"):
        return os.environ["COPROD_BENCH_PG"], lambda: None
    sys.path.insert(0, str(ROOT / "tests"))
    from pg import INSTALL_HINT, Cluster, pg_bin

    bin_dir = pg_bin()
    if bin_dir is None:
        raise RuntimeError(INSTALL_HINT)
    c = Cluster(bin_dir)
    c.start()
    return c.new_database(), c.stop


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def search_samples(store: Store, n: int) -> list[float]:
    for q in QUERIES:
        store.journal.find(OWNER, q)  # warm-up
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        page = store.journal.find(OWNER, QUERIES[i % len(QUERIES)])
        out.append((time.perf_counter() - t0) * 1000)
        assert page.totals.entries > 0
    return out


def writers(url: str, members: int, saves: int, threads: int) -> dict[str, float]:
    """``members`` members each saving ``saves`` ratings at once, through ``threads`` workers."""
    store = Store(url)
    try:
        fw = FrameworkLibrary().get("nef-nesta-six")
        code = store.rounds.create("Bench team", fw, min_answers=3).member_code
        statements = [s.id for p in fw.principles for s in p.statements]
        tokens = [f"tok-bench-member-{i:04d}-{random.random():.9f}" for i in range(members)]
        for me in tokens:
            store.members.member_view(code, me)  # the page opened: its answer exists
        last: dict[tuple[str, str], int] = {}
        lock = threading.Lock()
        waits: list[float] = []
        start = threading.Event()

        def member(me: str, pool: ThreadPoolExecutor | None) -> None:
            rng = random.Random(me)
            start.wait()
            for _ in range(saves):
                sid, value = rng.choice(statements), rng.randint(1, 5)
                t0 = time.perf_counter()
                if pool is None:
                    store.members.save_rating(code, me, sid, value)
                else:
                    pool.submit(store.members.save_rating, code, me, sid, value).result()
                took = (time.perf_counter() - t0) * 1000
                with lock:
                    waits.append(took)
                    last[(me, sid)] = value

        pool = ThreadPoolExecutor(threads) if threads < members else None
        people = [threading.Thread(target=member, args=(me, pool)) for me in tokens]
        for p in people:
            p.start()
        t0 = time.perf_counter()
        start.set()
        for p in people:
            p.join()
        took = time.perf_counter() - t0
        if pool is not None:
            pool.shutdown()
        lost = 0
        for me in tokens:
            ratings = store.members.member_view(code, me)["answer"]["ratings"]
            assert isinstance(ratings, dict)
            got = {sid: r["value"] for sid, r in ratings.items()}  # type: ignore[index]
            lost += sum(1 for (m, sid), v in last.items() if m == me and got.get(sid) != v)
        return {
            "ms_per_save": took * 1000 / len(waits),
            "p50": statistics.median(waits),
            "p95": pct(waits, 95),
            "lost": lost,
        }
    finally:
        store.close()


def figures(quick: bool) -> list[Figure]:
    n_entries, n = (2_000, 20) if quick else (10_000, 60)
    members, saves = 50, (5 if quick else 20)
    home = Path(tempfile.mkdtemp(prefix="coprod-bench-pg-"))
    pg_url, stop = cluster()
    try:
        lite_url = f"sqlite:///{home / 'journal.sqlite'}"
        lite = Store(lite_url)
        build(lite, ModelLibrary().get("gibbs"), n_entries, 2_000)
        lite.close()
        copy_database(lite_url, pg_url)
        lite, pg = Store(lite_url), Store(pg_url)
        with pg.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        assert pg.journal.fts and lite.journal.fts
        for q in QUERIES:
            assert pg.journal.find(OWNER, q).totals == lite.journal.find(OWNER, q).totals, q
        s_pg, s_lite = search_samples(pg, n), search_samples(lite, n)
        lite.close()
        pg.close()
        w_url = f"sqlite:///{home / 'writers.sqlite'}"
        runs = {
            (db, threads): writers(url, members, saves, threads)
            for threads in (4, members)
            for db, url in (("PostgreSQL", pg_url), ("SQLite", w_url))
        }
    finally:
        stop()
        shutil.rmtree(home, ignore_errors=True)

    what = f"{n_entries:,} entries, {len(QUERIES)} queries, {n} searches"
    out = [
        figure(
            "pg",
            f"journal search p{p}, {what} (< {SEARCH_P95_MS:.0f} ms wanted)",
            pct(s_pg, p),
            pct(s_lite, p),
            "SQLite FTS5, same entries and queries",
            unit="ms",
        )  # fmt: skip
        for p in (50, 95)
    ]
    for threads in (4, members):
        how = "the server's 4 store threads" if threads == 4 else f"{members} threads"
        pg_r, lite_r = runs[("PostgreSQL", threads)], runs[("SQLite", threads)]
        head = f"{members} members x {saves} saves through {how}"
        out += [
            figure(
                "pg",
                f"wall time per save (1/throughput), {head}",
                pg_r["ms_per_save"],
                lite_r["ms_per_save"],
                "SQLite, same run",
                unit="ms",
            ),  # fmt: skip
            figure("pg", f"save p50, {head}", pg_r["p50"], lite_r["p50"], "SQLite", unit="ms"),
            figure(
                "pg",
                f"save p95, {head} (< {SAVE_P95_MS:.0f} ms wanted)",
                pg_r["p95"],
                lite_r["p95"],
                "SQLite",
                unit="ms",
            ),  # fmt: skip
            figure(
                "pg",
                f"lost writes, {head}",
                pg_r["lost"],
                lite_r["lost"],
                "SQLite",
                unit="saves",
                ratio="ours/baseline",
            ),  # fmt: skip
        ]
    return out


if __name__ == "__main__":
    print(table(figures("--quick" in sys.argv)))
