"""The database every repository of the store shares: its engine, its clock, its codes.

Nothing here imports a repository, and every repository imports from here (never from
``store.py``, the composition root), so the store has no import circle.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .migrations import migrate

if TYPE_CHECKING:
    from sqlite3 import Connection as SQLiteConnection

# An INSERT that can become an upsert (``on_conflict_do_update`` / ``_do_nothing``): the
# dialect's own, as SQLAlchemy's core insert has neither.
Upsert = sqlite.Insert | postgresql.Insert


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def member_hash(me: str) -> str:
    return hashlib.sha256(me.encode("utf-8")).hexdigest()


def new_code() -> str:
    """An unguessable link code (128 bits) that never starts with "-", so that a command line
    never takes it for an option."""
    while (code := secrets.token_urlsafe(16)).startswith("-"):
        pass
    return code


def results_key() -> bytes:
    """The key of the fingerprints that tell which answers changed since a round's last
    snapshot of results: a file in the user's data folder (``results.key``, readable by its
    owner only), made when first needed. Without it the fingerprints link nothing; with another
    key every answer looks changed, and the release rule still holds on the answers themselves.
    """
    from ..paths import secret_key

    return secret_key("results.key")


def default_url() -> str:
    if os.environ.get("COPROD_DB"):
        return os.environ["COPROD_DB"]
    from ..paths import user_dir

    return f"sqlite:///{user_dir() / 'coprod.sqlite'}"


def _sqlite_pragmas(dbapi_conn: SQLiteConnection, _record: object) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.close()


def make_engine(url: str) -> sa.Engine:
    """The engine for ``url``. A SQLite file (and its -wal and -shm, which SQLite makes with the
    file's mode) is readable by its owner only, in a folder made 0700 if new. (Whoever prints
    an error about the URL masks its password: ``mask_db_urls``.)"""
    if url.startswith("sqlite"):
        db = sa.make_url(url).database
        if db and db != ":memory:" and not db.startswith("file:"):
            from ..paths import private_dir, private_file

            path = Path(db).expanduser()
            if not path.parent.exists():
                private_dir(path.parent)
            path.parent.mkdir(parents=True, exist_ok=True)
            for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                if f == path or f.exists():
                    private_file(f)
        engine = sa.create_engine(url, connect_args={"timeout": 15})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


_DB_PASSWORD_RE = re.compile(r"\b([a-z][a-z0-9+.\-]*://[^:/@\s'\"]*:)([^\s'\"]+)(@)", re.I)


def mask_db_urls(text: str) -> str:
    """Text with the password of any database URL in it masked: ``user:***@host``."""
    return _DB_PASSWORD_RE.sub(r"\1***\3", text)


class Database:
    """One database, migrated to the latest schema on opening, shared by the repositories."""

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        migrate(self.engine)
        self.dialect: str = self.engine.dialect.name

    @contextmanager
    def reading(self) -> Iterator[sa.Connection]:
        """A connection whose reads all see the database as it was at the first of them.

        A read made of several queries (a round's responses, then their ratings, then their
        comments) must not see a member who arrived between two of them. Python's sqlite3
        opens no transaction for a SELECT, and PostgreSQL's default READ COMMITTED gives each
        statement a fresh snapshot, so each is asked for one snapshot here. Nothing is written
        through this connection; it is rolled back on leaving."""
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("BEGIN")
            else:
                conn.execution_options(isolation_level="REPEATABLE READ")
            yield conn

    def insert(self, table: sa.Table) -> Upsert:
        """An INSERT into ``table`` that can become an upsert, in this database's dialect."""
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    @staticmethod
    def now() -> str:
        return now()

    @staticmethod
    def new_code() -> str:
        return new_code()

    @staticmethod
    def member_hash(me: str) -> str:
        return member_hash(me)

    def close(self) -> None:
        self.engine.dispose()


def inserted_id(result: sa.CursorResult[object]) -> int:
    """The primary key of a one-row INSERT (Optional in SQLAlchemy's types; never None here)."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])
