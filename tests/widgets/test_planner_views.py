"""The planner's views headless, without a store: set a child's value or click it, assert on
what the view holds and says."""

from __future__ import annotations

from datetime import date

import pytest

from coprod_widgets.content.planner import load_planner_content
from coprod_widgets.model.plan import ROWS, PlanData
from coprod_widgets.widgets.planner import RowBox, RowList
from coprod_widgets.widgets.planner_parts import LadderView
from coprod_widgets.widgets.planner_review import ExportView, ReviewView
from coprod_widgets.widgets.planner_rows import BudgetView, RisksView


@pytest.fixture(scope="module")
def content():
    return load_planner_content()


def shown(widget) -> bool:
    return widget.layout.display != "none"


def risk_rows(rows=()) -> RowList:
    def make(rid, values):
        return RowBox(ROWS["risks"], rid, "risks", values, noun="risk")

    return RowList("risks", make, rows)


def test_a_row_list_tells_what_was_added_removed_and_restored():
    rows = risk_rows([("000000000001aaaaaa", {"risk": "Tokenism"})])
    heard = []
    rows.on_change(lambda row, event, first: heard.append((row.row_id, event, first)))
    new = rows.add({"risk": "Burn-out"})
    assert heard == [(new.row_id, "added", {"risk": "Burn-out"})]
    assert [r.row_id for r in rows.children] == ["000000000001aaaaaa", new.row_id]
    new.inputs["who"].value = "Priya"
    new.remove_button.click()
    assert heard[-1] == (new.row_id, "removed", {})
    assert new.row_id not in rows.rows and new not in rows.children
    back = rows.restore()
    assert heard[-1] == (new.row_id, "restored", {})
    assert back is not None and back.row_id == new.row_id
    assert back.inputs["who"].value == "Priya" and back in rows.children
    assert rows.restore() is None  # only the last one removed comes back, once


def test_the_ladder_view_shows_only_the_chosen_ladder_and_marks_today(content):
    view = LadderView(content, {"ladder.id": "arnstein-ladder"})
    assert shown(view.steps["arnstein-ladder"]) and not shown(view.steps["tlap-ladder"])
    view.steps["arnstein-ladder"].inputs["today"].value = "consultation"
    view.refresh(PlanData())
    assert "Today" in view.table.value
    view.choice.inputs["id"].value = "tlap-ladder"
    view.refresh(PlanData())
    assert shown(view.steps["tlap-ladder"]) and not shown(view.steps["arnstein-ladder"])
    assert "Today" not in view.table.value


def test_budget_totals_are_drawn_only_when_what_they_show_changes(content):
    drawn = []

    def totals(lines):
        drawn.append(len(lines))
        return f"<p>{len(lines)} lines</p>"

    view = BudgetView(content, PlanData(), totals)
    assert drawn == [0]
    line = view.lines.add({"kind": "venue", "stage": ""})
    view.refresh(PlanData())  # an empty line: the totals show nothing new
    line.inputs["cost"].value = "100"
    view.refresh(PlanData())
    assert drawn == [0, 1]
    line.inputs["what"].value = "Hall"  # not in the totals: no redraw
    view.refresh(PlanData())
    assert drawn == [0, 1]
    line.remove_button.click()
    assert shown(view.undo_remove)
    view.undo_remove.click()
    assert not shown(view.undo_remove) and list(view.lines.rows) == [line.row_id]


def test_risks_offered_are_those_not_yet_in_the_plan(content):
    view = RisksView(content, PlanData())
    first = content.risks[0]
    view.add.click()
    (row,) = view.rows.rows.values()
    assert row.inputs["risk"].value == first.title
    view.refresh(PlanData())
    assert first.id not in [v for _, v in view.pick.options]


def test_the_review_opens_on_its_date_or_when_started(content):
    view = ReviewView({}, date(2026, 6, 1), "Team", [("SCIE", "scie-four")], served=False)
    assert not view.due and not shown(view.pdsa_area) and shown(view.open_review)
    view.fields.inputs["date"].value = "2026-06-02"
    view.refresh(PlanData(fields={"review.date": "2026-06-02"}))
    assert not view.due and "opens on 2026-06-02" in view.state.value
    view.refresh(PlanData(fields={"review.date": "2026-06-02", "review.opened": True}))
    assert view.due and shown(view.pdsa_area) and not shown(view.open_review)
    assert view.journal.link not in view.journal.children  # no journal link to paste locally


def test_the_export_view_keeps_both_links_with_their_classes():
    view = ExportView()
    view.offer("pdf", b"%PDF-1.4", "our-plan.pdf")
    view.offer("html", b"<html></html>", "our-plan.html")
    html = view.downloads.value
    assert html.index("coprod-download-html") < html.index("coprod-download-pdf")
    assert "download='our-plan.pdf'" in html and "Download the plan as HTML" in html
    assert view.note.kind == "success"
