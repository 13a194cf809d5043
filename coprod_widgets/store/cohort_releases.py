"""What a trainer may see of one exercise's answers across a cohort, without names: snapshots
released by the rule of an anonymous round's results (``model.release.decide``), one series of
snapshots per exercise. A snapshot holds the answers' content only (sorted: no name, hash, time
or order); the keyed fingerprints that tell who answered or changed since stay server side."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import sqlalchemy as sa

from ..model.cohort import ExerciseRelease, answer_content
from ..model.course import Course
from ..model.course_progress import is_answered
from ..model.release import decide
from . import schema as t
from .db import Database, results_key


def fingerprint(key: bytes, participant_hash: str, answer: Any) -> str:
    """A keyed hash of who (the participant's stored hash) and what (the answer's content)."""
    msg = participant_hash.encode("utf-8") + b"\x00" + answer_content(answer).encode("utf-8")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def exercise_release(
    db: Database,
    cohort_id: int,
    min_answers: int,
    course: Course,
    exercise_id: str,
    retry: bool = True,
) -> ExerciseRelease:
    """The last snapshot of one exercise's answers, after releasing a new one if the answers
    given or changed since allow it."""
    exercise = course.exercise(exercise_id)  # the caller has checked it is there
    p, a = t.cohort_participants.c, t.course_answers.c
    s, f = t.cohort_snapshots.c, t.cohort_fingerprints.c
    with db.reading() as conn:  # the answers, the snapshots and the last one's fingerprints
        given = conn.execute(
            sa.select(p.participant_hash, a.answer_json)
            .join(t.cohort_participants, p.id == a.participant_id)
            .where(p.cohort_id == cohort_id, a.exercise_id == exercise_id)
        ).all()
        snaps = conn.execute(
            sa.select(s.sequence, s.answers)
            .where(s.cohort_id == cohort_id, s.exercise_id == exercise_id)
            .order_by(s.sequence)
        ).all()
        kept = conn.execute(
            sa.select(f.fingerprint).where(f.cohort_id == cohort_id, f.exercise_id == exercise_id)
        ).scalars()
        last_fps = list(kept) if snaps else None
    answers = [(h, json.loads(j)) for h, j in given]
    answers = [(h, x) for h, x in answers if is_answered(exercise, x)]
    key = results_key()
    current = [(fingerprint(key, h, x), answer_content(x)) for h, x in answers]
    frozen = [json.loads(row.answers) for row in snaps]
    decision = decide(
        min_answers, current, last_fps, [[answer_content(x) for x in f] for f in frozen]
    )
    if decision.release:
        contents = sorted(c for _, c in current)
        seq = (snaps[-1].sequence if snaps else 0) + 1
        try:
            with db.engine.begin() as conn:
                conn.execute(
                    t.cohort_snapshots.insert().values(
                        cohort_id=cohort_id,
                        exercise_id=exercise_id,
                        sequence=seq,
                        answers="[" + ",".join(contents) + "]",
                        answer_count=len(contents),
                        released_at=db.now(),
                    )
                )
                conn.execute(
                    t.cohort_fingerprints.delete().where(
                        f.cohort_id == cohort_id, f.exercise_id == exercise_id
                    )
                )
                if current:
                    conn.execute(
                        t.cohort_fingerprints.insert(),
                        [
                            {"cohort_id": cohort_id, "exercise_id": exercise_id, "fingerprint": fp}
                            for fp in dict.fromkeys(fp for fp, _ in current)
                        ],
                    )
        except sa.exc.IntegrityError:
            if not retry:
                raise
            # released by another reader at the same moment: read what it released
            return exercise_release(db, cohort_id, min_answers, course, exercise_id, False)
        return ExerciseRelease(
            exercise_id,
            given=len(current),
            answers=tuple(json.loads(c) for c in contents),
            sequence=seq,
            need_more=min_answers,  # as every read until someone answers or changes says
        )
    return ExerciseRelease(
        exercise_id,
        given=len(current),
        answers=tuple(frozen[-1]) if frozen else None,
        sequence=snaps[-1].sequence if snaps else 0,
        need_more=decision.need_more,
    )
