"""Who got heard: answers per role, and per-role results only where nobody can be singled out."""

from __future__ import annotations

from dataclasses import replace

from coprod_widgets.model.aggregate import OTHER_ROLES_LABEL, by_role
from coprod_widgets.model.rounds import Answer, Rating, Round


def answer(role: str, v1: int, v2: int, submitted: bool = True) -> Answer:
    return Answer(
        ratings={
            "p1-a": Rating(v1),
            "p1-b": Rating(v1),
            "p2-a": Rating(v2),
            "p2-b": Rating(v2),
        },
        status="submitted" if submitted else "draft",
        role=role,
    )


ROLES = ("Staff", "Person with lived experience", "Carer")


def rnd(fw, min_answers=3) -> Round:
    return Round(1, "T", fw.id, fw.version, anonymous=True, min_answers=min_answers, roles=ROLES)


def groups(b):
    return {g.role: (g.answers, g.shown) for g in b.groups}


def test_counts_per_role_and_results_only_at_the_minimum(small_framework):
    answers = [answer("Staff", 4, 1)] * 3 + [answer("Person with lived experience", 2, 3)] * 3
    b = by_role(rnd(small_framework), small_framework, answers)
    assert groups(b) == {"Staff": (3, True), "Person with lived experience": (3, True)}
    staff = next(g for g in b.groups if g.role == "Staff")
    assert [p.median for p in staff.principles] == [4.0, 1.0]
    lived = next(g for g in b.groups if g.role == "Person with lived experience")
    assert [p.median for p in lived.principles] == [2.0, 3.0]


def test_a_small_role_is_counted_but_not_shown(small_framework):
    answers = [answer("Staff", 4, 1)] * 3 + [answer("Carer", 1, 1)] * 3 + [answer("", 2, 2)] * 3
    answers.append(answer("Person with lived experience", 1, 4))
    b = by_role(rnd(small_framework), small_framework, answers)
    g = groups(b)
    # The one person with lived experience is never a row of their own ("Carer: 1" moved with
    # one answer): rarer roles and no role are counted together.
    assert "Person with lived experience" not in g
    assert g[OTHER_ROLES_LABEL] == (4, False)  # "no role" is never a group of its own
    # leftover = lived (1) + no role (3) = 4 >= 3: both big roles are safe to show
    assert g["Staff"] == (3, True) and g["Carer"] == (3, True)
    assert "counted together" in b.note


def test_a_role_is_held_back_when_subtraction_would_single_someone_out(small_framework):
    """Staff 3 + Carer 1 = 4 answers. Showing Staff beside the team's results gives the carer away."""
    answers = [answer("Staff", 4, 4)] * 3 + [answer("Carer", 1, 1)]
    b = by_role(rnd(small_framework), small_framework, answers)
    assert groups(b) == {OTHER_ROLES_LABEL: (4, False)}  # neither Staff 3 nor Carer 1
    assert "work out" in b.note


def test_holding_back_the_smallest_role_can_make_the_rest_safe(small_framework):
    # Staff 4, Lived 3, Carer 1. Showing both leaves 1 (the carer) to subtraction: not safe.
    # Hold back Lived (the smaller): leftover 3 + 1 = 4 >= 3, so Staff is shown.
    answers = (
        [answer("Staff", 4, 4)] * 4
        + [answer("Person with lived experience", 2, 2)] * 3
        + [answer("Carer", 1, 1)]
    )
    b = by_role(rnd(small_framework), small_framework, answers)
    assert groups(b) == {"Staff": (4, True), OTHER_ROLES_LABEL: (4, False)}
    # Whatever is shown, the answers outside the shown roles are none or at least the minimum.
    shown = sum(g.answers for g in b.groups if g.shown)
    assert len(answers) - shown == 0 or len(answers) - shown >= 3


def test_below_the_minimum_only_counts(small_framework):
    answers = [answer("Staff", 4, 4), answer("Carer", 1, 1), answer("Staff", 1, 1, submitted=False)]
    b = by_role(rnd(small_framework), small_framework, answers)
    assert groups(b) == {}  # not even counts ("Carer: 1" would move with one answer)
    assert b.shown == () and "enough answers" in b.note


def test_a_single_role_with_every_answer_adds_nothing(small_framework):
    answers = [answer("Staff", 4, 4)] * 5
    b = by_role(rnd(small_framework), small_framework, answers)
    assert groups(b) == {"Staff": (5, False)}


def test_roles_not_offered_any_more_are_still_counted(small_framework):
    r = replace(rnd(small_framework), roles=("Staff",))
    answers = [answer("Staff", 4, 4)] * 3 + [answer("Volunteer", 2, 2)] * 3
    b = by_role(r, small_framework, answers)
    assert [g.role for g in b.groups] == ["Staff", "Volunteer"]


def dont_know_p1(role: str, v2: int) -> Answer:
    return Answer(
        ratings={
            "p1-a": Rating(None, True),
            "p1-b": Rating(None, True),
            "p2-a": Rating(v2),
            "p2-b": Rating(v2),
        },
        status="submitted",
        role=role,
    )


def test_a_principle_rated_by_too_few_in_a_role_is_held_back(small_framework):
    """Carer has 3 answers but only one rated p1: that one carer's p1 score must not show."""
    answers = [answer("Staff", 4, 4)] * 3 + [answer("Carer", 1, 2)]
    answers += [dont_know_p1("Carer", 3)] * 2
    b = by_role(rnd(small_framework), small_framework, answers)
    carer = next(g for g in b.groups if g.role == "Carer")
    staff = next(g for g in b.groups if g.role == "Staff")
    p1, p2 = carer.principles
    assert p1.held_back and p1.median is None and sum(p1.distribution.values()) == 0
    assert not p2.held_back and p2.median == 3.0
    # Staff's p1 beside the team's p1 (4 raters) would leave the one carer by subtraction.
    assert staff.principles[0].held_back and not staff.principles[1].held_back
    assert "not shown" in b.note


def test_the_team_holds_back_a_principle_too_few_rated(small_framework):
    from coprod_widgets.model.aggregate import aggregate

    answers = [answer("Staff", 4, 4)] + [dont_know_p1("Staff", 2)] * 2
    res = aggregate(rnd(small_framework), small_framework, answers)
    p1, p2 = res.principles
    assert p1.held_back and p1.n == 0 and p1.low is None and p1.band is None
    assert sum(p1.distribution.values()) == 0 and p1.dont_know == 4
    assert not p2.held_back and p2.n == 3
    assert [p.principle_id for p in res.to_talk_about] == ["p2"]
