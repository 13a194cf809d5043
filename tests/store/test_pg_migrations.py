"""Any number of processes may open one new database at once: each waits for the migration lock
and finds the work done (on PostgreSQL an advisory lock, on SQLite ``BEGIN IMMEDIATE``)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from coprod_widgets.store.migrations import MIGRATIONS, current_version, migrate
from coprod_widgets.store.store import make_engine

# Each process waits for the starting gun (a file), then opens the database as a Store does.
OPENER = """
import sys, time
from pathlib import Path
from coprod_widgets.store.db import make_engine
from coprod_widgets.store.migrations import migrate
gun = Path(sys.argv[2])
while not gun.exists():
    time.sleep(0.005)
print(migrate(make_engine(sys.argv[1])))
"""


def open_at_once(url: str, tmp_path: Path, n: int = 4) -> list[subprocess.CompletedProcess[str]]:
    gun = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPENER, url, str(gun)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    time.sleep(3)  # every process imported and waiting
    gun.touch()
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert current_version(conn) == len(MIGRATIONS)
            assert conn.execute(sa.text("SELECT count(*) FROM schema_version")).scalar() == 1
            return set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


def check_all_succeeded(url: str, tmp_path: Path, n: int = 4) -> set[str]:
    done = open_at_once(url, tmp_path, n)
    for p in done:
        assert p.returncode == 0, p.stderr[-3000:]
        assert p.stdout.strip() == str(len(MIGRATIONS))
    return tables(url)


def test_four_processes_migrate_one_new_postgresql_database_at_once(pg_url, tmp_path):
    names = check_all_succeeded(pg_url, tmp_path)
    assert {"rounds", "journal_entries", "journal_search", "cohorts"} <= names


def test_eight_processes_migrate_one_new_sqlite_file_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    names = check_all_succeeded(url, tmp_path, n=8)  # 8: the old way failed 4 times in 5
    assert {"rounds", "journal_entries", "journal_fts", "cohorts"} <= names
    assert "journal_search" not in names  # PostgreSQL's index only


def test_a_failing_step_releases_the_lock_and_writes_nothing(pg_url):
    """A step that fails leaves the database at the step before, and the next opener (another
    process, or this one) takes the lock again and finishes."""
    engine = make_engine(pg_url)
    try:
        migrate(engine, target=3)

        def broken(conn: sa.Connection) -> None:
            conn.execute(sa.text("CREATE TABLE half_done (x INTEGER)"))
            raise RuntimeError("step failed")

        step, MIGRATIONS[3] = MIGRATIONS[3], broken
        try:
            with pytest.raises(RuntimeError, match="step failed"):
                migrate(engine)
        finally:
            MIGRATIONS[3] = step
        with engine.connect() as conn:
            assert current_version(conn) == 3
            assert not sa.inspect(conn).has_table("half_done")
        assert migrate(engine) == len(MIGRATIONS)
    finally:
        engine.dispose()
