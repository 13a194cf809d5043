"""The facilitator's loop in Chromium against a real `coprod serve`: agree an action, download
the team report, open the next round, review the action there."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coprod_widgets.content import FrameworkLibrary

from .conftest import until, wait_app
from .test_accessibility import serious

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def _answers(store, links, fw, values, roles=None):
    for i, v in enumerate(values):
        me = f"loop-member-{links.round.id}-{i:02d}-token"
        if roles:
            store.members.save_profile(links.member_code, me, role=roles[i])
        for s in fw.statements:
            store.members.save_rating(links.member_code, me, s.id, v)
        store.members.submit(links.member_code, me)


def test_facilitator_agrees_an_action_downloads_the_report_and_reviews_it_next_round(
    server, store, page, tmp_path
):
    fw = FrameworkLibrary().get("scie-four")
    links = store.rounds.create("Loop team", fw, min_answers=3, roles=["Staff", "Carer"])
    _answers(store, links, fw, [2, 3, 2], roles=["Staff", "Staff", "Carer"])
    page.goto(f"{server.url}/j/{links.facilitator_code}")
    wait_app(page)
    expect(page.locator(".coprod-results-body")).to_contain_text("Where views differ most")
    expect(page.get_by_role("heading", name="Who got heard")).to_be_visible()

    page.get_by_label("New action: what will the team do?").fill(f"Pay people {XSS}")
    page.get_by_label("Which principle it addresses").select_option(label=fw.principles[1].title)
    page.get_by_label("Who leads").last.fill("Sam")
    page.get_by_role("button", name="Add this action").click()
    editor = page.get_by_label("Action 1: what will the team do?")
    expect(editor).to_have_value(f"Pay people {XSS}")
    assert until(lambda: store.actions.for_round(links.round.id))
    [action] = store.actions.for_round(links.round.id)
    assert (action.what, action.principle_id, action.lead) == (
        f"Pay people {XSS}",
        fw.principles[1].id,
        "Sam",
    )
    # edits are saved as typed, and a reload brings them back
    page.get_by_label("Who leads").first.fill("Sam and Priya")
    assert until(lambda: store.actions.get(action.id).lead == "Sam and Priya")
    page.reload()
    wait_app(page)
    expect(page.get_by_label("Who leads").first).to_have_value("Sam and Priya")

    # the team report, downloaded as a person would
    page.get_by_role("button", name="Prepare the team report (web page)").click()
    download_link = page.get_by_role("link", name="Download the team report (web page)")
    expect(download_link).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        download_link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    html = saved.read_text(encoding="utf-8")
    assert saved.name == f"team-report-round-{links.round.id}.html"
    assert "Loop team" in html and fw.principles[1].title in html
    assert "Pay people &lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html

    # the next round starts with the action to review
    page.get_by_role("button", name="Open the next round").click()
    expect(page.get_by_text(f"Round {links.round.id + 1} was opened from this one")).to_be_visible()
    nxt = store.rounds.links(store.rounds.next(links.round.id).id)
    _answers(store, nxt, fw, [4, 4, 3], roles=["Staff", "Staff", "Carer"])
    page.goto(f"{server.url}/j/{nxt.facilitator_code}")
    wait_app(page)
    expect(page.get_by_role("heading", name="Actions to look back on")).to_be_visible()
    expect(page.get_by_role("heading", name=f"Action 1: Pay people {XSS}")).to_be_visible()
    page.get_by_label("Action 1: status").select_option(label="Done")
    page.get_by_label("Action 1: did it help?").select_option(label="Yes, it helped")
    assert until(lambda: store.actions.get(action.id).helped == "yes")
    reviewed = store.actions.get(action.id)
    assert (reviewed.status, reviewed.reviewed_in) == ("done", nxt.round.id)
    expect(page.get_by_text("Median (and spread) per principle in each round")).to_be_visible()
    page.wait_for_timeout(500)
    assert serious(page) == []
