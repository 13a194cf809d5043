"""Aggregating 1,000,000 ratings from the store, the product's own way, against pandas.

Ours is what the results page does: ``Store.released(round)`` (in a named round, every answer,
live: three queries) then ``model.aggregate.aggregate`` (per principle: each member's score,
the median, spread, low and high; the comments). The baseline is ``pandas.read_sql`` of the
same submitted ratings plus ``groupby(statement).value.agg(mean, count)``: less work than ours
(no answers built, no per-member scores), as a yardstick for the cost of the store's path.

The round is bulk-loaded in the store's own tables: 1,000,000 ratings of the nef-nesta-six
statements (--quick: 100,000), all submitted.

Run: python -m bench aggregate [--quick]
"""

from __future__ import annotations

import hashlib
import random
import shutil
import tempfile
from pathlib import Path

from .common import Figure, figure, median, medians

TS = "2025-01-01T00:00:00.000+00:00"


def load(store, rid: int, fw, ratings: int, seed: int = 7) -> int:
    """Submitted answers holding `ratings` ratings in all; the number of answers."""
    from coprod_widgets.store import schema as t

    rng = random.Random(seed)
    statements = [s.id for s in fw.statements]
    answers = -(-ratings // len(statements))
    left = ratings
    with store.engine.begin() as conn:
        first = 1  # a fresh database
        resp, rats = [], []
        for i in range(answers):
            rid_ = first + i
            resp.append(
                {
                    "id": rid_,
                    "round_id": rid,
                    "member_hash": hashlib.sha256(f"m{i}".encode()).hexdigest(),
                    "framework_id": fw.id,
                    "framework_version": fw.version,
                    "name": "",
                    "status": "submitted",
                    "created_at": TS,
                    "updated_at": TS,
                    "submitted_at": TS,
                    "role": "",
                }
            )
            for sid in statements[: min(left, len(statements))]:
                rats.append(
                    {
                        "response_id": rid_,
                        "statement_id": sid,
                        "value": rng.randint(1, 5),
                        "dont_know": False,
                        "updated_at": TS,
                    }
                )
            left -= len(statements)
        conn.execute(t.responses.insert(), resp)
        for k in range(0, len(rats), 100_000):
            conn.execute(t.ratings.insert(), rats[k : k + 100_000])
    return answers


def figures(quick: bool) -> list[Figure]:
    import pandas as pd
    import sqlalchemy as sa

    from coprod_widgets.content import FrameworkLibrary
    from coprod_widgets.model.aggregate import aggregate
    from coprod_widgets.store import Store
    from coprod_widgets.store import schema as t

    n_ratings = 100_000 if quick else 1_000_000
    n = 1 if quick else 3
    home = Path(tempfile.mkdtemp(prefix="coprod-bench-aggregate-"))
    try:
        store = Store(f"sqlite:///{home / 'ratings.sqlite'}")
        fw = FrameworkLibrary().get("nef-nesta-six")
        links = store.rounds.create("Big team", fw, anonymous=False)
        rid = links.round.id
        answers = load(store, rid, fw, n_ratings)
        rnd = store.rounds.get(rid)

        def ours():
            rel = store.rounds.released(rid)
            res = aggregate(rnd, fw, list(rel.answers))
            assert res.submitted == answers
            return res

        r, ra = t.responses.c, t.ratings.c
        query = (
            sa.select(ra.statement_id, ra.value)
            .join(t.responses, r.id == ra.response_id)
            .where(r.round_id == rid, r.status == "submitted", ~ra.dont_know)
        )

        def pandas_way():
            with store.engine.connect() as conn:
                df = pd.read_sql(query, conn)
            out = df.groupby("statement_id")["value"].agg(["mean", "count"])
            assert int(out["count"].sum()) == n_ratings
            return out

        times = medians({"ours": ours, "pandas": pandas_way}, n)
        store.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return [
        figure(
            "aggregate",
            f"{n_ratings:,} ratings ({answers:,} answers): store.released + aggregate "
            f"(median of {n})",
            median(times["ours"]),
            median(times["pandas"]),
            "`pandas.read_sql` + `groupby` mean/count",
            samples=times,
        )
    ]
