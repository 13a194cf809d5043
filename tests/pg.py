"""A throwaway PostgreSQL for the tests: one cluster per session, a fresh database per test.

``COPROD_TEST_DB=postgresql`` makes the ``db_url`` fixture (and so ``store``) give each test its
own database on this session's cluster, so that the store and model suites run on PostgreSQL as
they do on SQLite. Tests that open the SQLite file itself (they ask for ``db_path``) are left out
of that run, not skipped. The ``pg_cluster`` and ``pg_url`` fixtures serve PostgreSQL-only tests
in either run.

The cluster lives in a temporary folder: ``initdb`` and ``pg_ctl`` from Debian's
``/usr/lib/postgresql/*/bin``, run as an unprivileged user (PostgreSQL refuses root), listening
on a free loopback port with its socket in the folder and trust authentication; it is stopped
and removed at the session's end. Without the binaries the tests skip with the install hint
(and fail under ``COPROD_REQUIRE_TOOLS=1``, as every skip does).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

INSTALL_HINT = (
    "PostgreSQL not found: install it with `sudo apt-get install postgresql` and "
    '`pip install "psycopg[binary]>=3.1"` to run the PostgreSQL tests'
)
TEMPLATE = "coprod_template"
# Left out on PostgreSQL: tests that open the SQLite file, or build an old database with
# SQLite's own SQL (1 for true, strftime), or look for its FTS5 table. Their PostgreSQL
# counterparts are in tests/store/test_pg_*.py.
SQLITE_FIXTURES = {"db_path", "v1_url"}
SQLITE_TESTS = {
    "test_typing_keeps_no_versions_but_finishing_and_coming_back_later_do",
    "test_an_earlier_version_comes_back_and_what_it_replaces_is_kept",
    "test_a_v3_database_with_rounds_opens_with_the_journal",
}


def on_postgresql() -> bool:
    """Whether this run puts the store on PostgreSQL (``COPROD_TEST_DB=postgresql``)."""
    return os.environ.get("COPROD_TEST_DB", "sqlite").lower() != "sqlite"


def pg_bin() -> Path | None:
    """The newest PostgreSQL's server binaries, or None."""
    found = [
        Path(d)
        for d in glob.glob("/usr/lib/postgresql/*/bin")
        if Path(d, "initdb").exists() and Path(d, "pg_ctl").exists()
    ]
    found.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return found[-1] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One PostgreSQL server in a temporary folder, for the length of a test session."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="coprod-pg-"))
        self.port = _free_port()
        self.user: str | None = None
        if os.geteuid() == 0:  # PostgreSQL will not run as root: hand the folder to a user
            names = {p.pw_name for p in pwd.getpwall()}
            self.user = "postgres" if "postgres" in names else "nobody"
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        os.chmod(self.dir, 0o700)
        self._names = itertools.count(1)

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode:
            log = self.dir / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}{tail}")

    def start(self) -> None:
        data = str(self.dir / "data")
        self._run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._run("pg_ctl", "-D", data, "-o", options, "-l", str(self.dir / "server.log"),
                  "-w", "start")  # fmt: skip

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE) as the superuser."""
        import psycopg

        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(sql)

    def new_database(self, template: str = "template0") -> str:
        """A fresh database's URL, copied from ``template`` (empty by default)."""
        name = f"t{os.getpid()}_{next(self._names)}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_cluster() -> Cluster:
    """A started cluster, or a skip naming what to install."""
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip(INSTALL_HINT)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip(INSTALL_HINT)
    cluster = Cluster(bin_dir)
    cluster.start()
    return cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (the Store migrates it on opening)."""
    url = pg_cluster.new_database()
    yield url
    pg_cluster.drop(url)


@pytest.fixture(scope="session")
def pg_template(pg_cluster: Cluster) -> str:
    """A database migrated once to the latest schema, to copy for each test."""
    from coprod_widgets.store import Store

    pg_cluster.admin(f'CREATE DATABASE "{TEMPLATE}"')
    Store(pg_cluster.url(TEMPLATE)).close()
    return TEMPLATE


@pytest.fixture
def pg_db_url(request: pytest.FixtureRequest, pg_cluster: Cluster) -> Iterator[str]:
    """``db_url`` on PostgreSQL: a copy of the migrated template (fast), or an empty database
    for the migration tests, which build old schemas themselves."""
    if "migration" in request.node.module.__name__:
        url = pg_cluster.new_database()
    else:
        url = pg_cluster.new_database(request.getfixturevalue("pg_template"))
    yield url
    pg_cluster.drop(url)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, leave out the tests that are about SQLite itself (see ``SQLITE_TESTS``)."""
    if not on_postgresql():
        return
    keep, left = [], []
    for item in items:
        sqlite_only = SQLITE_FIXTURES & set(getattr(item, "fixturenames", ())) or (
            getattr(item, "originalname", item.name) in SQLITE_TESTS
        )
        (left if sqlite_only else keep).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = keep
