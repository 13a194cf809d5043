"""The planner in Chromium against a real `coprod serve`: fill a plan, reload, everything is
there; export it, read the file; and axe finds nothing serious on the page."""

from __future__ import annotations

import os
import signal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import until, wait_app

pytestmark = pytest.mark.browser

XSS = "<script>alert(1)</script>"
TLAP_TODAY = "Where the work is today (Ladder of co-production (Think Local Act Personal))"


def radio_group(page, label: str):
    return page.locator(".coprod-planner .widget-radio").filter(has_text=label)


def test_fill_a_plan_reload_and_export_it(server, store, page):
    _, code = store.plans.create("Journey plan")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    url = f"{server.url}/voila/render/planner.ipynb?plan={code}"
    page.goto(url)
    wait_app(page)
    expect(page.locator(".coprod-plan-link")).to_contain_text(f"?plan={code}")

    # 1. Purpose, with text that must never run.
    page.get_by_label("What decision or service is at stake?").fill(f"The drop-in {XSS}")
    page.get_by_label("What is not open to change, and why?").fill("The building is fixed.")
    # 2. Ladder.
    page.get_by_label(TLAP_TODAY).select_option(label="4. Consultation")
    # 3. The four Co's.
    radio_group(page, "Co-design: will it be co-produced?").get_by_label("Yes").check()
    page.get_by_label("Co-design: with whom?").fill("Young people and youth workers")
    # 4. Voices, and a support need.
    page.get_by_label("Who usually does not take part, and why might that be?").fill(
        "Young carers: sessions clash with caring."
    )
    page.get_by_label("Travel, paid or arranged").check()
    # 5. Budget: a non-number first, then put right.
    page.get_by_role("button", name="Add a budget line").click()
    line = page.locator(".coprod-budget-line").first
    expect(line).to_be_visible()
    line.get_by_label("Stage", exact=True).select_option(label="Co-design")
    line.get_by_label("What for").fill("Design workshops")
    line.get_by_label("People", exact=True).fill("6")
    line.get_by_label("Sessions", exact=True).fill("4")
    line.get_by_label("Hours each").fill("2.5")
    line.get_by_label("Rate per hour (£)").fill("abc")
    expect(line.locator(".coprod-field-problem")).to_have_text(
        "Rate: expected a number like 25 or 25.50, not 'abc'"
    )
    expect(page.locator(".coprod-left-out")).to_contain_text("1 line is left out of the totals")
    line.get_by_label("Rate per hour (£)").fill("25.50")
    expect(line.locator(".coprod-line-sum")).to_contain_text("£1,530.00")
    expect(page.locator(".coprod-budget-total")).to_contain_text("£1,530.00")
    expect(page.locator(".coprod-budget-totals svg[role=img]")).to_have_attribute(
        "aria-label",
        "Bar chart of the budget per stage, split by kind of cost. "
        "Co-design: £1,530.00. Total £1,530.00.",
    )
    # 6. Timeline.
    page.get_by_label("Co-design starts").fill("2026-09-01")
    page.get_by_role("button", name="Add a milestone or review date").click()
    page.get_by_label("What", exact=True).fill("First workshop")
    page.get_by_label("When", exact=True).fill("2026-09-15")
    # 7. Risks, from the starting list.
    page.get_by_role("button", name="Add this risk").click()
    expect(page.get_by_label("The risk")).to_have_value(
        "It takes more time and money than we planned for"
    )
    # 8. Measures.
    page.get_by_role("button", name="Add a measure").click()
    page.get_by_label("Area of benefit").select_option(label="Participant wellbeing")
    page.get_by_label("What we will look for").fill("People say taking part helped")
    # 9. Review: a date already past opens the reflection.
    page.get_by_label("Review date").fill("2026-01-01")
    page.get_by_label("What we predicted").fill("Twelve come")
    page.get_by_label("What we observed").fill("Five came")

    def saved():
        f = store.plans.fields(code)
        return (
            f.get("review.pdsa.observed") == "Five came"
            and any(k.endswith(".rate") and v == "25.50" for k, v in f.items())
            and any(
                k.endswith(".what") and v == "People say taking part helped" for k, v in f.items()
            )
            and f.get("voices.support.travel") is True
        )

    assert until(saved, timeout=15.0), store.plans.fields(code)
    fields = store.plans.fields(code)
    assert fields["purpose.decision"] == f"The drop-in {XSS}"
    assert fields["ladder.tlap-ladder.today"] == "consultation"
    assert fields["cos.co-design.will"] == "yes"

    # A reload brings it all back, from the store.
    page.reload()
    wait_app(page)
    expect(page.get_by_label("What decision or service is at stake?")).to_have_value(
        f"The drop-in {XSS}"
    )
    expect(page.get_by_label(TLAP_TODAY)).to_have_value("4. Consultation")
    expect(
        radio_group(page, "Co-design: will it be co-produced?").get_by_label("Yes")
    ).to_be_checked()
    expect(page.get_by_label("Co-design: with whom?")).to_have_value(
        "Young people and youth workers"
    )
    expect(page.get_by_label("Travel, paid or arranged")).to_be_checked()
    line = page.locator(".coprod-budget-line").first
    expect(line.get_by_label("Rate per hour (£)")).to_have_value("25.50")
    expect(line.get_by_label("People", exact=True)).to_have_value("6")
    expect(line.locator(".coprod-line-sum")).to_contain_text("£1,530.00")
    expect(page.get_by_label("Co-design starts")).to_have_value("2026-09-01")
    expect(page.get_by_label("What", exact=True)).to_have_value("First workshop")
    expect(page.get_by_label("The risk")).to_have_value(
        "It takes more time and money than we planned for"
    )
    expect(page.get_by_label("Area of benefit")).to_have_value("Participant wellbeing")
    expect(page.get_by_label("What we observed")).to_have_value("Five came")

    # A dead kernel loses nothing either.
    os.kill(server.kernel_pid(page), signal.SIGKILL)
    page.reload()
    wait_app(page)
    expect(page.get_by_label("What we predicted")).to_have_value("Twelve come")

    # Export: download the HTML, read the file.
    page.get_by_role("button", name="Make an HTML copy").click()
    link = page.locator("a.coprod-download-html")
    expect(link).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "journey-plan.html"
    html = open(download.path(), encoding="utf-8").read()
    assert "Journey plan: co-production plan" in html
    assert "The drop-in &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert XSS not in html
    for text in (
        "The building is fixed.",
        "4. Consultation",
        "Young people and youth workers",
        "Travel, paid or arranged",
        "£1,530.00",
        "First workshop",
        "It takes more time and money than we planned for",
        "People say taking part helped",
        "Five came",
    ):
        assert text in html, text
    assert dialogs == []


def test_the_home_page_leads_to_a_new_plan_and_its_link(server, store, page):
    page.goto(f"{server.url}/")
    page.get_by_role("link", name="Plan how you will involve people").click()
    wait_app(page)
    page.get_by_label("Name of the plan").fill("From the home page")
    page.get_by_role("button", name="Start a new plan").click()
    expect(page.locator(".coprod-notice-success")).to_contain_text("Keep this private link")
    text = page.locator(".coprod-notice-success").inner_text()
    code = text.split("?plan=")[1].split()[0]
    assert store.plans.by_code(code).title == "From the home page"
    # The plan opens in the page, and its link opens it again later.
    expect(page.locator(".coprod-planner")).to_be_visible()
    page.goto(f"{server.url}/voila/render/planner.ipynb?plan={code}")
    wait_app(page)
    expect(page.get_by_label("Name of the plan")).to_have_value("From the home page")


def test_the_planner_page_has_no_serious_accessibility_violations(server, store, page):
    _, code = store.plans.create("Axe plan")
    store.plans.save_fields(
        code,
        {
            "budget.0a1b2c3d.kind": "payment",
            "budget.0a1b2c3d.stage": "co-design",
            "budget.0a1b2c3d.people": "6",
            "budget.0a1b2c3d.sessions": "4",
            "budget.0a1b2c3d.hours": "2",
            "budget.0a1b2c3d.rate": "abc",
            "budget.0a1b2c4e.kind": "venue",
            "budget.0a1b2c4e.cost": "120",
            "milestones.0a1b2c3d.kind": "milestone",
            "risks.0a1b2c3d.risk": "Same voices",
            "measures.0a1b2c3d.area": "sustainability",
            "review.opened": True,
        },
    )
    page.goto(f"{server.url}/voila/render/planner.ipynb?plan={code}")
    wait_app(page)
    expect(page.locator(".coprod-budget-totals svg[role=img]")).to_be_visible()
    page.wait_for_timeout(500)
    results = Axe().run(page)
    serious = [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert page.locator("main .coprod-app").count() == 1
    # Every input has an accessible name (ipywidgets' description, linked to it as a label).
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll(
                'main .coprod-planner input, main .coprod-planner textarea, main .coprod-planner select')]
            .filter(e => e.offsetParent !== null)
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                         && !e.getAttribute('aria-labelledby'))
            .map(e => e.outerHTML.slice(0, 120))"""
    )
    assert unnamed == []
    assert page.locator("main .coprod-planner input:visible").count() > 30  # the check saw them
    # The chart has a text alternative, with the table beside it.
    svg = page.locator(".coprod-budget-totals svg[role=img]")
    assert "No stage chosen: £120.00" in svg.get_attribute("aria-label")
    assert page.locator(".coprod-budget-totals table caption").count() == 1
    # The keyboard reaches the budget: Tab from "Add a budget line" moves on, Enter adds one.
    page.get_by_role("button", name="Add a budget line").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".coprod-budget-line")).to_have_count(3)


def test_two_people_typing_in_the_same_box_lose_nothing(server, store, page):
    """Two tabs on one plan, both typing the decision: the later one is told, sees the newer
    text in the box, and what they typed stays on their page and with the plan."""
    _, code = store.plans.create("Two tabs")
    url = f"{server.url}/voila/render/planner.ipynb?plan={code}"
    other = page.context.new_page()
    for p in (page, other):
        p.goto(url)
        wait_app(p)
    box = "What decision or service is at stake?"
    page.get_by_label(box).fill("How the youth drop-in is run, and by whom")
    assert until(
        lambda: (
            store.plans.fields(code).get("purpose.decision")
            == "How the youth drop-in is run, and by whom"
        )
    )
    other.get_by_label(box).fill("Opening hours <b>only</b>")
    expect(other.get_by_role("heading", name="Two people typed in the same box")).to_be_visible()
    expect(other.get_by_label(box)).to_have_value("How the youth drop-in is run, and by whom")
    expect(other.locator(".coprod-notice-error")).to_contain_text("Opening hours <b>only</b>")
    assert (
        store.plans.fields(code)["purpose.decision"] == "How the youth drop-in is run, and by whom"
    )
    assert store.plans.fields(code)["kept.purpose.decision"] == "Opening hours <b>only</b>"
    # A reload of the first tab shows what was kept too, until someone clears it.
    page.reload()
    wait_app(page)
    expect(page.get_by_role("heading", name="Two people typed in the same box")).to_be_visible()
    page.get_by_role("button", name="Clear the kept text").click()
    expect(page.get_by_role("heading", name="Two people typed in the same box")).to_have_count(0)
    assert until(lambda: not store.plans.fields(code).get("kept.purpose.decision"))
    other.close()
