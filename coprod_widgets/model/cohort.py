"""A cohort: one delivery of a course to a group of participants, led by a trainer.

A cohort keeps the exact course it started with (``course_to_dict`` in the store, with its
fingerprint): a course changed afterwards is a new version, never mixed into a running cohort.

Who sees what:
- a participant sees their own answers and the trainer's feedback on them, nothing of others;
- the trainer sees the roster, each named participant's answers (participants are told so
  plainly when they join) and, per exercise, the distribution of the cohort's answers without
  names, released by the same minimum-and-snapshot rule as an anonymous round's results
  (``model.release``);
- a participant's private journal is never part of a cohort.

Answers are plain JSON data as stored (exercise id -> answer); what counts as answered for each
kind is ``model.course_progress.is_answered``.

Pure: no store, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .course_progress import CourseProgress

OPEN = "open"
CLOSED = "closed"

MAX_ANSWER_CHARS = 20_000
"""The longest a stored answer may be, as JSON text (a reflection's stages together)."""

MAX_FEEDBACK_CHARS = 5_000


@dataclass(frozen=True)
class Cohort:
    id: int
    title: str
    course_id: str
    course_version: str
    course_fingerprint: str
    min_answers: int
    status: str
    created_at: str
    closed_at: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


@dataclass(frozen=True)
class CohortLinks:
    """A new cohort's two codes: the join code participants share, the trainer's to keep."""

    cohort: Cohort
    join_code: str
    trainer_code: str


@dataclass(frozen=True)
class CohortSummary:
    id: int
    title: str
    course_id: str
    course_version: str
    status: str
    participants: int
    created_at: str


@dataclass(frozen=True)
class Feedback:
    text: str
    at: str


@dataclass(frozen=True)
class ParticipantView:
    """What a participant's page loads: who they are in the cohort, their answers so far and
    the trainer's feedback per exercise. No one else's anything."""

    cohort: Cohort
    name: str
    answers: Mapping[str, Any]
    feedback: Mapping[str, Feedback]
    seconds: int
    joined_at: str


@dataclass(frozen=True)
class ParticipantRow:
    """One line of the trainer's roster."""

    id: int
    name: str
    joined_at: str
    updated_at: str
    seconds: int
    progress: CourseProgress


@dataclass(frozen=True)
class ExerciseRelease:
    """What the trainer may see of one exercise's answers across the cohort, without names.

    ``answers`` is the last released snapshot (content only, sorted: no name, order or time),
    ``None`` before the first release. ``given`` is how many participants have answered now;
    ``need_more`` how many more must answer or change their answer before the next release.
    """

    exercise_id: str
    given: int
    answers: tuple[Any, ...] | None
    sequence: int = 0
    need_more: int = 0

    @property
    def released(self) -> bool:
        return self.answers is not None


@dataclass(frozen=True)
class Portfolio:
    """One participant's work in a cohort, as their portfolio and CPD record shows it."""

    cohort: Cohort
    course_title: str
    name: str
    answers: Mapping[str, Any]
    feedback: Mapping[str, Feedback]
    seconds: int
    joined_at: str
    progress: CourseProgress
    exported_at: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def answer_content(answer: Any) -> str:
    """One answer as canonical text: equal answers, equal text (what the release rule counts)."""
    return json.dumps(answer, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
