"""What a rating, a comment and a round's settings must look like."""

from __future__ import annotations

from dataclasses import replace

import pytest

from coprod_widgets.errors import InvalidInput
from coprod_widgets.model.rounds import (
    Answer,
    Rating,
    Round,
    check_comment,
    check_rating,
    check_round_settings,
)

# -- check_rating ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement_id", "value"),
    [("p1-a", 1), ("p1-b", 4), ("p2-a", 2), ("p2-b", None)],
)
def test_rating_accepts_scale_values_and_nothing(small_framework, statement_id, value):
    check_rating(small_framework, statement_id, value, False)


def test_rating_accepts_dont_know_without_value(small_framework):
    check_rating(small_framework, "p1-a", None, True)


@pytest.mark.parametrize(
    "value",
    [0, 5, -1, True, False, 2.0, "3", [3]],
    ids=["below", "above", "negative", "True", "False", "float", "text", "list"],
)
def test_rating_rejects_values_outside_the_scale(small_framework, value):
    with pytest.raises(InvalidInput, match="must be one of"):
        check_rating(small_framework, "p1-a", value, False)


def test_rating_rejects_bool_even_though_true_equals_one(small_framework):
    assert True in small_framework.scale.values  # True == 1: only the type check stops it
    with pytest.raises(InvalidInput):
        check_rating(small_framework, "p1-a", True, False)


def test_rating_rejects_unknown_statement(small_framework):
    with pytest.raises(InvalidInput, match="'nope'.*small@1.0"):
        check_rating(small_framework, "nope", 2, False)


def test_rating_rejects_unknown_statement_even_for_dont_know(small_framework):
    with pytest.raises(InvalidInput, match="not in framework"):
        check_rating(small_framework, "p1", None, True)  # a principle id, not a statement


def test_rating_rejects_dont_know_with_a_value(small_framework):
    with pytest.raises(InvalidInput, match="not both"):
        check_rating(small_framework, "p1-a", 3, True)


def test_rating_rejects_dont_know_when_scale_does_not_offer_it(small_framework):
    fw = replace(small_framework, scale=replace(small_framework.scale, dont_know=False))
    with pytest.raises(InvalidInput, match="does not offer"):
        check_rating(fw, "p1-a", None, True)
    check_rating(fw, "p1-a", 2, False)  # values are still fine


# -- check_comment --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "Some evidence.", "x" * 20_000, "<b>html</b>"])
def test_comment_accepts_text(small_framework, text):
    check_comment(small_framework, "p2", text)


def test_comment_rejects_unknown_principle(small_framework):
    with pytest.raises(InvalidInput, match="principle 'p9'"):
        check_comment(small_framework, "p9", "text")


def test_comment_rejects_a_statement_id_as_principle(small_framework):
    with pytest.raises(InvalidInput):
        check_comment(small_framework, "p1-a", "text")


@pytest.mark.parametrize("text", [None, 5, ["a"], {"a": 1}])
def test_comment_rejects_non_text(small_framework, text):
    with pytest.raises(InvalidInput, match="must be text"):
        check_comment(small_framework, "p1", text)


def test_comment_rejects_over_20000_characters(small_framework):
    with pytest.raises(InvalidInput, match="20,000"):
        check_comment(small_framework, "p1", "x" * 20_001)


# -- check_round_settings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("team", "min_answers", "roles"),
    [
        ("Riverside", 3, ()),
        ("R", 1, ["Staff", "Carer"]),
        ("x" * 200, 1000, ("Staff",)),
    ],
)
def test_round_settings_accepted(team, min_answers, roles):
    check_round_settings(team, min_answers, roles)


@pytest.mark.parametrize(
    ("team", "min_answers", "roles", "match"),
    [
        ("", 3, (), "team name"),
        ("   ", 3, (), "team name"),
        (None, 3, (), "team name"),
        ("x" * 201, 3, (), "200"),
        ("T", 0, (), "minimum answers"),
        ("T", -2, (), "minimum answers"),
        ("T", True, (), "minimum answers"),
        ("T", 2.5, (), "minimum answers"),
        ("T", "3", (), "minimum answers"),
        ("T", 1001, (), "at most 1000"),
        ("T", 3, ["Staff", ""], "roles"),
        ("T", 3, ["  "], "roles"),
        ("T", 3, [None], "roles"),
    ],
)
def test_round_settings_rejected(team, min_answers, roles, match):
    with pytest.raises(InvalidInput, match=match):
        check_round_settings(team, min_answers, roles)


# -- plain data round trips (what goes over JSON to a member's page) ------------------------


def test_round_to_dict_and_back():
    r = Round(1, "T", "fw", "1.0", anonymous=False, min_answers=4, roles=("Staff", "Carer"))
    d = r.to_dict()
    assert d["roles"] == ["Staff", "Carer"]
    assert Round.from_dict(d) == r
    assert r.is_open and not replace(r, status="closed").is_open


def test_answer_to_dict_and_back(small_framework):
    a = Answer(
        ratings={"p1-a": Rating(3), "p1-b": Rating(None, True)},
        comments={"p1": "text"},
        status="submitted",
        name="Ann",
        role="Carer",
        submitted_at="2025-01-01T00:00:00",
    )
    b = Answer.from_dict(a.to_dict())
    assert b == a
    assert b.submitted
    assert b.answered_count(small_framework) == 2
    assert b.answered_count(small_framework, "p2") == 0
    assert b.rating("p2-a") == Rating()
    assert not Rating().answered and Rating(None, True).answered
