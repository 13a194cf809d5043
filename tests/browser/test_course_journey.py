"""A course in Chromium against a real `coprod serve`: a trainer's cohort, two participants who
join through ``/c/<join code>`` in browsers of their own, answer, one reloading mid-sentence;
the trainer's page shows only the count until the minimum, then the answers without names; the
trainer's feedback reaches the participant beside the exercise it is about."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from coprod_widgets.content.courses import load_course
from coprod_widgets.registry import opened_by
from coprod_widgets.server.links import CourseHandler

from .conftest import until, wait_app
from .test_accessibility import serious

REPO = Path(__file__).resolve().parents[2]
TEXT = "own-definition"
CHOICE = "which-is-co-production"
JOINT = "Tenants and staff redesigning the service together and running a trial of it jointly"


def _routed() -> bool:
    from coprod_widgets.server.app import workbook_routes

    return any(h is CourseHandler for _, h, _ in workbook_routes("/", {}, None))  # type: ignore[arg-type]


pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not _routed(),
        reason="server/app.py does not route /c/<code> to links.CourseHandler yet",
    ),
]


def _join(chromium, server, code: str, name: str, width: int = 1100):
    context = chromium.new_context(viewport={"width": width, "height": 1200})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{server.url}/c/{code}")
    wait_app(page)
    assert f"/voila/render/{opened_by('participant').notebook}" in page.url
    expect(page.locator(".coprod-privacy")).to_contain_text(
        "Your trainer can read your exercise answers"
    )
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join the course").click()
    expect(page.locator(".coprod-welcome")).to_contain_text(f"Welcome, {name}")
    return context, page


def _answers(store, code: str, me: str) -> dict:
    return dict(store.cohorts.participant_view(code, me).answers)


def _me(page) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(page.url).query)["me"][0]


def test_two_participants_a_reload_mid_answer_and_the_trainers_feedback(server, store, chromium):
    course = load_course(REPO / "data" / "courses" / "intro-coproduction")
    links = store.cohorts.create("Journey cohort", course, min_answers=2)
    contexts = []
    try:
        ctx_a, ada = _join(chromium, server, links.join_code, "Ada")
        contexts.append(ctx_a)
        me_a = _me(ada)
        box = ada.locator(f".coprod-keep--course-{TEXT}-text textarea")
        box.fill("Working with people, ")
        expect(ada.locator(".coprod-save-status")).to_contain_text("All changes saved")
        assert until(lambda: _answers(store, links.join_code, me_a).get(TEXT))
        # Mid-sentence, the page is reloaded: what was typed comes back and is saved.
        box.press_sequentially("not for them.", delay=15)
        ada.reload()
        wait_app(ada)
        full = "Working with people, not for them."
        expect(ada.locator(f".coprod-keep--course-{TEXT}-text textarea")).to_have_value(full)
        assert until(lambda: _answers(store, links.join_code, me_a).get(TEXT) == full, 20)
        ada.get_by_label(JOINT).check()
        assert until(lambda: _answers(store, links.join_code, me_a).get(CHOICE) == "joint-group")
        assert serious(ada) == []  # axe-core, as every page a person meets
        # Keyboard alone: to the next module, and its first choice picked with the arrows.
        ada.get_by_role("button", name="Next module").focus()
        ada.keyboard.press("Enter")
        expect(ada.locator(".coprod-module-title")).to_contain_text("2. ")

        # The trainer: one answer is only a count.
        trainer_ctx = chromium.new_context(viewport={"width": 1100, "height": 1200})
        contexts.append(trainer_ctx)
        trainer = trainer_ctx.new_page()
        trainer.set_default_timeout(30_000)
        trainer.goto(f"{server.url}/c/{links.trainer_code}")
        wait_app(trainer)
        exercise = trainer.get_by_label("Exercise", exact=True)
        option = next(i for i, o in enumerate(_options(exercise)) if "repairs service" in o)
        exercise.select_option(index=option)
        release = trainer.locator(".coprod-exercise-release")
        expect(release).to_contain_text("1 answered")
        assert "Tenants and staff" not in release.inner_text()

        # A second participant, in a browser of their own.
        ctx_b, grace = _join(chromium, server, links.join_code, "Grace", width=375)  # a phone
        contexts.append(ctx_b)
        me_b = _me(grace)
        assert me_b != me_a
        wide = "document.documentElement.scrollWidth <= window.innerWidth + 1"
        assert grace.evaluate(wide), "the course page scrolls sideways on a phone"
        grace.get_by_label(JOINT).check()
        grace.locator(f".coprod-keep--course-{TEXT}-text textarea").fill("Sharing power.")
        assert until(lambda: _answers(store, links.join_code, me_b).get(TEXT) == "Sharing power.")
        assert until(lambda: _answers(store, links.join_code, me_b).get(CHOICE) == "joint-group")
        assert _answers(store, links.join_code, me_a).get(TEXT) == full  # each their own

        trainer.get_by_role("button", name="Refresh", exact=True).click()
        exercise.select_option(index=0)
        exercise.select_option(index=option)
        expect(release).to_contain_text("2 answers shown")
        assert "Ada" not in release.inner_text() and "Grace" not in release.inner_text()

        # Feedback on Ada's text answer; Ada sees it beside that exercise.
        trainer.get_by_label("Participant", exact=True).select_option(label="Ada")
        feedback = trainer.locator(".coprod-feedback").filter(has_text="own words")
        feedback.get_by_label("Your feedback on this answer").fill("Clear, & no jargon.")
        [row] = [r for r in store.cohorts.roster(links.cohort.id) if r.name == "Ada"]
        assert until(
            lambda: (
                (fb := store.cohorts.feedback(links.cohort.id, row.id).get(TEXT)) is not None
                and fb.text == "Clear, & no jargon."
            ),
            20,
        )
        ada.reload()
        wait_app(ada)
        beside = ada.locator(".coprod-exercise-box").filter(
            has=ada.locator(f".coprod-keep--course-{TEXT}-text")
        )
        expect(beside.locator(".coprod-feedback")).to_contain_text("Clear, & no jargon.")
        other = ada.locator(".coprod-exercise-box").filter(has=ada.get_by_label(JOINT))
        expect(other.locator(".coprod-feedback")).to_have_count(0)
    finally:
        for c in contexts:
            c.close()


def _options(select) -> list[str]:
    expect(select.locator("option").first).to_be_attached()
    texts = select.evaluate("s => Array.from(s.options).map(o => o.text)")
    return [t.replace("\xa0", " ") for t in texts]  # ipywidgets shows spaces as no-break
