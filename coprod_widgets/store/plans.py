"""Plans for a co-production activity, saved field by field.

A plan is opened by its private code, like a round's links. Each field is one row of
``plan_fields``, upserted on its own: two people editing different parts of one plan never
overwrite each other, and a reload reads back exactly what was last saved. Two people typing in
the same field are caught by the value the page last saw (``base``): see ``Plans.save_field``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa

from ..errors import Conflict, InvalidInput, NotFound
from ..model.plan import PlanRecord, check_plan_field, field_for
from ..model.text import clean_text, normalise_newlines
from . import schema as t
from .db import Database, inserted_id
from .ports import JSONValue

TITLE_MAX = 200


class _Unseen:
    """The type of ``UNSEEN``: ``Plans.save_field`` without a base writes whatever is there."""


UNSEEN = _Unseen()


@dataclass(frozen=True)
class PlanSummary:
    plan: PlanRecord
    fields: int  # how many fields hold something


def _plan(row: sa.Row[Any]) -> PlanRecord:
    return PlanRecord(
        id=row.id,
        code=row.code,
        title=row.title,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class Plans:
    """Plans, each opened by its private code and saved field by field."""

    def __init__(self, db: Database):
        self.db = db

    def create(self, title: str = "") -> tuple[PlanRecord, str]:
        """A new, empty plan and its private code (whoever holds the code can edit it)."""
        title = _check_title(title)
        code, ts = self.db.new_code(), self.db.now()
        with self.db.engine.begin() as conn:
            pid = inserted_id(
                conn.execute(
                    t.plans.insert().values(code=code, title=title, created_at=ts, updated_at=ts)
                )
            )
        return self.get(pid), code

    def get(self, plan_id: int) -> PlanRecord:
        with self.db.reading() as conn:
            row = conn.execute(sa.select(t.plans).where(t.plans.c.id == plan_id)).first()
        if row is None:
            raise NotFound(f"there is no plan {plan_id}")
        return _plan(row)

    def by_code(self, code: str) -> PlanRecord:
        if not code or not isinstance(code, str) or len(code) > 64:
            raise NotFound("this plan link is not recognised")
        with self.db.reading() as conn:
            row = conn.execute(sa.select(t.plans).where(t.plans.c.code == code)).first()
        if row is None:
            raise NotFound("this plan link is not recognised")
        return _plan(row)

    def save_field(self, code: str, key: str, value: object, base: object = UNSEEN) -> str:
        """Save one field as it is typed; ``title`` renames the plan. Returns when it was saved.

        InvalidInput (nothing saved) for a key that is not part of a plan or a value of the
        wrong kind; numbers and dates are kept as typed and checked where they are shown.

        ``base`` is the value the page last read or saved for this field (None: nothing yet).
        Given, the save happens only if the field still holds it; otherwise Conflict, carrying
        what is there now, and nothing is written: two people typing in the same box never
        silently overwrite each other.
        """
        plan = self.by_code(code)
        ts = self.db.now()
        if key == "title":
            title = _check_title(value)
            with self.db.engine.begin() as conn:
                if base is not UNSEEN:
                    current = conn.execute(
                        sa.select(t.plans.c.title).where(t.plans.c.id == plan.id)
                    ).scalar()
                    # Titles are stored stripped: "Youth " on the page is "Youth" here.
                    seen = normalise_newlines(base).strip() if isinstance(base, str) else ""
                    if (current or "") not in (seen, title):
                        raise Conflict(key, "Name of the plan", current)
                conn.execute(
                    t.plans.update()
                    .where(t.plans.c.id == plan.id)
                    .values(title=title, updated_at=ts)
                )
            return ts
        value = _check_field(key, value)
        if isinstance(base, str):
            base = normalise_newlines(base)  # as the value was stored
        text = json.dumps(value, ensure_ascii=False)
        with self.db.engine.begin() as conn:
            if base is not UNSEEN:
                stored = conn.execute(
                    sa.select(t.plan_fields.c.value).where(
                        t.plan_fields.c.plan_id == plan.id, t.plan_fields.c.key == key
                    )
                ).scalar()
                current = None if stored is None else _loads(stored)
                if current not in (base, value) and not (_blank(current) and _blank(base)):
                    raise Conflict(key, field_for(key).label, current)
            ins = self.db.insert(t.plan_fields).values(
                plan_id=plan.id, key=key, value=text, updated_at=ts
            )
            conn.execute(
                ins.on_conflict_do_update(
                    index_elements=["plan_id", "key"], set_={"value": text, "updated_at": ts}
                )
            )
            conn.execute(t.plans.update().where(t.plans.c.id == plan.id).values(updated_at=ts))
        return ts

    def save_fields(self, code: str, values: Mapping[str, object]) -> str:
        """Save several fields at once, all or none (a new row and its first values)."""
        plan = self.by_code(code)
        checked = {k: _check_field(k, v) for k, v in values.items() if k != "title"}
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            for key, value in checked.items():
                text = json.dumps(value, ensure_ascii=False)
                ins = self.db.insert(t.plan_fields).values(
                    plan_id=plan.id, key=key, value=text, updated_at=ts
                )
                conn.execute(
                    ins.on_conflict_do_update(
                        index_elements=["plan_id", "key"], set_={"value": text, "updated_at": ts}
                    )
                )
            conn.execute(t.plans.update().where(t.plans.c.id == plan.id).values(updated_at=ts))
        return ts

    def fields(self, code: str) -> dict[str, JSONValue]:
        """Every saved field of the plan: key -> value (as saved)."""
        plan = self.by_code(code)
        with self.db.reading() as conn:
            rows = conn.execute(
                sa.select(t.plan_fields.c.key, t.plan_fields.c.value).where(
                    t.plan_fields.c.plan_id == plan.id
                )
            ).all()
        return {key: _loads(value) for key, value in rows}

    def all(self) -> list[PlanSummary]:
        """Every plan, most recently changed first, with how many fields hold something."""
        filled = (
            sa.select(t.plan_fields.c.plan_id, sa.func.count().label("n"))
            .where(t.plan_fields.c.value.notin_(['""', "false", "null"]))
            .group_by(t.plan_fields.c.plan_id)
            .subquery()
        )
        q = (
            sa.select(t.plans, filled.c.n)
            .outerjoin(filled, filled.c.plan_id == t.plans.c.id)
            .order_by(t.plans.c.updated_at.desc(), t.plans.c.id.desc())
        )
        with self.db.reading() as conn:
            rows = conn.execute(q).all()
        return [PlanSummary(_plan(r), int(r.n or 0)) for r in rows]


def _check_title(title: Any) -> str:
    if title is None:
        title = ""
    if not isinstance(title, str):
        raise InvalidInput("plan title: expected text")
    title = title.strip()
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"plan title: at most {TITLE_MAX} characters")
    return clean_text("plan_title", title)


def _check_field(key: str, value: object) -> JSONValue:
    """The plan model's check (its own messages), then the rule every text box follows: a
    paragraph box is held to ``plan_field``, every other text to ``plan_line``."""
    checked = check_plan_field(key, value)
    if isinstance(checked, str):
        f = field_for(key)
        return clean_text(
            "plan_field" if f.kind == "long" else "plan_line", checked, box=f"The box “{f.label}”"
        )
    return cast(JSONValue, checked)


def _loads(value: str) -> JSONValue:
    try:
        loaded: JSONValue = json.loads(value)
        return loaded
    except ValueError:
        return value  # written by hand or by an older version: show it as text


def _blank(v: Any) -> bool:
    return v is None or v == ""
