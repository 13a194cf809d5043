"""Reading a cohort's rows: the cohort itself, one participant's answers and feedback, and a
participant as the trainer reaches them (only within their own cohort). Shared by ``cohorts``."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ..errors import InvalidInput, NotFound
from ..model.cohort import Cohort, Feedback
from . import schema as t

_P, _A, _F = t.cohort_participants.c, t.course_answers.c, t.course_feedback.c


def cohort_of(row: sa.Row[Any]) -> Cohort:
    return Cohort(
        id=row.id,
        title=row.title,
        course_id=row.course_id,
        course_version=row.course_version,
        course_fingerprint=row.course_fingerprint,
        min_answers=row.min_answers,
        status=row.status,
        created_at=row.created_at,
        closed_at=row.closed_at,
    )


def check_me(me: str) -> None:
    if not isinstance(me, str) or not (8 <= len(me) <= 200):
        raise InvalidInput("this page has lost track of who you are: open your link again")


def member_row(conn: sa.Connection, cohort_id: int, participant_id: int) -> sa.Row[Any]:
    """The participant, if they belong to this cohort (a trainer reaches no other's)."""
    row = conn.execute(
        sa.select(t.cohort_participants).where(_P.id == participant_id, _P.cohort_id == cohort_id)
    ).first()
    if row is None:
        raise NotFound(f"there is no participant {participant_id} in cohort {cohort_id}")
    return row


def answers_of(conn: sa.Connection, participant_id: int) -> dict[str, Any]:
    return {
        eid: json.loads(text)
        for eid, text in conn.execute(
            sa.select(_A.exercise_id, _A.answer_json).where(_A.participant_id == participant_id)
        )
    }


def feedback_of(conn: sa.Connection, participant_id: int) -> dict[str, Feedback]:
    return {
        eid: Feedback(text, at)
        for eid, text, at in conn.execute(
            sa.select(_F.exercise_id, _F.text, _F.updated_at).where(
                _F.participant_id == participant_id
            )
        )
    }
