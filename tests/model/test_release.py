"""The release rule, worked by hand: results move only in steps that single no one out."""

from __future__ import annotations

from dataclasses import replace

import pytest

from coprod_widgets.model.aggregate import released_results
from coprod_widgets.model.release import (
    Release,
    content,
    decide,
    fingerprint,
    freeze_all,
    frozen,
    thaw,
)
from coprod_widgets.model.rounds import Answer, Rating, Round

KEY = b"k" * 32


def ans(v: int, comment: str = "", role: str = "", submitted: bool = True) -> Answer:
    return Answer(
        ratings={"p1-a": Rating(v), "p1-b": Rating(None, True)},
        comments={"p1": comment} if comment else {},
        status="submitted" if submitted else "draft",
        role=role,
        submitted_at="2026-12-06T10:00:00",
    )


def cur(*members: tuple[str, Answer]) -> list[tuple[str, str]]:
    return [(fingerprint(KEY, m, a), content(a)) for m, a in members]


def snap(*members: tuple[str, Answer]) -> tuple[list[str], list[str]]:
    """(fingerprints, contents) kept with a snapshot of these answers."""
    c = cur(*members)
    return [fp for fp, _ in c], [x for _, x in c]


A, B, C, D, E, F = "mA", "mB", "mC", "mD", "mE", "mF"


def test_the_first_snapshot_needs_the_minimum():
    assert not decide(3, cur((A, ans(1)), (B, ans(2))), None).release
    d = decide(3, cur((A, ans(1)), (B, ans(2))), None)
    assert d.need_more == 1
    assert decide(3, cur((A, ans(1)), (B, ans(2)), (C, ans(3))), None).release


def test_exactly_the_minimum_of_new_answers_releases_one_fewer_does_not():
    fps, contents = snap((A, ans(1)), (B, ans(2)), (C, ans(3)))
    two_new = cur((A, ans(1)), (B, ans(2)), (C, ans(3)), (D, ans(4)), (E, ans(1)))
    d = decide(3, two_new, fps, [contents])
    assert not d.release and d.fresh == 2 and d.need_more == 1
    three_new = [*two_new, *cur((F, ans(2)))]
    assert decide(3, three_new, fps, [contents]).release


def test_exactly_the_minimum_of_changed_answers_releases_one_fewer_does_not():
    fps, contents = snap((A, ans(1)), (B, ans(2)), (C, ans(3)), (D, ans(4)))
    two_changed = cur((A, ans(4)), (B, ans(3)), (C, ans(3)), (D, ans(4)))
    d = decide(3, two_changed, fps, [contents])
    assert not d.release and d.fresh == 2
    three_changed = cur((A, ans(1, "a")), (B, ans(2, "b")), (C, ans(2, "c")), (D, ans(4)))
    assert decide(3, three_changed, fps, [contents]).release
    # A moved to what D had and B to what C had: the answers shown differ by two only.
    coincide = cur((A, ans(4)), (B, ans(3)), (C, ans(2, "c")), (D, ans(4)))
    d = decide(3, coincide, fps, [contents])
    assert d.fresh == 3 and not d.release


def test_a_changed_comment_or_role_is_a_change():
    fps, contents = snap((A, ans(1)), (B, ans(2)), (C, ans(3)))
    changed = cur((A, ans(1, "typo")), (B, ans(2, role="Staff")), (C, ans(3, "  ")))
    d = decide(3, changed, fps, [contents])
    assert d.fresh == 2  # a blank comment is no comment: C did not change what is shown


def test_the_same_answers_again_are_not_a_change():
    fps, contents = snap((A, ans(1)), (B, ans(2)), (C, ans(3)))
    d = decide(3, cur((A, ans(1)), (B, ans(2)), (C, ans(3))), fps, [contents])
    assert not d.release and d.fresh == 0


def test_closing_with_fewer_than_the_minimum_new_keeps_the_old_snapshot():
    """Closing changes nothing to the rule: the two answers since stay held back for good."""
    fps, contents = snap((A, ans(1)), (B, ans(2)), (C, ans(3)))
    final = cur((A, ans(1)), (B, ans(2)), (C, ans(3)), (D, ans(4)), (E, ans(4)))
    d = decide(3, final, fps, [contents])
    assert not d.release and d.fresh == 2


def test_one_new_and_two_changed_is_held_back_too():
    """Three people moved, but only two answers left the snapshot: comparing the two would
    show what one of two people had said. Held back until the step is wide enough."""
    fps, contents = snap((A, ans(1)), (B, ans(2)), (C, ans(3)))
    moved = cur((A, ans(4)), (B, ans(4, "x")), (C, ans(3)), (D, ans(1, "new")))
    d = decide(3, moved, fps, [contents])
    assert d.fresh == 3 and not d.release
    more = cur((A, ans(4)), (B, ans(4, "x")), (C, ans(1, "y")), (D, ans(1, "new")))
    assert decide(3, more, fps, [contents]).release


def test_every_earlier_snapshot_is_checked_not_only_the_last():
    """A, B, C change; then A and B change back and D changes: against the last snapshot three
    moved, but against the first only C's and D's answers differ (two people)."""
    s0 = snap((A, ans(1)), (B, ans(2)), (C, ans(3)), (D, ans(4)))
    s1 = snap((A, ans(2, "a")), (B, ans(3, "b")), (C, ans(4, "c")), (D, ans(4)))
    now = cur((A, ans(1)), (B, ans(2)), (C, ans(4, "c")), (D, ans(1, "d")))
    assert decide(3, now, s1[0], [s1[1]]).release  # the last alone would allow it
    assert not decide(3, now, s1[0], [s0[1], s1[1]]).release


def test_changes_that_cancel_out_release_nothing():
    fps, contents = snap((A, ans(1)), (B, ans(2)), (C, ans(3)))
    swapped = cur((A, ans(2)), (B, ans(3)), (C, ans(1)))
    d = decide(3, swapped, fps, [contents])
    assert not d.release


def test_a_lost_key_makes_every_answer_look_changed_and_the_rule_still_holds():
    fps, contents = snap((A, ans(1)), (B, ans(2)), (C, ans(3)))
    other = [(fingerprint(b"other", m, a), content(a)) for m, a in [(A, ans(1)), (B, ans(2))]]
    other += [(fingerprint(b"other", C, ans(4)), content(ans(4)))]
    d = decide(3, other, fps, [contents])
    assert d.fresh == 3 and not d.release  # only C's answer moved: still held back


def test_fingerprints_hide_who_and_what_and_change_with_either():
    a = fingerprint(KEY, A, ans(1))
    assert a == fingerprint(KEY, A, ans(1))
    assert a != fingerprint(KEY, B, ans(1)) and a != fingerprint(KEY, A, ans(2))
    assert a != fingerprint(b"other", A, ans(1))
    assert A not in a and len(a) == 64


def test_a_frozen_answer_keeps_no_token_time_or_order():
    a = ans(3, " a comment ", role="Carer")
    d = frozen(a)
    assert d == {
        "ratings": {"p1-a": 3, "p1-b": "dont_know"},
        "comments": {"p1": "a comment"},
        "role": "Carer",
    }
    back = thaw(d)
    assert back.submitted and back.submitted_at is None and back.rating("p1-b").dont_know
    assert content(back) == content(a)
    drafts = [ans(1, submitted=False)]
    assert freeze_all([ans(4), ans(1), *drafts]) == freeze_all([ans(1), ans(4)])


def test_decide_refuses_a_minimum_below_one():
    with pytest.raises(ValueError):
        decide(0, [], None)


def test_released_results_show_only_the_snapshot(small_framework):
    rnd = Round(1, "T", small_framework.id, small_framework.version, min_answers=3)
    before = released_results(rnd, small_framework, Release(submitted_now=2, in_progress=1))
    assert not before.shown and before.submitted == 2 and before.principles == ()
    snapshot = (ans(1), ans(2), ans(4))
    rel = Release(snapshot, sequence=1, released_at="2026-12-06T14:02:00+00:00", submitted_now=5)
    res = released_results(rnd, small_framework, replace(rel, held=2, need_more=1))
    assert res.shown and res.submitted == 3 and res.principles[0].scores == (1.0, 2.0, 4.0)


def test_named_rounds_are_live(small_framework):
    """A named round shows names by design: its results follow every answer, no snapshot."""
    rnd = Round(1, "T", small_framework.id, small_framework.version, anonymous=False)
    live = (ans(1), ans(2), ans(3), ans(4))
    res = released_results(rnd, small_framework, Release(live, live=True, submitted_now=4))
    assert res.shown and res.submitted == 4
