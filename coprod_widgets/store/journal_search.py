"""Finding a journal's entries: filters, full-text search (FTS5 on SQLite, a ``tsvector`` under a
GIN index on PostgreSQL, LIKE where neither is there), and the counts the journal's filters show."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ..model.journal import (
    EntrySummary,
    JournalPage,
    JournalTotals,
    check_date,
    check_owner,
    fts_query,
    search_terms,
)
from . import pg
from . import schema as t
from .journal_core import MARK_END, MARK_START, PAGE_MAX, JournalCore

_SNIPPET = (
    "SELECT rowid, snippet(journal_fts, 0, :a, :b, '…', 24) FROM journal_fts "
    "WHERE journal_fts MATCH :q AND rowid IN :ids"
)


class JournalSearch(JournalCore):
    """Pages of one owner's entries, never their text."""

    def _conditions(
        self,
        owner: str,
        query: str,
        tag: str | None,
        model_id: str | None,
        date_from: str | date | None,
        date_to: str | date | None,
        topic_id: int | None,
    ) -> list[Any]:
        e = t.journal_entries
        conds: list[Any] = [e.c.owner == check_owner(owner)]
        if tag:
            conds.append(
                e.c.id.in_(sa.select(t.journal_tags.c.entry_id).where(t.journal_tags.c.tag == tag))
            )
        if model_id:
            conds.append(e.c.model_id == model_id)
        if date_from:
            conds.append(e.c.entry_date >= check_date(date_from))
        if date_to:
            conds.append(e.c.entry_date <= check_date(date_to))
        if topic_id is not None:
            conds.append(e.c.topic_id == topic_id)
        terms = search_terms(query)
        if terms and self.fts and self.db.dialect == "postgresql":
            matched_pg = sa.text(pg.MATCHED).bindparams(q=pg.tsquery(query))
            conds.append(e.c.id.in_(matched_pg.columns(sa.column("entry_id", sa.Integer))))
        elif terms and self.fts:
            matched: sa.Select[Any] = sa.select(sa.literal_column("rowid")).select_from(
                sa.text("journal_fts")
            )
            matched = matched.where(sa.text("journal_fts MATCH :q").bindparams(q=fts_query(query)))
            conds.append(e.c.id.in_(matched))
        elif terms:
            s = t.journal_stages
            for term in terms:
                like = (
                    "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                )
                conds.append(
                    sa.or_(
                        e.c.title.ilike(like, escape="\\"),
                        e.c.id.in_(
                            sa.select(s.c.entry_id).where(s.c.text.ilike(like, escape="\\"))
                        ),
                    )
                )
        return conds

    def find(
        self,
        owner: str,
        query: str = "",
        *,
        tag: str | None = None,
        model_id: str | None = None,
        date_from: str | date | None = None,
        date_to: str | date | None = None,
        topic_id: int | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> JournalPage:
        """A page of the owner's entries matching every filter, newest first, with the totals
        (entries, minutes, participatory minutes) of all that match. Never loads the text."""
        limit = max(1, min(int(limit), PAGE_MAX))
        offset = max(0, int(offset))
        conds = self._conditions(owner, query, tag, model_id, date_from, date_to, topic_id)
        e = t.journal_entries
        page_q = (
            sa.select(
                e.c.id,
                e.c.title,
                e.c.entry_date,
                e.c.minutes,
                e.c.participatory,
                e.c.model_id,
                e.c.status,
                e.c.topic_id,
                e.c.cycle,
                e.c.updated_at,
                e.c.preview,
            )
            .where(*conds)
            .order_by(e.c.entry_date.desc(), e.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        totals_q = sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(e.c.minutes), 0),
            sa.func.coalesce(
                sa.func.sum(sa.case((e.c.participatory == sa.true(), e.c.minutes), else_=0)), 0
            ),
        ).where(*conds)
        with self.db.reading() as conn:
            rows = conn.execute(page_q).all()
            n, minutes, part = conn.execute(totals_q).one()
            snippets: dict[int, str] = {}
            if rows and search_terms(query) and self.fts:
                on_pg = self.db.dialect == "postgresql"
                snippet_q = sa.text(pg.HEADLINE if on_pg else _SNIPPET).bindparams(
                    sa.bindparam("ids", expanding=True)
                )
                snippets = dict(
                    conn.execute(
                        snippet_q,
                        {
                            "a": MARK_START,
                            "b": MARK_END,
                            "q": pg.tsquery(query) if on_pg else fts_query(query),
                            "ids": [r.id for r in rows],
                        },
                    ).all()
                )
        items = tuple(
            EntrySummary(
                id=r.id,
                title=r.title,
                entry_date=r.entry_date,
                minutes=r.minutes,
                participatory=bool(r.participatory),
                model_id=r.model_id,
                status=r.status,
                topic_id=r.topic_id,
                cycle=r.cycle,
                updated_at=r.updated_at,
                preview=" ".join(snippets[r.id].split()) if r.id in snippets else r.preview,
            )
            for r in rows
        )
        return JournalPage(items, JournalTotals(int(n), int(minutes), int(part)), offset)

    def tag_counts(self, owner: str) -> dict[str, int]:
        """The tags the owner has used, with how many entries carry each."""
        e, tg = t.journal_entries, t.journal_tags
        q = (
            sa.select(tg.c.tag, sa.func.count())
            .join(e, e.c.id == tg.c.entry_id)
            .where(e.c.owner == check_owner(owner))
            .group_by(tg.c.tag)
        )
        with self.db.reading() as conn:
            return {tag: int(n) for tag, n in conn.execute(q).all()}

    def model_counts(self, owner: str) -> dict[str, int]:
        e = t.journal_entries
        q = (
            sa.select(e.c.model_id, sa.func.count())
            .where(e.c.owner == check_owner(owner))
            .group_by(e.c.model_id)
        )
        with self.db.reading() as conn:
            return {m: int(n) for m, n in conn.execute(q).all()}
