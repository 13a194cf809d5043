"""Nothing typed is lost, and nothing is shown as saved that is not: in a real Chromium against
a real `coprod serve`, with the kernel killed mid-sentence and a tab closed mid-word."""

from __future__ import annotations

import os
import signal

import pytest
from playwright.sync_api import expect

from .conftest import until, wait_app

pytestmark = pytest.mark.browser


def _member_page(server, store, framework, page):
    links = store.rounds.create("Autosave team", framework)
    page.goto(f"{server.url}/j/{links.member_code}")
    wait_app(page)
    return links


def _comment(store, round_id: int, principle: str) -> str:
    answers = store.rounds.answers(round_id)
    return answers[0].comments.get(principle, "") if answers else ""


def test_a_kernel_killed_mid_sentence_loses_nothing(server, store, framework, page):
    links = _member_page(server, store, framework, page)
    pid = framework.principles[0].id
    box = page.locator(f".coprod-keep--evidence-{pid} textarea")
    box.click()
    box.type("Typed before. ", delay=5)
    assert until(lambda: _comment(store, links.round.id, pid) == "Typed before. ", 15)
    expect(page.locator(".coprod-save-status")).to_contain_text("All changes saved")

    os.kill(server.kernel_pid(page), signal.SIGKILL)
    box.type("Typed after the kernel died.", delay=5)
    # said within about five seconds, and never "saved"
    expect(page.locator(".coprod-connection")).to_contain_text(
        "Not saved, reconnecting", timeout=7000
    )
    expect(page.locator(".coprod-save-status")).not_to_contain_text("All changes saved")

    # the page reloads by itself onto a new kernel and saves what was kept on the device
    full = "Typed before. Typed after the kernel died."
    assert until(lambda: _comment(store, links.round.id, pid) == full, 60), _comment(
        store, links.round.id, pid
    )
    wait_app(page)
    expect(page.locator(f".coprod-keep--evidence-{pid} textarea")).to_have_value(full)
    expect(page.locator(".coprod-connection")).to_have_count(0, timeout=15000)
    # once saved, the device keeps nothing more
    assert until(
        lambda: (
            page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('coprod:'))") == []
        ),
        15,
    )


def test_a_tab_closed_mid_word_brings_it_back(server, store, framework, chromium):
    context = chromium.new_context(viewport={"width": 1100, "height": 1200})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        links = _member_page(server, store, framework, page)
        pid = framework.principles[0].id
        url = page.url
        box = page.locator(f".coprod-keep--evidence-{pid} textarea")
        box.click()
        page.keyboard.insert_text("Closed before the pause")  # no time for the autosave's pause
        page.close()  # a tab closed at once: the kernel may never have written it

        again = context.new_page()
        again.set_default_timeout(30_000)
        again.goto(url)
        wait_app(again)
        want = "Closed before the pause"
        assert until(lambda: _comment(store, links.round.id, pid) == want, 30)
        expect(again.locator(f".coprod-keep--evidence-{pid} textarea")).to_have_value(want)
    finally:
        context.close()


def test_a_refused_paste_is_said_at_the_box_and_other_boxes_keep_saving(
    server, store, framework, page
):
    links = _member_page(server, store, framework, page)
    first, second = framework.principles[0].id, framework.principles[1].id
    box = page.locator(f".coprod-keep--evidence-{first} textarea")
    box.click()
    # A lone surrogate cannot travel through Playwright's own text: put it in from the page.
    box.evaluate(
        "el => { el.value = 'a lone \\uD800 surrogate';"
        " el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    # the page says so at the box: such a character never reaches the kernel
    expect(page.locator(".coprod-broken-note")).to_contain_text("cannot be saved")
    expect(page.locator(".coprod-connection")).to_have_count(0)

    # a control character reaches the kernel, which refuses it beside the box
    box.fill("a bell \x07 in it")
    note = page.locator(".coprod-field-note").first
    expect(note).to_contain_text("cannot be saved", timeout=10000)
    expect(page.locator(".coprod-broken-note")).to_have_count(0)
    expect(page.locator(".coprod-save-status")).to_contain_text("Not saved")

    big = "x" * 1_000_000  # a 1 MB paste: refused with its length, the page still works
    box.fill(big)
    expect(note).to_contain_text("the most it can hold is", timeout=15000)

    page.get_by_role("button", name="Next").first.click()
    other = page.locator(f".coprod-keep--evidence-{second} textarea")
    other.click()
    other.type("Still saving.", delay=5)
    assert until(lambda: _comment(store, links.round.id, second) == "Still saving.", 15)
    assert _comment(store, links.round.id, first) == ""
