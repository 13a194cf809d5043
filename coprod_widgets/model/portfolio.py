"""A participant's portfolio as a reader needs it: who, which course, a CPD record, then every
module's exercises with the answer written out per kind and the trainer's feedback beside it.

``compose(course, portfolio, labels)`` is the one composition; the HTML and the PDF are written
from the ``PortfolioView`` it returns (``reports.portfolio``), never from the raw answers.
Nothing a participant wrote is dropped: an answer of an unexpected shape is written out as it
is, and an answer (or feedback) to an exercise no longer in the course goes to ``other``.

The names of a ladder's steps, a model's stages and a framework's statements and scale live in
the content libraries, above this floor: the caller hands them in as ``Labels`` (an id without
a label is shown by its id). Pure: no store, no files, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .cohort import Feedback, Portfolio
from .course import (
    CHOICE,
    LADDER,
    PLANNER,
    RATING,
    REFLECTION,
    SELF_ASSESSMENT,
    TEXT,
    Course,
    CourseSource,
    Exercise,
)
from .course_progress import DONT_KNOW, is_answered
from .framework import Source
from .journal import cpd_hours
from .plan import reader_citation

NOT_ANSWERED = "Not answered yet."
NOT_FINISHED = "Started, not finished."
DONT_KNOW_LABEL = "Don't know"
CPD_TYPE = "Course with a trainer's feedback on written exercises"
CPD_NOTE = (
    "For your own CPD log (NMC, Social Work England, HCPC): the dates, time, topic and evidence "
    "are above. Whether the time counts as participatory is yours to judge by your regulator's "
    "rules."
)


@dataclass(frozen=True)
class RefLabels:
    """What a ladder, a reflective model or a framework calls its parts."""

    title: str = ""
    parts: Mapping[str, str] = field(default_factory=dict)
    """Step, stage or statement id -> its title or text, in the reference's order."""
    scale: Mapping[int, str] = field(default_factory=dict)
    """A framework's scale: value -> label."""


@dataclass(frozen=True)
class Labels:
    ladders: Mapping[str, RefLabels] = field(default_factory=dict)
    models: Mapping[str, RefLabels] = field(default_factory=dict)
    frameworks: Mapping[str, RefLabels] = field(default_factory=dict)

    def of(self, exercise: Exercise) -> RefLabels:
        table = {LADDER: self.ladders, REFLECTION: self.models, SELF_ASSESSMENT: self.frameworks}
        return table.get(exercise.kind, {}).get(exercise.ref, RefLabels())


@dataclass(frozen=True)
class Line:
    """One piece of an answer: ``label`` names the part ("" for the answer as a whole)."""

    label: str
    text: str


@dataclass(frozen=True)
class AnswerView:
    exercise_id: str
    kind: str
    prompt: str
    lines: tuple[Line, ...]
    answered: bool
    feedback: Feedback | None = None
    heading: str = ""
    """What the answer's parts are (a ladder's or model's title), when there is one."""

    @property
    def status(self) -> str:
        """ "" when answered; otherwise said plainly."""
        if self.answered:
            return ""
        return NOT_FINISHED if self.lines else NOT_ANSWERED


@dataclass(frozen=True)
class ModuleView:
    id: str
    title: str
    answered: int
    total: int
    exercises: tuple[AnswerView, ...]

    @property
    def done(self) -> bool:
        return self.answered == self.total


@dataclass(frozen=True)
class CpdRecord:
    activity: str
    kind: str
    dates: str
    time_spent: str
    hours: str
    modules_done: tuple[str, ...]
    modules_total: int
    answered: int
    total: int
    sources: tuple[str, ...]
    note: str = CPD_NOTE

    def facts(self) -> list[tuple[str, str]]:
        """The record as (label, value) rows, in the order every format shows them."""
        done = f"{len(self.modules_done)} of {self.modules_total}"
        return [
            ("Activity", self.activity),
            ("Type of CPD", self.kind),
            ("Dates", self.dates),
            ("Time spent", f"{self.time_spent} ({self.hours} hours)"),
            ("Modules completed", done),
            ("Exercises answered", f"{self.answered} of {self.total}"),
        ]


@dataclass(frozen=True)
class PortfolioView:
    title: str
    name: str
    cohort: str
    cohort_id: int
    course: str
    course_version: str
    joined: str
    exported: str
    cpd: CpdRecord
    modules: tuple[ModuleView, ...]
    other: tuple[AnswerView, ...] = ()

    def texts(self) -> list[str]:
        """Every piece of the participant's and trainer's text the view carries (for checks)."""
        out = [self.name]
        for a in (*(a for m in self.modules for a in m.exercises), *self.other):
            out += [line.text for line in a.lines]
            if a.feedback is not None:
                out.append(a.feedback.text)
        return out


# -- answers as a reader needs them ----------------------------------------------------------


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _as_is(answer: Any) -> tuple[Line, ...]:
    """An answer of a shape the kind does not expect: written out, never dropped."""
    if answer is None or answer == [] or answer == {}:
        return ()
    if isinstance(answer, str) and not answer.strip():
        return ()
    if isinstance(answer, Mapping):
        return tuple(Line(str(k), _plain(v)) for k, v in answer.items() if _plain(v).strip())
    if isinstance(answer, (list, tuple)):
        return tuple(Line("", _plain(v)) for v in answer)
    return (Line("", _plain(answer)),)


def _whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _rating(e: Exercise, answer: Any) -> tuple[Line, ...]:
    s = e.scale
    if not _whole(answer) or s is None:
        return _as_is(answer)
    low = f"{s.low} ({s.low_label})" if s.low_label else str(s.low)
    high = f"{s.high} ({s.high_label})" if s.high_label else str(s.high)
    return (Line("", f"{answer} on {low} to {high}"),)


def _choice(e: Exercise, answer: Any) -> tuple[Line, ...]:
    labels = {o.id: o.label for o in e.options}
    picked = [answer] if isinstance(answer, str) else answer
    if not isinstance(picked, (list, tuple)) or not all(isinstance(p, str) for p in picked):
        return _as_is(answer)
    return tuple(Line("", labels.get(p, f"{p} (an option no longer offered)")) for p in picked if p)


def _ladder(e: Exercise, answer: Any, ref: RefLabels) -> tuple[Line, ...]:
    if not isinstance(answer, str) or not answer.strip():
        return _as_is(answer)
    steps = list(ref.parts) or list(e.parts)
    if answer in steps:
        title = ref.parts.get(answer, answer)
        return (Line("", f"{title} (step {steps.index(answer) + 1} of {len(steps)})"),)
    return (Line("", answer),)


def _reflection(e: Exercise, answer: Any, ref: RefLabels) -> tuple[Line, ...]:
    if not isinstance(answer, Mapping):
        return _as_is(answer)
    order = [*e.parts, *(k for k in answer if k not in e.parts)]
    out = []
    for sid in order:
        text = answer.get(sid)
        if text is None or not _plain(text).strip():
            continue
        label = ref.parts.get(sid, sid) if sid in e.parts else f"Kept from another model: {sid}"
        out.append(Line(label, _plain(text)))
    return tuple(out)


def _self_assessment(e: Exercise, answer: Any, ref: RefLabels) -> tuple[Line, ...]:
    if not isinstance(answer, Mapping):
        return _as_is(answer)
    order = [*e.parts, *(k for k in answer if k not in e.parts)]
    out = []
    for sid in order:
        if sid not in answer:
            continue
        v = answer[sid]
        if v == DONT_KNOW:
            said = DONT_KNOW_LABEL
        elif _whole(v) and v in ref.scale:
            said = f"{v} ({ref.scale[v]})"
        else:
            said = _plain(v)
        out.append(Line(ref.parts.get(sid, sid), said))
    return tuple(out)


def answer_lines(e: Exercise, answer: Any, labels: Labels) -> tuple[Line, ...]:
    """An answer (plain JSON data as stored) written out for a reader, per the exercise's kind."""
    if answer is None:
        return ()
    ref = labels.of(e)
    if e.kind in (TEXT, PLANNER):
        return _as_is(answer)
    if e.kind == RATING:
        return _rating(e, answer)
    if e.kind == CHOICE:
        return _choice(e, answer)
    if e.kind == LADDER:
        return _ladder(e, answer, ref)
    if e.kind == REFLECTION:
        return _reflection(e, answer, ref)
    if e.kind == SELF_ASSESSMENT:
        return _self_assessment(e, answer, ref)
    return _as_is(answer)


# -- the whole portfolio ---------------------------------------------------------------------


def time_spent(seconds: int) -> str:
    """'2 hours 5 minutes', '1 hour', '40 minutes', 'under a minute'."""
    minutes = max(0, seconds) // 60
    h, m = divmod(minutes, 60)
    parts = []
    if h:
        parts.append(f"{h} hour{'s' if h != 1 else ''}")
    if m or not h:
        parts.append(f"{m} minute{'s' if m != 1 else ''}")
    return "under a minute" if not minutes else " ".join(parts)


def source_text(s: CourseSource) -> str:
    """A source as a reader needs it: title, reference and address, without any file path of
    ours (``plan.reader_citation``'s rule)."""
    text = " - ".join(x for x in (s.title, s.reference, s.url) if x)
    return reader_citation(Source(citation=text))


def _sources(course: Course) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for s in (*course.sources, *(s for m in course.modules for s in m.sources)):
        seen.setdefault(source_text(s), None)
    return tuple(seen)


def _day(stamp: str) -> str:
    return stamp[:10]


def compose(
    course: Course, portfolio: Portfolio, labels: Labels | None = None, updated_at: str = ""
) -> PortfolioView:
    """The portfolio of ``portfolio`` (one participant's work) in ``course`` (the course exactly
    as the cohort started it). ``updated_at``: when they last saved, for the CPD record's dates
    (the latest feedback or the export's date when not given)."""
    labels = labels or Labels()
    answers, feedback = portfolio.answers, portfolio.feedback
    modules = []
    for m in course.modules:
        views = tuple(
            AnswerView(
                exercise_id=e.id,
                kind=e.kind,
                prompt=e.prompt,
                lines=answer_lines(e, answers.get(e.id), labels),
                answered=is_answered(e, answers.get(e.id)),
                feedback=feedback.get(e.id),
                heading=labels.of(e).title,
            )
            for e in m.exercises
        )
        modules.append(ModuleView(m.id, m.title, sum(a.answered for a in views), len(views), views))
    known = {e.id for e in course.exercises}
    stray = [k for k in answers if k not in known]
    stray += [k for k in feedback if k not in known and k not in answers]
    other = tuple(
        AnswerView(
            exercise_id=k,
            kind="",
            prompt=f"An exercise no longer in this version of the course ({k})",
            lines=_as_is(answers.get(k)),
            answered=bool(_as_is(answers.get(k))),
            feedback=feedback.get(k),
        )
        for k in stray
    )
    last = updated_at or max(
        (f.at for f in feedback.values()), default=portfolio.exported_at or portfolio.joined_at
    )
    start, end = _day(portfolio.joined_at), _day(last)
    dates = start if not end or end <= start else f"{start} to {end}"
    answered = sum(m.answered for m in modules)
    cpd = CpdRecord(
        activity=f"{course.title} (version {course.version})",
        kind=CPD_TYPE,
        dates=dates,
        time_spent=time_spent(portfolio.seconds),
        hours=cpd_hours(max(0, portfolio.seconds) // 60),
        modules_done=tuple(m.title for m in modules if m.done),
        modules_total=len(modules),
        answered=answered,
        total=sum(m.total for m in modules),
        sources=_sources(course),
    )
    return PortfolioView(
        title=f"Portfolio: {course.title}",
        name=portfolio.name,
        cohort=portfolio.cohort.title,
        cohort_id=portfolio.cohort.id,
        course=course.title,
        course_version=course.version,
        joined=_day(portfolio.joined_at),
        exported=_day(portfolio.exported_at),
        cpd=cpd,
        modules=tuple(modules),
        other=other,
    )


def facts(view: PortfolioView) -> list[tuple[str, str]]:
    """Who and what, as the top of every format shows it."""
    return [
        ("Participant", view.name),
        ("Cohort", view.cohort),
        ("Course", f"{view.course}, version {view.course_version}"),
        ("Joined", view.joined),
        *([("Exported", view.exported)] if view.exported else []),
    ]
