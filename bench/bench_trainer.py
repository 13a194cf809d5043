"""The trainer's course page against the team results page, both served by one `coprod serve` in
one run, on the same amount of people: a cohort of 40 participants who answered every exercise
of the shipped course, and a round of 40 members who rated every statement.

Each figure is the time from navigation to a usable page (its first table visible; median of N
loads in a real Chromium, interleaved, each after the pools refilled so every page gets a
pre-started kernel; both opened at their page, ``?code=<trainer code>`` and ``?code=<results
code>``, as ``/c/`` and ``/j/`` redirect to them).

Run: python -m bench trainer [--quick]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .common import ROOT, Figure, figure, median

sys.path.insert(0, str(ROOT / "tests"))

PEOPLE = 40
READY = ".coprod-app table"
PRESTART = 6.0


def refilled(server: Any) -> None:
    """Wait for the pools to refill and their kernels to finish pre-starting (the trainer's pool
    holds one kernel, the results' two: each load must find a pre-started one), on a busy
    machine too: the number of kernels still for 3 s, then a few seconds for their imports."""
    server.settle(0, at_least=True, quiet=3.0, timeout=120)
    time.sleep(PRESTART)


def answer_for(exercise: Any, i: int, scales: dict[str, tuple[int, ...]]) -> object:
    """Participant ``i``'s answer to an exercise of any kind, varied across the cohort."""
    kind = exercise.kind
    if kind == "rating":
        values = exercise.scale.values
        return values[i % len(values)]
    if kind == "choice":
        ids = [o.id for o in exercise.options]
        return [ids[i % len(ids)]] if exercise.multiple else ids[i % len(ids)]
    if kind == "ladder":
        return exercise.parts[i % len(exercise.parts)]
    if kind == "reflection":
        return {
            p: f"What participant {i} wrote for {p}, a few sentences long." for p in exercise.parts
        }
    if kind == "self-assessment":
        values = scales[exercise.ref]
        return {p: values[(i + j) % len(values)] for j, p in enumerate(exercise.parts)}
    if kind == "planner":
        return f"bench-plan-{i:04d}"
    return f"Participant {i}'s answer, in their own words, about as long as a real one is."


def cohort(store: Any) -> str:
    """A cohort of the shipped course with every participant's every answer; its trainer code."""
    from coprod_widgets.content import FrameworkLibrary
    from coprod_widgets.content.courses import CourseLibrary

    course = CourseLibrary().get("intro-coproduction")
    frameworks = FrameworkLibrary()
    scales = {
        e.ref: tuple(frameworks.get(e.ref).scale.values)
        for e in course.exercises
        if e.kind == "self-assessment"
    }
    links = store.cohorts.create("Bench cohort", course, min_answers=5)
    for i in range(PEOPLE):
        me = f"bench-trainer-participant-{i:04d}"
        store.cohorts.join(links.join_code, me, f"Participant {i}")
        for e in course.exercises:
            store.cohorts.save_answer(links.join_code, me, e.id, answer_for(e, i, scales))
        store.cohorts.add_time(links.join_code, me, 120)
    return str(links.trainer_code)


def team(store: Any) -> str:
    """A round of 40 members who rated every statement; its results code."""
    from coprod_widgets.content import FrameworkLibrary

    fw = FrameworkLibrary().get("nef-nesta-six")
    rnd = store.rounds.create("Bench team", fw, min_answers=5)
    for i in range(PEOPLE):
        me = f"bench-trainer-member-{i:04d}"
        for s in fw.statements:
            store.members.save_rating(rnd.member_code, me, s.id, 1 + (i + len(s.id)) % 5)
        store.members.submit(rnd.member_code, me)
    return str(rnd.facilitator_code)


def figures(quick: bool) -> list[Figure]:
    from browser.conftest import CHROMIUM_ARGS, Server, chromium_path
    from playwright.sync_api import sync_playwright

    from coprod_widgets.registry import page_link
    from coprod_widgets.store import Store

    from .bench_pages import load

    path = chromium_path()
    if not path:
        raise RuntimeError("Chromium not found: sudo apt-get install chromium")
    n = 1 if quick else 3
    home = Path(tempfile.mkdtemp(prefix="coprod-bench-trainer-"))
    server = Server(home, fill_delay=1.0, pool=1)
    times: dict[str, list[float]] = {"trainer": [], "results": []}
    try:
        store = Store(server.db)
        urls = {
            "trainer": page_link("trainer", server.url, code=cohort(store)),
            "results": page_link("facilitator", server.url, code=team(store)),
        }
        store.close()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            for url in urls.values():  # warm-up: the browser's and the server's caches
                refilled(server)
                load(browser, server, url, READY)
            for _ in range(n):
                for name, url in urls.items():
                    refilled(server)
                    times[name].append(load(browser, server, url, READY)[0])
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    return [
        figure(
            "trainer",
            f"trainer page, {PEOPLE} participants' answers to the shipped course: usable "
            f"(median of {n})",
            median(times["trainer"]),
            median(times["results"]),
            f"team results page, round of {PEOPLE} members",
            target="<= 1.2",
            samples={"ours": times["trainer"], "baseline": times["results"]},
        )
    ]
