"""The port of cohorts (``store.cohorts``): a trainer's side and a participant's side of a
course delivered to a group. Re-exported by ``ports``, the one place pages import ports from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..model.cohort import (
        Cohort,
        CohortLinks,
        CohortSummary,
        ExerciseRelease,
        Feedback,
        ParticipantRow,
        ParticipantView,
        Portfolio,
    )
    from ..model.course import Course


class CohortsPort(Protocol):
    """Cohorts of a course: a trainer's side and a participant's side (``store.cohorts``).

    A participant is known by a server-made token ``me`` (stored hashed, as a member's) within
    the cohort of a join code. Every write by a participant names the join code and ``me``;
    every trainer read names the cohort id (the trainer page reaches it by the trainer code).
    Errors: ``NotFound`` (unknown code, cohort, participant or exercise), ``Closed`` (a write
    to a closed cohort), ``InvalidInput`` (an answer of the wrong shape or too long, a blank
    name) - each with a message written for a person. Nothing half-written on any error.
    """

    # -- the trainer's side ---------------------------------------------------------------
    def create(self, title: str, course: Course, min_answers: int = ...) -> CohortLinks:
        """A cohort of ``course`` as it is now (kept whole, with its fingerprint), open, with a join code and a trainer code. ``min_answers`` (at least 2) is the release rule's minimum."""

    def get(self, cohort_id: int) -> Cohort: ...

    def by_code(self, code: str) -> tuple[Cohort, str]:
        """The cohort of a join code (``"participant"``) or a trainer code (``"trainer"``)."""

    def all(self) -> list[CohortSummary]:
        """Every cohort, newest first, with its number of participants."""

    def links(self, cohort_id: int) -> CohortLinks: ...

    def close(self, cohort_id: int) -> Cohort:
        """No more answers or joins; everything stays readable and exportable."""

    def course(self, cohort_id: int) -> Course:
        """The course exactly as the cohort started it (never the course file as it is now)."""

    def roster(self, cohort_id: int) -> list[ParticipantRow]:
        """Every participant, by name, with progress per module and time spent."""

    def participant_answers(self, cohort_id: int, participant_id: int) -> dict[str, object]:
        """A named participant's answers (exercise id -> answer), for the trainer."""

    def exercise_release(self, cohort_id: int, exercise_id: str) -> ExerciseRelease:
        """What the trainer may see of one exercise across the cohort: the count now, and the answers without names only as released by ``model.release``'s rule (a new snapshot only when at least the minimum answered or changed since the last)."""

    def save_feedback(
        self, cohort_id: int, participant_id: int, exercise_id: str, text: str
    ) -> str:
        """The trainer's feedback on one exercise of one participant (blank removes it)."""

    def feedback(self, cohort_id: int, participant_id: int) -> dict[str, Feedback]: ...

    def portfolio(self, cohort_id: int, participant_id: int) -> Portfolio:
        """Everything a participant's portfolio holds."""

    # -- the participant's side -----------------------------------------------------------
    def join(self, join_code: str, me: str, name: str) -> ParticipantView:
        """Join (or, for the same ``me``, come back to) the cohort of a join code by name."""

    def participant_view(self, join_code: str, me: str) -> ParticipantView:
        """A participant's own answers and feedback; ``NotFound`` before they joined."""

    def save_answer(self, join_code: str, me: str, exercise_id: str, answer: object) -> str:
        """Save one answer as typed (an upsert); the time it was saved."""

    def add_time(self, join_code: str, me: str, seconds: int) -> int:
        """Add time spent on the course (each call capped at a few minutes); the total."""
