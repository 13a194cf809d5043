"""Actions a team agrees on its results, kept with the round and its series. Part of the Store.

Each edit writes one field, so two people editing different fields of one action never
overwrite each other.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..errors import InvalidInput, NotFound
from ..model.actions import Action, check_action_field
from ..model.text import clean_text
from . import schema as t

# The free-text fields of an action and the limit (model.text.LIMITS) each is held to.
TEXT_FIELDS = {"what": "action_text", "lead": "action_lead", "review_note": "review_text"}


def _checked(fw: Any, field: str, value: Any) -> Any:
    """The action model's check (its own messages), then the rule every text box follows."""
    value = check_action_field(fw, field, value)
    if field in TEXT_FIELDS:
        value = clean_text(TEXT_FIELDS[field], value)
    return value


class ActionsMixin:
    engine: sa.Engine

    @staticmethod
    def _action(row: Any) -> Action:
        return Action(**{c: getattr(row, c) for c in t.actions.c.keys()})

    def add_action(
        self,
        round_id: int,
        principle_id: str,
        what: str,
        lead: str = "",
        due: str = "",
    ) -> Action:
        from .store import now

        rnd = self.get_round(round_id)  # type: ignore[attr-defined]
        fw = self.framework_for(round_id)  # type: ignore[attr-defined]
        values = {
            f: _checked(fw, f, v)
            for f, v in (
                ("principle_id", principle_id),
                ("what", what),
                ("lead", lead),
                ("due", due),
            )
        }
        ts = now()
        with self.engine.begin() as conn:
            aid = conn.execute(
                t.actions.insert().values(
                    round_id=round_id,
                    series_id=rnd.series_id,
                    status="open",
                    created_at=ts,
                    updated_at=ts,
                    **values,
                )
            ).inserted_primary_key[0]  # type: ignore[index]  # Optional in SQLAlchemy; never None for a one-row insert
        return self.action(aid)

    def action(self, action_id: int) -> Action:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.actions).where(t.actions.c.id == action_id)).first()
        if row is None:
            raise NotFound(f"there is no action {action_id}")
        return self._action(row)

    def update_action(
        self, action_id: int, field: str, value: str, in_round: int | None = None
    ) -> Action:
        """Change one field. ``in_round`` is the round the team is looking back from, if any."""
        from .store import now

        current = self.action(action_id)
        fw = self.framework_for(current.round_id)  # type: ignore[attr-defined]
        value = _checked(fw, field, value)
        values: dict[str, Any] = {field: value, "updated_at": now()}
        if field in ("helped", "review_note") or (in_round and field == "status"):
            if in_round is not None:
                later = self.get_round(in_round)  # type: ignore[attr-defined]
                if later.series_id != current.series_id:
                    raise InvalidInput("this action belongs to another team's rounds")
                values["reviewed_in"] = in_round
        with self.engine.begin() as conn:
            conn.execute(t.actions.update().where(t.actions.c.id == action_id).values(**values))
        return self.action(action_id)

    def actions(self, round_id: int) -> list[Action]:
        """Actions agreed on this round's results, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.actions)
                .where(t.actions.c.round_id == round_id)
                .order_by(t.actions.c.id)
            ).all()
        return [self._action(r) for r in rows]

    def series_actions(self, round_id: int) -> list[Action]:
        """Every action of the series this round belongs to, oldest first."""
        rnd = self.get_round(round_id)  # type: ignore[attr-defined]
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.actions)
                .where(t.actions.c.series_id == rnd.series_id)
                .order_by(t.actions.c.id)
            ).all()
        return [self._action(r) for r in rows]

    def actions_to_review(self, round_id: int) -> list[Action]:
        """Actions the team looks back on in this round: every action agreed on the previous
        round, and older ones still unfinished, so an action not done by the next round is
        not lost from view. An older one closed in this round's review stays listed here."""
        rnd = self.get_round(round_id)  # type: ignore[attr-defined]
        if rnd.previous_id is None:
            return []
        ids = [r.id for r in self.series(round_id)]  # type: ignore[attr-defined]
        before = set(ids[: ids.index(round_id)])
        return [
            a
            for a in self.series_actions(round_id)
            if a.round_id == rnd.previous_id
            or (a.round_id in before and (not a.closed or a.reviewed_in == round_id))
        ]
