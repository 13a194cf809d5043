"""The journal with 10,000 entries: full-text search and opening the journal, against naive
ways of doing the same, measured in one run on a temporary SQLite file.

- search: ``Store.journal_list(owner, words)`` (FTS5 joined to the owner's entries: a page of 50,
  the totals, the snippets) against a LIKE scan of every stage (the fallback PostgreSQL uses);
- search in the page: the same, plus the list view rebuilt, as pressing Search does;
- open the journal: ``JournalApp`` built headless for the owner (list query, filter options,
  a page of 50 rows) against loading every entry with its text.

The reflective models, forms, frameworks and benefits are read before timing starts: a
pre-started Voila kernel reads them before the page is asked for. 10,000 entries belong to the
owner measured and 2,000 to someone else, so every query has to filter by owner.

Run: python -m bench journal [--quick], or python -m bench.bench_journal [--entries 10000] [--n 15]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from coprod_widgets.apps.journal import JournalApp
from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.content.benefits import BenefitLibrary
from coprod_widgets.content.models import FormLibrary, ModelLibrary
from coprod_widgets.model.journal import preview
from coprod_widgets.store import Store
from coprod_widgets.store import schema as t

from .common import Figure, figure, table

OWNER = "key:" + "a" * 64
OTHER = "user:someone-else"
TARGET_MS = 200.0

WHO = [
    "a peer worker",
    "two members with lived experience",
    "the ward manager",
    "a carer",
    "the community development worker",
    "a student nurse",
    "our service user forum",
    "the occupational therapist",
    "a volunteer",
    "the youth panel",
]
WHAT = [
    "co-chaired the planning meeting",
    "ran the welcome session for new members",
    "reviewed the discharge leaflet together",
    "agreed how people would be paid for their time",
    "redesigned the referral form",
    "held a listening event in the library",
    "set the agenda for the steering group",
    "interviewed candidates for the support worker post",
    "tested a new way of booking appointments",
    "walked the route to the clinic to check access",
]
FELT = [
    "I felt nervous at first and then relieved",
    "I was frustrated that the room was not accessible",
    "I noticed I wanted to take over when it went quiet",
    "I felt proud of how the group handled the disagreement",
    "I was unsure whether I had explained the budget clearly",
    "I felt tired, and I think it showed",
]
LEARNT = [
    "sharing the chair changed who felt able to speak",
    "people need the papers a week before, in plain English",
    "paying people properly signals that their time matters",
    "jargon shut some people out without anyone meaning it to",
    "small tests tell us more than long consultations",
    "trust takes time and cannot be rushed by a deadline",
    "reciprocity works when everyone can see what they get back",
    "the same few voices dominate unless we plan for others",
]
NEXT = [
    "agree roles with my co-chair before each meeting",
    "send papers seven days ahead and check they are readable",
    "ask the quieter members first",
    "book an accessible room and check the route",
    "record what changed because of what people told us",
    "pay for time at the agreed rate from the first meeting",
]
TAGS = [
    "nef-nesta-six/assets",
    "nef-nesta-six/mutuality",
    "scie-four/equality",
    "scie-four/accessibility",
    "scie-four/reciprocity",
    "six-areas-of-benefit/job-satisfaction",
    "six-areas-of-benefit/participant-wellbeing",
    "six-areas-of-benefit/community-development",
]


def sentence(rng: random.Random, *parts: list[str]) -> str:
    return " ".join(rng.choice(p) for p in parts)


def gibbs_stages(rng: random.Random) -> dict[str, str]:
    return {
        "description": f"Today {rng.choice(WHO)} and I {rng.choice(WHAT)}. "
        f"Afterwards {rng.choice(WHO)} and I {rng.choice(WHAT)}.",
        "feelings": f"{rng.choice(FELT)}. {rng.choice(FELT)}.",
        "evaluation": f"It went well because {rng.choice(LEARNT)}; it went less well because "
        f"{rng.choice(LEARNT)}.",
        "analysis": f"Looking back, {rng.choice(LEARNT)}, and {rng.choice(LEARNT)}. "
        f"What I have read about co-production suggests {rng.choice(LEARNT)}.",
        "conclusion": f"I have learnt that {rng.choice(LEARNT)}.",
        "action-plan": f"Next time I will {rng.choice(NEXT)}, and {rng.choice(NEXT)}.",
    }


def build(store: Store, gibbs, n_owner: int, n_other: int, seed: int = 7) -> None:
    """Bulk-load entries in the Store's own shape: rows, stages, tags, preview, search index."""
    store.journal.remember_model(gibbs)
    rng = random.Random(seed)
    order = gibbs.stage_ids
    ts = "2025-01-01T00:00:00.000+00:00"
    with store.engine.begin() as conn:
        next_id = 1
        for owner, n in ((OWNER, n_owner), (OTHER, n_other)):
            entries, stages, tags, fts = [], [], [], []
            for i in range(n):
                eid = next_id
                next_id += 1
                text = gibbs_stages(rng)
                title = f"{rng.choice(WHAT).capitalize()} ({i})"
                day = f"20{20 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}"
                entries.append(
                    {
                        "id": eid,
                        "owner": owner,
                        "title": title,
                        "entry_date": day,
                        "minutes": rng.choice([30, 45, 60, 90, 120]),
                        "participatory": rng.random() < 0.5,
                        "model_id": gibbs.id,
                        "model_version": gibbs.version,
                        "status": "finished" if rng.random() < 0.8 else "draft",
                        "preview": preview(text, order),
                        "created_at": ts,
                        "updated_at": ts,
                    }
                )
                stages += [
                    {"entry_id": eid, "stage_id": k, "text": v, "updated_at": ts}
                    for k, v in text.items()
                ]
                tags += [{"entry_id": eid, "tag": tg} for tg in rng.sample(TAGS, 2)]
                fts.append({"id": eid, "body": "\n".join([title, *text.values()])})
            conn.execute(t.journal_entries.insert(), entries)
            conn.execute(t.journal_stages.insert(), stages)
            conn.execute(t.journal_tags.insert(), tags)
            conn.execute(sa.text("INSERT INTO journal_fts (rowid, body) VALUES (:id, :body)"), fts)
    with store.engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))


def timed(fn, n: int) -> tuple[float, list[float]]:
    fn()  # warm-up: caches, first compile of each statement
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), samples


def load_everything(store: Store) -> int:
    """The naive way to open a journal: every entry and all its text."""
    e, s = t.journal_entries, t.journal_stages
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(e).where(e.c.owner == OWNER).order_by(e.c.entry_date.desc())
        ).all()
        texts = conn.execute(
            sa.select(s.c.entry_id, s.c.stage_id, s.c.text)
            .join(e, e.c.id == s.c.entry_id)
            .where(e.c.owner == OWNER)
        ).all()
    by_id: dict[int, dict[str, str]] = {}
    for eid, sid, text in texts:
        by_id.setdefault(eid, {})[sid] = text
    return len(json.dumps([[r.id, r.title, by_id.get(r.id, {})] for r in rows]))


def figures(
    quick: bool, entries: int = 0, others: int = 2_000, n: int = 0, query: str = "accessible room"
) -> list[Figure]:
    a_entries, a_others, a_query = entries or (2_000 if quick else 10_000), others, query
    a_n = n or (5 if quick else 15)
    home = Path(tempfile.mkdtemp(prefix="coprod-bench-journal-"))
    try:
        libs: dict[str, Any] = {
            "models": ModelLibrary(),
            "forms": FormLibrary(),
            "frameworks": FrameworkLibrary(),
            "benefits": BenefitLibrary(),
        }
        gibbs = libs["models"].get("gibbs")
        store = Store(f"sqlite:///{home / 'journal.sqlite'}")
        t0 = time.perf_counter()
        build(store, gibbs, a_entries, a_others)
        built = time.perf_counter() - t0
        size = (home / "journal.sqlite").stat().st_size / 2**20
        assert store.journal.fts, "this SQLite has no FTS5: the bench measures the FTS path"

        hits = store.journal.find(OWNER, a_query).totals.entries

        def search_fts():
            store.journal.fts = True
            return store.journal.find(OWNER, a_query)

        def search_like():
            store.journal.fts = False
            try:
                return store.journal.find(OWNER, a_query)
            finally:
                store.journal.fts = True

        assert search_like().totals.entries == hits  # same answer, two ways

        app = JournalApp(store, OWNER, **libs)

        app.filters.query.value = a_query

        def search_page():
            app.filters.search.click()  # what the Search button (or Enter) does

        def search_page_like():
            store.journal.fts = False
            try:
                search_page()
            finally:
                store.journal.fts = True

        def open_app():
            return JournalApp(store, OWNER, **libs)

        opened = open_app()
        assert len(opened.entries.rows) == 50 and opened.entries.more

        ms_fts, s_fts = timed(search_fts, a_n)
        ms_like, _ = timed(search_like, a_n)
        ms_page, _ = timed(search_page, a_n)
        ms_page_like, _ = timed(search_page_like, a_n)
        ms_open, s_open = timed(open_app, a_n)
        ms_all, _ = timed(lambda: load_everything(store), a_n)
        store.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)

    what = f"{a_entries:,} entries, search {a_query!r} ({hits:,} hits), median of {a_n}"
    rows = [
        ("full-text search (store)", ms_fts, ms_like, "a LIKE scan of every stage"),
        ("search in the page (query + list)", ms_page, ms_page_like, "the same, LIKE scan"),
        ("open the journal (app, 50 rows)", ms_open, ms_all, "loading all entries + text"),
    ]
    del s_fts, s_open, built, size
    return [
        figure(
            "journal",
            f"{name}, {what} (< {TARGET_MS:.0f} ms wanted)",
            ours,
            base,
            against,
            unit="ms",
        )
        for name, ours, base, against in rows
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--others", type=int, default=2_000)
    ap.add_argument("--n", type=int, default=15)
    ap.add_argument("--query", default="accessible room")
    args = ap.parse_args()
    print(table(figures(False, args.entries, args.others, args.n, args.query)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
