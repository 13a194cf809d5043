"""A participant's progress through a course: what counts as answered for each kind of
exercise, and completion per module and overall.

Pure: answers are plain JSON data as stored (exercise id -> answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .course import (
    CHOICE,
    LADDER,
    PLANNER,
    RATING,
    REFLECTION,
    SELF_ASSESSMENT,
    TEXT,
    Course,
    Exercise,
)

DONT_KNOW = "dont_know"
"""A self-assessment answer for a statement the participant cannot rate (as rounds store it)."""


def _filled(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_answered(exercise: Exercise, answer: Any) -> bool:
    """Whether ``answer`` (as stored: plain JSON data) completes the exercise.

    - text, planner: some text (for the planner, the plan's link or code once it is made);
    - rating: a whole number on the exercise's scale;
    - choice: one option id, or with ``multiple`` a non-empty list of option ids;
    - ladder: a step id of the ladder (any text when the steps are not known);
    - reflection: text for every stage of the model (``{stage id: text}``);
    - self-assessment: a whole number or ``"dont_know"`` for every statement of the framework.
    """
    kind = exercise.kind
    if answer is None:
        return False
    if kind in (TEXT, PLANNER):
        return _filled(answer)
    if kind == RATING:
        scale = exercise.scale
        return _whole(answer) and (scale is None or scale.low <= answer <= scale.high)
    if kind == CHOICE:
        ids = {o.id for o in exercise.options}
        if exercise.multiple:
            return (
                isinstance(answer, (list, tuple))
                and bool(answer)
                and all(isinstance(a, str) and a in ids for a in answer)
            )
        return isinstance(answer, str) and answer in ids
    if kind == LADDER:
        return _filled(answer) and (not exercise.parts or answer in exercise.parts)
    if kind == REFLECTION:
        if not isinstance(answer, Mapping):
            return False
        if not exercise.parts:
            return any(_filled(v) for v in answer.values())
        return all(_filled(answer.get(p)) for p in exercise.parts)
    if kind == SELF_ASSESSMENT:
        if not isinstance(answer, Mapping) or not answer:
            return False
        keys = exercise.parts or tuple(answer)
        return all(_whole(answer.get(k)) or answer.get(k) == DONT_KNOW for k in keys)
    return False


@dataclass(frozen=True)
class ModuleProgress:
    module_id: str
    title: str
    answered: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.answered) + len(self.missing)

    @property
    def done(self) -> bool:
        return not self.missing

    @property
    def fraction(self) -> float:
        """Share of the module's exercises answered; a module without exercises is complete."""
        return len(self.answered) / self.total if self.total else 1.0


@dataclass(frozen=True)
class CourseProgress:
    modules: tuple[ModuleProgress, ...]
    unknown: tuple[str, ...] = field(default=())
    """Answer ids that are no exercise of this course (e.g. one removed in a later version)."""

    @property
    def answered(self) -> int:
        return sum(len(m.answered) for m in self.modules)

    @property
    def total(self) -> int:
        return sum(m.total for m in self.modules)

    @property
    def fraction(self) -> float:
        return self.answered / self.total if self.total else 1.0

    @property
    def modules_done(self) -> tuple[str, ...]:
        return tuple(m.module_id for m in self.modules if m.done)

    def module(self, module_id: str) -> ModuleProgress:
        for m in self.modules:
            if m.module_id == module_id:
                return m
        raise KeyError(module_id)


def course_progress(course: Course, answers: Mapping[str, Any]) -> CourseProgress:
    """Completion per module and overall, from a participant's answers (exercise id -> answer).
    What counts as answered for each kind is ``is_answered``'s rule."""
    modules = []
    for m in course.modules:
        answered = tuple(e.id for e in m.exercises if is_answered(e, answers.get(e.id)))
        missing = tuple(e.id for e in m.exercises if e.id not in answered)
        modules.append(ModuleProgress(m.id, m.title, answered, missing))
    known = {e.id for e in course.exercises}
    return CourseProgress(tuple(modules), tuple(k for k in answers if k not in known))
