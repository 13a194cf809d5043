"""Journeys a member and a facilitator make, in Chromium against a real `coprod serve`."""

from __future__ import annotations

import signal

import pytest
from playwright.sync_api import expect

from coprod_widgets.content import FrameworkLibrary

from .conftest import until, wait_app

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


def test_member_rates_reloads_survives_a_dead_kernel_and_submits(server, store, page):
    fw = FrameworkLibrary().get("scie-four")
    links = store.rounds.create("Ward 7", fw, min_answers=3)
    page.goto(f"{server.url}/j/{links.member_code}")
    wait_app(page)
    assert "/voila/render/self_assessment.ipynb" in page.url

    first = page.locator(".coprod-statement").nth(0)
    first.get_by_label("4 Often").check()
    page.locator(".coprod-evidence textarea").fill("We co-chair the ward meeting.")
    expect(page.locator(".coprod-save-status")).to_contain_text("All changes saved")

    def saved():
        answers = store.rounds.answers(links.round.id)
        return (
            answers
            and answers[0].comments.get(fw.principles[0].id) == ("We co-chair the ward meeting.")
            and answers[0].ratings.get(fw.principles[0].statements[0].id)
        )

    assert until(saved), "the draft did not reach the store within 10 s"
    answer = store.rounds.answers(links.round.id)[0]
    assert answer.ratings[fw.principles[0].statements[0].id].value == 4
    assert answer.status == "draft"

    # A reload brings everything back.
    page.reload()
    wait_app(page)
    first = page.locator(".coprod-statement").nth(0)
    expect(first.get_by_label("4 Often")).to_be_checked()
    expect(page.locator(".coprod-evidence textarea")).to_have_value("We co-chair the ward meeting.")

    # A dead kernel loses nothing: kill it, reload, all there.
    import os

    os.kill(server.kernel_pid(page), signal.SIGKILL)
    page.reload()
    wait_app(page)
    expect(page.locator(".coprod-statement").nth(0).get_by_label("4 Often")).to_be_checked()

    # A closed tab: the team link, opened again on the same device, finds the same answers.
    again = page.context.new_page()
    page.close()
    again.goto(f"{server.url}/j/{links.member_code}")
    wait_app(again)
    expect(again.locator(".coprod-evidence textarea")).to_have_value(
        "We co-chair the ward meeting."
    )

    # Keyboard: go to the next principle and rate with the keyboard alone.
    again.get_by_role("button", name="Next principle").focus()
    again.keyboard.press("Enter")
    expect(again.locator(".coprod-principle-title")).to_have_text(fw.principles[1].title)
    again.locator(".coprod-statement").nth(0).get_by_label("2 Rarely").focus()
    again.keyboard.press("Space")
    assert until(
        lambda: store.rounds.answers(links.round.id)[0].ratings.get(
            fw.principles[1].statements[0].id
        )
    )

    again.get_by_role("button", name="Submit my answers").click()
    # Ten of twelve unrated: it asks first.
    expect(again.locator(".coprod-notice")).to_contain_text("You rated 2 of 12 statements")
    assert not store.rounds.answers(links.round.id)[0].submitted
    again.get_by_role("button", name="Submit anyway").click()
    expect(again.locator(".coprod-notice-success")).to_contain_text("your answers are in")
    assert until(lambda: store.rounds.answers(links.round.id)[0].submitted)
    assert (
        len(store.rounds.answers(links.round.id)) == 1
    )  # one person, one answer, however often they came


def _member_answers(store, links, fw, me, value, comment=""):
    for s in fw.statements:
        store.members.save_rating(links.member_code, me, s.id, value)
    if comment:
        store.members.save_comment(links.member_code, me, fw.principles[0].id, comment)
    store.members.submit(links.member_code, me)


def test_facilitator_sees_only_the_count_until_the_minimum_then_results(server, store, page):
    fw = FrameworkLibrary().get("scie-four")
    links = store.rounds.create("Threshold team", fw, min_answers=3)
    _member_answers(store, links, fw, "member-one-token-xx", 2, "Nobody asked us.")
    _member_answers(store, links, fw, "member-two-token-xx", 4)

    page.goto(f"{server.url}/j/{links.facilitator_code}")
    wait_app(page)
    body = page.locator(".coprod-results-body")
    expect(body).to_contain_text("2 of 3")
    assert page.locator(".coprod-results-body svg").count() == 0
    assert "Nobody asked us." not in body.inner_text()
    assert "Where views differ most" not in body.inner_text()

    _member_answers(store, links, fw, "member-three-tok-xx", 5)
    page.get_by_role("button", name="Refresh results").click()
    expect(body).to_contain_text("Where views differ most")
    expect(body.locator("svg[role=img]").first).to_be_visible()
    expect(body.locator("table caption").first).to_have_text("Results per principle")
    expect(body).to_contain_text("Nobody asked us.")
    expect(body).to_contain_text("Results from 3 answers")


def test_a_comment_with_html_shows_as_text_and_runs_nothing(server, store, page):
    fw = FrameworkLibrary().get("scie-four")
    links = store.rounds.create("Escaping team", fw, min_answers=1)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server.url}/j/{links.member_code}")
    wait_app(page)
    page.locator(".coprod-statement").nth(0).get_by_label("3 Sometimes").check()
    page.locator(".coprod-evidence textarea").fill(XSS)
    assert until(
        lambda: (
            store.rounds.answers(links.round.id)
            and store.rounds.answers(links.round.id)[0].comments.get(fw.principles[0].id) == XSS
        )
    )
    page.get_by_role("button", name="Submit my answers").click()
    page.get_by_role("button", name="Submit anyway").click()
    expect(page.locator(".coprod-notice-success")).to_be_visible()

    page.goto(f"{server.url}/j/{links.facilitator_code}")
    wait_app(page)
    comments = page.locator(".coprod-comments li")
    expect(comments.first).to_have_text(XSS)
    assert page.locator(".coprod-results-body img").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []


def test_unknown_and_closed_links_get_a_plain_page(server, store, page):
    resp = page.goto(f"{server.url}/j/no-such-code")
    assert resp.status == 404
    expect(page.locator("h1")).to_have_text("This link is not recognised")

    # Asked for directly, an unknown code gets the same plain page, and no kernel.
    resp = page.goto(
        f"{server.url}/voila/render/self_assessment.ipynb?code=nope&me=whoever-1234567"
    )
    assert resp.status == 404
    expect(page.locator("h1")).to_have_text("This link is not recognised")
    assert "Traceback" not in page.content()

    fw = FrameworkLibrary().get("scie-four")
    links = store.rounds.create("Closed team", fw)
    store.rounds.close(links.round.id)
    resp = page.goto(f"{server.url}/j/{links.member_code}")
    assert resp.status == 410
    expect(page.locator("h1")).to_have_text("This round has closed")


def test_closed_pages_leave_no_kernel_running(server, store, chromium):
    """Voila 0.5 leaves a closed page's kernel running; coprod serve must not."""
    import psutil

    fw = FrameworkLibrary().get("scie-four")
    links = store.rounds.create("Kernel team", fw)
    pids = []
    for _ in range(3):
        context = chromium.new_context()
        pg = context.new_page()
        pg.goto(f"{server.url}/j/{links.member_code}")
        wait_app(pg)
        pids.append(server.kernel_pid(pg))
        pg.close(run_before_unload=True)  # as a person closing the tab
        context.close()

    def alive():
        out = []
        for p in pids:
            try:
                if psutil.Process(p).status() != psutil.STATUS_ZOMBIE:
                    out.append(p)
            except psutil.NoSuchProcess:
                continue
        return out

    assert until(lambda: not alive(), 20), (
        f"kernels still running after their page closed: {alive()}"
    )
