"""A cohort of the shipped course in a real store, its participants answering every kind of
exercise (with an HTML payload and an ampersand in their text) and the trainer's feedback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coprod_widgets.content.courses import load_course
from coprod_widgets.model.course import (
    CHOICE,
    LADDER,
    PLANNER,
    RATING,
    REFLECTION,
    SELF_ASSESSMENT,
    Course,
    Exercise,
)

COURSE = Path(__file__).resolve().parents[2] / "data" / "courses" / "intro-coproduction"
XSS = "<script>alert('p')</script> & <b>co</b>"


def course() -> Course:
    return load_course(COURSE)


def answer(e: Exercise, i: int) -> Any:
    """Participant i's answer to e, of the shape its kind expects."""
    if e.kind == RATING:
        assert e.scale is not None
        return e.scale.low + i % (e.scale.high - e.scale.low + 1)
    if e.kind == CHOICE:
        ids = [o.id for o in e.options]
        return ids[i % len(ids) :][:2] if e.multiple else ids[i % len(ids)]
    if e.kind == LADDER:
        return e.parts[i % len(e.parts)]
    if e.kind == REFLECTION:
        return {s: f"P{i} {s}: {XSS}" for s in e.parts}
    if e.kind == SELF_ASSESSMENT:
        return {s: (n + i) % 5 + 1 if (n + i) % 7 else "dont_know" for n, s in enumerate(e.parts)}
    if e.kind == PLANNER:
        return f"https://coprod.example.org/plan?plan=p{i}"
    return f"P{i} on {e.id}: {XSS}"


def name(i: int) -> str:
    return f"Participant {i:02d} {XSS}" if i % 3 == 0 else f"Participant {i:02d}"


def fill_cohort(store: Any, n: int, title: str = f"Spring {XSS}") -> tuple[int, list[int], Course]:
    """A cohort of the shipped course with n participants who answered all of it (the last one
    only its first module) and feedback on each one's first exercise; (cohort id, ids, course)."""
    c = course()
    links = store.cohorts.create(title, c, min_answers=3)
    cid = links.cohort.id
    for i in range(n):
        me = f"participant-token-{i:04d}-abcdefghijklmnop"
        store.cohorts.join(links.join_code, me, name(i))
        exercises = c.modules[0].exercises if i == n - 1 else c.exercises
        for e in exercises:
            store.cohorts.save_answer(links.join_code, me, e.id, answer(e, i))
        store.cohorts.add_time(links.join_code, me, 120)
    ids = [r.id for r in store.cohorts.roster(cid)]
    first = c.exercises[0].id
    for pid in ids:
        store.cohorts.save_feedback(cid, pid, first, f"Feedback {pid}: {XSS}")
    return cid, ids, c
