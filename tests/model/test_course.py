"""The course model: fingerprints, what changed between two versions, and progress."""

from __future__ import annotations

from dataclasses import replace

import pytest

from coprod_widgets.model.course import (
    CHOICE,
    LADDER,
    PLANNER,
    RATING,
    REFLECTION,
    SELF_ASSESSMENT,
    TEXT,
    ChoiceOption,
    Course,
    CourseSource,
    Exercise,
    Module,
    RatingScale,
    Scenario,
    course_changes,
    course_fingerprint,
)
from coprod_widgets.model.course_progress import course_progress, is_answered

SRC = (CourseSource("Notes", reference="notes"),)
WORDS = Exercise("words", TEXT, "Say something.")
RATE = Exercise("rate", RATING, "How much?", scale=RatingScale(1, 5, "Little", "Lots"))
PICK = Exercise(
    "pick", CHOICE, "Pick one.", options=(ChoiceOption("a", "A"), ChoiceOption("b", "B"))
)
MANY = replace(PICK, id="many", multiple=True)
STEP = Exercise("step", LADDER, "Where?", ref="tlap-ladder", parts=("coercion", "co-design"))
GIBBS = Exercise("gibbs", REFLECTION, "Reflect.", ref="gibbs", parts=("description", "feelings"))
SELF = Exercise(
    "self", SELF_ASSESSMENT, "Rate.", ref="scie-four", parts=("equality-1", "equality-2")
)
PLAN = Exercise("plan", PLANNER, "Plan.", scenario=Scenario("A day centre", "Two days fewer."))


def course(*modules: Module, version: str = "1.0") -> Course:
    return Course("c", version, "A course", "Summary", "Everyone", 30, modules, SRC)


def module(mid: str, *blocks: str | Exercise) -> Module:
    return Module(mid, mid.title(), 10, blocks, SRC)


BASE = course(
    module("one", "Prose.", WORDS, RATE, PICK, MANY),
    module("two", STEP, GIBBS, SELF, PLAN),
)


def test_fingerprint_is_stable_and_ignores_the_version_and_title():
    assert course_fingerprint(BASE) == course_fingerprint(course(*BASE.modules))
    assert len(course_fingerprint(BASE)) == 64
    assert course_fingerprint(BASE) == course_fingerprint(
        replace(BASE, version="2.0", title="Renamed")
    )


@pytest.mark.parametrize(
    "changed",
    [
        course(module("one", "Other prose.", WORDS, RATE, PICK, MANY), BASE.modules[1]),
        course(
            module("one", "Prose.", replace(WORDS, prompt="Say more."), RATE, PICK, MANY),
            BASE.modules[1],
        ),
        course(
            module("one", "Prose.", WORDS, replace(RATE, scale=RatingScale(1, 7)), PICK, MANY),
            BASE.modules[1],
        ),
        course(BASE.modules[1], BASE.modules[0]),
        course(replace(BASE.modules[0], minutes=11), BASE.modules[1]),
    ],
)
def test_any_change_to_modules_changes_the_fingerprint(changed):
    assert course_fingerprint(changed) != course_fingerprint(BASE)


def test_course_changes_lists_added_removed_changed_and_moved_exercises():
    new_ex = Exercise("new", TEXT, "A new question.")
    after = course(
        module("one", "Prose.", replace(WORDS, prompt="Say more."), PICK, MANY, STEP),
        module("two", GIBBS, SELF, PLAN),
        module("three", new_ex),
        version="1.1",
    )
    ch = course_changes(BASE, after)
    assert ch.added == ("new",)
    assert ch.removed == ("rate",)
    assert ch.changed == ("words",)
    assert ch.moved == ("step",)
    assert ch.modules_added == ("three",) and ch.modules_removed == ()
    assert not ch.same and not ch.exercises_same


def test_course_changes_of_an_unchanged_course_is_empty():
    ch = course_changes(BASE, replace(BASE, version="1.1"))
    assert ch.same and ch.exercises_same
    assert ch.added == ch.removed == ch.changed == ch.moved == ()


def test_prose_only_change_keeps_exercises_same_but_not_the_fingerprint():
    after = course(module("one", "New prose.", WORDS, RATE, PICK, MANY), BASE.modules[1])
    ch = course_changes(BASE, after)
    assert ch.exercises_same and not ch.same


@pytest.mark.parametrize(
    ("exercise", "answer", "answered"),
    [
        (WORDS, "Something", True),
        (WORDS, "   ", False),
        (WORDS, None, False),
        (RATE, 3, True),
        (RATE, 6, False),
        (RATE, True, False),
        (RATE, "3", False),
        (PICK, "a", True),
        (PICK, "c", False),
        (PICK, ["a"], False),
        (MANY, ["a", "b"], True),
        (MANY, [], False),
        (MANY, ["a", "z"], False),
        (STEP, "co-design", True),
        (STEP, "citizen-control", False),
        (GIBBS, {"description": "It went.", "feelings": "Fine."}, True),
        (GIBBS, {"description": "It went.", "feelings": ""}, False),
        (GIBBS, "It went.", False),
        (SELF, {"equality-1": 4, "equality-2": "dont_know"}, True),
        (SELF, {"equality-1": 4}, False),
        (SELF, {"equality-1": 4, "equality-2": "4"}, False),
        (PLAN, "plan-code-123", True),
        (PLAN, "", False),
    ],
)
def test_what_counts_as_answered_per_kind(exercise, answer, answered):
    assert is_answered(exercise, answer) is answered


def test_progress_per_module_and_overall():
    answers = {
        "words": "Something",
        "rate": 2,
        "pick": "b",
        "many": ["a"],
        "step": "coercion",
        "gibbs": {"description": "Only one stage."},
        "removed-later": "An answer to an exercise this version no longer has.",
    }
    p = course_progress(BASE, answers)
    one, two = p.modules
    assert one.done and one.fraction == 1.0 and one.total == 4
    assert two.answered == ("step",) and two.missing == ("gibbs", "self", "plan")
    assert two.fraction == 0.25
    assert (p.answered, p.total) == (5, 8) and p.fraction == 5 / 8
    assert p.modules_done == ("one",)
    assert p.unknown == ("removed-later",)
    assert p.module("two") is two


def test_progress_of_nothing_and_of_an_empty_course():
    p = course_progress(BASE, {})
    assert p.answered == 0 and p.fraction == 0.0 and p.modules_done == ()
    empty = course_progress(course(module("reading", "Only prose.")), {})
    assert empty.fraction == 1.0 and empty.modules_done == ("reading",)


def test_course_finds_exercises_and_their_modules():
    assert BASE.key == "c@1.0"
    assert BASE.exercise("gibbs") is GIBBS
    assert BASE.module_of("gibbs").id == "two"
    with pytest.raises(KeyError):
        BASE.exercise("nope")


def test_course_survives_a_round_trip_through_json():
    import json

    from coprod_widgets.model.course import course_from_dict, course_to_dict

    back = course_from_dict(json.loads(json.dumps(course_to_dict(BASE))))
    assert back == BASE
    assert course_fingerprint(back) == course_fingerprint(BASE)
    assert back.exercise("step").parts == ("coercion", "co-design")
