"""The journal's shared plumbing: the owner check every read goes through, the reflective
models entries are written with, the search index and the versions kept of an entry.

Privacy is built into the shape of the API: every method takes the ``owner`` and filters by it.
There is no method that lists or reads entries without an owner, and another owner's entry is
reported exactly like a missing one (``NotFound: there is no journal entry 12``), so ids cannot
be probed.

Full-text search: on SQLite, an FTS5 table ``journal_fts`` (rowid = entry id) holds each entry's
title and stages; it is rewritten in the same transaction as the text, and always queried joined
to the owner's entries. On PostgreSQL the table ``journal_search`` does the same (a generated
``tsvector`` under a GIN index: ``pg``). Without either, search falls back to LIKE.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ..errors import NotFound
from ..model.journal import (
    FREE_FORM,
    Entry,
    ReflectiveModel,
    check_owner,
    check_stage_text,
    check_title,
    preview,
)
from ..model.text import LIMITS, clean_text, drop_unsavable
from . import schema as t
from .db import Database
from .pg import write_search_body

SESSION_GAP = timedelta(minutes=20)  # editing after a pause this long keeps a version first
PAGE_MAX = 500
BIG_CUT = 200  # characters: a stage this long, more than half cut at once, keeps a version
MARK_START, MARK_END = "\x02", "\x03"  # around search matches in a snippet


def _title(value: object) -> str:
    """The journal model's check (its own messages), then the rule every text box follows."""
    return clean_text("journal_title", check_title(value))


def _topic_title(value: object) -> str:
    return clean_text("topic_title", check_title(value))


def _stage_text(model: ReflectiveModel, stage_id: str, text: object) -> str:
    text = check_stage_text(model, stage_id, text)
    return clean_text("journal_stage", text, box=f"The box “{model.stage(stage_id).title}”")


def _cycle_title(topic_title: str, number: int) -> str:
    """A cycle's title: the topic's, then the cycle's number, which is never cut off (a long
    topic title is shortened instead, so that each cycle keeps a title of its own)."""
    suffix = f": cycle {number}"
    topic_title = " ".join(drop_unsavable(topic_title).split())
    room = LIMITS["journal_title"] - len(suffix)
    if len(topic_title) > room:
        topic_title = topic_title[: room - 1].rstrip() + "…"
    return topic_title + suffix


def _missing(entry_id: object) -> NotFound:
    return NotFound(f"there is no journal entry {entry_id}")


class JournalCore:
    """What every part of the journal stands on (see the module's docstring)."""

    def __init__(self, db: Database):
        self.db = db
        self._fts: bool | None = None
        self._models: dict[tuple[str, str], ReflectiveModel] = {
            (FREE_FORM.id, FREE_FORM.version): FREE_FORM
        }

    @property
    def fts(self) -> bool:
        """Whether full-text search uses the index (FTS5 on SQLite, ``journal_search`` on
        PostgreSQL) or falls back to LIKE."""
        if self._fts is None:
            self._fts = False
            index = {"sqlite": "journal_fts", "postgresql": "journal_search"}.get(self.db.dialect)
            if index:
                with self.db.reading() as conn:
                    self._fts = sa.inspect(conn).has_table(index)
        return self._fts

    @fts.setter
    def fts(self, value: bool) -> None:  # a test or a bench compares the two ways of searching
        self._fts = value

    def remember_model(self, model: ReflectiveModel) -> str:
        """Keep the model's definition as entries are written with it; returns the version key
        the entries record.

        Models are shared content, so a stored definition is never replaced: a different file
        with the same id and version (a user's own ``gibbs`` 1.0, or a trainer's edit without a
        new version number) is kept beside it under ``<version>+<hash of its content>``. Each
        entry stays with the exact stages it was written with, whoever else writes what.
        """
        text = json.dumps(model.to_dict(), ensure_ascii=False, sort_keys=True)
        key = model.version
        cache = self._models
        if cache.get((model.id, key)) == model:
            return key
        m = t.journal_models.c
        with self.db.engine.begin() as conn:
            stored = conn.execute(
                sa.select(m.json).where(m.model_id == model.id, m.version == key)
            ).scalar()
            if stored is not None and ReflectiveModel.from_dict(json.loads(stored)) != model:
                key = f"{model.version}+{hashlib.sha256(text.encode()).hexdigest()[:12]}"
                stored = conn.execute(
                    sa.select(m.json).where(m.model_id == model.id, m.version == key)
                ).scalar()
            if stored is None:
                conn.execute(
                    self.db.insert(t.journal_models)
                    .values(model_id=model.id, version=key, json=text)
                    .on_conflict_do_nothing(index_elements=["model_id", "version"])
                )
        cache[(model.id, key)] = model
        return key

    def model(self, model_id: str, version: str) -> ReflectiveModel:
        """The model an entry was written with (models are content, not private)."""
        cache = self._models
        key = (model_id, version)
        if key not in cache:
            with self.db.reading() as conn:
                text = conn.execute(
                    sa.select(t.journal_models.c.json).where(
                        t.journal_models.c.model_id == model_id,
                        t.journal_models.c.version == version,
                    )
                ).scalar()
            if text is None:
                raise NotFound(f"there is no reflective model {model_id}@{version}")
            cache[key] = ReflectiveModel.from_dict(json.loads(text))
        return cache[key]

    def _own(self, conn: sa.Connection, owner: str, entry_id: object) -> sa.Row[Any]:
        check_owner(owner)
        if isinstance(entry_id, bool) or not isinstance(entry_id, int):
            raise _missing(entry_id)
        row = conn.execute(
            sa.select(t.journal_entries).where(
                t.journal_entries.c.id == entry_id, t.journal_entries.c.owner == owner
            )
        ).first()
        if row is None:
            raise _missing(entry_id)
        return row

    def _own_topic(self, conn: sa.Connection, owner: str, topic_id: object) -> sa.Row[Any]:
        check_owner(owner)
        if isinstance(topic_id, bool) or not isinstance(topic_id, int):
            raise NotFound(f"there is no topic {topic_id}")
        row = conn.execute(
            sa.select(t.journal_topics).where(
                t.journal_topics.c.id == topic_id, t.journal_topics.c.owner == owner
            )
        ).first()
        if row is None:
            raise NotFound(f"there is no topic {topic_id}")
        return row

    def _stages(self, conn: sa.Connection, entry_id: int) -> dict[str, str]:
        rows = conn.execute(
            sa.select(t.journal_stages.c.stage_id, t.journal_stages.c.text).where(
                t.journal_stages.c.entry_id == entry_id
            )
        ).all()
        return {r.stage_id: r.text for r in rows}

    def _entry(self, conn: sa.Connection, row: sa.Row[Any]) -> Entry:
        tags = conn.execute(
            sa.select(t.journal_tags.c.tag)
            .where(t.journal_tags.c.entry_id == row.id)
            .order_by(t.journal_tags.c.tag)
        ).scalars()
        versions = conn.execute(
            sa.select(sa.func.count()).where(t.journal_versions.c.entry_id == row.id)
        ).scalar()
        return Entry(
            id=row.id,
            title=row.title,
            entry_date=row.entry_date,
            minutes=row.minutes,
            participatory=bool(row.participatory),
            model_id=row.model_id,
            model_version=row.model_version,
            stages=self._stages(conn, row.id),
            tags=tuple(tags),
            status=row.status,
            topic_id=row.topic_id,
            cycle=row.cycle,
            created_at=row.created_at,
            updated_at=row.updated_at,
            versions=int(versions or 0),
        )

    def _model_of(self, model_id: str, model_version: str) -> ReflectiveModel:
        """The model an entry was written with; free form if it is unknown here."""
        try:
            return self.model(model_id, model_version)
        except NotFound:
            return FREE_FORM

    def _refresh_text(self, conn: sa.Connection, entry_id: int, ts: str) -> None:
        """After any change to the text: the list's preview and the search index, same transaction."""
        row = conn.execute(
            sa.select(
                t.journal_entries.c.title,
                t.journal_entries.c.model_id,
                t.journal_entries.c.model_version,
            ).where(t.journal_entries.c.id == entry_id)
        ).one()
        stages = self._stages(conn, entry_id)
        order = self._model_of(row.model_id, row.model_version).stage_ids
        conn.execute(
            t.journal_entries.update()
            .where(t.journal_entries.c.id == entry_id)
            .values(preview=preview(stages, order), updated_at=ts)
        )
        if self.fts:
            body = "\n".join([row.title, *(stages[s] for s in order if stages.get(s))])
            body += "\n" + "\n".join(v for k, v in stages.items() if v and k not in order)
            if self.db.dialect == "postgresql":
                write_search_body(conn, entry_id, body)
                return
            conn.execute(sa.text("DELETE FROM journal_fts WHERE rowid = :id"), {"id": entry_id})
            conn.execute(
                sa.text("INSERT INTO journal_fts (rowid, body) VALUES (:id, :body)"),
                {"id": entry_id, "body": body},
            )

    def _keep_version(self, conn: sa.Connection, row: sa.Row[Any], reason: str, ts: str) -> bool:
        """Snapshot the entry as it is now, unless the last version is the same."""
        entry = self._entry(conn, row)
        content = json.dumps(entry.content(), ensure_ascii=False, sort_keys=True)
        last = conn.execute(
            sa.select(t.journal_versions.c.number, t.journal_versions.c.content)
            .where(t.journal_versions.c.entry_id == row.id)
            .order_by(t.journal_versions.c.number.desc())
            .limit(1)
        ).first()
        if last is not None and last.content == content:
            return False
        if not entry.stages and not entry.title:
            return False  # nothing written yet: nothing to keep
        conn.execute(
            t.journal_versions.insert().values(
                entry_id=row.id,
                number=(last.number if last else 0) + 1,
                saved_at=ts,
                reason=reason,
                content=content,
            )
        )
        return True

    def _before_change(self, conn: sa.Connection, row: sa.Row[Any], ts: str) -> None:
        """Editing after a pause: keep the entry as it stood, so earlier versions survive."""
        try:
            last = datetime.fromisoformat(row.updated_at)
        except ValueError:
            last = datetime.now(UTC)
        if datetime.now(UTC) - last >= SESSION_GAP:
            self._keep_version(conn, row, "before editing", row.updated_at)
