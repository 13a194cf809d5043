"""A database made by an older coprod opens, and one made by a newer coprod is refused."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa

from coprod_widgets.model.rounds import Rating
from coprod_widgets.store import Store
from coprod_widgets.store.migrations import MIGRATIONS, current_version, migrate
from coprod_widgets.store.schema import SCHEMA_VERSION
from coprod_widgets.store.store import make_engine

ME = "tok-old-member-0123456789"
TS = "2024-05-01T10:00:00.000+00:00"


def version_of(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return current_version(conn)
    finally:
        engine.dispose()


def columns(url: str, table: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return {c["name"] for c in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


@pytest.fixture
def v1_url(db_url, small_framework) -> str:
    """A database at schema version 1 with one round and one submitted answer, in the v1 shape."""
    engine = make_engine(db_url)
    assert migrate(engine, target=1) == 1
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO rounds (id, team, framework_id, framework_version, framework_json, "
                "anonymous, min_answers, member_code, facilitator_code, status, created_at) "
                "VALUES (7, 'Old team', 'small', '1.0', :fj, 1, 3, 'old-member-code', "
                "'old-facilitator-code', 'open', :ts)"
            ),
            {"fj": json.dumps(small_framework.to_dict()), "ts": TS},
        )
        conn.execute(
            sa.text(
                "INSERT INTO responses (id, round_id, member_hash, framework_id, "
                "framework_version, name, status, created_at, updated_at, submitted_at) "
                "VALUES (1, 7, :h, 'small', '1.0', '', 'submitted', :ts, :ts, :ts)"
            ),
            {"h": hashlib.sha256(ME.encode()).hexdigest(), "ts": TS},
        )
        conn.execute(
            sa.text(
                "INSERT INTO ratings (response_id, statement_id, value, dont_know, updated_at) "
                "VALUES (1, 'p1-a', 3, 0, :ts), (1, 'p2-b', NULL, 1, :ts)"
            ),
            {"ts": TS},
        )
        conn.execute(
            sa.text(
                "INSERT INTO comments (response_id, principle_id, text, updated_at) "
                "VALUES (1, 'p1', 'Written long ago.', :ts)"
            ),
            {"ts": TS},
        )
    engine.dispose()
    return db_url


def test_v1_database_has_the_v1_shape(v1_url):
    assert version_of(v1_url) == 1
    assert "roles" not in columns(v1_url, "rounds")
    assert "role" not in columns(v1_url, "responses")


def test_v1_database_opens_at_the_latest_version(v1_url):
    store = Store(v1_url)
    try:
        assert version_of(v1_url) == SCHEMA_VERSION == len(MIGRATIONS)
        assert "roles" in columns(v1_url, "rounds")
        assert "role" in columns(v1_url, "responses")

        rnd = store.rounds.get(7)
        assert rnd.team == "Old team"
        assert rnd.roles == ()
        assert rnd.created_at == TS
        assert store.rounds.by_code("old-member-code") == (rnd, "member")
        assert store.rounds.framework(7).id == "small"

        [answer] = store.rounds.answers(7)
        assert answer.submitted and answer.submitted_at == TS
        assert answer.role == "" and answer.name == ""
        assert answer.ratings == {"p1-a": Rating(3, False), "p2-b": Rating(None, True)}
        assert answer.comments == {"p1": "Written long ago."}

        view = store.members.member_view("old-member-code", ME)
        assert view["answer"]["ratings"]["p1-a"]["value"] == 3
        assert view["round"]["roles"] == []
    finally:
        store.close()


def test_migrated_database_takes_new_writes(v1_url, small_framework):
    store = Store(v1_url)
    try:
        store.members.save_rating("old-member-code", ME, "p1-a", 4)
        store.members.save_profile("old-member-code", ME, role="")
        assert store.rounds.answers(7)[0].rating("p1-a") == Rating(4, False)
        links = store.rounds.create("New team", small_framework, roles=["Staff"])
        assert links.round.id == 8
        assert store.rounds.get(8).roles == ("Staff",)
        assert [s.round.id for s in store.rounds.all()] == [7, 8]
        # v3: an old round heads its own series, takes actions and a next round
        assert store.rounds.get(7).series_id == 7
        action = store.actions.add(7, "p1", "Ask first")
        nxt = store.rounds.create("Old team", small_framework, previous_id=7).round
        assert [r.id for r in store.rounds.series(nxt.id)] == [7, nxt.id]
        assert store.actions.to_review(nxt.id) == [action]
    finally:
        store.close()


def test_newer_database_is_refused_with_a_clear_message(db_url):
    Store(db_url).close()
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE schema_version SET version = :v"), {"v": SCHEMA_VERSION + 5})
    engine.dispose()
    with pytest.raises(
        RuntimeError, match=rf"version {SCHEMA_VERSION + 5}, newer .*upgrade coprod"
    ):
        Store(db_url)


def test_opening_twice_is_idempotent(v1_url):
    Store(v1_url).close()
    store = Store(v1_url)
    try:
        assert version_of(v1_url) == SCHEMA_VERSION
        engine = sa.create_engine(v1_url)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT version FROM schema_version")).all()
        engine.dispose()
        assert rows == [(SCHEMA_VERSION,)]  # one row, not one per opening
        assert len(store.rounds.answers(7)) == 1
        assert len(store.rounds.all()) == 1
    finally:
        store.close()


def test_migrate_returns_the_version_reached(db_url):
    engine = make_engine(db_url)
    try:
        assert migrate(engine, target=1) == 1
        assert migrate(engine) == SCHEMA_VERSION
        assert migrate(engine) == SCHEMA_VERSION  # nothing left to do
        assert migrate(engine, target=1) == SCHEMA_VERSION  # never goes back
    finally:
        engine.dispose()


def test_new_database_starts_at_the_latest_version(db_url):
    Store(db_url).close()
    assert version_of(db_url) == SCHEMA_VERSION


COHORT_TABLES = {
    "cohorts",
    "cohort_participants",
    "course_answers",
    "course_feedback",
    "cohort_snapshots",
    "cohort_fingerprints",
}


def test_v7_database_gains_the_cohort_tables_and_keeps_its_rounds(v1_url):
    engine = make_engine(v1_url)
    try:
        assert migrate(engine, target=7) == 7
        assert not COHORT_TABLES & set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    store = Store(v1_url)
    try:
        assert version_of(v1_url) == SCHEMA_VERSION >= 8
        engine = sa.create_engine(v1_url)
        try:
            inspector = sa.inspect(engine)
            assert COHORT_TABLES <= set(inspector.get_table_names())
            assert {c["name"] for c in inspector.get_columns("cohorts")} >= {
                "course_json",
                "course_fingerprint",
                "join_code",
                "trainer_code",
            }
            uniques = inspector.get_unique_constraints("cohort_participants")
            assert ["cohort_id", "participant_hash"] in [u["column_names"] for u in uniques]
        finally:
            engine.dispose()
        assert store.rounds.get(7).team == "Old team"
        assert store.cohorts.all() == []
    finally:
        store.close()
