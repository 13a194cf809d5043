"""The trainer's course workbook: a cohort's roster and completion, each exercise's answers
across the cohort (without names, once enough have answered), one named participant's answers
with feedback saved as it is typed, closing the cohort and its participants' portfolios."""

from __future__ import annotations

import os
from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w

from .. import identity
from ..analysis.course import answer_html, release_html, roster_html, title_of
from ..errors import NotFound
from ..model.cohort import Cohort
from ..model.course import LADDER, REFLECTION, SELF_ASSESSMENT, Course, Exercise
from ..store import Store  # SQLAlchemy loaded while the kernel is pre-started, not on request
from ..style import style_tag
from ..widgets import Notice
from ..widgets.cohort_feedback import FeedbackBox
from .autosave import Autosave, keep, slug
from .common import CodeEntry, problem, safely
from .course_trainer_export import PortfolioExport
from .course_trainer_start import cohort_links_html, show_start

__all__ = ["PartLabels", "TrainerApp", "open_trainer", "show", "show_start"]

_WIDE = {"description_width": "initial"}


class PartLabels:
    """What a person reads for a ladder's steps, a model's stages and a framework's statements,
    read from the content libraries on first need (an id without a label stands for itself)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], dict[str, str]] = {}

    def __call__(self, exercise: Exercise) -> dict[str, str]:
        key = (exercise.kind, exercise.ref)
        if key not in self._cache:
            try:
                self._cache[key] = self._read(exercise)
            except (KeyError, LookupError, OSError):
                self._cache[key] = {}  # the ids stand in: nothing is hidden for want of a name
        return self._cache[key]

    @staticmethod
    def _read(exercise: Exercise) -> dict[str, str]:
        if exercise.kind == LADDER:
            from ..content.ladders import LadderLibrary

            return {s.id: s.title for s in LadderLibrary().get(exercise.ref).steps}
        if exercise.kind == REFLECTION:
            from ..content.models import ModelLibrary

            return {s.id: s.title for s in ModelLibrary().get(exercise.ref).stages}
        if exercise.kind == SELF_ASSESSMENT:
            from ..content.frameworks import FrameworkLibrary

            return {s.id: s.text for s in FrameworkLibrary().get(exercise.ref).statements}
        return {}


def _section(title: str, anchor: str, *children: w.Widget) -> w.VBox:
    box = w.VBox([w.HTML(f"<h2 id='{anchor}'>{escape(title)}</h2>"), *children])
    box.add_class("coprod-section")
    return box


class TrainerApp(w.VBox):
    """The page of one cohort, reached by its trainer code (a join code opens nothing here)."""

    def __init__(self, store: Store, code: str, base_url: str = "", charts: bool = True):
        cohort, kind = store.cohorts.by_code(code)
        if kind != "trainer":
            raise NotFound("this is the participants' join link, not the trainer link")
        self.store, self.code, self.base_url, self.charts = store, code, base_url, charts
        self.cohort_id = cohort.id
        self.course: Course = store.cohorts.course(cohort.id)
        self.labels = PartLabels()
        self._autosaves: dict[int, Autosave] = {}
        self.feedback_boxes: dict[str, FeedbackBox] = {}
        self.header = w.HTML()
        self.refresh_button = w.Button(description="Refresh")
        self.close_button = w.Button(description="Close the cohort", button_style="warning")
        self.confirm_button = w.Button(description="Yes, close it now", button_style="danger")
        self.cancel_button = w.Button(description="Keep it open")
        self.confirm_box = w.VBox(
            [
                w.HTML(
                    "<p role='alert'>Closing stops anyone joining, answering or changing an "
                    "answer. Everything stays readable and exportable. It cannot be undone.</p>"
                ),
                w.HBox([self.confirm_button, self.cancel_button]),
            ],
            layout=w.Layout(display="none"),
        )
        self.message = Notice()
        self.roster = w.HTML()
        self.exercise = w.Dropdown(
            description="Exercise", options=self._exercise_options(), style=_WIDE
        )
        self.release = w.HTML()
        self.participant = w.Dropdown(description="Participant", options=[], style=_WIDE)
        self.answers = w.VBox()
        self.portfolios = PortfolioExport(store, cohort.id)
        self.refresh_button.on_click(self._on_refresh_click)
        self.close_button.on_click(self._on_close_click)
        self.confirm_button.on_click(self._on_confirm_click)
        self.cancel_button.on_click(self._on_cancel_click)
        self.exercise.observe(self._on_exercise_value, "value")
        self.participant.observe(self._on_participant_value, "value")
        styles = [w.HTML(style_tag("trainer"))]
        super().__init__(
            [
                *styles,
                self.header,
                w.HBox([self.refresh_button, self.close_button]),
                self.confirm_box,
                self.message,
                _section("Participants and progress", "progress", self.roster),
                _section(
                    "Answers by exercise",
                    "exercises",
                    w.HTML(
                        "<p>What the cohort answered, without names. An exercise's answers "
                        "show once enough participants have answered it.</p>"
                    ),
                    self.exercise,
                    self.release,
                ),
                _section(
                    "A participant's answers",
                    "participant",
                    w.HTML(
                        "<p>Participants were told when they joined that you read their "
                        "answers. Your feedback is saved as you type, and they see it on "
                        "their page.</p>"
                    ),
                    self.participant,
                    self.answers,
                ),
                _section("Portfolios", "portfolios", self.portfolios),
            ]
        )
        self.add_class("coprod-app")
        self.add_class("coprod-trainer")
        self.refresh()

    # -- reading -------------------------------------------------------------------------

    @property
    def cohort(self) -> Cohort:
        return self.store.cohorts.get(self.cohort_id)

    def _exercise_options(self) -> list[tuple[str, str]]:
        return [
            (f"{i}. {m.title}: {title_of(e, 60)}", e.id)
            for i, m in enumerate(self.course.modules, 1)
            for e in m.exercises
        ]

    def refresh(self) -> None:
        links = self.store.cohorts.links(self.cohort_id)
        c = links.cohort
        self.rows = self.store.cohorts.roster(c.id)
        status = "open" if c.is_open else f"closed {c.closed_at[:10] if c.closed_at else ''}"
        facts = (
            f"Course: {self.course.title} (version {c.course_version})",
            f"Status: {status.strip()}",
            f"Participants: {len(self.rows)}",
            f"An exercise's answers show once {c.min_answers} participants have answered it",
        )
        items = "".join(f"<li>{escape(f)}</li>" for f in facts)
        share = cohort_links_html(self.base_url, links.join_code, links.trainer_code, 3)
        self.header.value = (
            f"<header><h1>{escape(c.title)}: trainer's workbook</h1>"
            f"<ul class='coprod-cohort-facts'>{items}</ul>"
            f"<details><summary>The cohort's links</summary>{share}</details>"
            "<nav aria-label='On this page'><p>On this page: "
            "<a href='#progress'>progress</a> &middot; "
            "<a href='#exercises'>answers by exercise</a> &middot; "
            "<a href='#participant'>a participant's answers</a> &middot; "
            "<a href='#portfolios'>portfolios</a></p></nav></header>"
        )
        self.close_button.layout.display = None if c.is_open else "none"
        self.roster.value = roster_html(self.course, self.rows)
        self.portfolios.set_roster(self.rows)
        self._on_exercise_value()
        chosen = self.participant.value
        options = [("Choose a participant", 0)] + [(p.name, p.id) for p in self.rows]
        self.participant.options = options
        self.participant.value = chosen if chosen in {o[1] for o in options} else 0

    def _on_exercise_value(self, _change: Any = None) -> None:
        eid = self.exercise.value
        if not eid:
            self.release.value = "<p>This course has no exercises.</p>"
            return
        ex = self.course.exercise(eid)
        try:
            rel = self.store.cohorts.exercise_release(self.cohort_id, eid)
            self.release.value = release_html(
                ex, rel, self.cohort.min_answers, self.labels(ex), self.charts
            )
        except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
            self.release.value = (
                f"<p role='alert' class='coprod-status-error'>{escape(problem(e))}</p>"
            )

    # -- one participant's answers and the feedback on them -------------------------------

    def _on_participant_value(self, _change: Any = None) -> None:
        self.flush()
        pid = int(self.participant.value or 0)
        self.feedback_boxes = {}
        if not pid:
            self.answers.children = []
            return
        try:
            answers = self.store.cohorts.participant_answers(self.cohort_id, pid)
            feedback = self.store.cohorts.feedback(self.cohort_id, pid)
        except Exception as err:  # noqa: BLE001 - said in the page, never swallowed
            self.answers.children = [Notice("Not opened", problem(err), kind="error")]
            return
        children: list[w.Widget] = []
        for i, m in enumerate(self.course.modules, 1):
            if not m.exercises:
                continue
            children.append(w.HTML(f"<h3>Module {i}: {escape(m.title)}</h3>"))
            for e in m.exercises:
                fb = feedback.get(e.id)
                box = FeedbackBox(
                    e.id,
                    e.prompt,
                    answer_html(e, answers.get(e.id), self.labels(e)),
                    fb.text if fb else "",
                )
                box.on_change(self._make_saver(pid, box))
                keep(box.text, self._slug(pid, e.id))
                self.feedback_boxes[e.id] = box
                children.append(box)
        self.answers.children = children

    def _slug(self, pid: int, exercise_id: str) -> str:
        return slug("feedback", self.cohort_id, pid, exercise_id)

    def _make_saver(self, pid: int, box: FeedbackBox) -> Callable[[str, str], None]:
        cid = self.cohort_id

        def save(exercise_id: str, text: str) -> None:
            autosave = self._autosaves.get(id(box.save_status))
            if autosave is None:
                autosave = self._autosaves[id(box.save_status)] = Autosave(box.save_status)

            def refused(e: Exception) -> None:
                box.note.message = str(e)

            def saved(_at: Any) -> None:
                box.note.message = ""

            autosave.change(
                ("feedback", pid, exercise_id),
                lambda: self.store.cohorts.save_feedback(cid, pid, exercise_id, text),
                slug=self._slug(pid, exercise_id),
                value=text,
                on_error=refused,
                on_saved=saved,
            )

        return save

    def flush(self) -> bool:
        """Save now whatever feedback waits in any box."""
        return all([a.flush() for a in self._autosaves.values()])

    # -- closing -----------------------------------------------------------------------------

    def _tell(self, kind: str, title: str, text: str) -> None:
        self.message.kind, self.message.title, self.message.text = kind, title, text

    def _on_refresh_click(self, _b: Any = None) -> None:
        try:
            self.refresh()
        except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
            self._tell("error", "Not refreshed", problem(e))

    def _on_close_click(self, _b: Any) -> None:
        self.confirm_box.layout.display = None

    def _on_cancel_click(self, _b: Any) -> None:
        self.confirm_box.layout.display = "none"

    def _on_confirm_click(self, _b: Any) -> None:
        try:
            self.store.cohorts.close(self.cohort_id)
        except Exception as e:  # noqa: BLE001 - said in the page, never swallowed
            self._tell("error", "The cohort is still open", problem(e))
            return
        self.confirm_box.layout.display = "none"
        self._tell(
            "success",
            "The cohort is closed",
            "No one can join, answer or change an answer now. Everything stays readable.",
        )
        self._on_refresh_click()


def open_trainer(code: str, base_url: str = "", store: Store | None = None) -> w.Widget:
    if store is None:
        store = Store(os.environ.get("COPROD_DB") or None)
    return TrainerApp(store, code, base_url)


def show(code: str | None = None, store: Store | None = None) -> w.Widget:
    """The workbook's one call."""

    def build() -> w.Widget:
        visit = identity.from_request(code)
        if not visit.code:
            if visit.served:
                raise NotFound("this page needs the trainer link you were given")
            return CodeEntry(
                "A course's trainer page", lambda c: open_trainer(c, visit.base_url, store)
            )
        return open_trainer(visit.code, visit.base_url, store)

    return safely(build)
