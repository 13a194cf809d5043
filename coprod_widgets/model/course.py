"""A course: modules of prose and exercises, its fingerprint, what changed between two versions,
and the course as plain data (a cohort keeps the course it started with). A participant's progress
through a course is in ``course_progress``.

Pure: plain frozen dataclasses and functions, no files, no widgets. The course files under
``data/courses/`` are read and checked by ``coprod_widgets.content.courses``, which resolves each
exercise's reference (a ladder, a reflective model, a framework) into the ids an answer covers
(``Exercise.parts``), so progress can be worked out here without the content libraries.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
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


# -- as plain data ----------------------------------------------------------------------------


def course_to_dict(course: Course) -> dict[str, Any]:
    """The course as JSON-ready data, for a cohort to keep the exact course it started with."""
    return asdict(course)


def _exercise_from(d: Mapping[str, Any]) -> Exercise:
    scale = d.get("scale")
    scenario = d.get("scenario")
    return Exercise(
        id=d["id"],
        kind=d["kind"],
        prompt=d["prompt"],
        hint=d.get("hint", ""),
        scale=RatingScale(**scale) if scale else None,
        options=tuple(ChoiceOption(**o) for o in d.get("options", ())),
        multiple=bool(d.get("multiple", False)),
        ref=d.get("ref", ""),
        scenario=Scenario(**scenario) if scenario else None,
        parts=tuple(d.get("parts", ())),
    )


def course_from_dict(d: Mapping[str, Any]) -> Course:
    """Rebuild from ``course_to_dict`` output (already validated data): a prose block is a
    string, an exercise a mapping."""
    modules = tuple(
        Module(
            id=m["id"],
            title=m["title"],
            minutes=int(m["minutes"]),
            blocks=tuple(b if isinstance(b, str) else _exercise_from(b) for b in m["blocks"]),
            sources=tuple(CourseSource(**s) for s in m["sources"]),
            summary=m.get("summary", ""),
        )
        for m in d["modules"]
    )
    return Course(
        id=d["id"],
        version=str(d["version"]),
        title=d["title"],
        summary=d.get("summary", ""),
        audience=d.get("audience", ""),
        minutes=int(d["minutes"]),
        modules=modules,
        sources=tuple(CourseSource(**s) for s in d.get("sources", ())),
        attribution=d.get("attribution", ""),
    )
