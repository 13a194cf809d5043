"""What a trainer sees of one exercise across a cohort: the release rule of ``model.release``
applied per exercise, on a real SQLite file; and a backup that carries cohorts whole."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from coprod_widgets.content.courses import load_course
from coprod_widgets.errors import NotFound
from coprod_widgets.store import Store
from coprod_widgets.store.backup import backup, restore

COURSE_DIR = Path(__file__).resolve().parents[2] / "data" / "courses" / "intro-coproduction"
EX = "own-definition"


def tok(i: int) -> str:
    return f"tok-release-participant-{i:03d}"


@pytest.fixture(scope="module")
def course():
    return load_course(COURSE_DIR)


@pytest.fixture
def links(store, course):
    links = store.cohorts.create("Release", course, min_answers=3)
    for i in range(6):
        store.cohorts.join(links.join_code, tok(i), f"Name{i}")
    return links


def answer(store, links, i: int, value: object, eid: str = EX) -> None:
    store.cohorts.save_answer(links.join_code, tok(i), eid, value)


def rows(store, table: str) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {table}"))]  # noqa: S608


def test_below_the_minimum_only_a_count_is_shown(store, links):
    answer(store, links, 0, "alpha")
    answer(store, links, 1, "beta")
    answer(store, links, 2, "")  # a draft is not an answer
    r = store.cohorts.exercise_release(links.cohort.id, EX)
    assert (r.given, r.answers, r.sequence, r.need_more, r.released) == (2, None, 0, 1, False)
    assert rows(store, "cohort_snapshots") == []


def test_released_at_the_minimum_without_names_hashes_or_order(store, links):
    for i, text in [(0, "gamma"), (1, "alpha"), (2, "beta")]:
        answer(store, links, i, text)
    r = store.cohorts.exercise_release(links.cohort.id, EX)
    assert (r.given, r.answers, r.sequence) == (3, ("alpha", "beta", "gamma"), 1)
    assert r.need_more == 3  # before the next: as many as the minimum, from now
    [snap] = rows(store, "cohort_snapshots")
    hashes = [h for (h,) in rows_of(store, "SELECT participant_hash FROM cohort_participants")]
    for shown in (repr(r), repr(snap)):
        assert not any(f"Name{i}" in shown or tok(i) in shown for i in range(6))
        assert not any(h in shown for h in hashes)
    assert store.cohorts.exercise_release(links.cohort.id, EX) == r  # read again: the same
    assert len(rows(store, "cohort_snapshots")) == 1


def rows_of(store, sql: str) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_one_person_changing_after_a_release_does_not_move_it(store, links):
    cid = links.cohort.id
    for i in range(3):
        answer(store, links, i, f"first {i}")
    first = store.cohorts.exercise_release(cid, EX)
    answer(store, links, 0, "changed 0")
    held = store.cohorts.exercise_release(cid, EX)
    assert (held.answers, held.sequence, held.given, held.need_more) == (first.answers, 1, 3, 2)
    answer(store, links, 1, "changed 1")
    assert store.cohorts.exercise_release(cid, EX).sequence == 1
    answer(store, links, 2, "changed 2")  # the third since the last release
    moved = store.cohorts.exercise_release(cid, EX)
    assert (moved.sequence, moved.answers) == (2, ("changed 0", "changed 1", "changed 2"))


def test_three_new_answers_after_a_release_move_it(store, links):
    cid = links.cohort.id
    for i in range(3):
        answer(store, links, i, f"first {i}")
    store.cohorts.exercise_release(cid, EX)
    for i in range(3, 6):
        assert store.cohorts.exercise_release(cid, EX).sequence == 1
        answer(store, links, i, f"new {i}")
    moved = store.cohorts.exercise_release(cid, EX)
    assert (moved.sequence, moved.given, len(moved.answers or ())) == (2, 6, 6)


def test_each_exercise_has_its_own_release(store, links):
    cid = links.cohort.id
    for i in range(3):
        answer(store, links, i, f"text {i}")
        answer(store, links, i, 1 + i, "experience-of-involvement")
    answer(store, links, 3, "text 3")
    assert store.cohorts.exercise_release(cid, EX).answers == tuple(f"text {i}" for i in range(4))
    rating = store.cohorts.exercise_release(cid, "experience-of-involvement")
    assert (rating.answers, rating.sequence) == ((1, 2, 3), 1)
    assert store.cohorts.exercise_release(cid, "weakest-co").answers is None
    with pytest.raises(NotFound, match="no exercise 'nope'"):
        store.cohorts.exercise_release(cid, "nope")
    with pytest.raises(NotFound, match="no cohort 999"):
        store.cohorts.exercise_release(999, EX)


def test_structured_answers_are_released_as_their_content(store, links):
    cid = links.cohort.id
    stages = ("description", "feelings", "evaluation", "analysis", "conclusion", "action-plan")
    for i in range(3):
        answer(store, links, i, {s: f"{s} {i % 2}" for s in stages}, "course-reflection")
    answer(store, links, 3, {"description": "only begun"}, "course-reflection")  # a draft
    r = store.cohorts.exercise_release(cid, "course-reflection")
    assert r.given == 3 and r.sequence == 1
    assert [a["feelings"] for a in r.answers] == ["feelings 0", "feelings 0", "feelings 1"]


def test_first_releases_at_the_same_moment_make_one_snapshot(db_url, course):
    a, b = Store(db_url), Store(db_url)
    try:
        links = a.cohorts.create("Race", course, min_answers=3)
        for i in range(3):
            a.cohorts.join(links.join_code, tok(i), f"P{i}")
            a.cohorts.save_answer(links.join_code, tok(i), EX, f"answer {i}")
        seen: list[object] = []
        errors: list[BaseException] = []
        start = threading.Barrier(8)

        def read(store: Store) -> None:
            try:
                start.wait()
                seen.append(store.cohorts.exercise_release(links.cohort.id, EX))
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=read, args=((a, b)[i % 2],)) for i in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert errors == []
        assert {(r.sequence, r.answers) for r in seen} == {  # type: ignore[attr-defined]
            (1, ("answer 0", "answer 1", "answer 2"))
        }
        assert [s for (s,) in rows_of(a, "SELECT sequence FROM cohort_snapshots")] == [1]
    finally:
        a.close()
        b.close()


def test_a_backup_carries_cohorts_whole_and_restores_them(tmp_path, course, monkeypatch):
    db = tmp_path / "coprod.sqlite"  # coprod backup copies a SQLite file, whatever the run's store
    store = Store(f"sqlite:///{db}")
    try:
        links = store.cohorts.create("Kept", course, min_answers=3)
        cid = links.cohort.id
        for i in range(3):
            store.cohorts.join(links.join_code, tok(i), f"P{i}")
            store.cohorts.save_answer(links.join_code, tok(i), EX, f"answer {i}")
            store.cohorts.add_time(links.join_code, tok(i), 60)
        [first, *_] = store.cohorts.roster(cid)
        store.cohorts.save_feedback(cid, first.id, EX, "Good start")
        released = store.cohorts.exercise_release(cid, EX)
        portfolio = store.cohorts.portfolio(cid, first.id)
    finally:
        store.close()
    out = tmp_path / "cohorts.zip"
    rep = backup(f"sqlite:///{db}", out)
    assert rep.counts["cohorts"] == 1 and rep.counts["course_answers"] == 3
    assert rep.counts["cohort_snapshots"] == 1 and rep.counts["course_feedback"] == 1
    home_b = tmp_path / "home-b"
    home_b.mkdir()
    monkeypatch.setenv("COPROD_HOME", str(home_b))
    db_b = home_b / "coprod.sqlite"
    restore(out, f"sqlite:///{db_b}")
    again = Store(f"sqlite:///{db_b}")
    try:
        assert again.cohorts.by_code(links.join_code) == (links.cohort, "participant")
        assert again.cohorts.course(cid) == course
        assert again.cohorts.portfolio(cid, first.id) == portfolio
        view = again.cohorts.participant_view(links.join_code, tok(0))
        assert view.answers == {EX: "answer 0"}
        # the results key came back too: nobody's answer looks changed, nothing new released
        assert again.cohorts.exercise_release(cid, EX) == released
        again.cohorts.save_answer(links.join_code, tok(0), EX, "after the restore")
    finally:
        again.close()
