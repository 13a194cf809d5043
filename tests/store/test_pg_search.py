"""The journal's full-text search on PostgreSQL (a generated ``tsvector`` under a GIN index)
finds what SQLite's FTS5 finds, marks the words it matched the same way, follows every edit,
and is filled from the entries already there when a database reaches schema v9."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from coprod_widgets.content.models import ModelLibrary
from coprod_widgets.store import Store
from coprod_widgets.store.journal_core import MARK_END, MARK_START
from coprod_widgets.store.migrations import MIGRATIONS, migrate
from coprod_widgets.store.store import make_engine

REPO = Path(__file__).resolve().parents[2]
GIBBS = ModelLibrary([REPO / "data" / "reflective_models"]).get("gibbs")
ALICE, BOB = "user:alice", "user:bob"
ENTRIES = [
    (ALICE, "Co-chairing the planning meeting", "A peer worker and I chaired it together."),
    (ALICE, "Ward round", "Families asked about discharge; we listened and changed the plan."),
    (ALICE, "Reading week", "I read about reciprocity and peer networks, and co-production."),
    (ALICE, "Budget meeting", "People who use services set the budget's priorities."),
    (ALICE, "Training_day notes", "Role-play: 'nothing about us without us' (e-mail follow-up)."),
    (BOB, "Bob's peer supervision", "Peer supervision, with peer workers."),
]
QUERIES = [
    "peer",
    "PEER networks",
    "meet",
    "ward",
    "co-production",
    "budget's",
    "us without",
    "supervision",
    "nothing-here",
    'peer" OR "x',
    "%",
    "'; DROP TABLE journal_entries; --",
    "chair",
    "e-mail",
    "training_day",
    "role play",
]


def fill(store: Store) -> list[int]:
    return [
        store.journal.create(
            owner, GIBBS, title=title, entry_date=f"2025-03-{i + 10}", stages={"description": text}
        ).id
        for i, (owner, title, text) in enumerate(ENTRIES)
    ]


@pytest.fixture
def stores(pg_url, tmp_path):
    pg, lite = Store(pg_url), Store(f"sqlite:///{tmp_path / 'lite.sqlite'}")
    try:
        yield pg, lite
    finally:
        pg.close()
        lite.close()


def marked(preview: str) -> list[str]:
    """The words inside the marks (FTS5 marks a phrase's words at once, PostgreSQL each)."""
    found = re.findall(f"{MARK_START}(.*?){MARK_END}", preview)
    return [w for m in found for w in re.split(r"[\W_]+", m.casefold()) if w]


def test_postgresql_finds_what_sqlite_finds_and_marks_the_same_words(stores):
    pg, lite = stores
    assert fill(pg) == fill(lite)
    assert pg.journal.fts and lite.journal.fts  # both on their index, not LIKE
    for q in QUERIES:
        got, want = pg.journal.find(ALICE, q), lite.journal.find(ALICE, q)
        assert [i.id for i in got.items] == [i.id for i in want.items], q
        assert got.totals == want.totals, q
        for g, w in zip(got.items, want.items, strict=True):
            assert marked(g.preview) == marked(w.preview), (q, g.preview, w.preview)
    [item] = pg.journal.find(ALICE, "networks").items
    assert f"{MARK_START}networks{MARK_END}" in item.preview


def test_the_postgresql_index_follows_every_edit_in_the_same_transaction(stores):
    pg, _ = stores
    first, *_ = fill(pg)
    pg.journal.save_stage(ALICE, first, "description", "Something else entirely.")
    assert pg.journal.find(ALICE, "chaired").totals.entries == 0
    assert pg.journal.find(ALICE, "entirely").totals.entries == 1
    pg.journal.save(ALICE, first, "title", "Lantern")
    assert pg.journal.find(ALICE, "lantern").totals.entries == 1
    with pg.engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM journal_search")).scalar()
    assert n == len(ENTRIES)


def test_the_search_uses_the_gin_index(stores):
    pg, _ = stores
    fill(pg)
    with pg.engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))  # a few rows: force the choice
        plan = "\n".join(
            conn.execute(
                sa.text(
                    "EXPLAIN SELECT entry_id FROM journal_search "
                    "WHERE tsv @@ to_tsquery('simple', 'peer:*')"
                )
            ).scalars()
        )
    assert "ix_journal_search_tsv" in plan


def test_a_v8_database_gains_the_index_of_the_entries_it_has(pg_url):
    engine = make_engine(pg_url)
    try:
        migrate(engine, target=len(MIGRATIONS) - 1)
        with engine.connect() as conn:
            assert not sa.inspect(conn).has_table("journal_search")
    finally:
        engine.dispose()
    # Entries written by a coprod before v9: the Store of that time had no index to write.
    store = Store(pg_url)
    try:
        store.journal.fts = False
        ids = fill(store)
        with store.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE journal_search"))
            conn.execute(sa.text("UPDATE schema_version SET version = :v"), {"v": 8})
    finally:
        store.close()
    store = Store(pg_url)
    try:
        assert store.journal.fts
        assert [i.id for i in store.journal.find(ALICE, "peer").items] == [ids[2], ids[0]]
        assert [i.id for i in store.journal.find(ALICE, "ward").items] == [ids[1]]  # the title
    finally:
        store.close()
