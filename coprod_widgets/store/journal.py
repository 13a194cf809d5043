"""The reflective journal in the database. Part of the Store.

Privacy is built into the shape of the API: every method takes the ``owner`` and filters by it.
There is no method that lists or reads entries without an owner, and another owner's entry is
reported exactly like a missing one (``NotFound: there is no journal entry 12``), so ids cannot
be probed.

Saving follows the self-assessment: each stage, field and tag is written on its own as the author
types (an upsert), so two tabs editing different parts never overwrite each other. Earlier
versions are kept as snapshots: when editing resumes after a pause of ``SESSION_GAP`` or more,
the entry as it stood is kept first; so is a stage before more than half of it is cut at once;
finishing an entry keeps it as finished.

Full-text search: on SQLite, an FTS5 table ``journal_fts`` (rowid = entry id) holds each entry's
title and stages; it is rewritten in the same transaction as the text, and always queried joined
to the owner's entries. Elsewhere (PostgreSQL), search falls back to case-insensitive LIKE.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ..errors import InvalidInput, NotFound
from ..identity import default_journal_name
from ..model.forms import ExportForm, check_part, check_setting
from ..model.journal import (
    FREE_FORM,
    TOPIC_STATUSES,
    Entry,
    EntrySummary,
    EntryVersion,
    JournalPage,
    JournalTotals,
    ReflectiveModel,
    Topic,
    check_date,
    check_minutes,
    check_owner,
    check_participatory,
    check_stage_text,
    check_status,
    check_tags,
    check_title,
    fts_query,
    next_cycle_stages,
    preview,
    search_terms,
)
from ..model.text import LIMITS, clean_text, drop_unsavable
from . import schema as t

SESSION_GAP = timedelta(minutes=20)  # editing after a pause this long keeps a version first
PAGE_MAX = 500
BIG_CUT = 200  # characters: a stage this long, more than half cut at once, keeps a version
MARK_START, MARK_END = "\x02", "\x03"  # around search matches in a snippet


def _now() -> str:
    from .store import now

    return now()


def _title(value: Any) -> str:
    """The journal model's check (its own messages), then the rule every text box follows."""
    return clean_text("journal_title", check_title(value))


def _topic_title(value: Any) -> str:
    return clean_text("topic_title", check_title(value))


def _stage_text(model: ReflectiveModel, stage_id: Any, text: Any) -> str:
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


def _missing(entry_id: Any) -> NotFound:
    return NotFound(f"there is no journal entry {entry_id}")


class JournalMixin:
    engine: sa.Engine
    _dialect: str
    _insert: Any

    # -- plumbing -----------------------------------------------------------------------------

    @property
    def journal_fts(self) -> bool:
        """Whether full-text search uses the FTS5 index (SQLite) or falls back to LIKE."""
        cached = getattr(self, "_journal_fts", None)
        if cached is None:
            cached = False
            if self._dialect == "sqlite":
                with self.engine.connect() as conn:
                    cached = sa.inspect(conn).has_table("journal_fts")
            self._journal_fts = cached
        return cached

    def _models_cache(self) -> dict[tuple[str, str], ReflectiveModel]:
        cache = getattr(self, "_journal_models", None)
        if cache is None:
            cache = {(FREE_FORM.id, FREE_FORM.version): FREE_FORM}
            self._journal_models = cache
        return cache

    def journal_remember_model(self, model: ReflectiveModel) -> str:
        """Keep the model's definition as entries are written with it; returns the version key
        the entries record.

        Models are shared content, so a stored definition is never replaced: a different file
        with the same id and version (a user's own ``gibbs`` 1.0, or a trainer's edit without a
        new version number) is kept beside it under ``<version>+<hash of its content>``. Each
        entry stays with the exact stages it was written with, whoever else writes what.
        """
        text = json.dumps(model.to_dict(), ensure_ascii=False, sort_keys=True)
        key = model.version
        cache = self._models_cache()
        if cache.get((model.id, key)) == model:
            return key
        m = t.journal_models.c
        with self.engine.begin() as conn:
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
                    self._insert(t.journal_models)
                    .values(model_id=model.id, version=key, json=text)
                    .on_conflict_do_nothing(index_elements=["model_id", "version"])
                )
        cache[(model.id, key)] = model
        return key

    def journal_model(self, model_id: str, version: str) -> ReflectiveModel:
        """The model an entry was written with (models are content, not private)."""
        cache = self._models_cache()
        key = (model_id, version)
        if key not in cache:
            with self.engine.connect() as conn:
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

    def _own(self, conn: sa.Connection, owner: str, entry_id: Any) -> Any:
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

    def _own_topic(self, conn: sa.Connection, owner: str, topic_id: Any) -> Any:
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

    def _entry(self, conn: sa.Connection, row: Any) -> Entry:
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

    def _model_of_row(self, row: Any) -> ReflectiveModel:
        try:
            return self.journal_model(row.model_id, row.model_version)
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
        order = self._model_of_row(row).stage_ids
        conn.execute(
            t.journal_entries.update()
            .where(t.journal_entries.c.id == entry_id)
            .values(preview=preview(stages, order), updated_at=ts)
        )
        if self.journal_fts:
            body = "\n".join([row.title, *(stages[s] for s in order if stages.get(s))])
            body += "\n" + "\n".join(v for k, v in stages.items() if v and k not in order)
            conn.execute(sa.text("DELETE FROM journal_fts WHERE rowid = :id"), {"id": entry_id})
            conn.execute(
                sa.text("INSERT INTO journal_fts (rowid, body) VALUES (:id, :body)"),
                {"id": entry_id, "body": body},
            )

    def _keep_version(self, conn: sa.Connection, row: Any, reason: str, ts: str) -> bool:
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

    def _before_change(self, conn: sa.Connection, row: Any, ts: str) -> None:
        """Editing after a pause: keep the entry as it stood, so earlier versions survive."""
        try:
            last = datetime.fromisoformat(row.updated_at)
        except ValueError:
            last = datetime.now(UTC)
        if datetime.now(UTC) - last >= SESSION_GAP:
            self._keep_version(conn, row, "before editing", row.updated_at)

    # -- entries ------------------------------------------------------------------------------

    def journal_create(
        self,
        owner: str,
        model: ReflectiveModel = FREE_FORM,
        *,
        title: str = "",
        entry_date: str | date | None = None,
        minutes: int = 0,
        participatory: bool = False,
        stages: dict[str, str] | None = None,
        tags: Iterable[str] = (),
        topic_id: int | None = None,
        cycle: int | None = None,
    ) -> Entry:
        """A new entry for ``owner``; every value checked first, nothing written on a problem."""
        check_owner(owner)
        values = {
            "title": _title(title),
            "entry_date": check_date(entry_date or date.today()),
            "minutes": check_minutes(minutes),
            "participatory": check_participatory(participatory),
        }
        texts = {k: _stage_text(model, k, v) for k, v in (stages or {}).items()}
        tag_list = check_tags(tags)
        model_key = self.journal_remember_model(model)
        ts = _now()
        with self.engine.begin() as conn:
            if topic_id is not None:
                self._own_topic(conn, owner, topic_id)
            eid = conn.execute(
                t.journal_entries.insert().values(
                    owner=owner,
                    model_id=model.id,
                    model_version=model_key,
                    status="draft",
                    topic_id=topic_id,
                    cycle=cycle,
                    created_at=ts,
                    updated_at=ts,
                    **values,
                )
            ).inserted_primary_key[0]  # type: ignore[index]  # Optional in SQLAlchemy; never None for a one-row insert
            for sid, text in texts.items():
                if text:
                    conn.execute(
                        t.journal_stages.insert().values(
                            entry_id=eid, stage_id=sid, text=text, updated_at=ts
                        )
                    )
            for tag in tag_list:
                conn.execute(t.journal_tags.insert().values(entry_id=eid, tag=tag))
            self._refresh_text(conn, eid, ts)
            return self._entry(conn, self._own(conn, owner, eid))

    def journal_entry(self, owner: str, entry_id: int) -> Entry:
        with self.engine.connect() as conn:
            return self._entry(conn, self._own(conn, owner, entry_id))

    def journal_entries(self, owner: str, entry_ids: Sequence[int]) -> list[Entry]:
        """Several of the owner's entries, in the order asked; NotFound names the first missing."""
        with self.engine.connect() as conn:
            return [self._entry(conn, self._own(conn, owner, i)) for i in entry_ids]

    def journal_save(self, owner: str, entry_id: int, field: str, value: Any) -> str:
        """Change one field: title, entry_date, minutes, participatory or status."""
        checks = {
            "title": _title,
            "entry_date": check_date,
            "minutes": check_minutes,
            "participatory": check_participatory,
            "status": check_status,
        }
        if field not in checks:
            raise InvalidInput(f"{field!r} is not a field of an entry")
        value = checks[field](value)
        ts = _now()
        with self.engine.begin() as conn:
            row = self._own(conn, owner, entry_id)
            self._before_change(conn, row, ts)
            conn.execute(
                t.journal_entries.update()
                .where(t.journal_entries.c.id == entry_id)
                .values({field: value, "updated_at": ts})
            )
            if field == "title":
                self._refresh_text(conn, entry_id, ts)
        return ts

    def journal_set_model(self, owner: str, entry_id: int, model: ReflectiveModel) -> str:
        """Write the entry with another model; text of the old model's stages is kept."""
        model_key = self.journal_remember_model(model)
        ts = _now()
        with self.engine.begin() as conn:
            row = self._own(conn, owner, entry_id)
            self._before_change(conn, row, ts)
            conn.execute(
                t.journal_entries.update()
                .where(t.journal_entries.c.id == entry_id)
                .values(model_id=model.id, model_version=model_key, updated_at=ts)
            )
            self._refresh_text(conn, entry_id, ts)
        return ts

    def journal_save_stage(self, owner: str, entry_id: int, stage_id: str, text: str) -> str:
        """Save one stage's text as it is typed (an upsert: other stages are untouched)."""
        ts = _now()
        with self.engine.begin() as conn:
            row = self._own(conn, owner, entry_id)
            text = _stage_text(self._model_of_row(row), stage_id, text)
            self._before_change(conn, row, ts)
            old = conn.execute(
                sa.select(t.journal_stages.c.text).where(
                    t.journal_stages.c.entry_id == entry_id,
                    t.journal_stages.c.stage_id == stage_id,
                )
            ).scalar()
            if old and len(old) >= BIG_CUT and len(text) < len(old) / 2:
                # Most of a stage wiped in one go (select all, delete): keep it as it was first,
                # even in the middle of a sitting, so a slip of the keyboard can be undone.
                self._keep_version(conn, row, "before a large deletion", ts)
            conn.execute(
                self._insert(t.journal_stages)
                .values(entry_id=entry_id, stage_id=stage_id, text=text, updated_at=ts)
                .on_conflict_do_update(
                    index_elements=["entry_id", "stage_id"], set_={"text": text, "updated_at": ts}
                )
            )
            self._refresh_text(conn, entry_id, ts)
        return ts

    def journal_set_tag(self, owner: str, entry_id: int, tag: str, on: bool = True) -> str:
        """Add or remove one tag (each tag its own row: two tabs tagging never clash)."""
        (tag,) = check_tags([tag])
        ts = _now()
        with self.engine.begin() as conn:
            row = self._own(conn, owner, entry_id)
            self._before_change(conn, row, ts)
            if on:
                conn.execute(
                    self._insert(t.journal_tags)
                    .values(entry_id=entry_id, tag=tag)
                    .on_conflict_do_nothing(index_elements=["entry_id", "tag"])
                )
            else:
                conn.execute(
                    t.journal_tags.delete().where(
                        t.journal_tags.c.entry_id == entry_id, t.journal_tags.c.tag == tag
                    )
                )
            conn.execute(
                t.journal_entries.update()
                .where(t.journal_entries.c.id == entry_id)
                .values(updated_at=ts)
            )
        return ts

    def journal_finish(self, owner: str, entry_id: int) -> Entry:
        """Mark the entry finished and keep it as a version (it can still be edited)."""
        ts = _now()
        with self.engine.begin() as conn:
            row = self._own(conn, owner, entry_id)
            conn.execute(
                t.journal_entries.update()
                .where(t.journal_entries.c.id == entry_id)
                .values(status="finished", updated_at=ts)
            )
            row = self._own(conn, owner, entry_id)
            self._keep_version(conn, row, "finished", ts)
            return self._entry(conn, row)

    def journal_versions(self, owner: str, entry_id: int) -> list[EntryVersion]:
        """The entry's earlier versions, oldest first."""
        with self.engine.connect() as conn:
            self._own(conn, owner, entry_id)
            rows = conn.execute(
                sa.select(t.journal_versions)
                .where(t.journal_versions.c.entry_id == entry_id)
                .order_by(t.journal_versions.c.number)
            ).all()
        return [EntryVersion(r.number, r.saved_at, r.reason, json.loads(r.content)) for r in rows]

    def journal_restore(self, owner: str, entry_id: int, number: int) -> Entry:
        """Bring an earlier version back; the text it replaces is kept as a version first."""
        versions = {v.number: v for v in self.journal_versions(owner, entry_id)}
        if number not in versions:
            raise NotFound(f"entry {entry_id} has no version {number}")
        content = versions[number].content
        ts = _now()
        with self.engine.begin() as conn:
            row = self._own(conn, owner, entry_id)
            self._keep_version(conn, row, "before restoring", ts)
            conn.execute(
                t.journal_entries.update()
                .where(t.journal_entries.c.id == entry_id)
                .values(
                    title=check_title(content.get("title", "")),
                    entry_date=check_date(content.get("entry_date") or row.entry_date),
                    minutes=check_minutes(content.get("minutes", 0)),
                    participatory=bool(content.get("participatory", False)),
                    model_id=content.get("model_id", row.model_id),
                    model_version=content.get("model_version", row.model_version),
                    updated_at=ts,
                )
            )
            stages = content.get("stages", {})
            current = self._stages(conn, entry_id)
            for sid in set(current) | set(stages):
                text = stages.get(sid, "")
                conn.execute(
                    self._insert(t.journal_stages)
                    .values(entry_id=entry_id, stage_id=sid, text=text, updated_at=ts)
                    .on_conflict_do_update(
                        index_elements=["entry_id", "stage_id"],
                        set_={"text": text, "updated_at": ts},
                    )
                )
            conn.execute(t.journal_tags.delete().where(t.journal_tags.c.entry_id == entry_id))
            for tag in check_tags(content.get("tags", [])):
                conn.execute(t.journal_tags.insert().values(entry_id=entry_id, tag=tag))
            self._refresh_text(conn, entry_id, ts)
            return self._entry(conn, self._own(conn, owner, entry_id))

    # -- finding entries ----------------------------------------------------------------------

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
        if terms and self.journal_fts:
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

    def journal_list(
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
        with self.engine.connect() as conn:
            rows = conn.execute(page_q).all()
            n, minutes, part = conn.execute(totals_q).one()
            snippets: dict[int, str] = {}
            if rows and search_terms(query) and self.journal_fts:
                snippet_q = sa.text(
                    "SELECT rowid, snippet(journal_fts, 0, :a, :b, '…', 24) FROM journal_fts "
                    "WHERE journal_fts MATCH :q AND rowid IN :ids"
                ).bindparams(sa.bindparam("ids", expanding=True))
                snippets = dict(
                    conn.execute(
                        snippet_q,
                        {
                            "a": MARK_START,
                            "b": MARK_END,
                            "q": fts_query(query),
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

    def journal_tag_counts(self, owner: str) -> dict[str, int]:
        """The tags the owner has used, with how many entries carry each."""
        e, tg = t.journal_entries, t.journal_tags
        q = (
            sa.select(tg.c.tag, sa.func.count())
            .join(e, e.c.id == tg.c.entry_id)
            .where(e.c.owner == check_owner(owner))
            .group_by(tg.c.tag)
        )
        with self.engine.connect() as conn:
            return {tag: int(n) for tag, n in conn.execute(q).all()}

    def journal_model_counts(self, owner: str) -> dict[str, int]:
        e = t.journal_entries
        q = (
            sa.select(e.c.model_id, sa.func.count())
            .where(e.c.owner == check_owner(owner))
            .group_by(e.c.model_id)
        )
        with self.engine.connect() as conn:
            return {m: int(n) for m, n in conn.execute(q).all()}

    # -- topics and cycles --------------------------------------------------------------------

    @staticmethod
    def _topic(row: Any, cycles: int = 0) -> Topic:
        return Topic(
            id=row.id,
            title=row.title,
            model_id=row.model_id,
            status=row.status,
            created_at=row.created_at,
            updated_at=row.updated_at,
            cycles=cycles,
        )

    def journal_create_topic(self, owner: str, title: str, model_id: str = "pdsa") -> Topic:
        """A topic to follow through cycles; each cycle is an entry (PDSA by default)."""
        check_owner(owner)
        title = _topic_title(title)
        if not title:
            raise InvalidInput("topic: give it a title, for example 'Welcoming new members'")
        ts = _now()
        with self.engine.begin() as conn:
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

    def journal_topics(self, owner: str) -> list[Topic]:
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
        with self.engine.connect() as conn:
            return [self._topic(r, int(r.n or 0)) for r in conn.execute(q).all()]

    def journal_topic(self, owner: str, topic_id: int) -> Topic:
        with self.engine.connect() as conn:
            row = self._own_topic(conn, owner, topic_id)
            n = conn.execute(
                sa.select(sa.func.count()).where(t.journal_entries.c.topic_id == topic_id)
            ).scalar()
        return self._topic(row, int(n or 0))

    def journal_update_topic(self, owner: str, topic_id: int, field: str, value: Any) -> Topic:
        if field == "title":
            value = _topic_title(value)
            if not value:
                raise InvalidInput("topic: the title cannot be empty")
        elif field == "status":
            if value not in TOPIC_STATUSES:
                raise InvalidInput(f"topic status: expected one of {', '.join(TOPIC_STATUSES)}")
        else:
            raise InvalidInput(f"{field!r} is not a field of a topic")
        with self.engine.begin() as conn:
            self._own_topic(conn, owner, topic_id)
            conn.execute(
                t.journal_topics.update()
                .where(t.journal_topics.c.id == topic_id)
                .values({field: value, "updated_at": _now()})
            )
        return self.journal_topic(owner, topic_id)

    def journal_cycles(self, owner: str, topic_id: int) -> list[Entry]:
        """Every cycle of the topic, first to last."""
        with self.engine.connect() as conn:
            self._own_topic(conn, owner, topic_id)
            rows = conn.execute(
                sa.select(t.journal_entries)
                .where(t.journal_entries.c.topic_id == topic_id, t.journal_entries.c.owner == owner)
                .order_by(t.journal_entries.c.cycle, t.journal_entries.c.id)
            ).all()
            return [self._entry(conn, r) for r in rows]

    def journal_start_cycle(
        self, owner: str, topic_id: int, model: ReflectiveModel, entry_date: str | None = None
    ) -> Entry:
        """The topic's next cycle: it starts from what the last one carried forward."""
        topic = self.journal_topic(owner, topic_id)
        cycles = self.journal_cycles(owner, topic_id)
        previous = cycles[-1] if cycles else None
        prev_model = None
        if previous is not None:
            try:
                prev_model = self.journal_model(previous.model_id, previous.model_version)
            except NotFound:
                prev_model = FREE_FORM
        number = (max((c.cycle or 0) for c in cycles) if cycles else 0) + 1
        entry = self.journal_create(
            owner,
            model,
            title=_cycle_title(topic.title, number),
            entry_date=entry_date,
            stages=next_cycle_stages(model, previous, prev_model),
            topic_id=topic_id,
            cycle=number,
        )
        with self.engine.begin() as conn:
            conn.execute(
                t.journal_topics.update()
                .where(t.journal_topics.c.id == topic_id)
                .values(updated_at=entry.created_at)
            )
        return entry

    # -- export settings ----------------------------------------------------------------------

    def journal_form_settings(self, owner: str, entry_id: int, form_id: str) -> dict[str, Any]:
        """What the author changed for this entry and form: ``{"mapping:q": [...], ...}``."""
        fs = t.journal_form_settings
        with self.engine.connect() as conn:
            self._own(conn, owner, entry_id)
            rows = conn.execute(
                sa.select(fs.c.key, fs.c.value).where(
                    fs.c.entry_id == entry_id, fs.c.form_id == form_id
                )
            ).all()
        return {k: json.loads(v) for k, v in rows}

    def journal_save_form_setting(
        self,
        owner: str,
        entry_id: int,
        form: ExportForm,
        model: ReflectiveModel,
        key: str,
        value: Any,
    ) -> str:
        value = check_setting(form, model, key, value)
        if isinstance(value, str):  # the author's own text for a question
            value = clean_text("form_text", value)
        text = json.dumps(value, ensure_ascii=False)
        ts = _now()
        with self.engine.begin() as conn:
            self._own(conn, owner, entry_id)
            conn.execute(
                self._insert(t.journal_form_settings)
                .values(entry_id=entry_id, form_id=form.id, key=key, value=text, updated_at=ts)
                .on_conflict_do_update(
                    index_elements=["entry_id", "form_id", "key"],
                    set_={"value": text, "updated_at": ts},
                )
            )
        return ts

    def journal_form_parts(self, owner: str, form_id: str) -> dict[str, str]:
        fp = t.journal_form_parts
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(fp.c.part_id, fp.c.text).where(
                    fp.c.owner == check_owner(owner), fp.c.form_id == form_id
                )
            ).all()
        return dict(rows)

    def journal_save_form_part(self, owner: str, form: ExportForm, part_id: str, text: str) -> str:
        check_owner(owner)
        text = clean_text("form_text", check_part(form, part_id, text))
        ts = _now()
        with self.engine.begin() as conn:
            conn.execute(
                self._insert(t.journal_form_parts)
                .values(owner=owner, form_id=form.id, part_id=part_id, text=text, updated_at=ts)
                .on_conflict_do_update(
                    index_elements=["owner", "form_id", "part_id"],
                    set_={"text": text, "updated_at": ts},
                )
            )
        return ts

    # -- which journal this is: its name and size (v6) --------------------------------------------

    def journal_info(self, owner: str) -> tuple[str, int]:
        """The journal's name and its number of entries, so that a page always says which
        journal is open. A journal without a name yet is given the default one (started: the
        day of its first entry, or today), kept from then on."""
        check_owner(owner)
        n, e = t.journal_names.c, t.journal_entries.c
        with self.engine.begin() as conn:
            name = conn.execute(sa.select(n.name).where(n.owner == owner)).scalar()
            count = conn.execute(
                sa.select(sa.func.count()).select_from(t.journal_entries).where(e.owner == owner)
            ).scalar_one()
            if name is None:
                first = conn.execute(sa.select(sa.func.min(e.created_at)).where(e.owner == owner))
                started = first.scalar()
                day = date.fromisoformat(started[:10]) if started else date.today()
                ts = _now()
                conn.execute(
                    self._insert(t.journal_names)
                    .values(
                        owner=owner, name=default_journal_name(day), created_at=ts, updated_at=ts
                    )
                    .on_conflict_do_nothing(index_elements=["owner"])
                )
                name = conn.execute(sa.select(n.name).where(n.owner == owner)).scalar_one()
        return name, int(count)

    def journal_known(self, owner: str) -> bool:
        """Whether this journal was ever started (named, or with an entry or a topic): a served
        journal's link is accepted only then, so a key made up elsewhere opens nothing."""
        check_owner(owner)
        with self.engine.connect() as conn:
            for table in (t.journal_names, t.journal_entries, t.journal_topics):
                found = conn.execute(
                    sa.select(sa.literal(1)).where(table.c.owner == owner).limit(1)
                ).first()
                if found is not None:
                    return True
        return False

    def journal_set_name(self, owner: str, name: str) -> str:
        """Name the journal (as its owner will recognise it on every page)."""
        check_owner(owner)
        name = clean_text("journal_title", name, box="The journal's name")
        if not name.strip():
            raise InvalidInput("The journal's name is empty: give it a name you will recognise")
        ts = _now()
        with self.engine.begin() as conn:
            conn.execute(
                self._insert(t.journal_names)
                .values(owner=owner, name=name, created_at=ts, updated_at=ts)
                .on_conflict_do_update(
                    index_elements=["owner"], set_={"name": name, "updated_at": ts}
                )
            )
        return ts
