"""Cohorts of a course (``ports.CohortsPort``): a trainer's side, reached by cohort id, and a
participant's side, reached by the join code and the participant's private token ``me``, of
which only a hash is stored. Each cohort keeps its course whole as it started (``course_json``):
the course file changed later never changes it. What a trainer sees of an exercise across the
cohort without names is ``cohort_releases``; what an answer may be is ``cohort_answers``."""

from __future__ import annotations

import json
import math
from typing import Any

import sqlalchemy as sa

from ..errors import Closed, InvalidInput, NotFound
from ..model.cohort import (
    CLOSED,
    MAX_FEEDBACK_CHARS,
    OPEN,
    Cohort,
    CohortLinks,
    CohortSummary,
    ExerciseRelease,
    Feedback,
    ParticipantRow,
    ParticipantView,
    Portfolio,
)
from ..model.course import Course, Exercise, course_fingerprint, course_from_dict, course_to_dict
from ..model.course_progress import course_progress
from ..model.text import clean_text
from . import schema as t
from .cohort_answers import check_answer
from .cohort_releases import exercise_release
from .cohort_rows import answers_of, check_me, cohort_of, feedback_of, member_row
from .db import Database, inserted_id

DEFAULT_MIN_ANSWERS = 3
MAX_SECONDS_PER_CALL = 300
"""``add_time`` counts at most five minutes a call: a page left open overnight is not a day's
study."""

_C, _P, _A, _F = t.cohorts.c, t.cohort_participants.c, t.course_answers.c, t.course_feedback.c


class Cohorts:
    """Cohorts, their participants, answers and feedback."""

    def __init__(self, db: Database):
        self.db = db
        # A cohort's course never changes once stored: parsed once per cohort and kept.
        self._courses: dict[int, Course] = {}

    # -- the trainer's side ---------------------------------------------------------------
    def create(
        self, title: str, course: Course, min_answers: int = DEFAULT_MIN_ANSWERS
    ) -> CohortLinks:
        if not isinstance(title, str) or not title.strip():
            raise InvalidInput("cohort title: enter a title for the cohort")
        title = clean_text("team", title.strip(), box="The cohort title box")
        if isinstance(min_answers, bool) or not isinstance(min_answers, int) or min_answers < 2:
            raise InvalidInput("minimum answers: a whole number of at least 2")
        if min_answers > 1000:
            raise InvalidInput("minimum answers: at most 1000")
        join_code, trainer_code = self.db.new_code(), self.db.new_code()
        with self.db.engine.begin() as conn:
            cid = inserted_id(
                conn.execute(
                    t.cohorts.insert().values(
                        title=title,
                        course_id=course.id,
                        course_version=course.version,
                        course_fingerprint=course_fingerprint(course),
                        course_json=json.dumps(course_to_dict(course), ensure_ascii=False),
                        min_answers=min_answers,
                        join_code=join_code,
                        trainer_code=trainer_code,
                        status=OPEN,
                        created_at=self.db.now(),
                    )
                )
            )
        return CohortLinks(self.get(cid), join_code, trainer_code)

    def _row(self, conn: sa.Connection, cohort_id: int) -> sa.Row[Any]:
        row = conn.execute(sa.select(t.cohorts).where(_C.id == cohort_id)).first()
        if row is None:
            raise NotFound(f"there is no cohort {cohort_id}")
        return row

    def get(self, cohort_id: int) -> Cohort:
        with self.db.reading() as conn:
            return cohort_of(self._row(conn, cohort_id))

    def by_code(self, code: str) -> tuple[Cohort, str]:
        if not code or not isinstance(code, str) or len(code) > 64:
            raise NotFound("this link is not recognised")
        with self.db.reading() as conn:
            row = conn.execute(
                sa.select(t.cohorts).where(sa.or_(_C.join_code == code, _C.trainer_code == code))
            ).first()
        if row is None:
            raise NotFound("this link is not recognised")
        return cohort_of(row), ("participant" if row.join_code == code else "trainer")

    def all(self) -> list[CohortSummary]:
        counts = (
            sa.select(_P.cohort_id, sa.func.count().label("n")).group_by(_P.cohort_id).subquery()
        )
        q = (
            sa.select(t.cohorts, counts.c.n)
            .outerjoin(counts, counts.c.cohort_id == _C.id)
            .order_by(_C.id.desc())
        )
        with self.db.reading() as conn:
            rows = conn.execute(q).all()
        return [
            CohortSummary(
                r.id, r.title, r.course_id, r.course_version, r.status, int(r.n or 0), r.created_at
            )
            for r in rows
        ]

    def links(self, cohort_id: int) -> CohortLinks:
        with self.db.reading() as conn:
            row = self._row(conn, cohort_id)
        return CohortLinks(cohort_of(row), row.join_code, row.trainer_code)

    def close(self, cohort_id: int) -> Cohort:
        with self.db.engine.begin() as conn:
            conn.execute(
                t.cohorts.update()
                .where(_C.id == cohort_id, _C.status == OPEN)
                .values(status=CLOSED, closed_at=self.db.now())
            )
        return self.get(cohort_id)  # NotFound for an unknown id; closing twice is harmless

    def _course_of(self, row: sa.Row[Any]) -> Course:
        course = self._courses.get(row.id)
        if course is None:
            course = self._courses[row.id] = course_from_dict(json.loads(row.course_json))
        return course

    def course(self, cohort_id: int) -> Course:
        with self.db.reading() as conn:
            return self._course_of(self._row(conn, cohort_id))

    @staticmethod
    def _exercise(course: Course, exercise_id: str) -> Exercise:
        try:
            return course.exercise(exercise_id)
        except KeyError:
            raise NotFound(
                f"there is no exercise {str(exercise_id)[:100]!r} in the course {course.title!r}"
            ) from None

    def roster(self, cohort_id: int) -> list[ParticipantRow]:
        """One query per table: the cohort, its participants, their answers."""
        with self.db.reading() as conn:
            course = self._course_of(self._row(conn, cohort_id))
            people = conn.execute(
                sa.select(_P.id, _P.name, _P.joined_at, _P.updated_at, _P.seconds)
                .where(_P.cohort_id == cohort_id)
                .order_by(sa.func.lower(_P.name), _P.id)
            ).all()
            answers: dict[int, dict[str, Any]] = {p.id: {} for p in people}
            for pid, eid, text in conn.execute(
                sa.select(_A.participant_id, _A.exercise_id, _A.answer_json)
                .join(t.cohort_participants, _P.id == _A.participant_id)
                .where(_P.cohort_id == cohort_id)
            ):
                if pid in answers:
                    answers[pid][eid] = json.loads(text)
        return [
            ParticipantRow(
                p.id,
                p.name,
                p.joined_at,
                p.updated_at,
                p.seconds,
                course_progress(course, answers[p.id]),
            )
            for p in people
        ]

    def participant_answers(self, cohort_id: int, participant_id: int) -> dict[str, object]:
        with self.db.reading() as conn:
            self._row(conn, cohort_id)
            member_row(conn, cohort_id, participant_id)
            return answers_of(conn, participant_id)

    def exercise_release(self, cohort_id: int, exercise_id: str) -> ExerciseRelease:
        with self.db.reading() as conn:
            row = self._row(conn, cohort_id)
        course = self._course_of(row)
        self._exercise(course, exercise_id)
        return exercise_release(self.db, cohort_id, row.min_answers, course, exercise_id)

    def save_feedback(
        self, cohort_id: int, participant_id: int, exercise_id: str, text: str
    ) -> str:
        course = self.course(cohort_id)
        self._exercise(course, exercise_id)
        if not isinstance(text, str):
            raise InvalidInput("The feedback box takes text")
        if len(text) > MAX_FEEDBACK_CHARS:
            raise InvalidInput(
                f"The feedback box is {len(text):,} characters long; the most it can hold is "
                f"{MAX_FEEDBACK_CHARS:,}: shorten it"
            )
        text = clean_text("review_text", text, box="The feedback box")
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            member_row(conn, cohort_id, participant_id)
            if not text.strip():
                conn.execute(
                    t.course_feedback.delete().where(
                        _F.participant_id == participant_id, _F.exercise_id == exercise_id
                    )
                )
                return ts
            conn.execute(
                self.db.insert(t.course_feedback)
                .values(
                    participant_id=participant_id, exercise_id=exercise_id, text=text, updated_at=ts
                )
                .on_conflict_do_update(
                    index_elements=["participant_id", "exercise_id"],
                    set_={"text": text, "updated_at": ts},
                )
            )
        return ts

    def feedback(self, cohort_id: int, participant_id: int) -> dict[str, Feedback]:
        with self.db.reading() as conn:
            member_row(conn, cohort_id, participant_id)
            return feedback_of(conn, participant_id)

    def portfolio(self, cohort_id: int, participant_id: int) -> Portfolio:
        with self.db.reading() as conn:
            row = self._row(conn, cohort_id)
            p = member_row(conn, cohort_id, participant_id)
            answers = answers_of(conn, participant_id)
            feedback = feedback_of(conn, participant_id)
        course = self._course_of(row)
        return Portfolio(
            cohort=cohort_of(row),
            course_title=course.title,
            name=p.name,
            answers=answers,
            feedback=feedback,
            seconds=p.seconds,
            joined_at=p.joined_at,
            progress=course_progress(course, answers),
        )

    # -- the participant's side -----------------------------------------------------------
    def _by_join_code(self, conn: sa.Connection, join_code: str) -> sa.Row[Any]:
        if not join_code or not isinstance(join_code, str) or len(join_code) > 64:
            raise NotFound("this link is not recognised")
        row = conn.execute(sa.select(t.cohorts).where(_C.join_code == join_code)).first()
        if row is None:
            raise NotFound("this link is not recognised")
        return row

    def _open(self, join_code: str) -> sa.Row[Any]:
        with self.db.reading() as conn:
            row = self._by_join_code(conn, join_code)
        if row.status != OPEN:
            raise Closed("this cohort has closed: answers can no longer be changed")
        return row

    def join(self, join_code: str, me: str, name: str) -> ParticipantView:
        row = self._open(join_code)
        check_me(me)
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("name: enter your name, as your trainer will know you")
        name = clean_text("name", name.strip())
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            conn.execute(
                self.db.insert(t.cohort_participants)
                .values(
                    cohort_id=row.id,
                    participant_hash=self.db.member_hash(me),
                    name=name,
                    joined_at=ts,
                    updated_at=ts,
                    seconds=0,
                )
                .on_conflict_do_update(
                    index_elements=["cohort_id", "participant_hash"],
                    set_={"name": name, "updated_at": ts},
                )
            )
        return self.participant_view(join_code, me)

    def participant_view(self, join_code: str, me: str) -> ParticipantView:
        check_me(me)
        with self.db.reading() as conn:
            row = self._by_join_code(conn, join_code)
            p = conn.execute(
                sa.select(t.cohort_participants).where(
                    _P.cohort_id == row.id, _P.participant_hash == self.db.member_hash(me)
                )
            ).first()
            if p is None:
                raise NotFound("you have not joined this cohort yet: enter your name to join")
            answers = answers_of(conn, p.id)
            feedback = feedback_of(conn, p.id)
        return ParticipantView(cohort_of(row), p.name, answers, feedback, p.seconds, p.joined_at)

    def _touch(self, conn: sa.Connection, cohort_id: int, me: str, ts: str) -> int:
        """The participant's id, after marking them updated (the write comes first, so that the
        transaction holds the write lock before it reads)."""
        h = self.db.member_hash(me)
        where = (_P.cohort_id == cohort_id, _P.participant_hash == h)
        done = conn.execute(t.cohort_participants.update().where(*where).values(updated_at=ts))
        if done.rowcount != 1:
            raise NotFound("you have not joined this cohort yet: enter your name to join")
        pid: int = conn.execute(sa.select(_P.id).where(*where)).scalar_one()
        return pid

    def save_answer(self, join_code: str, me: str, exercise_id: str, answer: object) -> str:
        row = self._open(join_code)
        check_me(me)
        exercise = self._exercise(self._course_of(row), exercise_id)
        _, text = check_answer(exercise, answer)
        ts = self.db.now()
        with self.db.engine.begin() as conn:
            pid = self._touch(conn, row.id, me, ts)
            conn.execute(
                self.db.insert(t.course_answers)
                .values(
                    participant_id=pid, exercise_id=exercise_id, answer_json=text, updated_at=ts
                )
                .on_conflict_do_update(
                    index_elements=["participant_id", "exercise_id"],
                    set_={"answer_json": text, "updated_at": ts},
                )
            )
        return ts

    def add_time(self, join_code: str, me: str, seconds: int) -> int:
        row = self._open(join_code)
        check_me(me)
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, (int, float))
            or not math.isfinite(seconds)
        ):
            raise InvalidInput("time spent: a number of seconds")
        add = int(min(max(seconds, 0), MAX_SECONDS_PER_CALL))  # negatives count nothing
        where = (_P.cohort_id == row.id, _P.participant_hash == self.db.member_hash(me))
        with self.db.engine.begin() as conn:
            done = conn.execute(
                t.cohort_participants.update().where(*where).values(seconds=_P.seconds + add)
            )
            if done.rowcount != 1:
                raise NotFound("you have not joined this cohort yet: enter your name to join")
            total: int = conn.execute(sa.select(_P.seconds).where(*where)).scalar_one()
        return total
