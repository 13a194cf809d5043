"""The throwaway PostgreSQL of the tests (tests/pg.py): without its binaries a test skips with
the install hint (and so fails under COPROD_REQUIRE_TOOLS=1); with them, each test's database is
its own, and the server never runs as root."""

from __future__ import annotations

import os

import pg
import pytest
import sqlalchemy as sa


def test_without_postgresql_the_tests_skip_saying_what_to_install(monkeypatch):
    monkeypatch.setattr(pg.glob, "glob", lambda pattern: [])
    assert pg.pg_bin() is None
    with pytest.raises(pytest.skip.Exception, match="apt-get install postgresql"):
        pg.start_cluster()


def test_each_test_gets_a_database_of_its_own(pg_cluster, pg_url):
    other = pg_cluster.new_database()
    try:
        assert other != pg_url
        for url in (pg_url, other):
            engine = sa.create_engine(url)
            with engine.begin() as conn:
                conn.execute(sa.text("CREATE TABLE mine (x INTEGER)"))  # fails if shared
            engine.dispose()
    finally:
        pg_cluster.drop(other)


def test_the_server_runs_as_an_unprivileged_user(pg_cluster, pg_url):
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
            assert conn.execute(sa.text("SHOW listen_addresses")).scalar() == "127.0.0.1"
            # read while connected: the backend process ends with its connection
            assert os.stat(f"/proc/{pid}").st_uid != 0
    finally:
        engine.dispose()
