"""The trainer's course workbook, headless against the real Store: counts only below the
minimum, then the answers without names; user text escaped; feedback saved as typed and read
back by a new page; closing refuses more answers; a join code opens nothing here."""

from __future__ import annotations

from pathlib import Path

import pytest

from coprod_widgets.apps.course_trainer import TrainerApp, show
from coprod_widgets.apps.course_trainer_start import StartCohortApp
from coprod_widgets.content.courses import CourseLibrary, References, course_dirs, load_course
from coprod_widgets.errors import Closed, NotFound

from .test_apps import XSS, XSS_ESCAPED
from .tree import page_text

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "courses" / "intro-coproduction"
NAMES = ("Ann Quill", "Bo Marsh", "Cy Ferrand")


@pytest.fixture(scope="module")
def course():
    return load_course(SHIPPED, References.load())


def _first(course, kind):
    return next(e for e in course.exercises if e.kind == kind)


def join(store, links, names=NAMES):
    tokens = []
    for i, name in enumerate(names):
        me = f"tok-participant-{i:03d}"
        store.cohorts.join(links.join_code, me, name)
        tokens.append(me)
    return tokens


def page(store, links) -> TrainerApp:
    return TrainerApp(store, links.trainer_code, "http://x", charts=True)


def test_counts_only_below_the_minimum_then_the_answers_without_names(store, course):
    links = store.cohorts.create("Spring cohort", course, min_answers=3)
    tokens = join(store, links)
    text, rating = _first(course, "text"), _first(course, "rating")
    for me, n in zip(tokens[:2], (2, 4)):
        store.cohorts.save_answer(links.join_code, me, text.id, f"my own words {n} {XSS}")
        store.cohorts.save_answer(links.join_code, me, rating.id, n)
    app = page(store, links)
    app.exercise.value = text.id
    held = app.release.value
    assert "2 answered" in held and "shown once 3 have" in held and "singled out" in held
    assert "my own words" not in held
    app.exercise.value = rating.id
    assert "<svg" not in app.release.value and "2 answered" in app.release.value

    store.cohorts.save_answer(links.join_code, tokens[2], text.id, "third view")
    store.cohorts.save_answer(links.join_code, tokens[2], rating.id, 4)
    app.refresh()
    shown = app.release.value  # the rating, still picked
    assert "<svg" in shown and "<table" in shown and "3 answers shown" in shown
    app.exercise.value = text.id
    shown = app.release.value
    assert "third view" in shown and "my own words 2" in shown
    assert XSS not in shown and XSS_ESCAPED in shown
    for name in NAMES:
        assert name not in shown and name.split()[0] not in shown
    roster = app.roster.value
    assert all(name in roster for name in NAMES)  # names are in the roster, and only there


def test_feedback_is_saved_as_typed_and_read_back_by_a_new_page(store, course):
    links = store.cohorts.create("Feedback cohort", course, min_answers=2)
    [me] = join(store, links, ("Dee <b>Lowe</b>",))
    text = _first(course, "text")
    store.cohorts.save_answer(links.join_code, me, text.id, XSS)
    app = page(store, links)
    [(_, pid)] = [o for o in app.participant.options if o[1]]
    app.participant.value = pid
    box = app.feedback_boxes[text.id]
    assert XSS_ESCAPED in box.answer.value and XSS not in box.answer.value
    assert "Dee &lt;b&gt;Lowe" in app.roster.value
    box.text.value = "Good start: say who decided. " + XSS
    assert app.flush()
    assert box.save_status.state == "saved"
    assert store.cohorts.feedback(links.cohort.id, pid)[text.id].text.startswith("Good start")

    again = page(store, links)
    again.participant.value = pid
    assert again.feedback_boxes[text.id].text.value == "Good start: say who decided. " + XSS
    view = store.cohorts.participant_view(links.join_code, me)
    assert view.feedback[text.id].text.startswith("Good start")  # they see it on their page

    box = again.feedback_boxes[text.id]
    box.text.value = "x" * 5_001  # too long: said beside the box, the saved one kept
    assert not again.flush()
    assert box.save_status.state == "error" and "feedback box" in box.note.message
    assert store.cohorts.feedback(links.cohort.id, pid)[text.id].text.startswith("Good start")


def test_closing_asks_first_then_refuses_more_answers(store, course):
    links = store.cohorts.create("Closing cohort", course, min_answers=2)
    [me] = join(store, links, ("Eve",))
    app = page(store, links)
    app.close_button.click()
    assert app.confirm_box.layout.display is None  # asks before closing
    assert store.cohorts.get(links.cohort.id).is_open
    app.confirm_button.click()
    assert not store.cohorts.get(links.cohort.id).is_open
    assert app.message.title == "The cohort is closed"
    assert app.close_button.layout.display == "none"
    with pytest.raises(Closed):
        store.cohorts.save_answer(links.join_code, me, _first(course, "text").id, "late")


def test_a_join_code_opens_nothing_on_the_trainer_page(store, course):
    links = store.cohorts.create("Guarded cohort", course, min_answers=2)
    join(store, links, ("Fay",))
    with pytest.raises(NotFound):
        TrainerApp(store, links.join_code)
    shown = page_text(show(code=links.join_code, store=store))
    assert "not recognised" in shown and "Fay" not in shown
    assert "Guarded cohort" in page_text(show(code=links.trainer_code, store=store))


def test_the_start_view_creates_a_cohort_once_and_gives_its_two_links(store):
    app = StartCohortApp(store, CourseLibrary([SHIPPED.parent]), "http://srv/")
    assert str(course_dirs()[-1]) in page_text(app)  # where a course of one's own goes
    app.title.value = "Riverside " + XSS
    app.create.click()
    app.create.click()  # a second press makes no second cohort
    [summary] = store.cohorts.all()
    links = store.cohorts.links(summary.id)
    assert app.result.kind == "success"
    assert f"/c/{links.join_code}" in app.links.value
    assert f"/c/{links.trainer_code}" in app.links.value
    assert summary.title == "Riverside " + XSS
    app.title.value = ""
    app.create.click()
    assert app.result.kind == "error" and len(store.cohorts.all()) == 1


def test_portfolios_are_exported_with_progress_and_handed_over(store, course):
    links = store.cohorts.create("Export cohort", course, min_answers=2)
    tokens = join(store, links, ("Gil", "Hal <i>x</i>"))
    text = _first(course, "text")
    store.cohorts.save_answer(links.join_code, tokens[1], text.id, "kept " + XSS)
    app = page(store, links)
    seen = []
    app.portfolios.progress.observe(lambda c: seen.append(c["new"]), "value")
    app.portfolios.button.click()  # everyone, as web pages
    files = app.portfolios.files
    assert len(files) == 2 and all(p.suffix == ".html" and p.is_file() for p in files)
    assert seen[-2:] == [1, 2] and app.portfolios.progress.max == 2
    assert "2 of 2 written" in app.portfolios.status.value
    assert "Hal &lt;i&gt;" in app.portfolios.status.value or "Gil" in app.portfolios.status.value
    links_html = app.portfolios.links.value
    assert links_html.count("download=") == 3  # one each, and the zip of both
    assert "kept " + XSS_ESCAPED in "".join(p.read_text() for p in files)

    [(_, hal)] = [o for o in app.portfolios.who.options if o[0].startswith("Hal")]
    app.portfolios.who.value = hal
    app.portfolios.button.click()
    assert len(app.portfolios.files) == 1 and "Hal" in app.portfolios.files[0].read_text()


LAZY = """
import sys
from coprod_widgets.apps.course_trainer import TrainerApp
from coprod_widgets.content.courses import CourseLibrary
from coprod_widgets.store import Store

store = Store(sys.argv[1])
course = CourseLibrary().get("intro-coproduction")
links = store.cohorts.create("Lazy", course, min_answers=2)
app = TrainerApp(store, links.trainer_code)
rating = next(e for e in course.exercises if e.kind == "rating")
app.exercise.value = rating.id
print("before", "matplotlib" in sys.modules, "pandas" in sys.modules)
for i in range(2):
    store.cohorts.join(links.join_code, f"tok-lazy-{i:04d}", f"P{i}")
    store.cohorts.save_answer(links.join_code, f"tok-lazy-{i:04d}", rating.id, 2)
app.refresh()
print("after", "matplotlib" in sys.modules, "<svg" in app.release.value, "pandas" in sys.modules)
"""


def test_the_page_loads_matplotlib_only_to_draw_a_chart_and_never_pandas(db_url):
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-c", LAZY, db_url], capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["before", "False", "False", "after", "True", "True", "False"]
