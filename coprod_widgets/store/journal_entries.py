"""A journal's entries: written field by field, stage by stage, with earlier versions kept.

Saving follows the self-assessment: each stage, field and tag is written on its own as the author
types (an upsert), so two tabs editing different parts never overwrite each other. Earlier
versions are kept as snapshots: when editing resumes after a pause of ``SESSION_GAP`` or more,
the entry as it stood is kept first; so is a stage before more than half of it is cut at once;
finishing an entry keeps it as finished.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date

import sqlalchemy as sa

from ..errors import InvalidInput, NotFound
from ..model.journal import (
    FREE_FORM,
    Entry,
    EntryVersion,
    ReflectiveModel,
    check_date,
    check_minutes,
    check_owner,
    check_participatory,
    check_status,
    check_tags,
    check_title,
)
from . import schema as t
from .journal_core import BIG_CUT, JournalCore, _stage_text, _title


class JournalEntries(JournalCore):
    """Write and read one owner's entries."""

    def create(
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
        model_key = self.remember_model(model)
        ts = self.db.now()
        with self.db.engine.begin() as conn:
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

    def entry(self, owner: str, entry_id: int) -> Entry:
        with self.db.reading() as conn:
            return self._entry(conn, self._own(conn, owner, entry_id))

    def entries(self, owner: str, entry_ids: Sequence[int]) -> list[Entry]:
        """Several of the owner's entries, in the order asked; NotFound names the first missing."""
        with self.db.reading() as conn:
            return [self._entry(conn, self._own(conn, owner, i)) for i in entry_ids]

    def save(self, owner: str, entry_id: int, field: str, value: object) -> str:
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
        ts = self.db.now()
        with self.db.engine.begin() as conn:
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

    def set_model(self, owner: str, entry_id: int, model: ReflectiveModel) -> str:
        """Write the entry with another model; text of the old model's stages is kept."""
        model_key = self.remember_model(model)
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            row = self._own(conn, owner, entry_id)
            self._before_change(conn, row, ts)
            conn.execute(
                t.journal_entries.update()
                .where(t.journal_entries.c.id == entry_id)
                .values(model_id=model.id, model_version=model_key, updated_at=ts)
            )
            self._refresh_text(conn, entry_id, ts)
        return ts

    def save_stage(self, owner: str, entry_id: int, stage_id: str, text: str) -> str:
        """Save one stage's text as it is typed (an upsert: other stages are untouched)."""
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            row = self._own(conn, owner, entry_id)
            text = _stage_text(self._model_of(row.model_id, row.model_version), stage_id, text)
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
                self.db.insert(t.journal_stages)
                .values(entry_id=entry_id, stage_id=stage_id, text=text, updated_at=ts)
                .on_conflict_do_update(
                    index_elements=["entry_id", "stage_id"], set_={"text": text, "updated_at": ts}
                )
            )
            self._refresh_text(conn, entry_id, ts)
        return ts

    def set_tag(self, owner: str, entry_id: int, tag: str, on: bool = True) -> str:
        """Add or remove one tag (each tag its own row: two tabs tagging never clash)."""
        (tag,) = check_tags([tag])
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            row = self._own(conn, owner, entry_id)
            self._before_change(conn, row, ts)
            if on:
                conn.execute(
                    self.db.insert(t.journal_tags)
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

    def finish(self, owner: str, entry_id: int) -> Entry:
        """Mark the entry finished and keep it as a version (it can still be edited)."""
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            row = self._own(conn, owner, entry_id)
            conn.execute(
                t.journal_entries.update()
                .where(t.journal_entries.c.id == entry_id)
                .values(status="finished", updated_at=ts)
            )
            row = self._own(conn, owner, entry_id)
            self._keep_version(conn, row, "finished", ts)
            return self._entry(conn, row)

    def versions(self, owner: str, entry_id: int) -> list[EntryVersion]:
        """The entry's earlier versions, oldest first."""
        with self.db.reading() as conn:
            self._own(conn, owner, entry_id)
            rows = conn.execute(
                sa.select(t.journal_versions)
                .where(t.journal_versions.c.entry_id == entry_id)
                .order_by(t.journal_versions.c.number)
            ).all()
        return [EntryVersion(r.number, r.saved_at, r.reason, json.loads(r.content)) for r in rows]

    def restore(self, owner: str, entry_id: int, number: int) -> Entry:
        """Bring an earlier version back; the text it replaces is kept as a version first."""
        versions = {v.number: v for v in self.versions(owner, entry_id)}
        if number not in versions:
            raise NotFound(f"entry {entry_id} has no version {number}")
        content = versions[number].content
        ts = self.db.now()
        with self.db.engine.begin() as conn:
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
                    self.db.insert(t.journal_stages)
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
