"""Plans in the store: opened by code, saved field by field, nothing typed ever lost."""

from __future__ import annotations

import pytest

from coprod_widgets.errors import InvalidInput, NotFound
from coprod_widgets.store import Store

ROW = "0a1b2c3d4e"


def test_a_new_plan_has_a_private_code_and_no_fields(store):
    plan, code = store.plans.create("  Riverside drop-in ")
    assert plan.title == "Riverside drop-in"
    assert len(code) >= 20
    assert store.plans.by_code(code) == plan
    assert store.plans.fields(code) == {}
    other, other_code = store.plans.create()
    assert other_code != code and other.title == ""


@pytest.mark.parametrize("code", ["", "nope", "x" * 65, None])
def test_an_unknown_code_is_not_found(store, code):
    with pytest.raises(NotFound, match="this plan link is not recognised"):
        store.plans.by_code(code)


def test_fields_come_back_as_saved_with_their_types(store):
    _, code = store.plans.create("P")
    store.plans.save_field(code, "purpose.decision", "Line one\n<b>two</b> – £5 ✓")
    store.plans.save_field(code, "voices.support.travel", True)
    store.plans.save_field(code, "review.round_id", 3)
    store.plans.save_field(code, f"budget.{ROW}.rate", "abc")  # a non-number, kept as typed
    assert store.plans.fields(code) == {
        "purpose.decision": "Line one\n<b>two</b> – £5 ✓",
        "voices.support.travel": True,
        "review.round_id": 3,
        f"budget.{ROW}.rate": "abc",
    }


def test_saving_a_field_again_replaces_only_that_field(store):
    _, code = store.plans.create("P")
    store.plans.save_field(code, "purpose.open", "first")
    store.plans.save_field(code, "purpose.fixed", "kept")
    store.plans.save_field(code, "purpose.open", "second")
    assert store.plans.fields(code) == {"purpose.open": "second", "purpose.fixed": "kept"}


def test_two_people_editing_different_fields_never_overwrite_each_other(db_url):
    a, b = Store(db_url), Store(db_url)
    try:
        _, code = a.plans.create("Shared")
        # Both read the plan, then each saves a different field: both survive.
        a.plans.fields(code), b.plans.fields(code)
        a.plans.save_field(code, "purpose.decision", "from A")
        b.plans.save_field(code, "purpose.open", "from B")
        a.plans.save_field(code, f"budget.{ROW}aa.people", "6")
        b.plans.save_field(code, f"budget.{ROW}bb.people", "4")
        assert a.plans.fields(code) == {
            "purpose.decision": "from A",
            "purpose.open": "from B",
            f"budget.{ROW}aa.people": "6",
            f"budget.{ROW}bb.people": "4",
        }
    finally:
        a.close()
        b.close()


def test_a_bad_key_or_value_changes_nothing(store):
    _, code = store.plans.create("P")
    store.plans.save_field(code, "purpose.decision", "kept")
    for key, value in (
        ("purpose.nonsense", "x"),
        ("purpose.decision", 42),
        ("voices.support.travel", "yes"),
        ("cos.co-design.will", "maybe"),
    ):
        with pytest.raises(InvalidInput):
            store.plans.save_field(code, key, value)
    assert store.plans.fields(code) == {"purpose.decision": "kept"}


def test_saving_to_an_unknown_plan_is_not_found(store):
    with pytest.raises(NotFound):
        store.plans.save_field("nope", "purpose.decision", "x")


def test_title_renames_the_plan(store):
    plan, code = store.plans.create("Old")
    store.plans.save_field(code, "title", "New name ")
    assert store.plans.by_code(code).title == "New name"
    assert store.plans.fields(code) == {}
    with pytest.raises(InvalidInput, match="plan title: at most 200 characters"):
        store.plans.save_field(code, "title", "x" * 201)
    with pytest.raises(InvalidInput, match="plan title: at most 200"):
        store.plans.create("x" * 201)
    assert store.plans.by_code(code).title == "New name"


def test_several_fields_are_saved_all_or_none(store):
    _, code = store.plans.create("P")
    store.plans.save_fields(
        code, {f"risks.{ROW}.risk": "Same voices", f"risks.{ROW}.from": "same-voices"}
    )
    with pytest.raises(InvalidInput):
        store.plans.save_fields(code, {f"risks.{ROW}1.risk": "ok", f"risks.{ROW}1.colour": "red"})
    assert store.plans.fields(code) == {
        f"risks.{ROW}.risk": "Same voices",
        f"risks.{ROW}.from": "same-voices",
    }


def test_plans_do_not_see_each_others_fields(store):
    _, one = store.plans.create("One")
    _, two = store.plans.create("Two")
    store.plans.save_field(one, "purpose.decision", "one's")
    assert store.plans.fields(two) == {}


def test_list_plans_newest_change_first_with_filled_field_counts(store):
    _, one = store.plans.create("One")
    _, two = store.plans.create("Two")
    store.plans.save_field(two, "purpose.decision", "x")
    store.plans.save_field(one, "purpose.decision", "y")
    store.plans.save_field(one, "purpose.open", "")  # empty: not counted as filled
    store.plans.save_field(one, "voices.support.care", False)
    rows = store.plans.all()
    assert [r.plan.title for r in rows] == ["One", "Two"]
    assert [r.fields for r in rows] == [1, 1]


def test_a_saved_plan_survives_reopening_the_database(db_url):
    s = Store(db_url)
    _, code = s.plans.create("Durable")
    s.plans.save_field(code, "purpose.decision", "still here")
    s.close()
    again = Store(db_url)
    try:
        assert again.plans.fields(code) == {"purpose.decision": "still here"}
        assert again.plans.by_code(code).title == "Durable"
    finally:
        again.close()


def test_a_save_from_a_stale_page_is_refused_and_changes_nothing(store):
    from coprod_widgets.errors import Conflict

    _, code = store.plans.create("P")
    store.plans.save_field(code, "purpose.decision", "first", base=None)
    store.plans.save_field(code, "purpose.decision", "first, then more", base="first")
    with pytest.raises(Conflict) as e:
        store.plans.save_field(code, "purpose.decision", "stale", base="first")
    assert e.value.current == "first, then more" and e.value.key == "purpose.decision"
    assert store.plans.fields(code)["purpose.decision"] == "first, then more"
    # Saving what is already there is no clash; neither is a field nobody has written.
    store.plans.save_field(code, "purpose.decision", "first, then more", base="first")
    store.plans.save_field(code, "purpose.open", "", base=None)
    with pytest.raises(Conflict):
        store.plans.save_field(code, "title", "Stale", base="Older")
    assert store.plans.by_code(code).title == "P"
