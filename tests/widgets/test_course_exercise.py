"""The exercise widgets, headless: each kind shows a saved answer, turns an edit into the
answer as stored (which ``is_answered`` accepts), and labels every input."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import pytest

from coprod_widgets.content import load_framework
from coprod_widgets.content.courses import load_course
from coprod_widgets.content.ladders import LadderLibrary
from coprod_widgets.content.models import ModelLibrary
from coprod_widgets.model.course import (
    ChoiceOption,
    Exercise,
    RatingScale,
    Scenario,
)
from coprod_widgets.model.course_progress import is_answered
from coprod_widgets.widgets.course_exercise import (
    LadderExercise,
    MultipleChoiceExercise,
    PlannerExercise,
    RatingExercise,
    ReflectionExercise,
    SelfAssessmentExercise,
    SingleChoiceExercise,
    TextExercise,
    exercise_widget,
)
from coprod_widgets.widgets.rating import DONT_KNOW

REPO = Path(__file__).resolve().parents[2]


def _inputs(widget: w.Widget) -> list[w.Widget]:
    found: list[w.Widget] = []
    for c in getattr(widget, "children", ()):
        if isinstance(c, (w.Textarea, w.Text, w.RadioButtons, w.Checkbox, w.Button)):
            found.append(c)
        found.extend(_inputs(c))
    return found


def _labelled(widget: w.Widget) -> None:
    for i in _inputs(widget):
        assert i.description.strip(), f"an input without a label: {i!r}"


def test_text_round_trips_and_a_saved_answer_is_shown():
    ex = Exercise("t", "text", "What does <co-production> mean to you?", hint="A sentence.")
    widget = exercise_widget(ex, "Sharing power")
    assert isinstance(widget, TextExercise)
    assert widget.box.value == "Sharing power"
    assert "&lt;co-production&gt;" in widget.heading.value  # the prompt is escaped
    widget.box.value = "Sharing power, and the budget"
    assert widget.value == "Sharing power, and the budget"
    assert is_answered(ex, widget.value)
    assert exercise_widget(ex, TextExercise(ex, widget.value).value).box.value == widget.value
    _labelled(widget)


def test_rating_round_trips_and_names_its_ends():
    ex = Exercise("r", "rating", "How ready?", scale=RatingScale(1, 5, "Not at all", "Fully"))
    widget = exercise_widget(ex, 4)
    assert isinstance(widget, RatingExercise)
    assert widget.radios.value == 4
    assert widget.radios.options[0] == ("1 Not at all", 1)
    assert widget.radios.options[-1] == ("5 Fully", 5)
    assert widget.radios.description == "How ready?"  # the radio group's name in the page
    widget.radios.value = 2
    assert widget.value == 2 and is_answered(ex, 2)
    assert exercise_widget(ex, 9).value is None  # off the scale shows as unrated
    assert exercise_widget(ex, True).value is None
    _labelled(widget)


def test_single_and_multiple_choice_round_trip():
    options = (ChoiceOption("a", "Ask"), ChoiceOption("b", "Build"), ChoiceOption("c", "Check"))
    one = Exercise("c1", "choice", "Pick one", options=options)
    widget = exercise_widget(one, "b")
    assert isinstance(widget, SingleChoiceExercise)
    assert widget.radios.value == "b"
    widget.radios.value = "c"
    assert widget.value == "c" and is_answered(one, widget.value)

    many = Exercise("c2", "choice", "Pick any", options=options, multiple=True)
    widget = exercise_widget(many, ["c", "a", "zz"])
    assert isinstance(widget, MultipleChoiceExercise)
    assert [i for i, cb in widget.boxes.items() if cb.value] == ["a", "c"]
    widget.boxes["b"].value = True
    assert widget.value == ["a", "b", "c"] and is_answered(many, widget.value)
    widget.boxes["a"].value = widget.boxes["b"].value = widget.boxes["c"].value = False
    assert widget.value == [] and not is_answered(many, widget.value)
    _labelled(widget)


def test_ladder_lists_the_steps_highest_first_and_round_trips():
    ladder = LadderLibrary().get("arnstein-ladder")
    steps = tuple(s.id for s in ladder.steps)
    ex = Exercise("l", "ladder", "Where is your board?", ref=ladder.id, parts=steps)
    widget = exercise_widget(ex, steps[2], ladder=ladder)
    assert isinstance(widget, LadderExercise)
    assert widget.radios.value == steps[2]
    assert [v for _, v in widget.radios.options] == list(reversed(steps))
    assert ladder.steps[-1].title in widget.children[1].value  # the steps, described
    widget.radios.value = steps[0]
    assert widget.value == steps[0] and is_answered(ex, widget.value)
    # Without the ladder's file the step ids are still offered.
    bare = exercise_widget(ex, steps[1])
    assert bare.value == steps[1] and len(bare.radios.options) == len(steps)
    _labelled(widget)


def test_reflection_has_a_labelled_box_per_stage_and_round_trips():
    model = ModelLibrary().get("gibbs")
    stages = tuple(s.id for s in model.stages)
    ex = Exercise("rf", "reflection", "Look back", ref="gibbs", parts=stages)
    saved = {stages[0]: "What happened", "not-a-stage": "x"}
    widget = exercise_widget(ex, saved, model=model)
    assert isinstance(widget, ReflectionExercise)
    assert widget.value == {stages[0]: "What happened"}
    assert [a.description for a in widget.areas.values()] == [s.title for s in model.stages]
    for sid in stages:
        widget.areas[sid].value = f"text for {sid}"
    assert widget.value == {sid: f"text for {sid}" for sid in stages}
    assert is_answered(ex, widget.value)
    assert set(widget.text_boxes()) == set(stages)
    again = exercise_widget(ex, widget.value, model=model)
    assert [a.value for a in again.areas.values()] == [f"text for {sid}" for sid in stages]
    _labelled(widget)


def test_self_assessment_uses_the_teams_rating_widget_and_round_trips():
    fw = load_framework(REPO / "data" / "frameworks" / "six-areas-of-benefit.yaml")
    ids = tuple(s.id for s in fw.statements)
    ex = Exercise("sa", "self-assessment", "Rate", ref=fw.id, parts=ids)
    widget = exercise_widget(ex, {ids[0]: DONT_KNOW, ids[1]: 99}, framework=fw)
    assert isinstance(widget, SelfAssessmentExercise)
    assert widget.value == {ids[0]: DONT_KNOW}
    assert widget.ratings[ids[0]].choice == DONT_KNOW and widget.ratings[ids[1]].choice is None
    low = fw.scale.points[0].value
    for r in widget.ratings.values():
        r.radios.value = low  # as a keyboard choice does
    assert widget.value == {i: low for i in ids} and is_answered(ex, widget.value)
    _labelled(widget)


def test_planner_shows_the_scenario_and_the_plan_once_made():
    ex = Exercise(
        "p", "planner", "Plan it", scenario=Scenario("A <new> day centre", "Plan how to involve")
    )
    widget = exercise_widget(ex)
    assert isinstance(widget, PlannerExercise)
    assert "A &lt;new&gt; day centre" in widget.children[1].value
    made: list[str] = []

    def make(wdg: PlannerExercise) -> None:
        made.append(wdg.exercise_id)
        wdg.value = "http://localhost/voila/render/planner.ipynb?plan=abc"

    widget.on_make(make)
    widget.make_button.click()
    assert made == ["p"]
    assert "Open my plan" in widget.link.value and widget.make_button.layout.display == "none"
    assert is_answered(ex, widget.value)
    coded = exercise_widget(ex, "abc'><script>")
    assert "<script>" not in coded.link.value
    _labelled(widget)


def test_every_exercise_of_the_shipped_course_gets_a_widget():
    course = load_course(REPO / "data" / "courses" / "intro-coproduction")
    kinds = {e.kind for e in course.exercises}
    assert {"text", "rating", "choice", "ladder", "reflection", "self-assessment"} <= kinds
    for ex in course.exercises:
        widget = exercise_widget(ex)
        assert widget.exercise_id == ex.id
        assert not is_answered(ex, widget.value)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="no widget"):
        exercise_widget(Exercise("x", "drawing", "Draw"))
