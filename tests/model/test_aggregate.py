"""Team results worked out by hand on the small 2 x 2 framework (scale 1-4)."""

from __future__ import annotations

import math

import pytest

from coprod_widgets.model.aggregate import aggregate, principle_scores
from coprod_widgets.model.framework import Band
from coprod_widgets.model.rounds import Answer, Rating, Round

DK = "dk"


def ans(ratings, comments=None, *, submitted=True, name="", role="") -> Answer:
    return Answer(
        ratings={
            sid: Rating(None, True) if v == DK else Rating(v, False) for sid, v in ratings.items()
        },
        comments=dict(comments or {}),
        status="submitted" if submitted else "draft",
        name=name,
        role=role,
    )


def rnd(fw, *, min_answers=3, anonymous=True) -> Round:
    return Round(
        id=1,
        team="Team",
        framework_id=fw.id,
        framework_version=fw.version,
        anonymous=anonymous,
        min_answers=min_answers,
    )


@pytest.fixture
def worked(small_framework):
    """Three submitted answers and one draft.

    member  p1-a p1-b  -> p1    p2-a p2-b -> p2
    A       1    3        2.0   4    4       4.0
    B       4    4        4.0   DK   3       3.0
    C       3    (blank)  3.0   4    DK      4.0
    D (draft, never counted): all 1s
    """
    answers = [
        ans({"p1-a": 1, "p1-b": 3, "p2-a": 4, "p2-b": 4}, {"p1": "We ask a lot."}),
        ans({"p1-a": 4, "p1-b": 4, "p2-a": DK, "p2-b": 3}, {"p2": "  Pay is slow.  "}),
        ans({"p1-a": 3, "p2-a": 4, "p2-b": DK}, {"p1": "   ", "p2": "Always together."}),
        ans({"p1-a": 1, "p1-b": 1, "p2-a": 1, "p2-b": 1}, {"p1": "draft text"}, submitted=False),
    ]
    return aggregate(rnd(small_framework), small_framework, answers)


def by_id(results):
    return {p.principle_id: p for p in results.principles}


def test_counts_submitted_and_in_progress(worked):
    assert worked.submitted == 3
    assert worked.in_progress == 1
    assert worked.shown is True


def test_member_scores_are_means_of_their_ratings(worked):
    p = by_id(worked)
    assert p["p1"].scores == (2.0, 3.0, 4.0)
    assert p["p2"].scores == (3.0, 4.0, 4.0)
    assert p["p1"].n == 3 and p["p2"].n == 3


def test_median_mean_and_population_spread(worked):
    p1, p2 = by_id(worked)["p1"], by_id(worked)["p2"]
    assert p1.median == 3.0
    assert p1.mean == pytest.approx(3.0)
    assert p1.spread == pytest.approx(math.sqrt(2 / 3))  # population SD, not sample SD (1.0)
    assert p2.median == 4.0
    assert p2.mean == pytest.approx(11 / 3)
    assert p2.spread == pytest.approx(math.sqrt(2 / 9))
    assert (p1.low, p1.high) == (2.0, 4.0)
    assert (p2.low, p2.high) == (3.0, 4.0)


def test_distribution_counts_every_rating_and_dont_know(worked):
    p1, p2 = by_id(worked)["p1"], by_id(worked)["p2"]
    assert p1.distribution == {1: 1, 2: 0, 3: 2, 4: 2}
    assert p1.dont_know == 0
    assert p2.distribution == {1: 0, 2: 0, 3: 1, 4: 3}
    assert p2.dont_know == 2
    # The draft's four 1s are nowhere.
    assert sum(p1.distribution.values()) + sum(p2.distribution.values()) == 9


def test_drafts_are_not_counted(small_framework):
    subs = [ans({"p1-a": 4, "p1-b": 4}) for _ in range(3)]
    draft = ans({"p1-a": 1, "p1-b": 1, "p2-a": 1}, {"p1": "draft"}, submitted=False)
    r = aggregate(rnd(small_framework), small_framework, [*subs, draft])
    p = by_id(r)
    assert p["p1"].scores == (4.0, 4.0, 4.0)
    assert p["p1"].distribution[1] == 0
    assert p["p2"].n == 0  # only the draft rated p2
    assert r.comments == ()


def test_blanks_and_dont_know_are_left_out_of_scores(small_framework):
    answers = [
        ans({"p1-a": 2, "p1-b": DK, "p2-a": DK, "p2-b": DK}),
        ans({"p1-a": 4}),  # p2 all blank
        ans({"p1-b": 3, "p2-b": 1}),
    ]
    r = aggregate(rnd(small_framework), small_framework, answers)
    p = by_id(r)
    assert p["p1"].scores == (2.0, 3.0, 4.0)
    # Only one member gave p2 a value: below the minimum, so that one score is held back.
    assert p["p2"].held_back and p["p2"].scores == () and p["p2"].spread is None
    assert p["p2"].dont_know == 2
    r1 = aggregate(rnd(small_framework, min_answers=1), small_framework, answers)
    assert by_id(r1)["p2"].scores == (1.0,) and by_id(r1)["p2"].spread == 0.0


def test_principle_without_any_value_has_no_statistics(small_framework):
    answers = [ans({"p1-a": 2, "p2-a": DK}) for _ in range(3)]
    p2 = by_id(aggregate(rnd(small_framework), small_framework, answers))["p2"]
    assert p2.n == 0
    assert p2.median is None and p2.mean is None and p2.spread is None
    assert p2.low is None and p2.high is None
    assert p2.band is None
    assert p2.dont_know == 3


def test_principle_scores_of_one_answer(small_framework):
    a = ans({"p1-a": 1, "p1-b": 2, "p2-a": DK})
    assert principle_scores(small_framework, a) == {"p1": 1.5}


def test_below_minimum_only_counts(small_framework):
    answers = [
        ans({"p1-a": 1, "p1-b": 2}, {"p1": "secret"}),
        ans({"p1-a": 4}, {"p2": "also secret"}),
        ans({"p1-a": 3}, submitted=False),
    ]
    r = aggregate(rnd(small_framework, min_answers=3), small_framework, answers)
    assert r.submitted == 2
    assert r.in_progress == 1
    assert r.shown is False
    assert r.principles == ()
    assert r.comments == ()
    assert r.to_talk_about == ()


def test_exactly_the_minimum_shows_results(small_framework):
    answers = [ans({"p1-a": v}) for v in (1, 2, 3)]
    r = aggregate(rnd(small_framework, min_answers=3), small_framework, answers)
    assert r.shown
    assert len(r.principles) == 2


def test_to_talk_about_widest_spread_first(small_framework):
    # p1: everyone agrees (spread 0); p2: views differ (1 and 4).
    answers = [
        ans({"p1-a": 2, "p2-a": 1}),
        ans({"p1-a": 2, "p2-a": 4}),
        ans({"p1-a": 2, "p2-a": 4}),
    ]
    r = aggregate(rnd(small_framework), small_framework, answers)
    assert [p.principle_id for p in r.principles] == ["p1", "p2"]  # framework order
    assert [p.principle_id for p in r.to_talk_about] == ["p2", "p1"]


def test_to_talk_about_ties_lowest_median_first_and_skips_unrated(small_framework):
    # Same spread (0) in both principles: the lower median comes first.
    answers = [ans({"p1-a": 4, "p2-a": 2}) for _ in range(3)]
    r = aggregate(rnd(small_framework), small_framework, answers)
    assert [p.principle_id for p in r.to_talk_about] == ["p2", "p1"]

    only_p1 = [ans({"p1-a": v, "p2-a": DK}) for v in (1, 2, 3)]
    r = aggregate(rnd(small_framework), small_framework, only_p1)
    assert [p.principle_id for p in r.to_talk_about] == ["p1"]


def test_band_lookup_edges(small_framework):
    low, high = small_framework.bands  # [1, 2.5) and [2.5, 4]
    assert small_framework.band_for(1.0) == low  # min inclusive
    assert small_framework.band_for(2.4999) == low
    assert small_framework.band_for(2.5) == high  # a band's max is the next band's min
    assert small_framework.band_for(4.0) == high  # the last band includes its max
    assert small_framework.band_for(0.999) is None
    assert small_framework.band_for(4.001) is None


def test_band_lookup_on_shipped_framework(framework):
    labels = {m: framework.band_for(m).label for m in (1.0, 1.99, 2.0, 3.0, 4.0, 5.0)}
    assert labels == {
        1.0: "It's not there",
        1.99: "It's not there",
        2.0: "Starting out",
        3.0: "On the way",
        4.0: "Going strong",
        5.0: "Going strong",
    }


def test_no_bands_means_no_band(small_framework):
    from dataclasses import replace

    fw = replace(small_framework, bands=())
    assert fw.band_for(2.0) is None


def test_principle_band_follows_mean(small_framework):
    # p1 member scores 2 and 3 (mean 2.5: exactly on the edge -> High); p2 scores 1, 2 -> Low.
    answers = [ans({"p1-a": 2, "p2-a": 1}), ans({"p1-a": 3, "p2-a": 2})]
    r = aggregate(rnd(small_framework, min_answers=2), small_framework, answers)
    p = by_id(r)
    assert p["p1"].mean == 2.5
    assert p["p1"].band == Band(2.5, 4.0, "High", "Going well.")
    assert p["p2"].band.label == "Low"


def test_anonymous_comments_have_no_name_or_role_and_are_sorted(small_framework):
    answers = [
        ans({"p1-a": 1}, {"p2": "zebra crossing", "p1": "Banana"}, name="Zoe", role="Staff"),
        ans({"p1-a": 2}, {"p1": "apple", "p2": "  "}, name="Ann", role="Carer"),
        ans({"p1-a": 3}, {"p2": "Mango"}, name="Bob", role="Staff"),
    ]
    r = aggregate(rnd(small_framework, anonymous=True), small_framework, answers)
    assert [(c.principle_id, c.text) for c in r.comments] == [
        ("p1", "apple"),
        ("p1", "Banana"),  # case-insensitive order
        ("p2", "Mango"),
        ("p2", "zebra crossing"),
    ]
    assert all(c.name == "" and c.role == "" for c in r.comments)


def test_named_comments_keep_names_and_roles(small_framework):
    answers = [
        ans({"p1-a": 1}, {"p1": "  zzz first  "}, name="Zoe", role="Staff"),
        ans({"p1-a": 2}, {"p1": "aaa second"}, name="Ann", role="Carer"),
        ans({"p1-a": 3}, {"p2": ""}, name="Bob"),
    ]
    r = aggregate(rnd(small_framework, anonymous=False), small_framework, answers)
    assert [(c.text, c.name, c.role) for c in r.comments] == [
        ("zzz first", "Zoe", "Staff"),  # stripped, kept in answer order
        ("aaa second", "Ann", "Carer"),
    ]


def test_scores_are_sorted_so_members_cannot_be_linked(small_framework):
    # Member A is high on p1 and low on p2; B the opposite; C in the middle.
    answers = [
        ans({"p1-a": 4, "p2-a": 1}),
        ans({"p1-a": 1, "p2-a": 4}),
        ans({"p1-a": 2, "p2-a": 3}),
    ]
    p = by_id(aggregate(rnd(small_framework), small_framework, answers))
    assert p["p1"].scores == (1.0, 2.0, 4.0)
    assert p["p2"].scores == (1.0, 3.0, 4.0)
