"""A portfolio composed from the shipped course: every kind's answer as a reader needs it, the
CPD record, unanswered exercises said plainly, and nothing a participant wrote dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from coprod_widgets.content.courses import load_course
from coprod_widgets.model.cohort import Cohort, Feedback, Portfolio
from coprod_widgets.model.course_progress import course_progress
from coprod_widgets.model.portfolio import (
    NOT_ANSWERED,
    NOT_FINISHED,
    Labels,
    Line,
    RefLabels,
    compose,
    time_spent,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def course():
    return load_course(REPO / "data" / "courses" / "intro-coproduction")


def _cohort(course) -> Cohort:
    return Cohort(1, "Spring cohort", course.id, course.version, "f" * 64, 3, "open", "2026-03-01")


def _portfolio(course, answers, feedback=None, seconds=0) -> Portfolio:
    return Portfolio(
        cohort=_cohort(course),
        course_title=course.title,
        name="Ann Example",
        answers=answers,
        feedback=feedback or {},
        seconds=seconds,
        joined_at="2026-03-02 09:00:00",
        progress=course_progress(course, answers),
        exported_at="2026-04-01",
    )


def _answer(view, exercise_id):
    for m in view.modules:
        for a in m.exercises:
            if a.exercise_id == exercise_id:
                return a
    raise KeyError(exercise_id)


LABELS = Labels(
    ladders={"tlap-ladder": RefLabels("TLAP ladder", {"coercion": "Coercion", "informing": "X"})},
    models={"gibbs": RefLabels("Gibbs", {"description": "Description", "feelings": "Feelings"})},
    frameworks={
        "scie-four": RefLabels(
            "SCIE four", {"equality-1": "We treat everyone as equals."}, {1: "Never", 5: "Always"}
        )
    },
)


def test_each_kind_is_written_as_a_reader_needs_it(course):
    answers = {
        "own-definition": "Working with people,\nnot for them.",
        "experience-of-involvement": 4,
        "which-is-co-production": "joint-group",
        "cos-in-your-work": ["co-design", "co-delivery"],
        "tlap-today": "coercion",
        "course-reflection": {"description": "We met.", "feelings": "Nervous."},
        "principles-check": {"equality-1": 5, "equality-2": "dont_know"},
        "plan-day-centre": "https://coprod.example.org/plan?plan=abc",
    }
    view = compose(course, _portfolio(course, answers), LABELS)
    assert _answer(view, "own-definition").lines == (Line("", answers["own-definition"]),)
    assert _answer(view, "experience-of-involvement").lines == (
        Line("", "4 on 1 (None yet) to 5 (A great deal)"),
    )
    choice = course.exercise("which-is-co-production")
    joint = next(o.label for o in choice.options if o.id == "joint-group")
    assert _answer(view, "which-is-co-production").lines == (Line("", joint),)
    multi = course.exercise("cos-in-your-work")
    labels = {o.id: o.label for o in multi.options}
    assert [x.text for x in _answer(view, "cos-in-your-work").lines] == [
        labels["co-design"],
        labels["co-delivery"],
    ]
    assert _answer(view, "tlap-today").lines == (Line("", "Coercion (step 1 of 2)"),)
    reflection = _answer(view, "course-reflection")
    assert reflection.lines == (Line("Description", "We met."), Line("Feelings", "Nervous."))
    assert reflection.heading == "Gibbs"
    assert not reflection.answered and reflection.status == NOT_FINISHED  # 2 of 6 stages
    sa = _answer(view, "principles-check").lines
    assert sa == (
        Line("We treat everyone as equals.", "5 (Always)"),
        Line("equality-2", "Don't know"),
    )
    assert _answer(view, "plan-day-centre").lines == (Line("", answers["plan-day-centre"]),)


def test_unanswered_is_said_plainly_and_feedback_sits_beside_its_answer(course):
    fb = Feedback("Good start & keep <going>.", "2026-03-05 10:00:00")
    view = compose(
        course, _portfolio(course, {"weakest-co": "Co-commissioning"}, {"weakest-co": fb}), LABELS
    )
    assert _answer(view, "own-definition").status == NOT_ANSWERED
    assert _answer(view, "own-definition").lines == ()
    done = _answer(view, "weakest-co")
    assert done.answered and done.status == "" and done.feedback == fb
    assert view.cpd.dates == "2026-03-02 to 2026-03-05"  # joined, then the latest feedback


def test_the_cpd_record(course):
    answers = {"own-definition": "x", "which-is-co-production": "joint-group"}
    answers["experience-of-involvement"] = 3
    view = compose(
        course, _portfolio(course, answers, seconds=2 * 3600 + 5 * 60 + 59), LABELS, "2026-03-20"
    )
    c = view.cpd
    assert c.time_spent == "2 hours 5 minutes" and c.hours == "2.08"
    assert c.modules_done == ("What co-production is and where it comes from",)
    assert (c.answered, c.total, c.modules_total) == (3, len(course.exercises), len(course.modules))
    assert c.dates == "2026-03-02 to 2026-03-20"
    assert c.activity == f"{course.title} (version {course.version})"
    assert course.sources[0].title in c.sources[0]
    assert len(c.sources) == len(set(c.sources))
    facts = dict(c.facts())
    assert facts["Exercises answered"] == f"3 of {len(course.exercises)}"
    assert facts["Time spent"] == "2 hours 5 minutes (2.08 hours)"


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(0, "under a minute"), (59, "under a minute"), (60, "1 minute"), (3600, "1 hour")],
)
def test_time_spent(seconds, said):
    assert time_spent(seconds) == said


def test_answers_to_exercises_no_longer_in_the_course_are_kept(course):
    answers = {"old-exercise": "Words I wrote for version 0.9.", "own-definition": "x"}
    fb = {"older-still": Feedback("Feedback on a removed exercise.", "2026-03-03")}
    view = compose(course, _portfolio(course, answers, fb), LABELS)
    assert [a.exercise_id for a in view.other] == ["old-exercise", "older-still"]
    assert view.other[0].lines == (Line("", "Words I wrote for version 0.9."),)
    assert view.other[1].feedback == fb["older-still"]
    assert "Words I wrote for version 0.9." in view.texts()


def test_an_answer_of_an_unexpected_shape_is_written_out_not_dropped(course):
    answers = {
        "own-definition": {"note": "a text answer kept as a mapping"},
        "experience-of-involvement": "four",
        "which-is-co-production": "gone-option",
        "course-reflection": {"description": "Kept.", "concrete-experience": "From Kolb."},
    }
    view = compose(course, _portfolio(course, answers), Labels())
    assert _answer(view, "own-definition").lines == (
        Line("note", "a text answer kept as a mapping"),
    )
    assert _answer(view, "experience-of-involvement").lines == (Line("", "four"),)
    assert _answer(view, "which-is-co-production").lines[0].text.startswith("gone-option")
    lines = _answer(view, "course-reflection").lines
    assert Line("description", "Kept.") in lines  # no labels: the stage's id
    assert Line("Kept from another model: concrete-experience", "From Kolb.") in lines


def test_sources_are_cited_without_our_file_paths(course):
    view = compose(course, _portfolio(course, {}), LABELS)
    assert view.cpd.sources and not any(
        "shared/seeds" in s or ".txt" in s for s in view.cpd.sources
    )
    assert any("Gibbs 1988" in s for s in view.cpd.sources)
