"""What an entry's export to a form remembers (per entry and form, and per person), and which
journal this is: its name and its number of entries."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from ..errors import InvalidInput
from ..model.forms import ExportForm, check_part, check_setting
from ..model.journal import ReflectiveModel, check_owner
from ..model.names import default_journal_name
from ..model.text import clean_text
from . import schema as t
from .journal_core import JournalCore
from .ports import FormSettings


class JournalForms(JournalCore):
    """Export settings and the journal's name."""

    def form_settings(self, owner: str, entry_id: int, form_id: str) -> FormSettings:
        """What the author changed for this entry and form: ``{"mapping:q": [...], ...}``."""
        fs = t.journal_form_settings
        with self.db.reading() as conn:
            self._own(conn, owner, entry_id)
            rows = conn.execute(
                sa.select(fs.c.key, fs.c.value).where(
                    fs.c.entry_id == entry_id, fs.c.form_id == form_id
                )
            ).all()
        return {k: json.loads(v) for k, v in rows}

    def save_form_setting(
        self,
        owner: str,
        entry_id: int,
        form: ExportForm,
        model: ReflectiveModel,
        key: str,
        value: object,
    ) -> str:
        value = check_setting(form, model, key, value)
        if isinstance(value, str):  # the author's own text for a question
            value = clean_text("form_text", value)
        text = json.dumps(value, ensure_ascii=False)
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            self._own(conn, owner, entry_id)
            conn.execute(
                self.db.insert(t.journal_form_settings)
                .values(entry_id=entry_id, form_id=form.id, key=key, value=text, updated_at=ts)
                .on_conflict_do_update(
                    index_elements=["entry_id", "form_id", "key"],
                    set_={"value": text, "updated_at": ts},
                )
            )
        return ts

    def form_parts(self, owner: str, form_id: str) -> dict[str, str]:
        fp = t.journal_form_parts
        with self.db.reading() as conn:
            rows = conn.execute(
                sa.select(fp.c.part_id, fp.c.text).where(
                    fp.c.owner == check_owner(owner), fp.c.form_id == form_id
                )
            ).all()
        return dict(rows)

    def save_form_part(self, owner: str, form: ExportForm, part_id: str, text: str) -> str:
        check_owner(owner)
        text = clean_text("form_text", check_part(form, part_id, text))
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            conn.execute(
                self.db.insert(t.journal_form_parts)
                .values(owner=owner, form_id=form.id, part_id=part_id, text=text, updated_at=ts)
                .on_conflict_do_update(
                    index_elements=["owner", "form_id", "part_id"],
                    set_={"text": text, "updated_at": ts},
                )
            )
        return ts

    # -- which journal this is: its name and size (v6) --------------------------------------------

    def info(self, owner: str) -> tuple[str, int]:
        """The journal's name and its number of entries, so that a page always says which
        journal is open. A journal without a name yet is given the default one (started: the
        day of its first entry, or today), kept from then on."""
        check_owner(owner)
        n, e = t.journal_names.c, t.journal_entries.c
        with self.db.engine.begin() as conn:
            name = conn.execute(sa.select(n.name).where(n.owner == owner)).scalar()
            count = conn.execute(
                sa.select(sa.func.count()).select_from(t.journal_entries).where(e.owner == owner)
            ).scalar_one()
            if name is None:
                first = conn.execute(sa.select(sa.func.min(e.created_at)).where(e.owner == owner))
                started = first.scalar()
                day = date.fromisoformat(started[:10]) if started else date.today()
                ts = self.db.now()
                conn.execute(
                    self.db.insert(t.journal_names)
                    .values(
                        owner=owner, name=default_journal_name(day), created_at=ts, updated_at=ts
                    )
                    .on_conflict_do_nothing(index_elements=["owner"])
                )
                name = conn.execute(sa.select(n.name).where(n.owner == owner)).scalar_one()
        return name, int(count)

    def known(self, owner: str) -> bool:
        """Whether this journal was ever started (named, or with an entry or a topic): a served
        journal's link is accepted only then, so a key made up elsewhere opens nothing."""
        check_owner(owner)
        with self.db.reading() as conn:
            for table in (t.journal_names, t.journal_entries, t.journal_topics):
                found = conn.execute(
                    sa.select(sa.literal(1)).where(table.c.owner == owner).limit(1)
                ).first()
                if found is not None:
                    return True
        return False

    def set_name(self, owner: str, name: str) -> str:
        """Name the journal (as its owner will recognise it on every page)."""
        check_owner(owner)
        name = clean_text("journal_title", name, box="The journal's name")
        if not name.strip():
            raise InvalidInput("The journal's name is empty: give it a name you will recognise")
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            conn.execute(
                self.db.insert(t.journal_names)
                .values(owner=owner, name=name, created_at=ts, updated_at=ts)
                .on_conflict_do_update(
                    index_elements=["owner"], set_={"name": name, "updated_at": ts}
                )
            )
        return ts
