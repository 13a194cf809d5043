"""Series of rounds and the actions agreed on them, in a real SQLite file."""

from __future__ import annotations

from dataclasses import replace

import pytest

from coprod_widgets.errors import InvalidInput, NotFound
from coprod_widgets.store import Store


@pytest.fixture
def first(store, small_framework):
    return store.rounds.create("Team A", small_framework, roles=["Staff"]).round


def test_a_next_round_joins_the_series(store, small_framework, first):
    second = store.rounds.create("Team A", small_framework, previous_id=first.id).round
    third = store.rounds.create("Team A", small_framework, previous_id=second.id).round
    other = store.rounds.create("Team B", small_framework).round
    assert first.series_id == first.id
    assert second.series_id == third.series_id == first.id
    assert (second.previous_id, third.previous_id) == (first.id, second.id)
    assert [r.id for r in store.rounds.series(third.id)] == [first.id, second.id, third.id]
    assert [r.id for r in store.rounds.series(other.id)] == [other.id]
    assert store.rounds.next(first.id).id == second.id
    assert store.rounds.next(third.id) is None
    # A round has one next round: a second would fork the series.
    with pytest.raises(InvalidInput, match=f"round {first.id} already has a next round"):
        store.rounds.open_next(first.id)
    assert [r.id for r in store.rounds.series(third.id)] == [first.id, second.id, third.id]


def test_a_next_round_keeps_the_framework(store, small_framework, framework, first):
    with pytest.raises(InvalidInput, match="keeps the team's framework"):
        store.rounds.create("Team A", framework, previous_id=first.id)
    with pytest.raises(NotFound):
        store.rounds.create("Team A", small_framework, previous_id=999)


def test_a_next_round_may_move_to_a_new_version(store, small_framework, first):
    v2 = replace(small_framework, version="2.0")
    second = store.rounds.create("Team A", v2, previous_id=first.id).round
    assert store.rounds.framework(first.id).version == "1.0"  # the old round keeps its snapshot
    assert store.rounds.framework(second.id).version == "2.0"


def test_actions_are_kept_edited_field_by_field_and_reviewed(store, small_framework, first):
    a = store.actions.add(first.id, "p2", "Pay people for their time", lead="Sam", due="2027-01-31")
    assert (a.status, a.series_id, a.round_id) == ("open", first.id, first.id)
    # two people edit different fields: neither overwrites the other
    store.actions.update(a.id, "lead", "Sam and Priya")
    store.actions.update(a.id, "status", "doing")
    a = store.actions.get(a.id)
    assert (a.lead, a.status, a.what) == ("Sam and Priya", "doing", "Pay people for their time")

    second = store.rounds.create("Team A", small_framework, previous_id=first.id).round
    assert [x.id for x in store.actions.to_review(second.id)] == [a.id]
    assert store.actions.to_review(first.id) == []
    store.actions.update(a.id, "status", "done", in_round=second.id)
    r = store.actions.update(a.id, "helped", "partly", in_round=second.id)
    assert (r.status, r.helped, r.reviewed_in) == ("done", "partly", second.id)
    b = store.actions.add(second.id, "p1", "Ask before deciding")
    assert [x.id for x in store.actions.in_series(second.id)] == [a.id, b.id]
    assert [x.id for x in store.actions.for_round(second.id)] == [b.id]


def test_an_unfinished_action_is_reviewed_again_until_it_is_closed(store, small_framework, first):
    from coprod_widgets.analysis.series import earlier_actions

    done = store.actions.add(first.id, "p1", "Ask first")
    slow = store.actions.add(first.id, "p2", "Pay people for their time")
    second = store.rounds.open_next(first.id).round
    store.actions.update(done.id, "status", "done", in_round=second.id)
    store.actions.update(slow.id, "status", "doing", in_round=second.id)
    newer = store.actions.add(second.id, "p1", "Meet in the community centre")
    third = store.rounds.open_next(second.id).round
    # Round 3 reviews round 2's action and round 1's unfinished one, not round 1's done one.
    assert [a.id for a in store.actions.to_review(third.id)] == [slow.id, newer.id]
    assert [a.id for a in earlier_actions(store, third.id)] == [done.id]
    # Closing it in round 3's review keeps it on round 3's list (it does not vanish mid-review).
    store.actions.update(slow.id, "status", "done", in_round=third.id)
    store.actions.update(newer.id, "status", "dropped", in_round=third.id)
    assert [a.id for a in store.actions.to_review(third.id)] == [slow.id, newer.id]
    fourth = store.rounds.open_next(third.id).round
    assert store.actions.to_review(fourth.id) == []
    assert [a.id for a in earlier_actions(store, fourth.id)] == [done.id, slow.id, newer.id]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("principle_id", "nope", "not a principle"),
        ("what", "   ", "say what the team will do"),
        ("due", "31/01/2027", "YYYY-MM-DD"),
        ("status", "finished", "expected one of open, doing, done, dropped"),
        ("helped", "maybe", "did it help"),
        ("lead", "x" * 201, "at most 200"),
        ("round_id", "3", "not a field"),
    ],
)
def test_bad_action_fields_change_nothing(store, small_framework, first, field, value, message):
    a = store.actions.add(first.id, "p1", "Ask first")
    with pytest.raises(InvalidInput, match=message):
        store.actions.update(a.id, field, value)
    assert store.actions.get(a.id) == a


def test_an_action_cannot_be_reviewed_from_another_teams_round(store, small_framework, first):
    a = store.actions.add(first.id, "p1", "Ask first")
    other = store.rounds.create("Team B", small_framework).round
    with pytest.raises(InvalidInput, match="another team"):
        store.actions.update(a.id, "helped", "yes", in_round=other.id)
    assert store.actions.get(a.id).helped == ""


def test_actions_survive_reopening_the_database(db_url, small_framework):
    s = Store(db_url)
    rid = s.rounds.create("Team A", small_framework).round.id
    s.actions.add(rid, "p1", "<b>Ask</b> first")
    s.close()
    s2 = Store(db_url)
    assert [a.what for a in s2.actions.for_round(rid)] == ["<b>Ask</b> first"]
    s2.close()
