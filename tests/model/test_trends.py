"""Trends over three rounds, actions beside what moved, and framework versions never mixed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from coprod_widgets.model.actions import Action
from coprod_widgets.model.aggregate import aggregate
from coprod_widgets.model.framework import Statement
from coprod_widgets.model.rounds import Answer, Rating, Round
from coprod_widgets.model.trends import comparable, effects, trends, version_changes


def answer(v1: float, v2: int) -> Answer:
    return Answer(
        ratings={"p1-a": Rating(v1), "p1-b": Rating(v1), "p2-a": Rating(v2), "p2-b": Rating(v2)},
        status="submitted",
    )


def results(fw, round_id, values, min_answers=3):
    r = Round(
        round_id,
        "T",
        fw.id,
        fw.version,
        min_answers=min_answers,
        series_id=1,
        created_at=f"2026-0{round_id}-01T10:00:00",
    )
    return aggregate(r, fw, [answer(a, b) for a, b in values])


@pytest.fixture
def three(small_framework):
    fw = small_framework
    return [
        results(fw, 1, [(1, 4), (2, 4), (2, 3)]),  # p1 median 2, p2 median 4
        results(fw, 2, [(2, 4), (3, 4), (3, 1)]),  # p1 median 3, p2 median 4
        results(fw, 3, [(4, 4), (3, 4), (4, 4), (4, 2)]),  # p1 median 4, p2 median 4
    ]


def test_trend_across_three_rounds(three):
    ts = {t.principle_id: t for t in trends(three)}
    assert [p.median for p in ts["p1"].points] == [2, 3, 4]
    assert [p.median for p in ts["p2"].points] == [4, 4, 4]
    assert [p.round_id for p in ts["p1"].points] == [1, 2, 3]
    assert [p.date for p in ts["p1"].points] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    # spread: population SD of member scores. Round 2, p2: 4, 4, 1 -> mean 3, SD sqrt(2)
    assert ts["p2"].points[1].spread == pytest.approx(2**0.5)
    assert ts["p1"].breaks == ()


def test_a_round_below_the_minimum_is_a_gap_not_a_zero(small_framework, three):
    thin = results(small_framework, 2, [(1, 1)])
    ts = {t.principle_id: t for t in trends([three[0], thin, three[2]])}
    assert [p.shown for p in ts["p1"].points] == [True, False, True]
    assert [p.median for p in ts["p1"].shown_points] == [2, 4]


def action(round_id, principle_id="p1", **kw) -> Action:
    return Action(
        id=round_id * 10, round_id=round_id, series_id=1, principle_id=principle_id, what="x", **kw
    )


def test_effect_of_an_action_is_its_principle_between_its_round_and_the_next(three):
    e1, e2, e3 = effects([action(1), action(2, "p2"), action(3)], three)
    assert e1.compared and e1.median_change == 1.0  # 2 -> 3
    assert (e1.before.round_id, e1.after.round_id) == (1, 2)
    assert e2.compared and e2.median_change == 0.0
    # round 3, p2: 4, 4, 4, 2 -> mean 3.5, SD sqrt(0.75); round 2 was sqrt(2): views came together
    assert e2.spread_change == pytest.approx(0.75**0.5 - 2**0.5)
    assert not e3.compared and e3.reason == "no later round yet"


def test_no_effect_when_a_round_had_too_few_answers(small_framework, three):
    thin = results(small_framework, 2, [(1, 1)])
    (e,) = effects([action(1)], [three[0], thin])
    assert not e.compared and "too few answers" in e.reason
    assert e.median_change is None


def test_a_changed_framework_version_is_named_and_not_mixed(small_framework):
    v1 = small_framework
    p1 = v1.principles[0]
    v2 = replace(
        v1,
        version="2.0",
        principles=(
            replace(p1, statements=(*p1.statements, Statement("p1-c", "We report back."))),
            v1.principles[1],
        ),
    )
    assert not comparable(v1, v2, "p1") and comparable(v1, v2, "p2")
    a = results(v1, 1, [(1, 1), (1, 1), (1, 1)])
    b = results(v2, 2, [(4, 4), (4, 4), (4, 4)])
    (note,) = version_changes([a, b])
    assert "version 2.0" in note and "version 1.0" in note and "Listening" in note
    ts = {t.principle_id: t for t in trends([a, b])}
    assert ts["p1"].breaks == (1,)  # the line breaks where the statements changed
    assert ts["p2"].breaks == ()
    e_p1, e_p2 = effects([action(1, "p1"), action(1, "p2")], [a, b])
    assert not e_p1.compared and "statements changed" in e_p1.reason
    assert e_p2.compared and e_p2.median_change == 3.0


def test_same_version_in_every_round_gives_no_version_note(three):
    assert version_changes(three) == []


def test_a_reworded_statement_or_a_changed_scale_is_not_compared(small_framework):
    v1 = small_framework
    p1, p2 = v1.principles
    reworded = replace(
        v1,
        version="1.1",
        principles=(
            replace(
                p1,
                statements=(replace(p1.statements[0], text="Something else."), *p1.statements[1:]),
            ),
            p2,
        ),
    )
    assert not comparable(v1, reworded, "p1") and comparable(v1, reworded, "p2")
    # Spacing and case alone do not make a different question.
    respaced = replace(
        v1,
        principles=(
            replace(
                p1,
                statements=(
                    replace(p1.statements[0], text="  " + p1.statements[0].text.upper()),
                    *p1.statements[1:],
                ),
            ),
            p2,
        ),
    )
    assert comparable(v1, respaced, "p1")
    scale = v1.scale
    shorter = replace(v1, version="2.0", scale=replace(scale, points=scale.points[:-1]))
    assert not comparable(v1, shorter, "p1") and not comparable(v1, shorter, "p2")
    (note,) = version_changes([results(v1, 1, [(1, 1)] * 3), results(shorter, 2, [(1, 1)] * 3)])
    assert "scale changed" in note and "Listening" in note
