"""The plan report's body: every part of the plan, in order, with user text escaped and no
results link handed out."""

from __future__ import annotations

import pytest

from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.reports.plan import plan_report, plan_report_html, round_text

SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
R = "0a1b2c3d"


@pytest.fixture
def filled(store):
    _, code = store.plans.create(f"Plan {SCRIPT}")
    store.plans.save_fields(
        code,
        {
            "purpose.decision": f"The drop-in\n\n{SCRIPT}",
            "purpose.fixed": "The building",
            "ladder.id": "arnstein-ladder",
            "ladder.arnstein-ladder.today": "consultation",
            "ladder.arnstein-ladder.aim": "partnership",
            "cos.co-design.will": "partly",
            "cos.co-design.who": f"Parents {SCRIPT}",
            "voices.support.mentoring": True,
            f"budget.{R}.kind": "payment",
            f"budget.{R}.stage": "co-design",
            f"budget.{R}.what": f"Workshops {SCRIPT}",
            f"budget.{R}.people": "6",
            f"budget.{R}.sessions": "4",
            f"budget.{R}.hours": "2.5",
            f"budget.{R}.rate": "25.50",
            f"milestones.{R}.what": "Launch",
            f"milestones.{R}.date": "2027-01-10",
            f"risks.{R}.risk": f"Same voices {SCRIPT}",
            f"risks.{R}.how": "Rotate roles",
            f"measures.{R}.area": "sustainability",
            f"measures.{R}.what": "Roles held a year on",
            "review.date": "2027-03-01",
            "review.pdsa.predicted": "Twelve come",
            "review.pdsa.observed": "Five came",
            "review.pdsa.decision": "adapt",
        },
    )
    return code


def test_every_part_of_the_plan_is_in_the_report_in_order(store, filled):
    html = plan_report(filled, store.url)._repr_html_()
    headings = [
        "1. Purpose",
        "2. Where on the ladder",
        "3. The four Co's",
        "4. Voices",
        "5. Budget",
        "6. Timeline",
        "7. Risks and how we will meet them",
        "8. Measures: how we will know it worked",
        "9. Review",
    ]
    positions = [html.index(f"<h2>{h}</h2>") for h in headings]
    assert positions == sorted(positions)
    for text in (
        "4. Consultation",
        "6. Partnership",
        "Arnstein",
        "In part",
        "Mentoring or a buddy",
        "£1,530.00",
        "Payments can affect people",
        "2027-01-10",
        "Rotate roles",
        "Sustainability",
        "Roles held a year on",
        "Twelve come",
        "Five came",
        "Adapt: change the plan and test again",
    ):
        assert text in html, text


def test_user_text_is_escaped_everywhere_in_the_report(store, filled):
    html = plan_report(filled, store.url)._repr_html_()
    assert SCRIPT not in html
    assert html.count(SCRIPT_ESCAPED) >= 5  # title, purpose, co-design, budget, risk
    assert "<p>The drop-in</p><p>" + SCRIPT_ESCAPED + "</p>" in html


def test_an_empty_plan_says_what_is_not_filled_in(store):
    _, code = store.plans.create("")
    html = plan_report(code, store.url)._repr_html_()
    assert "Untitled plan: co-production plan" in html
    assert html.count("Not filled in yet.") >= 8
    assert "Review date: <strong>not set yet</strong>" in html


def test_a_round_opened_at_review_is_named_but_its_links_are_not_printed(store, filled):
    links = store.rounds.create("Riverside", FrameworkLibrary().get("scie-four"))
    store.plans.save_field(filled, "review.round_id", links.round.id)
    html = plan_report(filled, store.url)._repr_html_()
    assert "A team self-assessment round was opened at review" in html
    assert links.facilitator_code not in html and links.member_code not in html


def test_a_round_that_no_longer_exists_is_left_out(store):
    from coprod_widgets.model.plan import PlanData

    assert round_text(store, PlanData("", {"review.round_id": 999})) == ""


def test_an_unknown_plan_code_is_not_found(store):
    from coprod_widgets.errors import NotFound

    with pytest.raises(NotFound):
        plan_report("nope", store.url)


def test_the_report_notebook_runs_through_the_report_route(store, filled):
    from coprod_widgets.reports.export import export_report

    html = export_report("plan_report", {"code": filled, "db": store.url}, "html").decode()
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Co-production plan</title>" in html
    assert SCRIPT not in html and "Five came" in html
    assert plan_report_html  # the body builder is importable on its own


def test_the_exported_plan_names_its_sources_without_our_file_paths(store, filled):
    """A reader of the plan gets titles, authors and years; never a path of this repository
    (the page already hid them), whatever a source's citation carries."""
    from dataclasses import replace

    from coprod_widgets.content.planner import load_planner_content
    from coprod_widgets.model.plan import PlanData

    content = load_planner_content()
    path = " (shared/seeds/002_273859ec6f6e8c18.txt)"
    ladders = tuple(
        replace(lad, source=replace(lad.source, citation=lad.source.citation + path))
        for lad in content.ladders
    )
    payments = replace(
        content.payments,
        source=replace(content.payments.source, citation="NIHR (2022)" + path),
    )
    plan = store.plans.by_code(filled)
    html = plan_report_html(
        plan,
        PlanData(plan.title, store.plans.fields(filled)),
        replace(content, ladders=ladders, payments=payments),
    )
    assert "Source: " in html and "Sources: NIHR (2022)" in html
    assert ".txt" not in html and "seeds/" not in html
