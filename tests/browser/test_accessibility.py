"""axe-core in Chromium over every page a person meets: no serious or critical violation."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from coprod_widgets.content import FrameworkLibrary

from .conftest import wait_app

pytestmark = pytest.mark.browser


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_pages_have_no_serious_accessibility_violations(server, store, page):
    fw = FrameworkLibrary().get("nef-nesta-six")
    links = store.rounds.create(
        "Axe team", fw, min_answers=1, roles=["Staff", "Person with lived experience"]
    )
    store.members.save_rating(links.member_code, "axe-member-token-1", fw.statements[0].id, 3)
    store.members.save_comment(
        links.member_code, "axe-member-token-1", fw.principles[0].id, "A comment"
    )
    store.members.submit(links.member_code, "axe-member-token-1")

    page.goto(f"{server.url}/")
    page.wait_for_selector("main")
    assert serious(page) == []

    for url in (
        f"{server.url}/j/{links.member_code}",
        f"{server.url}/j/{links.facilitator_code}",
        f"{server.url}/voila/render/start_round.ipynb",
    ):
        page.goto(url)
        wait_app(page)
        page.wait_for_timeout(500)
        assert serious(page) == [], url
        # Content sits inside a main landmark, and the page says its language.
        assert page.locator("main .coprod-app").count() == 1
        assert page.locator("html[lang]").count() == 1
    # The charts carry a text alternative and a table beside them.
    page.goto(f"{server.url}/j/{links.facilitator_code}")
    wait_app(page)
    svg = page.locator(".coprod-results-body svg[role=img]").first
    assert "median" in svg.get_attribute("aria-label")
    assert (
        page.locator(".coprod-results-body figure + table, .coprod-results-body table").count() >= 2
    )
