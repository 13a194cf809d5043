"""A cohort's work drawn for the trainer: counts on every point, free text escaped and without
names, reflections by stage, nothing before the first release but the count and why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coprod_widgets.analysis.course import (
    answer_html,
    counts,
    distribution_html,
    duration,
    release_html,
    roster_html,
    self_assessment_rows,
)
from coprod_widgets.content.courses import References, load_course
from coprod_widgets.model.cohort import ExerciseRelease, ParticipantRow
from coprod_widgets.model.course_progress import course_progress

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "courses" / "intro-coproduction"


@pytest.fixture(scope="module")
def course():
    return load_course(SHIPPED, References.load())


def _kind(course, kind):
    return next(e for e in course.exercises if e.kind == kind)


def test_before_the_first_release_only_the_count_and_why(course):
    ex = _kind(course, "text")
    html = release_html(ex, ExerciseRelease(ex.id, given=2, answers=None), 5)
    assert "2 answered" in html and "shown once 5 have" in html
    assert "singled out" in html


def test_a_released_rating_counts_every_point_and_draws_a_chart_with_its_table(course):
    ex = _kind(course, "rating")
    rel = ExerciseRelease(ex.id, given=4, answers=(1, 3, 3, 5), sequence=1)
    pairs = counts(ex, rel.answers)
    assert [n for _, n in pairs] == [1, 0, 2, 0, 1]  # every point, answered or not
    assert pairs[0][0].startswith("1 ") and ex.scale and ex.scale.low_label in pairs[0][0]
    html = release_html(ex, rel, 3)
    assert "<svg" in html and "aria-label=" in html and "<table" in html
    assert "4 answers shown" in html and "answered since" not in html


def test_multiple_choice_counts_each_pick_and_says_so(course):
    ex = next(e for e in course.exercises if e.kind == "choice" and e.multiple)
    a, b = ex.options[0].id, ex.options[1].id
    pairs = dict(counts(ex, ([a, b], [a], [b, a])))
    assert pairs[ex.options[0].label] == 3 and pairs[ex.options[1].label] == 2
    assert "more than one" in distribution_html(ex, ([a],), charts=False)


def test_ladder_placements_are_counted_under_the_steps_names(course):
    ex = _kind(course, "ladder")
    step = ex.parts[1]
    pairs = counts(ex, (step, step, ex.parts[0]), {step: "Consulting"})
    assert ("Consulting", 2) in pairs and len(pairs) == len(ex.parts)


def test_free_text_is_escaped_and_the_newer_answers_held_back_are_said(course):
    ex = _kind(course, "text")
    rel = ExerciseRelease(ex.id, 4, ("<script>alert(1)</script>", "fine"), 1, need_more=2)
    html = release_html(ex, rel, 2)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "2 more have answered since" in html and "2 more people" in html


def test_reflections_are_shown_stage_by_stage(course):
    ex = _kind(course, "reflection")
    first, second = ex.parts[:2]
    answers = ({first: "zebra", second: "apple"}, {first: "aardvark", second: "yak"})
    html = distribution_html(ex, answers, {first: "Description"})
    assert "<h4>Description</h4>" in html
    part = html.split("<h4>")[1]
    assert part.index("aardvark") < part.index("zebra")  # each stage sorted on its own


def test_a_plan_is_counted_never_listed(course):
    ex = _kind(course, "planner")
    html = distribution_html(ex, ("secret-plan-code", "another-code"))
    assert "2 plans made" in html and "secret-plan-code" not in html


def test_self_assessment_rows_count_each_statement(course):
    ex = _kind(course, "self-assessment")
    s = ex.parts[0]
    rows = self_assessment_rows(ex, ({s: 3}, {s: 3}, {s: "dont_know"}))
    assert rows[0]["3"] == 2 and rows[0]["Don't know"] == 1 and len(rows) == len(ex.parts)


def test_the_roster_and_completion_tables(course):
    first = course.exercises[0]
    done = {first.id: "something"}
    rows = [
        ParticipantRow(
            1, "<b>Ann</b>", "2026-12-01T10:00:00+00:00", "", 3700, course_progress(course, done)
        ),
        ParticipantRow(2, "Bo", "2026-12-01T11:00:00+00:00", "", 30, course_progress(course, {})),
    ]
    html = roster_html(course, rows)
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html and "<b>Ann" not in html
    assert "1 h 01 min" in html and "under a minute" in html
    assert re.search(r"<td>1 of 2</td>", html)  # the first exercise, answered by one of two
    assert len(re.findall("<table", html)) == 3


def test_a_named_answer_is_escaped_and_a_choice_shows_its_label(course):
    ex = _kind(course, "choice")
    assert ex.options[0].label in answer_html(ex, ex.options[0].id)
    text = _kind(course, "text")
    assert "&lt;script&gt;" in answer_html(text, "<script>x</script>")
    assert "Not answered yet" in answer_html(text, None)
    rating = _kind(course, "rating")
    assert rating.scale is not None
    low = f"{rating.scale.low} ({rating.scale.low_label}) on a scale of"
    assert low in answer_html(rating, rating.scale.low)
    assert duration(59) == "under a minute" and duration(600) == "10 min"


def test_a_named_plan_opens_only_by_a_web_address(course):
    ex = _kind(course, "planner")
    assert "href='https://srv/voila/render/planner.ipynb?plan=abc'" in answer_html(
        ex, "https://srv/voila/render/planner.ipynb?plan=abc"
    )
    shown = answer_html(ex, "javascript:alert(1)")
    assert "href" not in shown and "<code>javascript:alert(1)</code>" in shown
