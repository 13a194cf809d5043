"""A cohort's work as the trainer reads it: the roster, completion per module and per exercise,
one exercise's released answers (counts with a chart and the table beside it, free text listed,
reflections by stage) and one named participant's answers.

Names appear only in the roster and in a named participant's answers: an exercise's
distribution is drawn from ``ExerciseRelease.answers``, which holds content only (no name, order
or time), and before its first release shows nothing but how many answered and why no more.

Every piece of user text is escaped here. Charts import matplotlib only when one is drawn.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from types import MappingProxyType
from typing import Any

from ..model.cohort import ExerciseRelease, ParticipantRow
from ..model.course import (
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
from ..model.course_progress import DONT_KNOW, is_answered
from .results import Cell, rows_html

Labels = Mapping[str, str]
"""A part's id -> what a person reads: a ladder's steps, a model's stages, a framework's
statements (the page reads them from the content libraries; an id stands for itself)."""
NO_LABELS: Labels = MappingProxyType({})

KIND_NAMES = {
    TEXT: "written answer",
    RATING: "rating",
    CHOICE: "choice",
    LADDER: "ladder",
    REFLECTION: "reflection",
    SELF_ASSESSMENT: "self-assessment",
    PLANNER: "plan",
}
WHY_HELD = "Nothing of the answers is shown until then, so that no one's answer can be singled out."


def when(iso: str) -> str:
    """A stored time as people read it: "6 Dec 14:02" ("" when there is none)."""
    if not iso:
        return ""
    try:
        d = datetime.fromisoformat(iso).astimezone(UTC)
    except ValueError:
        return iso[:16]
    return f"{d.day} {d:%b} {d:%H:%M}"


def duration(seconds: int) -> str:
    """Time spent as people read it: "under a minute", "12 min", "1 h 05 min"."""
    minutes = max(0, seconds) // 60
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def title_of(exercise: Exercise, width: int = 70) -> str:
    """An exercise's prompt cut to one line, to name it in tables and pickers."""
    p = " ".join(exercise.prompt.split())
    return p if len(p) <= width else p[: width - 1].rstrip() + "…"


# -- the roster and completion ----------------------------------------------------------------


def roster_rows(roster: Sequence[ParticipantRow]) -> list[dict[str, Cell]]:
    """One row per participant: name, joined, last active, time spent, completion."""
    return [
        {
            "Name": p.name,
            "Joined": when(p.joined_at),
            "Last active": when(p.updated_at),
            "Time spent": duration(p.seconds),
            "Exercises done": f"{p.progress.answered} of {p.progress.total}",
            "Completed": _pct(p.progress.fraction),
        }
        for p in roster
    ]


def module_rows(course: Course, roster: Sequence[ParticipantRow]) -> list[dict[str, Cell]]:
    """One row per module: how many finished it, and its share of answers given."""
    n = len(roster)
    rows: list[dict[str, Cell]] = []
    for i, m in enumerate(course.modules, 1):
        done = given = 0
        for p in roster:
            mp = p.progress.module(m.id)
            done += mp.done
            given += len(mp.answered)
        possible = n * len(m.exercises)
        rows.append(
            {
                "Module": f"{i}. {m.title}",
                "Exercises": len(m.exercises),
                "Finished by": f"{done} of {n}",
                "Answers given": _pct(given / possible) if possible else "–",
            }
        )
    return rows


def exercise_rows(course: Course, roster: Sequence[ParticipantRow]) -> list[dict[str, Cell]]:
    """One row per exercise, numbered by module (1.2: the module's second): how many of the
    cohort answered it."""
    n = len(roster)
    answered: Counter[str] = Counter()
    for p in roster:
        for mp in p.progress.modules:
            answered.update(mp.answered)
    return [
        {
            "Exercise": f"{i}.{j} {title_of(e)}",
            "Kind": KIND_NAMES.get(e.kind, e.kind),
            "Answered by": f"{answered[e.id]} of {n}",
        }
        for i, m in enumerate(course.modules, 1)
        for j, e in enumerate(m.exercises, 1)
    ]


def roster_html(course: Course, roster: Sequence[ParticipantRow]) -> str:
    """The roster, then completion per module and per exercise: tables, so each is its own text
    alternative."""
    if not roster:
        return "<p>No one has joined yet. Share the join link with the participants.</p>"
    return (
        rows_html(roster_rows(roster), f"Participants ({len(roster)})")
        + rows_html(module_rows(course, roster), "Completion by module")
        + rows_html(exercise_rows(course, roster), "Completion by exercise")
    )


# -- one exercise's released answers ----------------------------------------------------------


def _label(labels: Labels, key: str) -> str:
    return labels.get(key, key)


def counts(
    exercise: Exercise, answers: Sequence[Any], labels: Labels = NO_LABELS
) -> list[tuple[str, int]]:
    """A rating's, a choice's or a ladder's answers counted on each point, option or step, in
    the exercise's order (every point shown, answered or not)."""
    tally: Counter[str] = Counter()
    for a in answers:
        if exercise.kind == CHOICE and isinstance(a, (list, tuple)):
            tally.update(str(x) for x in a)
        elif is_answered(exercise, a):
            tally[str(a)] += 1
    if exercise.kind == RATING and exercise.scale is not None:
        s = exercise.scale
        ends = {s.low: s.low_label, s.high: s.high_label}
        keys = [(str(v), f"{v} {ends.get(v, '')}".strip()) for v in s.values]
    elif exercise.kind == CHOICE:
        keys = [(o.id, o.label) for o in exercise.options]
    else:
        order = list(exercise.parts) or sorted(tally)
        keys = [(k, _label(labels, k)) for k in order]
    return [(label, tally[key]) for key, label in keys]


def self_assessment_rows(
    exercise: Exercise, answers: Sequence[Any], labels: Labels = NO_LABELS
) -> list[dict[str, Cell]]:
    """One row per statement: how many put it on each point of the scale, and "don't know"."""
    dicts = [a for a in answers if isinstance(a, Mapping)]
    points = sorted({v for a in dicts for v in a.values() if isinstance(v, int)})
    keys = list(exercise.parts) or sorted({k for a in dicts for k in a})
    rows: list[dict[str, Cell]] = []
    for k in keys:
        got = Counter(a.get(k) for a in dicts)
        row: dict[str, Cell] = {"Statement": _label(labels, k)}
        row.update({str(p): got[p] for p in points})
        row["Don't know"] = got[DONT_KNOW]
        rows.append(row)
    return rows


def _texts_html(texts: Sequence[str], none: str = "No text yet.") -> str:
    items = "".join(f"<li>{escape(t)}</li>" for t in texts if t.strip())
    return f"<ul class='coprod-answers'>{items}</ul>" if items else f"<p>{none}</p>"


def reflections_html(exercise: Exercise, answers: Sequence[Any], labels: Labels = NO_LABELS) -> str:
    """Each stage of the model, with what the cohort wrote for it (no names, no one's stages
    kept together: each stage's texts are sorted on their own)."""
    dicts = [a for a in answers if isinstance(a, Mapping)]
    stages = list(exercise.parts) or sorted({k for a in dicts for k in a})
    out = []
    for s in stages:
        texts = sorted(str(a[s]) for a in dicts if isinstance(a.get(s), str))
        out.append(f"<h4>{escape(_label(labels, s))}</h4>{_texts_html(texts)}")
    return "".join(out)


def bar_svg(pairs: Sequence[tuple[str, int]], label: str) -> str:
    """A horizontal bar per point, option or step: how many chose it (matplotlib on first use)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    from .charts import _svg, _wrap

    fig = Figure(figsize=(7.0, 0.45 * len(pairs) + 1.0))
    ax = fig.subplots()
    names = [_wrap(p[0], 34) for p in pairs][::-1]
    ax.barh(names, [p[1] for p in pairs][::-1], color="#2166ac")
    ax.set_xlabel("number of participants")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig, label)


def _figure(pairs: Sequence[tuple[str, int]], exercise: Exercise, charts: bool) -> str:
    head = "Option" if exercise.kind == CHOICE else "Step" if exercise.kind == LADDER else "Point"
    table = rows_html([{head: k, "Participants": v} for k, v in pairs], title_of(exercise))
    if not charts or not any(v for _, v in pairs):
        return table
    alt = f"Bar chart of the answers to: {title_of(exercise)}. The table beside it has the numbers."
    return f"<div class='coprod-figure'><figure>{bar_svg(pairs, alt)}</figure>{table}</div>"


def distribution_html(
    exercise: Exercise, answers: Sequence[Any], labels: Labels = NO_LABELS, charts: bool = True
) -> str:
    """The body of a released exercise's answers, by kind."""
    kind = exercise.kind
    if kind in (RATING, CHOICE, LADDER):
        note = (
            "<p class='coprod-note'>Each person could pick more than one.</p>"
            if kind == CHOICE and exercise.multiple
            else ""
        )
        return note + _figure(counts(exercise, answers, labels), exercise, charts)
    if kind == SELF_ASSESSMENT:
        rows = self_assessment_rows(exercise, answers, labels)
        return rows_html(rows, f"How the cohort rated each statement: {title_of(exercise)}")
    if kind == REFLECTION:
        return reflections_html(exercise, answers, labels)
    if kind == PLANNER:
        # A plan's code opens the plan: it is never listed, only counted.
        return (
            f"<p>{len(answers)} plan{'s' if len(answers) != 1 else ''} made. Each plan is "
            "private to its author: read one through a participant's answers below.</p>"
        )
    return _texts_html(sorted(str(a) for a in answers if isinstance(a, str)))


def release_html(
    exercise: Exercise,
    release: ExerciseRelease,
    min_answers: int,
    labels: Labels = NO_LABELS,
    charts: bool = True,
) -> str:
    """One exercise as the trainer may see it: before its first release how many answered and
    why nothing more; after, the released answers, and any newer ones still held back."""
    head = f"<h3>{escape(title_of(exercise, 200))}</h3>"
    given = release.given
    if release.answers is None:
        return (
            f"<section class='coprod-exercise-release'>{head}<p><strong>{given} answered</strong>"
            f"; the answers are shown once {min_answers} have.</p>"
            f"<p class='coprod-held-why'>{WHY_HELD}</p></section>"
        )
    shown = len(release.answers)
    held = ""
    if release.need_more:
        newer = max(0, given - shown)
        since = f"{newer} more {'has' if newer == 1 else 'have'} answered since. " if newer else ""
        held = (
            f"<p class='coprod-note'>{since}A new set is shown once at least "
            f"{release.need_more} more {'person has' if release.need_more == 1 else 'people have'}"
            " answered or changed an answer, so that comparing one set with the next never "
            "shows what one person said.</p>"
        )
    return (
        f"<section class='coprod-exercise-release'>{head}<p><strong>{shown} answers shown"
        f"</strong> ({given} answered now).</p>{held}"
        f"{distribution_html(exercise, release.answers, labels, charts)}</section>"
    )


# -- one named participant's answers ----------------------------------------------------------


def answer_html(exercise: Exercise, answer: Any, labels: Labels = NO_LABELS) -> str:
    """A participant's answer to one exercise, as the trainer reads it (escaped)."""
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return "<p class='coprod-note'>Not answered yet.</p>"
    kind = exercise.kind
    if kind == CHOICE:
        names = {o.id: o.label for o in exercise.options}
        picked = answer if isinstance(answer, (list, tuple)) else [answer]
        return _texts_html([names.get(str(a), str(a)) for a in picked])
    if kind == LADDER:
        return f"<p>{escape(_label(labels, str(answer)))}</p>"
    if kind == RATING and exercise.scale is not None:
        s = exercise.scale
        end = {s.low: s.low_label, s.high: s.high_label}.get(answer, "")
        point = f"{answer} ({end})" if end else str(answer)
        return f"<p>{escape(point)} on a scale of {s.low} to {s.high}</p>"
    if kind == PLANNER and isinstance(answer, str):
        if answer.startswith(("https://", "http://", "/")):  # never javascript: or data:
            return f"<p><a href='{escape(answer)}' target='_blank' rel='noopener'>Open their plan</a></p>"
        return f"<p>Their plan's code: <code>{escape(answer)}</code></p>"
    if kind in (REFLECTION, SELF_ASSESSMENT) and isinstance(answer, Mapping):
        keys = list(exercise.parts) or sorted(answer)
        if kind == SELF_ASSESSMENT:
            rows: list[dict[str, Cell]] = [
                {
                    "Statement": _label(labels, k),
                    "Rating": "don't know" if answer.get(k) == DONT_KNOW else answer.get(k),
                }
                for k in keys
            ]
            return rows_html(rows, "Their ratings")
        return "".join(
            f"<h4>{escape(_label(labels, k))}</h4>"
            f"<p class='coprod-answer'>{escape(str(answer.get(k) or ''))}</p>"
            for k in keys
        )
    return f"<p class='coprod-answer'>{escape(str(answer))}</p>"
