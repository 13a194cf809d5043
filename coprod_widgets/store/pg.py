"""What the store does only on PostgreSQL: the migration lock and the journal's search index.

- ``migration_lock``: a session advisory lock held around a whole migration, so that any number
  of processes may open one database at once (each waits, then finds the work done);
- ``v9_search_index`` (the schema's step 9): the table ``journal_search`` (one row per entry: its title and stages
  as ``body``, and ``tsv``, a ``tsvector`` generated from it, under a GIN index), filled from the
  entries already written; the journal rewrites a row in the same transaction as the text, as
  it rewrites ``journal_fts`` on SQLite;
- ``tsquery`` and ``HEADLINE``: a search as PostgreSQL reads it (every word, as a prefix, never
  syntax) and its highlighted snippet, with the same marks as SQLite's ``snippet``.

The ``simple`` configuration lower-cases words and never stems them, as FTS5's ``unicode61``.
Nothing here imports another module of the store, so ``migrations`` may use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from ..model.journal import search_terms

LOCK_KEY = 0x636F70726F64  # "coprod": the one advisory lock key the store takes


@contextmanager
def migration_lock(conn: sa.Connection) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock on ``conn`` for the block (a no-op elsewhere)."""
    if conn.dialect.name != "postgresql":
        yield
        return
    conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
    conn.commit()  # the lock belongs to the session: each step still commits on its own
    try:
        yield
    finally:
        conn.rollback()
        conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
        conn.commit()


def v9_search_index(conn: sa.Connection) -> None:
    """Schema step 9: the journal's full-text index on PostgreSQL, filled from the entries
    there are (SQLite has had FTS5 since step 4: nothing changes there)."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(
        sa.text(
            "CREATE TABLE journal_search ("
            "entry_id INTEGER PRIMARY KEY REFERENCES journal_entries (id), "
            "body TEXT NOT NULL, "
            "tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)"
        )
    )
    conn.execute(sa.text("CREATE INDEX ix_journal_search_tsv ON journal_search USING GIN (tsv)"))
    fill_search_index(conn)


def fill_search_index(conn: sa.Connection) -> None:
    """Index every entry (after the schema step, or after ``copy`` wrote the entries): its title
    and stages, into an empty index: ``journal_search`` here, FTS5's ``journal_fts`` on SQLite."""
    if conn.dialect.name == "sqlite":
        if not sa.inspect(conn).has_table("journal_fts"):
            return  # a SQLite without FTS5: its search falls back to LIKE
        conn.execute(
            sa.text(
                "INSERT INTO journal_fts (rowid, body) SELECT e.id, e.title || char(10) || "
                "coalesce(group_concat(s.text, char(10)), '') FROM journal_entries e "
                "LEFT JOIN journal_stages s ON s.entry_id = e.id GROUP BY e.id, e.title"
            )
        )
        return
    conn.execute(
        sa.text(
            "INSERT INTO journal_search (entry_id, body) "
            "SELECT e.id, e.title || E'\\n' || coalesce(string_agg(s.text, E'\\n' "
            "ORDER BY s.stage_id), '') FROM journal_entries e "
            "LEFT JOIN journal_stages s ON s.entry_id = e.id GROUP BY e.id, e.title"
        )
    )


def write_search_body(conn: sa.Connection, entry_id: int, body: str) -> None:
    """Put an entry's text in the index (in the caller's transaction)."""
    conn.execute(
        sa.text(
            "INSERT INTO journal_search (entry_id, body) VALUES (:id, :body) "
            "ON CONFLICT (entry_id) DO UPDATE SET body = excluded.body"
        ),
        {"id": entry_id, "body": body},
    )


def tsquery(query: str) -> str:
    """A safe ``to_tsquery`` text: every word must appear (as a prefix), nothing read as syntax.
    Words are letters, digits and ``_`` only (``search_terms``), so none can close its quotes."""
    return " & ".join(f"'{t}':*" for t in search_terms(query))


MATCHED = "SELECT entry_id FROM journal_search WHERE tsv @@ to_tsquery('simple', :q)"
# About as long as SQLite's 24-token snippet; the marks are passed as parameters.
HEADLINE = (
    "SELECT entry_id, ts_headline('simple', body, to_tsquery('simple', :q), "
    "'MaxWords=24, MinWords=12, ShortWord=0, MaxFragments=1, FragmentDelimiter=…, "
    "StartSel=' || :a || ', StopSel=' || :b) "
    "FROM journal_search WHERE entry_id IN :ids"
)
