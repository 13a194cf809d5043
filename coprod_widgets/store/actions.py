"""Actions a team agrees on its results, kept with the round and its series.

Each edit writes one field, so two people editing different fields of one action never
overwrite each other.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..errors import InvalidInput, NotFound
from ..model.actions import Action, check_action_field
from ..model.framework import Framework
from ..model.text import clean_text
from . import schema as t
from .db import Database, inserted_id
from .rounds import Rounds

# The free-text fields of an action and the limit (model.text.LIMITS) each is held to.
TEXT_FIELDS = {"what": "action_text", "lead": "action_lead", "review_note": "review_text"}


def _checked(fw: Framework, field: str, value: object) -> Any:
    """The action model's check (its own messages), then the rule every text box follows."""
    checked = check_action_field(fw, field, value)
    if field in TEXT_FIELDS:
        return clean_text(TEXT_FIELDS[field], checked)
    return checked


def _action(row: sa.Row[Any]) -> Action:
    return Action(**{c: getattr(row, c) for c in t.actions.c.keys()})


class Actions:
    """What a team agreed to do about a round's results, and whether it helped."""

    def __init__(self, db: Database, rounds: Rounds):
        self.db = db
        self.rounds = rounds

    def add(
        self,
        round_id: int,
        principle_id: str,
        what: str,
        lead: str = "",
        due: str = "",
    ) -> Action:
        rnd = self.rounds.get(round_id)
        fw = self.rounds.framework(round_id)
        values = {
            f: _checked(fw, f, v)
            for f, v in (
                ("principle_id", principle_id),
                ("what", what),
                ("lead", lead),
                ("due", due),
            )
        }
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            aid = inserted_id(
                conn.execute(
                    t.actions.insert().values(
                        round_id=round_id,
                        series_id=rnd.series_id,
                        status="open",
                        created_at=ts,
                        updated_at=ts,
                        **values,
                    )
                )
            )
        return self.get(aid)

    def get(self, action_id: int) -> Action:
        with self.db.reading() as conn:
            row = conn.execute(sa.select(t.actions).where(t.actions.c.id == action_id)).first()
        if row is None:
            raise NotFound(f"there is no action {action_id}")
        return _action(row)

    def update(self, action_id: int, field: str, value: str, in_round: int | None = None) -> Action:
        """Change one field. ``in_round`` is the round the team is looking back from, if any."""
        current = self.get(action_id)
        fw = self.rounds.framework(current.round_id)
        checked = _checked(fw, field, value)
        values: dict[str, object] = {field: checked, "updated_at": self.db.now()}
        if field in ("helped", "review_note") or (in_round and field == "status"):
            if in_round is not None:
                later = self.rounds.get(in_round)
                if later.series_id != current.series_id:
                    raise InvalidInput("this action belongs to another team's rounds")
                values["reviewed_in"] = in_round
        with self.db.engine.begin() as conn:
            conn.execute(t.actions.update().where(t.actions.c.id == action_id).values(**values))
        return self.get(action_id)

    def for_round(self, round_id: int) -> list[Action]:
        """Actions agreed on this round's results, oldest first."""
        with self.db.reading() as conn:
            rows = conn.execute(
                sa.select(t.actions)
                .where(t.actions.c.round_id == round_id)
                .order_by(t.actions.c.id)
            ).all()
        return [_action(r) for r in rows]

    def in_series(self, round_id: int) -> list[Action]:
        """Every action of the series this round belongs to, oldest first."""
        rnd = self.rounds.get(round_id)
        with self.db.reading() as conn:
            rows = conn.execute(
                sa.select(t.actions)
                .where(t.actions.c.series_id == rnd.series_id)
                .order_by(t.actions.c.id)
            ).all()
        return [_action(r) for r in rows]

    def to_review(self, round_id: int) -> list[Action]:
        """Actions the team looks back on in this round: every action agreed on the previous
        round, and older ones still unfinished, so an action not done by the next round is
        not lost from view. An older one closed in this round's review stays listed here."""
        rnd = self.rounds.get(round_id)
        if rnd.previous_id is None:
            return []
        ids = [r.id for r in self.rounds.series(round_id)]
        before = set(ids[: ids.index(round_id)])
        return [
            a
            for a in self.in_series(round_id)
            if a.round_id == rnd.previous_id
            or (a.round_id in before and (not a.closed or a.reviewed_in == round_id))
        ]
