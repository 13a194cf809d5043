"""The journal in Chromium against a real `coprod serve`: write a Gibbs entry, reload half-way,
find it, finish it, export the NMC form and read the answers in the downloaded file; a second
visitor sees none of it; axe finds nothing serious."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from coprod_widgets.identity import journal_key_owner

from .conftest import until, wait_app

pytestmark = pytest.mark.browser

TITLE = "Co-chairing the ward planning meeting"
STAGES = {
    "Description": "A peer worker and I co-chaired the ward's planning meeting for the first time.",
    "Feelings": "Nervous before it started; relieved when people began to talk.",
    "Evaluation": "More people spoke than usual, and two new ideas came from members.",
    "Analysis": "Sharing the chair changed who felt able to speak in the room.",
    "Conclusion": "Co-chairing works when we agree our roles beforehand.",
    "Action plan": "I will agree roles with my co-chair a week before each meeting.",
}


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def open_journal(page, url: str) -> str:
    page.goto(f"{url}/journal")
    wait_app(page)
    assert "/voila/render/journal.ipynb" in page.url
    return parse_qs(urlparse(page.url).query)["key"][0]


def fill_stage(page, title: str, text: str) -> None:
    page.get_by_label("Go to stage").select_option(
        label=f"{list(STAGES).index(title) + 1}. {title}"
    )
    box = page.get_by_label(title, exact=True)
    box.fill(text)


def test_write_reload_find_finish_and_export_the_nmc_form(server, store, page, chromium, tmp_path):
    key = open_journal(page, server.url)
    owner = journal_key_owner(key)
    [cookie] = [c for c in page.context.cookies() if c["name"] == "coprod_journal"]
    assert cookie["value"] == key and cookie["httpOnly"]
    expect(page.locator(".coprod-journal h1")).to_have_text("My reflective journal")

    page.get_by_role("button", name="Write a new entry").click()
    page.get_by_role("button", name="Write with Gibbs' reflective cycle").click()
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Description", exact=True).fill(STAGES["Description"])
    page.get_by_role("button", name="Next stage").click()
    page.get_by_label("Feelings", exact=True).fill(STAGES["Feelings"])
    expect(page.locator(".coprod-save-status")).to_contain_text("All changes saved")

    def saved():
        page_ = store.journal.find(owner)
        if not page_.items:
            return None
        e = store.journal.entry(owner, page_.items[0].id)
        return e if e.stages.get("feelings") == STAGES["Feelings"] else None

    entry = until(saved, timeout=15.0)
    assert entry, "the draft did not reach the store"
    assert entry.title == TITLE and entry.model_id == "gibbs"

    # Half-way: reload. The page opens on the list; search finds the draft.
    page.reload()
    wait_app(page)
    page.get_by_label("Search my entries").fill("planning meeting")
    page.get_by_role("button", name="Search", exact=True).click()
    row = page.locator(".coprod-entry-row")
    expect(row).to_have_count(1)
    expect(row.locator(".coprod-entry-select")).to_contain_text(TITLE)
    expect(row).to_contain_text("draft")
    row.get_by_role("button", name="Open").click()
    expect(page.get_by_label("Description", exact=True)).to_have_value(STAGES["Description"])
    expect(page.get_by_label("Title", exact=True)).to_have_value(TITLE)

    # Finish the stages with the keyboard too: Next stage by Enter.
    page.get_by_role("button", name="Next stage").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Feelings", exact=True)).to_have_value(STAGES["Feelings"])
    for title in ("Evaluation", "Analysis", "Conclusion", "Action plan"):
        fill_stage(page, title, STAGES[title])
    assert until(
        lambda: (
            store.journal.entry(owner, entry.id).stages.get("action-plan") == STAGES["Action plan"]
        ),
        timeout=15.0,
    )
    page.get_by_role("button", name="Mark as finished").click()
    expect(page.locator(".coprod-notice-success")).to_contain_text("Finished")
    assert until(lambda: store.journal.entry(owner, entry.id).finished, timeout=15.0)

    # Export the NMC written reflective account, with one theme of the Code.
    page.get_by_label("What to export").select_option(
        label="NMC revalidation written reflective account"
    )
    page.get_by_label("Prioritise people").check()
    page.get_by_label("Your own words for question 4").fill("It put the people on the ward first.")
    page.get_by_label("File format").select_option(label="Web page (.html)")
    assert until(
        lambda: (
            store.journal.form_settings(owner, entry.id, "nmc-reflective-account").get("text:code")
            == "It put the people on the ward first."
        ),
        timeout=15.0,
    )
    page.get_by_role("button", name="Check and prepare the file").click()
    link = page.locator("a.coprod-download-link")
    expect(link).to_be_visible(timeout=60_000)
    expect(page.locator(".coprod-export")).to_contain_text(
        "Nothing that looks like an email address"
    )
    with page.expect_download() as dl:
        link.click()
    name = dl.value.suggested_filename
    assert name.startswith(f"nmc-reflective-account-entry-{entry.id}-") and name.endswith(".html")
    path = tmp_path / name
    dl.value.save_as(path)

    # Open the downloaded file and read the answers in it.
    reader = page.context.new_page()
    reader.goto(f"file://{path}")
    questions = reader.locator("h2.coprod-question")
    expect(questions).to_have_count(4)
    expect(questions.nth(3)).to_have_text("4. How is this relevant to the Code?")
    answers = reader.locator(".coprod-answer")
    expect(answers.nth(0)).to_have_text(STAGES["Description"])
    expect(answers.nth(1)).to_contain_text(STAGES["Analysis"])
    expect(answers.nth(2)).to_have_text(STAGES["Action plan"])
    expect(reader.locator(".coprod-choices li")).to_have_text(["Prioritise people"])
    expect(answers.nth(3)).to_have_text("It put the people on the ward first.")
    reader.close()

    # A second visitor (another browser, no cookie) gets a journal of their own: empty.
    other = chromium.new_context()
    try:
        p2 = other.new_page()
        p2.set_default_timeout(30_000)
        key2 = open_journal(p2, server.url)
        assert key2 != key
        expect(p2.locator(".coprod-totals")).to_contain_text("Your journal is empty")
        p2.get_by_label("Search my entries").fill("planning")
        p2.get_by_role("button", name="Search", exact=True).click()
        expect(p2.locator(".coprod-totals")).to_contain_text("No entries match")
        assert TITLE not in p2.content()
    finally:
        other.close()

    # The bookmarked link brings the journal back on another device, once the person chose to
    # open it there (a link never opens a journal on a device by itself: issue 11).
    third = chromium.new_context()
    try:
        p3 = third.new_page()
        p3.set_default_timeout(30_000)
        p3.goto(f"{server.url}/journal/{key}")
        expect(p3.get_by_role("heading", name="Open this journal?")).to_be_visible()
        p3.get_by_role("button", name="Open “").click()
        wait_app(p3)
        expect(p3.locator(".coprod-entry-row")).to_contain_text(TITLE)
    finally:
        third.close()


def test_the_journal_pages_have_no_serious_accessibility_violations(server, store, page):
    key = open_journal(page, server.url)
    owner = journal_key_owner(key)
    from coprod_widgets.content.models import ModelLibrary

    pdsa = ModelLibrary().get("pdsa")
    store.journal.create(
        owner, ModelLibrary().get("gibbs"), title="An entry", stages={"description": "Words."}
    )
    topic = store.journal.create_topic(owner, "A topic")
    c = store.journal.start_cycle(owner, topic.id, pdsa)
    store.journal.save_stage(owner, c.id, "prediction", "A guess.")
    page.reload()
    wait_app(page)
    page.wait_for_timeout(500)
    assert serious(page) == [], "list"
    assert page.locator("main .coprod-app").count() == 1
    page.locator(".coprod-entry-row").first.get_by_role("button", name="Open").click()
    page.get_by_role("button", name="Choose tags").click()
    page.get_by_label("What to export").select_option(label="HCPC CPD profile")
    page.wait_for_timeout(800)
    assert serious(page) == [], "editor"
    page.get_by_role("button", name="Reflection cycles").click()
    expect(page.locator(".coprod-timeline")).to_be_visible()
    assert serious(page) == [], "cycles"
    page.get_by_role("button", name="Write a new entry").click()
    page.wait_for_timeout(300)
    assert serious(page) == [], "chooser"
