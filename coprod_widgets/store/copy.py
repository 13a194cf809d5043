"""Copying a whole database to another (``coprod db copy``): SQLite to PostgreSQL, or back.

Every table goes (rounds, answers, actions, plans, journals, cohorts, releases, the settings
that hold the import key's fingerprint), read in one snapshot of the source and written in one
transaction on the target, which is migrated to the same schema first. A target that holds any
data is refused unless ``force`` is given (then its rows are replaced). The search index is
built again on the target (it is the target's own: FTS5 on SQLite, ``journal_search`` on
PostgreSQL), PostgreSQL's sequences are moved past the ids copied, and the rows of every table
are counted on both sides before the copy is committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..errors import CoprodError
from .db import make_engine, mask_db_urls
from .migrations import MIGRATIONS, current_version, migrate
from .pg import fill_search_index

CHUNK = 2000
# Not copied: the schema's own bookkeeping, and each database's own search index.
SKIP = {"schema_version", "journal_search"}


class CopyError(CoprodError):
    """The copy could not be made: nothing was written to the target."""


@dataclass(frozen=True)
class CopyReport:
    source: str  # URLs with any password masked
    target: str
    schema_version: int
    counts: dict[str, int] = field(default_factory=dict)  # rows per table, checked on both sides
    replaced: dict[str, int] = field(default_factory=dict)  # rows the target held (with force)


def _skipped(name: str) -> bool:
    return name in SKIP or name.startswith("journal_fts") or name.startswith("sqlite_")


def _open(url: str, what: str) -> tuple[sa.Engine, int]:
    """The engine of ``url``, migrated to this coprod's schema (a source must exist)."""
    if what == "source" and url.startswith("sqlite"):
        db = sa.make_url(url).database or ""
        if db and not db.startswith("file:") and db != ":memory:" and not Path(db).is_file():
            raise CopyError(f"the source {url} does not exist: give the file to copy from")
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            version = current_version(conn)
        if version > len(MIGRATIONS):
            raise CopyError(
                f"the {what} {mask_db_urls(url)} is at schema version {version}, newer than this "
                f"coprod ({len(MIGRATIONS)}): upgrade coprod to copy it"
            )
        migrate(engine)
    except sa.exc.SQLAlchemyError as e:
        reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
        raise CopyError(f"cannot open the {what} {mask_db_urls(url)}: {reason}") from None
    except (ImportError, ValueError) as e:  # no driver for it, a URL that is not one
        raise CopyError(f"cannot open the {what} {mask_db_urls(url)}: {e}") from None
    return engine, len(MIGRATIONS)


def _tables(conn: sa.Connection) -> list[sa.Table]:
    """The data tables, parents before children."""
    md = sa.MetaData()
    md.reflect(conn)
    return [t for t in md.sorted_tables if not _skipped(t.name)]


def _counts(conn: sa.Connection, tables: list[sa.Table]) -> dict[str, int]:
    return {
        t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() or 0)
        for t in tables
    }


def _reset_sequences(conn: sa.Connection, tables: list[sa.Table]) -> None:
    """On PostgreSQL: each serial id continues after the largest id copied."""
    for t in tables:
        if "id" in t.c and list(t.primary_key.columns.keys()) == ["id"]:
            top = sa.select(sa.func.max(t.c.id)).scalar_subquery()
            serial = sa.func.pg_get_serial_sequence(t.name, "id")
            conn.execute(
                sa.select(sa.func.setval(serial, sa.func.coalesce(top, 1), top.is_not(None)))
            )


def _read_snapshot(conn: sa.Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")
    else:
        conn.execution_options(isolation_level="REPEATABLE READ")


def copy_database(source: str, target: str, *, force: bool = False) -> CopyReport:
    """Copy every table of ``source`` into ``target`` (see the module's docstring)."""
    if sa.make_url(source) == sa.make_url(target):
        raise CopyError("the source and the target are the same database: give two")
    src, version = _open(source, "source")
    dst = None
    try:
        dst, _ = _open(target, "target")
        with src.connect() as s, dst.begin() as d:
            _read_snapshot(s)
            tables = _tables(s)
            targets = {t.name: t for t in _tables(d)}
            missing = [t.name for t in tables if t.name not in targets]
            if missing:
                raise CopyError(f"the target has no table {', '.join(missing)}: nothing copied")
            held = {n: c for n, c in _counts(d, list(targets.values())).items() if c}
            if held and not force:
                raise CopyError(
                    f"the target {mask_db_urls(target)} already holds data ("
                    + ", ".join(f"{n} {k}" for k, n in sorted(held.items()))
                    + "): nothing copied. Copy into an empty database, or add --force to "
                    "replace what it holds"
                )
            _clear(d, list(targets.values()))
            for t in tables:
                _copy_table(s, d, t, targets[t.name])
            fill_search_index(d)
            if d.dialect.name == "postgresql":
                _reset_sequences(d, [targets[t.name] for t in tables])
            want = _counts(s, tables)
            got = _counts(d, [targets[t.name] for t in tables])
            wrong = {k: (n, got.get(k)) for k, n in want.items() if got.get(k) != n}
            if wrong:
                raise CopyError(f"rows differ after copying (source, target): {wrong}: undone")
    except sa.exc.SQLAlchemyError as e:
        reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
        raise CopyError(
            f"the copy failed and nothing was written: {mask_db_urls(reason)}"
        ) from None
    finally:
        src.dispose()
        if dst is not None:
            dst.dispose()
    return CopyReport(mask_db_urls(source), mask_db_urls(target), version, want, held)


def _clear(d: sa.Connection, tables: list[sa.Table]) -> None:
    """Empty the target's search index, then its tables, children first."""
    if d.dialect.name == "postgresql":
        d.execute(sa.text("DELETE FROM journal_search"))
    elif sa.inspect(d).has_table("journal_fts"):
        d.execute(sa.text("DELETE FROM journal_fts"))
    for t in reversed(tables):
        d.execute(t.delete())


def _copy_table(s: sa.Connection, d: sa.Connection, src: sa.Table, dst: sa.Table) -> None:
    names = [c.name for c in src.columns if c.name in dst.c]
    unknown = [c.name for c in src.columns if c.name not in dst.c]
    if unknown:
        raise CopyError(f"the target's table {dst.name} has no column {', '.join(unknown)}")
    order = list(src.primary_key.columns) or list(src.columns)[:1]
    result = s.execution_options(stream_results=True).execute(
        sa.select(*(src.c[n] for n in names)).order_by(*order)
    )
    while rows := result.fetchmany(CHUNK):
        batch: list[dict[str, Any]] = [dict(zip(names, r, strict=True)) for r in rows]
        d.execute(dst.insert(), batch)
