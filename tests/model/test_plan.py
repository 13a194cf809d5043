"""The plan model: which keys exist, numbers as people type them, and budget arithmetic checked
against examples worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coprod_widgets.errors import InvalidInput
from coprod_widgets.model.plan import (
    LONG_MAX,
    PlanData,
    budget_line,
    check_plan_field,
    money,
    new_row_id,
    parse_date,
    parse_number,
    review_due,
    stage_date_problems,
    summarise,
    timeline,
)

# -- numbers as typed -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("25", Decimal("25")),
        ("25.50", Decimal("25.50")),
        ("£25.50", Decimal("25.50")),
        (" 7 ", Decimal("7")),
        ("1,200", Decimal("1200")),
        ("1,200.75", Decimal("1200.75")),
        (".5", Decimal("0.5")),
        ("0", Decimal("0")),
    ],
)
def test_numbers_people_type_for_money_are_read(typed, expected):
    assert parse_number(typed, "Rate") == (expected, "")


def test_an_empty_number_is_not_a_mistake():
    assert parse_number("", "Rate") == (None, "")
    assert parse_number("   ", "Rate") == (None, "")
    assert parse_number(None, "Rate") == (None, "")


def test_a_word_in_a_money_field_gets_the_message_the_issue_asks_for():
    assert parse_number("abc", "Rate") == (
        None,
        "Rate: expected a number like 25 or 25.50, not 'abc'",
    )


@pytest.mark.parametrize("typed", ["2,5", "1e3", "nan", "Infinity", "25.50.1", "twenty", "£"])
def test_text_that_would_silently_mislead_is_refused(typed):
    number, message = parse_number(typed, "Cost each")
    assert number is None
    assert message.startswith("Cost each: expected a number like 25 or 25.50")


def test_negative_numbers_are_refused_with_their_own_message():
    assert parse_number("-5", "Cost each") == (None, "Cost each: expected zero or more, not '-5'")


def test_people_and_sessions_must_be_whole():
    assert parse_number("2.5", "People", "whole") == (
        None,
        "People: expected a whole number like 6, not '2.5'",
    )
    assert parse_number("six", "People", "whole")[1] == (
        "People: expected a whole number like 6, not 'six'"
    )
    assert parse_number("6", "People", "whole") == (Decimal(6), "")
    assert parse_number("two", "Hours", "decimal")[1] == (
        "Hours: expected a number like 2 or 1.5, not 'two'"
    )


# -- budget lines, worked out by hand -------------------------------------------------------


def test_a_payment_line_is_people_times_sessions_times_hours_times_rate():
    # 6 people x 4 sessions = 24 person-sessions; x 2.5 hours = 60 hours; x £25.50 = £1,530.00
    line = budget_line(
        "aaaaaa1",
        {"kind": "payment", "people": "6", "sessions": "4", "hours": "2.5", "rate": "25.50"},
    )
    assert line.status == "ok"
    assert line.total == Decimal("1530.00")
    assert line.sum_text == "6 people × 4 sessions × 2.5 hours × £25.50 an hour"


def test_other_costs_are_how_many_times_cost_each_and_one_when_how_many_is_empty():
    # 24 bus fares x £8.75 = £210.00; a venue at £120 with no count = 1 x £120.00
    fares = budget_line("aaaaaa1", {"kind": "expenses", "quantity": "24", "cost": "8.75"})
    venue = budget_line("aaaaaa2", {"kind": "venue", "cost": "£120"})
    assert fares.total == Decimal("210.00")
    assert venue.total == Decimal("120.00")
    assert venue.sum_text == "£120.00"


def test_zero_is_a_real_answer_and_counts_as_nothing():
    line = budget_line("aaaaaa1", {"kind": "childcare", "quantity": "0", "cost": "30"})
    assert line.status == "ok" and line.total == Decimal("0.00")
    pay = budget_line(
        "aaaaaa2", {"kind": "payment", "people": "0", "sessions": "4", "hours": "2", "rate": "20"}
    )
    assert pay.total == Decimal("0.00")


def test_an_empty_line_is_not_filled_in_yet_and_is_not_an_error():
    line = budget_line("aaaaaa1", {"kind": "payment", "what": "workshops"})
    assert line.status == "empty"
    assert line.total is None
    assert line.problems == ()
    assert line.note == "Not filled in yet."


def test_a_non_number_keeps_what_was_typed_and_leaves_the_line_out():
    line = budget_line(
        "aaaaaa1",
        {"kind": "payment", "people": "6", "sessions": "4", "hours": "2", "rate": "abc"},
    )
    assert line.status == "problem"
    assert line.total is None
    assert line.typed["rate"] == "abc"
    assert line.field_problems == {"rate": "Rate: expected a number like 25 or 25.50, not 'abc'"}
    assert "Left out of the totals" in line.note


def test_a_huge_number_is_a_clear_message_not_a_crash():
    """Thirty nines pasted into a field: said plainly, kept as typed, left out of the totals."""
    line = budget_line("aaaaaa1", {"kind": "other", "quantity": "9" * 30, "cost": "1"})
    assert line.status == "problem" and line.total is None
    assert line.typed["quantity"] == "9" * 30
    assert "at most 1,000,000" in line.field_problems["quantity"]
    # Every number within bounds, but the line comes to more than any real plan's.
    big = budget_line(
        "aaaaaa2",
        {"kind": "payment", "people": "1000000", "sessions": "1000", "hours": "10", "rate": "50"},
    )
    assert big.status == "problem" and big.total is None
    assert "more than £1,000,000,000.00" in big.note
    assert summarise([line, big]).total == 0


def test_a_line_missing_a_number_says_which():
    line = budget_line("aaaaaa1", {"kind": "payment", "people": "2", "sessions": "2"})
    assert line.status == "incomplete"
    assert line.missing == ("Hours", "Rate")
    assert line.note == "Left out of the totals: Hours, Rate still to fill in."


def test_pennies_are_rounded_half_up_once_per_line():
    # 3 people x 1 session x 1 hour x £33.335 = £100.005 -> £100.01
    line = budget_line(
        "aaaaaa1",
        {"kind": "payment", "people": "3", "sessions": "1", "hours": "1", "rate": "33.335"},
    )
    assert line.total == Decimal("100.01")
    assert money(Decimal("1234.5")) == "£1,234.50"


def test_an_unknown_kind_is_read_as_a_payment():
    line = budget_line("aaaaaa1", {"kind": "bribes", "people": "1"})
    assert line.kind == "payment"


HAND_WORKED = [
    # stage, kind, fields                                   total
    ("co-design", "payment", dict(people="6", sessions="4", hours="2.5", rate="25.50")),  # 1530
    ("co-design", "expenses", dict(quantity="24", cost="8.75")),  # 210
    ("co-delivery", "venue", dict(cost="120")),  # 120
    ("co-delivery", "interpreting", dict(quantity="3", cost="45")),  # 135
    ("co-design", "childcare", dict(quantity="0", cost="30")),  # 0
    ("co-evaluation", "payment", dict(people="abc", sessions="2", hours="1", rate="20")),  # out
    ("", "payment", {}),  # empty
    ("co-delivery", "payment", dict(people="2", sessions="2", hours="2")),  # out: no rate
    ("", "other", dict(cost="9.99")),  # no stage chosen: 9.99
]


def hand_worked_lines():
    return [
        budget_line(f"line{i:03d}", {"stage": stage, "kind": kind, **fields})
        for i, (stage, kind, fields) in enumerate(HAND_WORKED)
    ]


def test_totals_per_stage_kind_and_overall_match_the_hand_worked_example():
    s = summarise(hand_worked_lines())
    # co-design: 1530 + 210 + 0 = 1740; co-delivery: 120 + 135 = 255; none: 9.99
    assert s.by_stage == {
        "co-design": Decimal("1740.00"),
        "co-delivery": Decimal("255.00"),
        "": Decimal("9.99"),
    }
    assert list(s.by_stage) == ["co-design", "co-delivery", ""]  # the plan's order
    assert s.by_kind["payment"] == Decimal("1530.00")
    assert s.by_kind["childcare"] == Decimal("0.00")
    assert s.total == Decimal("2004.99")
    assert [line.id for line in s.left_out] == ["line005", "line007"]
    assert s.empty == 1
    assert len(s.counted) == 6


def test_no_lines_add_up_to_zero():
    s = summarise([])
    assert s.total == Decimal("0.00") and s.by_stage == {} and s.left_out == ()


# -- keys and values the store accepts ------------------------------------------------------


def test_known_keys_are_accepted_with_their_kinds():
    assert check_plan_field("purpose.decision", "The drop-in") == "The drop-in"
    assert check_plan_field("voices.support.travel", True) is True
    assert check_plan_field("cos.co-design.will", "partly") == "partly"
    assert check_plan_field("ladder.tlap-ladder.today", "consultation") == "consultation"
    assert check_plan_field("budget.0a1b2c3d.rate", "abc") == "abc"  # kept as typed
    assert check_plan_field("timeline.co-design.start", "31/3") == "31/3"
    assert check_plan_field("review.round_id", 4) == 4
    assert check_plan_field("review.pdsa.predicted", None) == ""


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("purpose.nonsense", "x", "not a part of a plan"),
        ("budget.BAD_ID.rate", "1", "not a part of a plan"),
        ("budget.0a1b2c3d.colour", "1", "not a part of a plan"),
        ("cos.co-lunch.will", "yes", "not a part of a plan"),
        ("title", "x", "not a part of a plan"),  # the plan's own row holds its title
        ("voices.support.travel", "yes", "expected yes or no"),
        ("purpose.decision", 5, "expected text"),
        ("cos.co-design.will", "maybe", "expected one of"),
        ("budget.0a1b2c3d.kind", "bribes", "expected one of"),
        ("ladder.tlap-ladder.today", "Not An Id", "is not one of the choices"),
        ("review.round_id", "4", "expected a whole number"),
        ("purpose.lead", "x" * 501, "at most 500 characters"),
        ("purpose.decision", "x" * (LONG_MAX + 1), "at most 20,000 characters"),
        ("budget.0a1b2c3d.rate", "9" * 101, "at most 100 characters"),
    ],
)
def test_unknown_keys_and_wrong_values_are_refused(key, value, message):
    with pytest.raises(InvalidInput, match=message):
        check_plan_field(key, value)


def test_row_ids_sort_in_the_order_rows_were_added_and_differ():
    ids = [new_row_id() for _ in range(50)]
    assert len(set(ids)) == 50
    assert all(check_plan_field(f"risks.{i}.risk", "x") == "x" for i in ids)


def test_rows_come_back_in_order_without_removed_ones():
    data = PlanData(
        "",
        {
            "risks.bbbbbb2.risk": "second",
            "risks.aaaaaa1.risk": "first",
            "risks.aaaaaa1.who": "Sam",
            "risks.cccccc3.risk": "gone",
            "risks.cccccc3.removed": True,
            "purpose.decision": "not a row",
        },
    )
    assert data.rows("risks") == [
        ("aaaaaa1", {"risk": "first", "who": "Sam"}),
        ("bbbbbb2", {"risk": "second"}),
    ]
    assert [rid for rid, _ in data.rows("risks", removed=True)] == ["cccccc3"]


# -- dates ----------------------------------------------------------------------------------


def test_dates_in_iso_and_uk_forms():
    assert parse_date("2026-03-31", "When") == (date(2026, 3, 31), "")
    assert parse_date("31/03/2026", "When") == (date(2026, 3, 31), "")
    assert parse_date("", "When") == (None, "")
    assert parse_date("31/3", "When") == (
        None,
        "When: expected a date like 2026-03-31 or 31/03/2026, not '31/3'",
    )
    assert parse_date("2026-02-30", "When")[0] is None


def test_timeline_in_date_order_with_undated_last():
    data = PlanData(
        "",
        {
            "timeline.co-design.start": "2026-05-01",
            "timeline.co-design.end": "2026-04-01",
            "milestones.aaaaaa1.what": "Launch",
            "milestones.aaaaaa1.date": "01/06/2026",
            "milestones.bbbbbb2.what": "Party",
            "milestones.bbbbbb2.date": "someday",
            "review.date": "2026-01-15",
        },
    )
    entries = timeline(data)
    assert [e.what for e in entries] == [
        "Review of this plan",
        "Co-design ends",
        "Co-design starts",
        "Launch",
        "Party",
    ]
    assert entries[-1].problem.startswith("Party: expected a date")
    assert stage_date_problems(data) == {
        "co-design": "Co-design: ends (2026-04-01) before it starts (2026-05-01)"
    }


def test_review_is_due_on_its_date_or_when_opened_early():
    today = date(2026, 6, 1)
    assert not review_due(PlanData("", {}), today)
    assert not review_due(PlanData("", {"review.date": "2026-06-02"}), today)
    assert review_due(PlanData("", {"review.date": "2026-06-01"}), today)
    assert review_due(PlanData("", {"review.date": "2026-06-02", "review.opened": True}), today)
    assert not review_due(PlanData("", {"review.date": "soon"}), today)


def test_a_citation_for_readers_names_no_file_of_ours():
    from coprod_widgets.model.framework import Source
    from coprod_widgets.model.plan import reader_citation

    source = Source(
        "Seed texts: Benefits (shared/seeds/001_fce4a89c41895b7e.txt); Method sheet "
        "(data/planner/risks.yaml). Loeffler, E. (2020) Co-Production, chapter 3."
    )
    assert reader_citation(source) == (
        "Seed texts: Benefits; Method sheet. Loeffler, E. (2020) Co-Production, chapter 3."
    )
