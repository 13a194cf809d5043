"""Topics a person follows through reflection cycles: each cycle is an entry (PDSA by default)
that starts from what the last one carried forward."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..errors import InvalidInput, NotFound
from ..model.journal import (
    FREE_FORM,
    TOPIC_STATUSES,
    Entry,
    ReflectiveModel,
    Topic,
    check_owner,
    next_cycle_stages,
)
from . import schema as t
from .journal_core import _cycle_title, _topic_title
from .journal_entries import JournalEntries


class JournalTopics(JournalEntries):
    """One owner's topics and their cycles."""

    @staticmethod
    def _topic(row: sa.Row[Any], cycles: int = 0) -> Topic:
        return Topic(
            id=row.id,
            title=row.title,
            model_id=row.model_id,
            status=row.status,
            created_at=row.created_at,
            updated_at=row.updated_at,
            cycles=cycles,
        )

    def create_topic(self, owner: str, title: str, model_id: str = "pdsa") -> Topic:
        """A topic to follow through cycles; each cycle is an entry (PDSA by default)."""
        check_owner(owner)
        title = _topic_title(title)
        if not title:
            raise InvalidInput("topic: give it a title, for example 'Welcoming new members'")
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            tid = conn.execute(
                t.journal_topics.insert().values(
                    owner=owner,
                    title=title,
                    model_id=str(model_id),
                    status="open",
                    created_at=ts,
                    updated_at=ts,
                )
            ).inserted_primary_key[0]  # type: ignore[index]  # Optional in SQLAlchemy; never None for a one-row insert
            return self._topic(self._own_topic(conn, owner, tid))

    def topics(self, owner: str) -> list[Topic]:
        """The owner's topics, open first, most recently changed first, with their cycle counts."""
        tp, e = t.journal_topics, t.journal_entries
        counts = (
            sa.select(e.c.topic_id, sa.func.count().label("n"))
            .where(e.c.owner == check_owner(owner), e.c.topic_id.is_not(None))
            .group_by(e.c.topic_id)
            .subquery()
        )
        q = (
            sa.select(tp, counts.c.n)
            .outerjoin(counts, counts.c.topic_id == tp.c.id)
            .where(tp.c.owner == owner)
            .order_by((tp.c.status == "open").desc(), tp.c.updated_at.desc(), tp.c.id.desc())
        )
        with self.db.reading() as conn:
            return [self._topic(r, int(r.n or 0)) for r in conn.execute(q).all()]

    def topic(self, owner: str, topic_id: int) -> Topic:
        with self.db.reading() as conn:
            row = self._own_topic(conn, owner, topic_id)
            n = conn.execute(
                sa.select(sa.func.count()).where(t.journal_entries.c.topic_id == topic_id)
            ).scalar()
        return self._topic(row, int(n or 0))

    def update_topic(self, owner: str, topic_id: int, field: str, value: object) -> Topic:
        if field == "title":
            value = _topic_title(value)
            if not value:
                raise InvalidInput("topic: the title cannot be empty")
        elif field == "status":
            if value not in TOPIC_STATUSES:
                raise InvalidInput(f"topic status: expected one of {', '.join(TOPIC_STATUSES)}")
        else:
            raise InvalidInput(f"{field!r} is not a field of a topic")
        with self.db.engine.begin() as conn:
            self._own_topic(conn, owner, topic_id)
            conn.execute(
                t.journal_topics.update()
                .where(t.journal_topics.c.id == topic_id)
                .values({field: value, "updated_at": self.db.now()})
            )
        return self.topic(owner, topic_id)

    def cycles(self, owner: str, topic_id: int) -> list[Entry]:
        """Every cycle of the topic, first to last."""
        with self.db.reading() as conn:
            self._own_topic(conn, owner, topic_id)
            rows = conn.execute(
                sa.select(t.journal_entries)
                .where(t.journal_entries.c.topic_id == topic_id, t.journal_entries.c.owner == owner)
                .order_by(t.journal_entries.c.cycle, t.journal_entries.c.id)
            ).all()
            return [self._entry(conn, r) for r in rows]

    def start_cycle(
        self, owner: str, topic_id: int, model: ReflectiveModel, entry_date: str | None = None
    ) -> Entry:
        """The topic's next cycle: it starts from what the last one carried forward."""
        topic = self.topic(owner, topic_id)
        cycles = self.cycles(owner, topic_id)
        previous = cycles[-1] if cycles else None
        prev_model = None
        if previous is not None:
            try:
                prev_model = self.model(previous.model_id, previous.model_version)
            except NotFound:
                prev_model = FREE_FORM
        number = (max((c.cycle or 0) for c in cycles) if cycles else 0) + 1
        entry = self.create(
            owner,
            model,
            title=_cycle_title(topic.title, number),
            entry_date=entry_date,
            stages=next_cycle_stages(model, previous, prev_model),
            topic_id=topic_id,
            cycle=number,
        )
        with self.db.engine.begin() as conn:
            conn.execute(
                t.journal_topics.update()
                .where(t.journal_topics.c.id == topic_id)
                .values(updated_at=entry.created_at)
            )
        return entry
