"""Cohorts in the store, on a real SQLite file: the trainer's side, the participant's side, every
error (and that it writes nothing), the course kept as it started, and concurrent writers."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from coprod_widgets.content.courses import load_course
from coprod_widgets.errors import Closed, InvalidInput, NotFound
from coprod_widgets.model.cohort import MAX_FEEDBACK_CHARS, CohortSummary
from coprod_widgets.model.course import course_fingerprint
from coprod_widgets.store import Store

COURSE_DIR = Path(__file__).resolve().parents[2] / "data" / "courses" / "intro-coproduction"
TABLES = (
    "cohorts",
    "cohort_participants",
    "course_answers",
    "course_feedback",
    "cohort_snapshots",
    "cohort_fingerprints",
)
ME = "tok-participant-0001"
ME2 = "tok-participant-0002"


@pytest.fixture(scope="module")
def course():
    return load_course(COURSE_DIR)


@pytest.fixture
def cohort(store, course):
    return store.cohorts.create("Spring cohort", course, min_answers=2)


def contents(store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every cohort table: to tell that a refused call wrote nothing."""
    with store.engine.connect() as conn:
        return {
            name: sorted(tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {name}")))  # noqa: S608
            for name in TABLES
        }


def refused(store, error, match, call, *args):
    before = contents(store)
    with pytest.raises(error, match=match):
        call(*args)
    assert contents(store) == before


# -- the trainer's side -------------------------------------------------------------------


def test_create_keeps_the_course_and_gives_two_codes(store, course, cohort):
    c = cohort.cohort
    assert (c.title, c.course_id, c.course_version) == ("Spring cohort", course.id, "1.0")
    assert c.course_fingerprint == course_fingerprint(course)
    assert c.min_answers == 2 and c.is_open and c.closed_at is None
    assert cohort.join_code != cohort.trainer_code
    assert store.cohorts.get(c.id) == c
    assert store.cohorts.by_code(cohort.join_code) == (c, "participant")
    assert store.cohorts.by_code(cohort.trainer_code) == (c, "trainer")
    assert store.cohorts.links(c.id) == cohort
    assert store.cohorts.course(c.id) == course


@pytest.mark.parametrize(
    ("title", "min_answers", "match"),
    [
        ("", 3, "cohort title"),
        ("   ", 3, "cohort title"),
        (None, 3, "cohort title"),
        ("x" * 201, 3, "cohort title box .* 200"),
        ("Bad\x00title", 3, "cohort title box .* control character"),
        ("Fine", 1, "minimum answers: .* at least 2"),
        ("Fine", True, "minimum answers"),
        ("Fine", "3", "minimum answers"),
        ("Fine", 5000, "minimum answers: at most"),
    ],
)
def test_create_refuses_what_does_not_fit_and_writes_nothing(
    store, course, title, min_answers, match
):
    refused(store, InvalidInput, match, store.cohorts.create, title, course, min_answers)


def test_all_lists_newest_first_with_participant_counts(store, course, cohort):
    second = store.cohorts.create("Autumn", course)
    store.cohorts.join(cohort.join_code, ME, "Ann")
    store.cohorts.join(cohort.join_code, ME2, "Bob")
    listed = store.cohorts.all()
    assert [s.id for s in listed] == [second.cohort.id, cohort.cohort.id]
    assert listed[1] == CohortSummary(
        cohort.cohort.id, "Spring cohort", course.id, "1.0", "open", 2, cohort.cohort.created_at
    )
    assert listed[0].participants == 0
    assert second.cohort.min_answers == 3  # the default


def test_unknown_ids_and_codes_are_not_found(store, cohort):
    for call, arg in [
        (store.cohorts.get, 999),
        (store.cohorts.links, 999),
        (store.cohorts.close, 999),
        (store.cohorts.course, 999),
        (store.cohorts.roster, 999),
    ]:
        with pytest.raises(NotFound, match="no cohort 999"):
            call(arg)
    for code in ["", "nope", "x" * 65, None]:
        with pytest.raises(NotFound, match="not recognised"):
            store.cohorts.by_code(code)


def test_close_stops_joins_and_answers_but_keeps_everything_readable(store, cohort):
    code, cid = cohort.join_code, cohort.cohort.id
    store.cohorts.join(code, ME, "Ann")
    store.cohorts.save_answer(code, ME, "own-definition", "Working together")
    closed = store.cohorts.close(cid)
    assert closed.status == "closed" and closed.closed_at
    assert store.cohorts.close(cid) == closed  # closing twice is harmless
    refused(store, Closed, "closed", store.cohorts.join, code, ME2, "Bob")
    refused(store, Closed, "closed", store.cohorts.save_answer, code, ME, "own-definition", "x")
    refused(store, Closed, "closed", store.cohorts.add_time, code, ME, 10)
    assert store.cohorts.participant_view(code, ME).answers == {
        "own-definition": "Working together"
    }
    [row] = store.cohorts.roster(cid)
    assert store.cohorts.portfolio(cid, row.id).answers == {"own-definition": "Working together"}


def test_the_course_is_the_one_the_cohort_started_with_whatever_the_file_says(tmp_path, db_url):
    folder = tmp_path / COURSE_DIR.name
    shutil.copytree(COURSE_DIR, folder)
    before = load_course(folder)
    store = Store(db_url)
    try:
        cid = store.cohorts.create("Kept", before).cohort.id
    finally:
        store.close()
    page = folder / "what-is-co-production.md"
    page.write_text(page.read_text().replace("own-definition", "own-definition-2"))
    after = load_course(folder)
    assert course_fingerprint(after) != course_fingerprint(before)
    store = Store(db_url)  # a new Store: nothing kept in memory from the first
    try:
        assert store.cohorts.course(cid) == before
        assert store.cohorts.get(cid).course_fingerprint == course_fingerprint(before)
        assert "own-definition" in {e.id for e in store.cohorts.course(cid).exercises}
    finally:
        store.close()


# -- joining ------------------------------------------------------------------------------


def test_join_and_come_back_with_the_same_token(store, cohort):
    code = cohort.join_code
    with pytest.raises(NotFound, match="not joined"):
        store.cohorts.participant_view(code, ME)
    view = store.cohorts.join(code, ME, "  Ann  ")
    assert (view.name, view.answers, view.feedback, view.seconds) == ("Ann", {}, {}, 0)
    assert view.cohort == cohort.cohort and view.joined_at
    store.cohorts.save_answer(code, ME, "own-definition", "Sharing power")
    again = store.cohorts.join(code, ME, "Ann B")
    assert again.name == "Ann B" and again.joined_at == view.joined_at
    assert again.answers == {"own-definition": "Sharing power"}
    [row] = store.cohorts.roster(cohort.cohort.id)
    assert row.name == "Ann B"
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT participant_hash FROM cohort_participants")).scalar()
    assert ME not in stored and len(stored) == 64  # only the token's hash is kept


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("", "name: enter your name"),
        ("   ", "name: enter your name"),
        (None, "name: enter your name"),
        ("A" * 201, "name box .* 200"),
        ("Ann\x07", "name box .* control character"),
        ("Ann \ud83d", "name box .* broken emoji"),
    ],
)
def test_join_refuses_a_bad_name_and_writes_nothing(store, cohort, name, match):
    refused(store, InvalidInput, match, store.cohorts.join, cohort.join_code, ME, name)


def test_join_refuses_a_lost_token_and_the_trainer_code(store, cohort):
    refused(store, InvalidInput, "lost track", store.cohorts.join, cohort.join_code, "short", "A")
    refused(store, NotFound, "not recognised", store.cohorts.join, cohort.trainer_code, ME, "A")
    refused(store, NotFound, "not recognised", store.cohorts.join, "made-up", ME, "A")
    store.cohorts.join(cohort.join_code, ME, "Ann")
    for code in ("made-up", cohort.trainer_code, "", None):
        with pytest.raises(NotFound, match="not recognised"):
            store.cohorts.participant_view(code, ME)
    with pytest.raises(InvalidInput, match="lost track"):
        store.cohorts.participant_view(cohort.join_code, None)


# -- answers ------------------------------------------------------------------------------

VALID = [
    ("own-definition", "Working *with* people\r\nas equals", "Working *with* people\nas equals"),
    ("own-definition", "", ""),  # an emptied box is a draft
    ("plan-day-centre", "plan-code-123", "plan-code-123"),
    ("tlap-today", "co-design", "co-design"),
    ("tlap-today", "", ""),
    ("experience-of-involvement", 5, 5),
    ("time-available", 0, 0),
    ("which-is-co-production", "joint-group", "joint-group"),
    ("cos-in-your-work", ["co-delivery", "co-design"], ["co-design", "co-delivery"]),
    ("cos-in-your-work", [], []),
    ("course-reflection", {"description": "We met"}, {"description": "We met"}),
    (
        "principles-check",
        {"equality-1": 3, "diversity-2": "dont_know"},
        {"equality-1": 3, "diversity-2": "dont_know"},
    ),
]


@pytest.mark.parametrize(("eid", "answer", "stored"), VALID)
def test_save_answer_keeps_each_kind_as_typed(store, cohort, eid, answer, stored):
    store.cohorts.join(cohort.join_code, ME, "Ann")
    ts = store.cohorts.save_answer(cohort.join_code, ME, eid, answer)
    assert ts
    assert store.cohorts.participant_view(cohort.join_code, ME).answers == {eid: stored}
    [row] = store.cohorts.roster(cohort.cohort.id)
    assert row.updated_at == ts


INVALID = [
    ("own-definition", 5, "takes text"),
    ("own-definition", "x" * 20_001, "20,000"),
    ("own-definition", "bad\x1bchar", "control character"),
    ("own-definition", "half \udc00 emoji", "broken emoji"),
    ("tlap-today", "somewhere", "a step of the ladder"),
    ("experience-of-involvement", 6, "whole number from 1 to 5"),
    ("experience-of-involvement", 2.5, "whole number"),
    ("experience-of-involvement", True, "whole number"),
    ("experience-of-involvement", "3", "whole number"),
    ("which-is-co-production", "nope", "one option among"),
    ("which-is-co-production", ["joint-group"], "one option among"),
    ("cos-in-your-work", "co-design", "a list of options"),
    ("cos-in-your-work", ["co-design", "nope"], "a list of options"),
    ("course-reflection", "just text", "text of each stage"),
    ("course-reflection", {"nope": "x"}, "not a stage"),
    ("course-reflection", {"description": 3}, "takes text"),
    ("course-reflection", {"description": "a\x00b"}, "control character"),
    (
        "course-reflection",
        {
            p: "y" * 4_000
            for p in (
                "description",
                "feelings",
                "evaluation",
                "analysis",
                "conclusion",
                "action-plan",
            )
        },
        "20,000",
    ),
    ("principles-check", [3], "rating for each statement"),
    ("principles-check", {"equality-1": "often"}, "whole number or"),
    ("principles-check", {"equality-1": 1.5}, "whole number or"),
    ("principles-check", {"not-a-statement": 3}, "not a statement"),
]


@pytest.mark.parametrize(("eid", "answer", "match"), INVALID)
def test_save_answer_refuses_the_wrong_shape_and_writes_nothing(store, cohort, eid, answer, match):
    store.cohorts.join(cohort.join_code, ME, "Ann")
    store.cohorts.save_answer(cohort.join_code, ME, "own-definition", "kept")
    refused(
        store, InvalidInput, match, store.cohorts.save_answer, cohort.join_code, ME, eid, answer
    )
    assert store.cohorts.participant_view(cohort.join_code, ME).answers == {
        "own-definition": "kept"
    }


def test_save_answer_needs_a_known_exercise_and_a_joined_participant(store, cohort):
    code = cohort.join_code
    store.cohorts.join(code, ME, "Ann")
    refused(
        store,
        NotFound,
        "no exercise 'made-up'",
        store.cohorts.save_answer,
        code,
        ME,
        "made-up",
        "x",
    )
    refused(
        store, NotFound, "not joined", store.cohorts.save_answer, code, ME2, "own-definition", "x"
    )
    refused(
        store,
        NotFound,
        "not recognised",
        store.cohorts.save_answer,
        cohort.trainer_code,
        ME,
        "own-definition",
        "x",
    )


def test_save_answer_is_an_upsert(store, cohort):
    code = cohort.join_code
    store.cohorts.join(code, ME, "Ann")
    store.cohorts.save_answer(code, ME, "own-definition", "first")
    store.cohorts.save_answer(code, ME, "own-definition", "second")
    store.cohorts.save_answer(code, ME, "experience-of-involvement", 2)
    assert store.cohorts.participant_view(code, ME).answers == {
        "own-definition": "second",
        "experience-of-involvement": 2,
    }
    assert len(contents(store)["course_answers"]) == 2


def test_add_time_caps_each_call_and_ignores_negatives(store, cohort):
    code = cohort.join_code
    store.cohorts.join(code, ME, "Ann")
    assert store.cohorts.add_time(code, ME, 60) == 60
    assert store.cohorts.add_time(code, ME, 10_000) == 360
    assert store.cohorts.add_time(code, ME, -500) == 360
    assert store.cohorts.add_time(code, ME, 2.7) == 362
    refused(store, InvalidInput, "seconds", store.cohorts.add_time, code, ME, float("nan"))
    refused(store, InvalidInput, "seconds", store.cohorts.add_time, code, ME, "10")
    refused(store, NotFound, "not joined", store.cohorts.add_time, code, ME2, 10)
    assert store.cohorts.participant_view(code, ME).seconds == 362


# -- the trainer's reads ------------------------------------------------------------------


def test_roster_shows_progress_per_module(store, cohort, course):
    code, cid = cohort.join_code, cohort.cohort.id
    store.cohorts.join(code, ME, "Bob")
    store.cohorts.join(code, ME2, "ann")
    store.cohorts.save_answer(code, ME, "own-definition", "mine")
    store.cohorts.save_answer(code, ME, "which-is-co-production", "joint-group")
    store.cohorts.save_answer(code, ME, "experience-of-involvement", 3)
    store.cohorts.save_answer(code, ME, "weakest-co", "")  # a draft: not answered
    store.cohorts.add_time(code, ME, 120)
    ann, bob = store.cohorts.roster(cid)
    assert (ann.name, bob.name) == ("ann", "Bob")  # by name, whatever the case
    assert ann.progress.answered == 0 and ann.seconds == 0
    assert bob.progress.answered == 3 and bob.seconds == 120
    assert bob.progress.module("what-is-co-production").done
    assert bob.progress.total == len(course.exercises)
    assert store.cohorts.participant_answers(cid, bob.id) == {
        "own-definition": "mine",
        "which-is-co-production": "joint-group",
        "experience-of-involvement": 3,
        "weakest-co": "",
    }


def test_a_roster_of_40_is_read_with_one_query_per_table(store, cohort):
    code, cid = cohort.join_code, cohort.cohort.id
    for i in range(40):
        me = f"tok-participant-{i:04d}"
        store.cohorts.join(code, me, f"P{i:02d}")
        store.cohorts.save_answer(code, me, "own-definition", f"answer {i}")
        store.cohorts.save_answer(code, me, "experience-of-involvement", 1 + i % 5)
    seen: list[str] = []

    def query(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", query)
    try:
        rows = store.cohorts.roster(cid)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", query)
    assert len(seen) == 3, seen  # the cohort, its participants, their answers
    assert len(rows) == 40 and all(r.progress.answered == 2 for r in rows)


def test_a_trainer_reaches_only_their_own_cohorts_participants(store, cohort, course):
    other = store.cohorts.create("Other", course)
    store.cohorts.join(cohort.join_code, ME, "Ann")
    [ann] = store.cohorts.roster(cohort.cohort.id)
    oid = other.cohort.id
    refused(store, NotFound, "no participant", store.cohorts.participant_answers, oid, ann.id)
    refused(store, NotFound, "no participant", store.cohorts.feedback, oid, ann.id)
    refused(store, NotFound, "no participant", store.cohorts.portfolio, oid, ann.id)
    refused(
        store,
        NotFound,
        "no participant",
        store.cohorts.save_feedback,
        oid,
        ann.id,
        "own-definition",
        "Good",
    )


# -- feedback and portfolio ---------------------------------------------------------------


def test_feedback_is_saved_shown_to_its_participant_and_removed_when_blank(store, cohort):
    code, cid = cohort.join_code, cohort.cohort.id
    store.cohorts.join(code, ME, "Ann")
    store.cohorts.join(code, ME2, "Bob")
    ann = next(r for r in store.cohorts.roster(cid) if r.name == "Ann")
    ts = store.cohorts.save_feedback(cid, ann.id, "own-definition", "Well put <b>")
    fb = store.cohorts.feedback(cid, ann.id)
    assert fb["own-definition"].text == "Well put <b>" and fb["own-definition"].at == ts
    assert store.cohorts.participant_view(code, ME).feedback == fb
    assert store.cohorts.participant_view(code, ME2).feedback == {}  # no one else's
    store.cohorts.save_feedback(cid, ann.id, "own-definition", "Better")
    assert store.cohorts.feedback(cid, ann.id)["own-definition"].text == "Better"
    store.cohorts.save_feedback(cid, ann.id, "own-definition", "  ")
    assert store.cohorts.feedback(cid, ann.id) == {}
    too_long = "x" * (MAX_FEEDBACK_CHARS + 1)
    refused(
        store,
        InvalidInput,
        "5,000",
        store.cohorts.save_feedback,
        cid,
        ann.id,
        "own-definition",
        too_long,
    )
    refused(
        store,
        InvalidInput,
        "control character",
        store.cohorts.save_feedback,
        cid,
        ann.id,
        "own-definition",
        "a\x00",
    )
    refused(
        store, NotFound, "no exercise", store.cohorts.save_feedback, cid, ann.id, "nope", "Good"
    )
    refused(
        store,
        NotFound,
        "no participant",
        store.cohorts.save_feedback,
        cid,
        999,
        "own-definition",
        "Good",
    )


def test_portfolio_holds_a_participants_work(store, cohort, course):
    code, cid = cohort.join_code, cohort.cohort.id
    store.cohorts.join(code, ME, "Ann")
    store.cohorts.save_answer(code, ME, "own-definition", "mine")
    store.cohorts.add_time(code, ME, 90)
    [ann] = store.cohorts.roster(cid)
    store.cohorts.save_feedback(cid, ann.id, "own-definition", "Good")
    p = store.cohorts.portfolio(cid, ann.id)
    assert (p.cohort, p.course_title, p.name) == (cohort.cohort, course.title, "Ann")
    assert p.answers == {"own-definition": "mine"} and p.seconds == 90
    assert p.feedback["own-definition"].text == "Good"
    assert p.progress.answered == 1 and p.joined_at == ann.joined_at


# -- two servers on one file --------------------------------------------------------------


def test_two_stores_on_one_file_joining_and_saving_at_once_lose_nothing(db_url, course):
    a, b = Store(db_url), Store(db_url)
    try:
        links = a.cohorts.create("Busy", course)
        errors: list[BaseException] = []

        def work(store: Store, i: int) -> None:
            me = f"tok-busy-participant-{i:03d}"
            try:
                store.cohorts.join(links.join_code, me, f"P{i}")
                for n in range(5):
                    store.cohorts.save_answer(links.join_code, me, "own-definition", f"{i}-{n}")
                store.cohorts.save_answer(links.join_code, me, "experience-of-involvement", 4)
                store.cohorts.add_time(links.join_code, me, 30)
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=((a, b)[i % 2], i)) for i in range(16)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert errors == []
        rows = a.cohorts.roster(links.cohort.id)
        assert len(rows) == 16
        assert all(r.progress.answered == 2 and r.seconds == 30 for r in rows)
        for r in rows:
            i = int(r.name[1:])
            assert (
                b.cohorts.participant_answers(links.cohort.id, r.id)["own-definition"] == f"{i}-4"
            )
    finally:
        a.close()
        b.close()
