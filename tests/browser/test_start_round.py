"""Starting a round in Chromium against a real `coprod serve`: a double click on *Create the
round* makes one round, and its two links sit in two boxes that say which is which."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect

from coprod_widgets.registry import opened_by

from .conftest import until, wait_app

pytestmark = pytest.mark.browser


def test_a_double_click_on_create_makes_one_round_with_two_labelled_links(server, store, page):
    team = f"Double click team {secrets.token_hex(4)}"
    page.goto(opened_by("owner").page(f"{server.url}/"))
    wait_app(page)
    page.get_by_label("Team name").fill(team)
    framework = page.get_by_label("Framework of principles")
    framework.select_option(label=framework.locator("option", has_text="SCIE").inner_text())
    page.get_by_role("button", name="Create the round").dblclick()
    expect(page.get_by_text("is open")).to_be_visible()
    page.wait_for_timeout(1500)  # time for a second round, if a second click made one

    def mine():
        return [s for s in store.rounds.all() if s.round.team == team]

    assert until(mine)
    [summary] = mine()
    assert summary.round.framework_id == "scie-four"

    share = page.locator(".coprod-link-share")
    keep = page.locator(".coprod-link-keep")
    expect(share.get_by_role("heading")).to_have_text("Share with your team: member link")
    expect(keep.get_by_role("heading")).to_have_text(
        "Keep to yourself: results link (anyone with it sees the results)"
    )
    expect(share).to_contain_text(f"/j/{summary.member_code}")
    expect(share).not_to_contain_text(summary.facilitator_code)
    expect(keep).to_contain_text(f"/j/{summary.facilitator_code}")
    expect(keep).to_contain_text("coprod round list --links")
    # two boxes that look different, not one list of two lines
    border = "getComputedStyle(el).borderTopStyle"
    assert share.evaluate(f"el => {border}") != keep.evaluate(f"el => {border}")

    # pressing again with the same form makes nothing new; a changed form makes a new round
    page.get_by_role("button", name="Create the round").click()
    page.wait_for_timeout(1000)
    assert len(mine()) == 1
    page.get_by_label("Team name").fill(team + " B")
    page.get_by_role("button", name="Create the round").click()
    assert until(lambda: [s for s in store.rounds.all() if s.round.team == team + " B"])
    assert len(mine()) == 1
