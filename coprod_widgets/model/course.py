"""A course: modules of prose and exercises, its fingerprint, what changed between two versions,
and a participant's progress through it.

Pure: plain frozen dataclasses and functions, no files, no widgets. The course files under
``data/courses/`` are read and checked by ``coprod_widgets.content.courses``, which resolves each
exercise's reference (a ladder, a reflective model, a framework) into the ids an answer covers
(``Exercise.parts``), so progress can be worked out here without the content libraries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

TEXT = "text"
RATING = "rating"
CHOICE = "choice"
LADDER = "ladder"
REFLECTION = "reflection"
SELF_ASSESSMENT = "self-assessment"
PLANNER = "planner"
KINDS = (TEXT, RATING, CHOICE, LADDER, REFLECTION, SELF_ASSESSMENT, PLANNER)
"""Every kind of exercise a module may hold, in the order the README lists them."""

DONT_KNOW = "dont_know"
"""A self-assessment answer for a statement the participant cannot rate (as rounds store it)."""


@dataclass(frozen=True)
class CourseSource:
    """A source a course or module cites: a title and a web address and/or a reference."""

    title: str
    url: str = ""
    reference: str = ""


@dataclass(frozen=True)
class RatingScale:
    """Whole numbers from ``low`` to ``high``; the labels name the two ends."""

    low: int
    high: int
    low_label: str = ""
    high_label: str = ""

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(range(self.low, self.high + 1))


@dataclass(frozen=True)
class ChoiceOption:
    id: str
    label: str


@dataclass(frozen=True)
class Scenario:
    """What the planner opens on: a situation for the participant to plan for."""

    title: str
    description: str


@dataclass(frozen=True)
class Exercise:
    """One exercise block. ``ref`` is the ladder, model or framework id of those kinds; ``parts``
    the ids an answer must cover (the ladder's steps, the model's stages, the framework's
    statements), filled in when the course is loaded."""

    id: str
    kind: str
    prompt: str
    hint: str = ""
    scale: RatingScale | None = None
    options: tuple[ChoiceOption, ...] = ()
    multiple: bool = False
    ref: str = ""
    scenario: Scenario | None = None
    parts: tuple[str, ...] = ()

    def content(self) -> dict[str, Any]:
        """What the exercise asks, as plain data: the input of its fingerprint. ``parts`` is left
        out: it comes from the referenced file, which is versioned on its own."""
        d: dict[str, Any] = {"id": self.id, "kind": self.kind, "prompt": self.prompt}
        if self.hint:
            d["hint"] = self.hint
        if self.scale is not None:
            s = self.scale
            d["scale"] = [s.low, s.high, s.low_label, s.high_label]
        if self.options:
            d["options"] = [[o.id, o.label] for o in self.options]
            d["multiple"] = self.multiple
        if self.ref:
            d["ref"] = self.ref
        if self.scenario is not None:
            d["scenario"] = [self.scenario.title, self.scenario.description]
        return d


Block = str | Exercise
"""A module's content in reading order: Markdown prose, or an exercise."""


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    minutes: int
    blocks: tuple[Block, ...]
    sources: tuple[CourseSource, ...]
    summary: str = ""

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Exercise))


@dataclass(frozen=True)
class Course:
    id: str
    version: str
    title: str
    summary: str
    audience: str
    minutes: int
    modules: tuple[Module, ...]
    sources: tuple[CourseSource, ...]
    attribution: str = ""

    @property
    def key(self) -> str:
        """The id and version together: what a cohort keeps, with the fingerprint."""
        return f"{self.id}@{self.version}"

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        return tuple(e for m in self.modules for e in m.exercises)

    def exercise(self, exercise_id: str) -> Exercise:
        for e in self.exercises:
            if e.id == exercise_id:
                return e
        raise KeyError(exercise_id)

    def module_of(self, exercise_id: str) -> Module:
        for m in self.modules:
            if any(e.id == exercise_id for e in m.exercises):
                return m
        raise KeyError(exercise_id)


# -- fingerprints and changes -----------------------------------------------------------------


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def exercise_fingerprint(exercise: Exercise) -> str:
    return _digest(exercise.content())


def course_fingerprint(course: Course) -> str:
    """A stable hash of the course's modules, their prose and their exercises (in order).

    Two loads of the same files give the same value on any machine; any change to a module's
    title, time, prose, sources or exercises gives another. The course's own title, summary and
    version are left out, so bumping the version alone does not count as a change of content.
    """
    modules = [
        {
            "id": m.id,
            "title": m.title,
            "minutes": m.minutes,
            "summary": m.summary,
            "sources": [[s.title, s.url, s.reference] for s in m.sources],
            "blocks": [b if isinstance(b, str) else b.content() for b in m.blocks],
        }
        for m in course.modules
    ]
    return _digest(modules)


@dataclass(frozen=True)
class CourseChanges:
    """What changed from one version of a course to another, by exercise id."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    moved: tuple[str, ...] = ()
    """Exercises now in another module, otherwise unchanged."""
    modules_added: tuple[str, ...] = ()
    modules_removed: tuple[str, ...] = ()
    fingerprint_before: str = ""
    fingerprint_after: str = ""

    @property
    def same(self) -> bool:
        return self.fingerprint_before == self.fingerprint_after

    @property
    def exercises_same(self) -> bool:
        return not (self.added or self.removed or self.changed or self.moved)


def course_changes(before: Course, after: Course) -> CourseChanges:
    """Compare two versions of a course: exercises added, removed, changed (what they ask) or
    moved to another module, and modules added or removed. Ids are listed in course order
    (``removed`` in the old course's order)."""
    old = {e.id: (before.module_of(e.id).id, exercise_fingerprint(e)) for e in before.exercises}
    new = {e.id: (after.module_of(e.id).id, exercise_fingerprint(e)) for e in after.exercises}
    old_modules = [m.id for m in before.modules]
    new_modules = [m.id for m in after.modules]
    return CourseChanges(
        added=tuple(i for i in new if i not in old),
        removed=tuple(i for i in old if i not in new),
        changed=tuple(i for i in new if i in old and new[i][1] != old[i][1]),
        moved=tuple(
            i for i in new if i in old and new[i][1] == old[i][1] and new[i][0] != old[i][0]
        ),
        modules_added=tuple(m for m in new_modules if m not in old_modules),
        modules_removed=tuple(m for m in old_modules if m not in new_modules),
        fingerprint_before=course_fingerprint(before),
        fingerprint_after=course_fingerprint(after),
    )


# -- progress ---------------------------------------------------------------------------------


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
