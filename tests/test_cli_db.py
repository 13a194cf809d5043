"""`coprod db copy`: a real SQLite file with something in every part of the store, copied to a
real PostgreSQL and back; every row arrives, counts are said and checked, the copy works as a
store (search, new ids), a target holding data is refused, and no password is ever printed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from coprod_widgets.cli import main
from coprod_widgets.content import load_course
from coprod_widgets.content.models import ModelLibrary
from coprod_widgets.demo import ensure_demo
from coprod_widgets.store import Store
from coprod_widgets.store.copy import SKIP

REPO = Path(__file__).resolve().parent.parent
GIBBS = ModelLibrary([REPO / "data" / "reflective_models"]).get("gibbs")
COURSE = REPO / "data" / "courses" / "intro-coproduction"
ALICE = "user:alice"


def dump(url: str) -> dict[str, list[tuple]]:
    """Every data table's rows, in a form both databases give alike."""
    engine = sa.create_engine(url)
    try:
        md = sa.MetaData()
        md.reflect(engine)
        out = {}
        with engine.connect() as conn:
            for t in md.sorted_tables:
                if t.name in SKIP or t.name.startswith(("journal_fts", "sqlite_")):
                    continue
                rows = conn.execute(sa.select(t)).all()
                out[t.name] = sorted(
                    (tuple(int(v) if isinstance(v, bool) else v for v in r) for r in rows), key=repr
                )
        return out
    finally:
        engine.dispose()


@pytest.fixture
def full(tmp_path, small_framework) -> str:
    """A SQLite file with rounds, answers (imported too: the import key's fingerprint), actions,
    results, a plan, journals and a cohort."""
    url = f"sqlite:///{tmp_path / 'full.sqlite'}"
    store = Store(url)
    try:
        links = ensure_demo(store)
        store.rounds.released(links.round.id)
        team = store.rounds.create("Riverside", small_framework, roles=["Staff", "Carer"])
        store.imports.from_file(team.round.id, REPO / "tests" / "data" / "responses_good.csv")
        _, code = store.plans.create("Our plan")
        store.plans.save_field(code, "purpose.decision", "Work <b>together</b> & well")
        for i, words in enumerate(["peer networks", "ward round", "budget with families"]):
            store.journal.create(
                ALICE, GIBBS, title=f"Entry {i}", entry_date=f"2025-03-1{i}",
                stages={"description": f"We talked about {words}."}, tags=["t/x"],
            )  # fmt: skip
        cohort = store.cohorts.create("Spring", load_course(COURSE), min_answers=2)
        store.cohorts.join(cohort.join_code, "tok-participant-0001", "Ann")
        store.cohorts.save_answer(
            cohort.join_code, "tok-participant-0001", "own-definition", "Working together"
        )
    finally:
        store.close()
    return url


def test_everything_is_copied_to_postgresql_and_back_and_counted(full, pg_url, tmp_path, capsys):
    before = dump(full)
    assert all(before[t] for t in ("rounds", "ratings", "actions", "plans", "journal_entries"))
    assert before["cohorts"] and before["result_snapshots"] and before["settings"]
    assert main(["db", "copy", "--from", full, "--to", pg_url]) == 0
    out = capsys.readouterr().out
    total = sum(len(rows) for rows in before.values())
    assert f"{total:,} rows in {len(before)} tables, counted on both sides" in out
    assert re.search(rf"^  ratings +{len(before['ratings'])}$", out, re.M)
    assert dump(pg_url) == before

    back = f"sqlite:///{tmp_path / 'back.sqlite'}"
    assert main(["db", "copy", "--from", pg_url, "--to", back]) == 0
    assert dump(back) == before


def test_the_copy_works_as_a_store_search_and_new_ids(full, pg_url):
    assert main(["db", "copy", "--from", full, "--to", pg_url]) == 0
    store = Store(pg_url)
    try:
        assert store.journal.fts
        found = store.journal.find(ALICE, "networks").items
        assert [i.title for i in found] == ["Entry 0"] and "\x02networks\x03" in found[0].preview
        highest = max(r.round.id for r in store.rounds.all())
        fw = store.rounds.framework(highest)
        assert store.rounds.create("New team", fw).round.id == highest + 1  # sequence moved on
    finally:
        store.close()


def test_a_target_holding_data_is_refused_and_left_as_it_was(full, pg_url, capsys):
    assert main(["db", "copy", "--from", full, "--to", pg_url]) == 0
    store = Store(pg_url)
    try:
        store.plans.create("Written on the target")
    finally:
        store.close()
    held = dump(pg_url)
    capsys.readouterr()
    assert main(["db", "copy", "--from", full, "--to", pg_url]) == 2
    err = capsys.readouterr().err
    assert "already holds data" in err and "--force" in err and "nothing copied" in err
    assert dump(pg_url) == held
    assert main(["db", "copy", "--from", full, "--to", pg_url, "--force"]) == 0
    assert "replaced what the target held" in capsys.readouterr().out
    assert dump(pg_url) == dump(full)


def test_errors_name_the_database_and_never_its_password(full, pg_cluster, tmp_path, capsys):
    bad = f"postgresql+psycopg://coprod:s3cret-pw@127.0.0.1:{pg_cluster.port}/no_such_db"
    assert main(["db", "copy", "--from", full, "--to", bad]) == 2
    err = capsys.readouterr().err
    assert "s3cret-pw" not in err
    assert "coprod:***@127.0.0.1" in err and "cannot open the target" in err
    assert "Traceback" not in err
    assert main(["db", "copy", "--from", full, "--to", full]) == 2
    assert "the same database" in capsys.readouterr().err
    missing = tmp_path / "no-such-folder" / "x.sqlite"
    assert main(["db", "copy", "--from", f"sqlite:///{missing}", "--to", full]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not missing.parent.exists()  # nothing made on the way
