"""The budget's pandas tables and chart, against the model's hand-worked example."""

from __future__ import annotations

import re

import pandas as pd

from coprod_widgets.analysis.budget import (
    ALL_STAGES,
    TOTAL,
    budget_html,
    chart_label,
    lines_frame,
    totals_display,
    totals_frame,
)
from coprod_widgets.model.plan import budget_line

# The hand-worked example of tests/model/test_plan.py (each line's total worked out by hand).
HAND_WORKED = [
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


def test_totals_frame_matches_the_hand_worked_totals_to_the_penny():
    t = totals_frame(hand_worked_lines())
    assert list(t.index) == ["Co-design", "Co-delivery", "No stage chosen", ALL_STAGES]
    assert list(t.columns) == [
        "Payments to participants",
        "Expenses",
        "Venue",
        "Interpreting",
        "Childcare and care",
        "Other costs",
        TOTAL,
    ]
    assert t.loc["Co-design", TOTAL] == 1740.00
    assert t.loc["Co-design", "Payments to participants"] == 1530.00
    assert t.loc["Co-design", "Expenses"] == 210.00
    assert t.loc["Co-design", "Childcare and care"] == 0.00  # a zero line still counts
    assert t.loc["Co-delivery", TOTAL] == 255.00
    assert t.loc["No stage chosen", "Other costs"] == 9.99
    assert t.loc[ALL_STAGES, TOTAL] == 2004.99
    assert t.loc[ALL_STAGES, "Interpreting"] == 135.00
    # The lines left out (a word in a number, a missing rate) are in no total.
    assert "Co-evaluation" not in t.index


def test_totals_frame_with_nothing_that_adds_up_is_zero():
    t = totals_frame([budget_line("aaaaaa1", {"kind": "payment", "rate": "abc"})])
    assert list(t.index) == [ALL_STAGES]
    assert t.loc[ALL_STAGES, TOTAL] == 0.0
    assert totals_frame([]).loc[ALL_STAGES, TOTAL] == 0.0


def test_many_small_amounts_add_up_exactly():
    # 0.1 + 0.2 is not 0.3 in floating point; the totals are summed in pence.
    lines = [
        budget_line(f"line{i:03d}", {"kind": "other", "stage": "co-design", "cost": c})
        for i, c in enumerate(["0.10", "0.20"] * 50)
    ]
    assert totals_frame(lines).loc[ALL_STAGES, TOTAL] == 15.00


def test_lines_frame_keeps_every_line_with_its_note():
    df = lines_frame(hand_worked_lines())
    assert len(df) == 9
    assert df.loc[0, "pence"] == 153000
    assert pd.isna(df.loc[5, "pence"])
    assert df.loc[5, "Note"] == "People: expected a whole number like 6, not 'abc'"
    assert df.loc[6, "Note"] == "Not filled in yet."
    assert df.loc[7, "Note"] == "Left out of the totals: Rate still to fill in."
    assert df.loc[8, "Stage"] == "No stage chosen"


def test_display_shows_pounds():
    shown = totals_display(totals_frame(hand_worked_lines()))
    assert shown.columns[0] == "Stage"
    assert shown.iloc[-1][TOTAL] == "£2,004.99"


def test_budget_html_has_total_chart_with_text_alternative_and_table():
    html = budget_html(hand_worked_lines())
    assert "Total: <strong>£2,004.99</strong> from 6 lines." in html
    svg = re.search(r"<svg [^>]*>", html).group(0)
    assert 'role="img"' in svg
    label = re.search(r'aria-label="([^"]*)"', svg).group(1)
    assert "Co-design: £1,740.00" in label and "Total £2,004.99" in label
    assert "<caption>Budget totals per stage and kind of cost (£)</caption>" in html
    assert "2 lines are left out of the totals" in html
    assert "People: expected a whole number like 6, not &#x27;abc&#x27;" in html


def test_budget_html_escapes_what_people_typed():
    xss = "<script>alert(1)</script>"
    lines = [
        budget_line("aaaaaa1", {"kind": "venue", "cost": "10", "what": xss}),
        budget_line("aaaaaa2", {"kind": "venue", "cost": xss, "what": xss}),
    ]
    html = budget_html(lines, with_lines=True)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_chart_label_lists_every_stage():
    t = totals_frame(hand_worked_lines())
    assert chart_label(t) == (
        "Bar chart of the budget per stage, split by kind of cost. Co-design: £1,740.00; "
        "Co-delivery: £255.00; No stage chosen: £9.99. Total £2,004.99."
    )


def test_budget_html_without_lines_says_zero():
    assert "£0.00" in budget_html([])
