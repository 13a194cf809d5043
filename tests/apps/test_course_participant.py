"""The participant's course workbook, headless, against the real Store on a SQLite file: join,
answer every kind, a new page object sees everything, the trainer's feedback beside its
exercise, a closed cohort, and a bad answer said beside its box while the others save."""

from __future__ import annotations

from pathlib import Path

import pytest

from coprod_widgets.apps.course_participant import (
    PRIVACY,
    CourseParticipantApp,
    show,
)
from coprod_widgets.apps.course_participant_parts import TimeSpent, prose_html
from coprod_widgets.content.courses import load_course
from coprod_widgets.identity import journal_key_owner, new_journal_key
from coprod_widgets.model.course_progress import course_progress, is_answered
from coprod_widgets.widgets.course_exercise import (
    MultipleChoiceExercise,
    PlannerExercise,
    SelfAssessmentExercise,
)

REPO = Path(__file__).resolve().parents[2]
ME = "participant-token-aaaaaaaaaaaa"


@pytest.fixture(scope="module")
def course():
    return load_course(REPO / "data" / "courses" / "intro-coproduction")


@pytest.fixture
def links(store, course):
    return store.cohorts.create("Spring cohort", course, min_answers=2)


def _all_widgets(app: CourseParticipantApp) -> None:
    for i in range(len(app.course.modules)):
        app.module(i)


def _answer(app: CourseParticipantApp) -> dict[str, object]:
    """Answer every exercise of the course through its widget's inputs, as a person does."""
    for ex in app.course.exercises:
        widget = app.widgets[ex.id]
        if ex.kind == "text":
            widget.box.value = f"My answer to {ex.id}"
        elif ex.kind in ("rating", "ladder") or (ex.kind == "choice" and not ex.multiple):
            widget.radios.value = widget.radios.options[-1][1]
        elif isinstance(widget, MultipleChoiceExercise):
            next(iter(widget.boxes.values())).value = True
        elif ex.kind == "reflection":
            for sid, area in widget.areas.items():
                area.value = f"{sid} text"
        elif isinstance(widget, SelfAssessmentExercise):
            for r in widget.ratings.values():
                r.radios.value = r.radios.options[0][1]
        elif isinstance(widget, PlannerExercise):
            widget.make_button.click()
    return {ex.id: app.widgets[ex.id].value for ex in app.course.exercises}


def test_joining_says_who_reads_what_and_refuses_a_blank_name(store, links):
    app = CourseParticipantApp(store, links.join_code, ME)
    text = " ".join(getattr(c, "value", "") for c in app.body.children)
    assert PRIVACY in text
    assert app.name.description == "Your name"
    app.name.value = "   "
    app.join_button.click()
    assert app.join_note.kind == "error" and "name" in app.join_note.text.lower()
    assert not hasattr(app, "view")
    app.name.value = "Ada <b>Lovelace</b>"
    app.join_button.click()
    assert app.view.name == "Ada <b>Lovelace</b>"
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in app.body.children[0].value
    assert [r.name for r in store.cohorts.roster(links.cohort.id)] == ["Ada <b>Lovelace</b>"]


def test_every_kind_is_saved_and_a_new_page_sees_it_all(store, links, course):
    app = CourseParticipantApp(store, links.join_code, ME, base_url="http://127.0.0.1:1/")
    app.name.value = "Ada"
    app.join_button.click()
    _all_widgets(app)
    given = _answer(app)
    assert app.flush()
    assert app.status.state == "saved"
    assert all(is_answered(ex, given[ex.id]) for ex in course.exercises)
    plan = next(v for ex, v in zip(course.exercises, given.values()) if ex.kind == "planner")
    assert "planner.ipynb?plan=" in str(plan)
    stored = store.cohorts.participant_view(links.join_code, ME).answers
    assert dict(stored) == given

    again = CourseParticipantApp(store, links.join_code, ME)
    _all_widgets(again)
    assert {eid: w.value for eid, w in again.widgets.items()} == given
    n = len(course.exercises)
    assert f"{n} of {n} exercises answered (100%)" in again.progress.value
    assert course_progress(course, again.answers).fraction == 1.0
    roster = store.cohorts.roster(links.cohort.id)
    assert roster[0].progress.answered == len(course.exercises)


def test_the_trainers_feedback_is_shown_beside_its_exercise_escaped(store, links, course):
    app = CourseParticipantApp(store, links.join_code, ME)
    app.name.value = "Ada"
    app.join_button.click()
    first, second = course.exercises[0], course.exercises[1]
    [row] = store.cohorts.roster(links.cohort.id)
    store.cohorts.save_feedback(links.cohort.id, row.id, first.id, "Good <script>x</script>")
    again = CourseParticipantApp(store, links.join_code, ME)
    page = again.module(course.modules.index(course.module_of(first.id)))
    shown = again.feedback_boxes[first.id].value
    assert "Feedback from your trainer" in shown
    assert "Good &lt;script&gt;x&lt;/script&gt;" in shown and "<script>" not in shown
    [box] = [b for b in page.children if again.widgets[first.id] in getattr(b, "children", ())]
    assert list(box.children[:2]) == [again.widgets[first.id], again.feedback_boxes[first.id]]
    again.module(course.modules.index(course.module_of(second.id)))
    assert again.feedback_boxes[second.id].value == ""
    # Feedback left while the page is open shows on asking, without a reload.
    store.cohorts.save_feedback(links.cohort.id, row.id, second.id, "Think about who decides.")
    again.check_feedback.click()
    assert "Think about who decides." in again.feedback_boxes[second.id].value
    assert "Feedback on 2 exercises" in again.feedback_note.value


def test_a_bad_answer_is_said_beside_its_box_and_the_others_keep_saving(store, links, course):
    app = CourseParticipantApp(store, links.join_code, ME)
    app.name.value = "Ada"
    app.join_button.click()
    _all_widgets(app)
    texts = [ex for ex in course.exercises if ex.kind == "text"]
    bad, good = app.widgets[texts[0].id], app.widgets[texts[1].id]
    bad.box.value = "a bell \x07 rang"
    good.box.value = "This one is fine"
    assert not app.flush()
    assert "character" in bad.note.message.lower() and bad.note.message.startswith("Y")
    assert good.note.message == ""
    assert app.status.state == "error" and app.status.message.startswith("Not saved")
    answers = store.cohorts.participant_view(links.join_code, ME).answers
    assert answers.get(texts[1].id) == "This one is fine" and texts[0].id not in answers
    bad.box.value = "x" * 20_001
    app.flush()
    assert "20,000" in bad.note.message
    bad.box.value = "Mended"
    assert app.flush() and bad.note.message == "" and app.status.state == "saved"
    assert store.cohorts.participant_view(links.join_code, ME).answers[texts[0].id] == "Mended"


def test_a_closed_cohort_refuses_writes_with_a_clear_message_and_reads_only(store, links, course):
    app = CourseParticipantApp(store, links.join_code, ME)
    app.name.value = "Ada"
    app.join_button.click()
    ex = next(e for e in course.exercises if e.kind == "text")
    at = course.modules.index(course.module_of(ex.id))
    app.module(at)
    store.cohorts.close(links.cohort.id)
    widget = app.widgets[ex.id]
    widget.box.value = "Typed after it closed"
    assert not app.flush()
    assert "closed" in widget.note.message.lower()
    assert ex.id not in store.cohorts.participant_view(links.join_code, ME).answers
    later = CourseParticipantApp(store, links.join_code, ME)
    later.module(at)
    assert any("has closed" in getattr(c, "value", "") for c in later.body.children)
    assert _inputs(later.widgets[ex.id]) and all(i.disabled for i in _inputs(later.widgets[ex.id]))
    newcomer = CourseParticipantApp(store, links.join_code, "someone-else-token-bbbbbbbb")
    assert "has closed" in newcomer.body.children[0].value
    assert not hasattr(newcomer, "name")


def _inputs(widget):
    found = []
    for c in getattr(widget, "children", ()):
        if hasattr(c, "disabled"):
            found.append(c)
        found.extend(_inputs(c))
    return found


def test_a_reflection_is_copied_into_the_participants_own_journal(store, links, course):
    key = new_journal_key()
    owner = journal_key_owner(key)
    app = CourseParticipantApp(store, links.join_code, ME, journal_key=key)
    app.name.value = "Ada"
    app.join_button.click()
    _all_widgets(app)
    ex = next(e for e in course.exercises if e.kind == "reflection")
    widget = app.widgets[ex.id]
    for sid, area in widget.areas.items():
        area.value = f"About {sid}"
    box = app.journal_boxes[ex.id]
    box.button.click()
    assert "Copied into your journal" in box.result.value
    [found] = store.journal.find(owner).items
    entry = store.journal.entry(owner, found.id)
    assert entry.stages == {sid: f"About {sid}" for sid in widget.areas}
    assert course.title in entry.title


def test_without_a_journal_on_the_device_the_reflection_is_offered_as_text(
    store, links, course, monkeypatch
):
    monkeypatch.setenv("VOILA_KERNEL_ID", "served")  # as under coprod serve, with no key
    app = CourseParticipantApp(store, links.join_code, ME, base_url="http://h/")
    app.name.value = "Ada"
    app.join_button.click()
    _all_widgets(app)
    ex = next(e for e in course.exercises if e.kind == "reflection")
    widget = app.widgets[ex.id]
    first = next(iter(widget.areas))
    widget.areas[first].value = "What <happened>"
    box = app.journal_boxes[ex.id]
    assert box.button not in box.children and "http://h/journal" in box.children[0].value
    box.show_text.click()
    assert "What <happened>" in box.text.value and box.text.description


def test_time_spent_counts_actions_up_to_a_cap_and_reaches_the_store(store, links):
    now = [0.0]
    t = TimeSpent(clock=lambda: now[0])
    now[0] = 30
    assert not t.touch()
    now[0] = 30 + 3600  # an hour away counts as five minutes at most
    assert t.touch()
    assert t.take() == 330
    app = CourseParticipantApp(store, links.join_code, ME)
    app.name.value = "Ada"
    app.join_button.click()
    app.time = t
    now[0] += 100
    assert app.flush()
    assert store.cohorts.participant_view(links.join_code, ME).seconds == 100


def test_prose_is_markdown_with_any_html_escaped():
    html = prose_html("**Bold** and <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>Bold</strong>" in html
    assert "<script>" not in html and "javascript:" not in html


def test_the_trainer_code_and_an_unknown_code_give_a_message(store, links):
    trainer = show(code=links.trainer_code, me=ME, store=store)
    assert "trainer" in trainer.children[0].value.lower()
    unknown = show(code="nope", me=ME, store=store)
    assert "not recognised" in unknown.children[0].value


def test_the_link_to_come_back_is_signed_for_this_course_and_shown_once_joined(store, links):
    from coprod_widgets.identity import resume_token

    app = CourseParticipantApp(store, links.join_code, ME, base_url="http://h/")
    assert "Coming back" not in " ".join(getattr(c, "value", "") for c in app.body.children)
    app.name.value = "Ada"
    app.join_button.click()
    [html] = [c.value for c in app.body.children if "Coming back" in getattr(c, "value", "")]
    assert f"http://h/c/{links.join_code}?resume=" in html
    value = html.split("resume=")[1].split("<")[0]
    assert resume_token(links.cohort.id, value, "course") == ME
    assert resume_token(links.cohort.id, value) == ""  # not a round's continuation link
