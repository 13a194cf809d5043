"""The participant's course workbook: join a cohort by name, read each module, answer its
exercises (saved as typed, through the house's one autosave), see the trainer's feedback beside
the exercise it is about, and copy a reflection into one's own private journal.

Who can read what is said before joining: the trainer reads the answers; the journal stays
private. A closed cohort's page shows the answers and the feedback, read only: a participant
still needs them (for their CPD record), and nothing can be changed any more.
"""

from __future__ import annotations

import os
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from .. import identity
from ..errors import CoprodError, NotFound
from ..model.course import REFLECTION, TEXT, Exercise
from ..model.course_progress import course_progress
from ..model.text import counter_text
from ..registry import route_link
from ..style import style_tag
from ..widgets import Notice, SaveStatus
from ..widgets.course_exercise import ExerciseWidget, PlannerExercise, exercise_widget
from .autosave import Autosave, keep, slug
from .common import CodeEntry, problem, safely
from .course_participant_parts import (
    JournalCopy,
    References,
    TimeSpent,
    come_back_html,
    disable,
    edited_box,
    feedback_html,
    module_head_html,
    progress_html,
    prose_html,
    reflection_markdown,
    sources_html,
)

if TYPE_CHECKING:
    from ..model.cohort import ParticipantView
    from ..store import Store

PRIVACY = (
    "Your trainer can read your exercise answers and leave feedback on them. Your journal "
    "stays private: nothing in it is shared."
)


class CourseParticipantApp(w.VBox):
    """One participant's page of one cohort (``code`` is the join code, ``me`` their token)."""

    def __init__(self, store: Store, code: str, me: str, base_url: str = "", journal_key: str = ""):
        self.store, self.code, self.me, self.base_url = store, code, me, base_url
        self.journal_key = journal_key
        cohort, kind = store.cohorts.by_code(code)
        if kind != "participant":
            raise NotFound(
                "this is the trainer's link; the course opens from the participants' link"
            )
        self.cohort = cohort
        self.course = store.cohorts.course(cohort.id)
        self.status = SaveStatus()
        self.autosave = Autosave(self.status)
        self.time = TimeSpent()
        self.refs = References()
        self.body = w.VBox()
        super().__init__([w.HTML(style_tag("course")), self._header(), self.body])
        self.add_class("coprod-app")
        self.add_class("coprod-course")
        try:
            view = store.cohorts.participant_view(code, me)
        except NotFound:
            self._show_join()
        else:
            self._show_workbook(view)

    # -- before joining -------------------------------------------------------------------

    def _header(self) -> w.HTML:
        c = self.course
        return w.HTML(
            f"<header><h1>{escape(c.title)}</h1>"
            f"<p class='coprod-cohort-title'>{escape(self.cohort.title)}</p>"
            f"<p>{escape(c.summary)}</p></header>"
        )

    def _show_join(self) -> None:
        if not self.cohort.is_open:
            self.body.children = [
                Notice(
                    "This course has closed",
                    "No one can join it any more. If you took part, open the link on the device "
                    "you used, or with the link you kept to come back.",
                )
            ]
            return
        self.name = w.Text(
            description="Your name",
            placeholder="as your trainer will know you",
            style={"description_width": "initial"},
        )
        self.join_button = w.Button(description="Join the course", button_style="primary")
        self.join_note = Notice()
        self.join_button.on_click(self._on_join_click)
        self.body.children = [
            w.HTML(f"<p class='coprod-privacy'><strong>{escape(PRIVACY)}</strong></p>"),
            w.HBox([self.name, self.join_button]),
            self.join_note,
        ]

    def _on_join_click(self, _b: Any) -> None:
        try:
            view = self.store.cohorts.join(self.code, self.me, self.name.value)
        except Exception as e:  # noqa: BLE001 - said on the page, never a traceback
            self.join_note.kind, self.join_note.title = "error", "Not joined yet"
            self.join_note.text = problem(e)[:1].upper() + problem(e)[1:]
            return
        self._show_workbook(view)

    # -- the workbook ---------------------------------------------------------------------

    def _show_workbook(self, view: ParticipantView) -> None:
        self.view = view
        self.answers: dict[str, Any] = dict(view.answers)
        self.feedback = dict(view.feedback)
        self.widgets: dict[str, ExerciseWidget] = {}
        self.feedback_boxes: dict[str, w.HTML] = {}
        self.journal_boxes: dict[str, JournalCopy] = {}
        self._modules: dict[int, w.VBox] = {}
        self.read_only = not self.cohort.is_open
        self.progress = w.HTML()
        self.check_feedback = w.Button(description="Check for new feedback")
        self.check_feedback.on_click(self._on_check_feedback_click)
        self.feedback_note = w.HTML()
        titles = [f"{i + 1}. {m.title}" for i, m in enumerate(self.course.modules)]
        self.jump = w.Dropdown(
            options=[(t, i) for i, t in enumerate(titles)],
            value=0,
            description="Go to module",
            style={"description_width": "initial"},
        )
        self.previous = w.Button(description="Previous module")
        self.next = w.Button(description="Next module", button_style="primary")
        nav = w.HBox([self.previous, self.jump, self.next])
        nav.add_class("coprod-module-nav")
        self.previous.on_click(lambda _b: self._go(self.jump.value - 1))
        self.next.on_click(lambda _b: self._go(self.jump.value + 1))
        self.jump.observe(lambda ch: self._on_module(ch["new"]), "value")
        self.module_area = w.VBox([self.module(0)])
        top: list[w.Widget] = [
            w.HTML(
                f"<p class='coprod-welcome'>Welcome, {escape(view.name)}. "
                f"{'' if self.read_only else 'Your answers are saved as you type. '}"
                f"{escape(PRIVACY)}</p>"
            )
        ]
        if self.read_only:
            top.append(
                Notice(
                    "This course has closed",
                    "Your answers and your trainer's feedback are here to read; they can no "
                    "longer be changed.",
                )
            )
        self.body.children = [
            *top,
            self.progress,
            w.HBox([self.check_feedback, self.feedback_note]),
            nav,
            self.module_area,
            self.status,
            w.HTML(self._come_back_html()),
        ]
        self._refresh_progress()

    def _go(self, index: int) -> None:
        self.jump.value = max(0, min(index, len(self.course.modules) - 1))

    def _on_module(self, index: int) -> None:
        self.module_area.children = [self.module(index)]
        self._touch()

    def module(self, index: int) -> w.VBox:
        """The module's page, built (with the saved answers in it) the first time it is shown."""
        built = self._modules.get(index)
        if built is not None:
            return built
        m = self.course.modules[index]
        children: list[w.Widget] = [w.HTML(module_head_html(m, index + 1))]
        for block in m.blocks:
            if isinstance(block, str):
                children.append(w.HTML(prose_html(block)))
            else:
                children.append(self._exercise_box(block))
        children.append(w.HTML(sources_html(m)))
        box = w.VBox(children)
        box.add_class("coprod-module")
        self._modules[index] = box
        return box

    def _exercise_box(self, ex: Exercise) -> w.VBox:
        widget = exercise_widget(ex, self.answers.get(ex.id), **self.refs.for_exercise(ex))
        self.widgets[ex.id] = widget
        for name, box in widget.text_boxes().items():
            keep(box, slug("course", ex.id, name))
        self.feedback_boxes[ex.id] = w.HTML(feedback_html(self.feedback.get(ex.id)))
        parts: list[w.Widget] = [widget, self.feedback_boxes[ex.id]]
        if self.read_only:
            disable(widget)
        else:
            widget.observe(lambda ch, ex=ex: self._on_answer(ex, ch["old"], ch["new"]), "value")
            if isinstance(widget, PlannerExercise):
                widget.on_make(self._make_plan)
        if ex.kind == REFLECTION:
            parts.append(self._journal_copy(ex, widget))
        box = w.VBox(parts)
        box.add_class("coprod-exercise-box")
        return box

    # -- saving ---------------------------------------------------------------------------

    def _on_answer(self, ex: Exercise, old: Any, new: Any) -> None:
        self.answers[ex.id] = new
        widget = self.widgets[ex.id]
        boxes = widget.text_boxes()
        name, text = edited_box(boxes, old, new)
        if ex.kind == TEXT and isinstance(new, str):
            widget.note.counter = counter_text("evidence", len(new))

        def refused(e: Exception) -> None:
            widget.note.message = str(e)[:1].upper() + str(e)[1:]

        def saved(_at: Any) -> None:
            widget.note.message = ""

        self.autosave.change(
            ("answer", ex.id),
            lambda: self.store.cohorts.save_answer(self.code, self.me, ex.id, new),
            slug=slug("course", ex.id, name) if name else "",
            value=text,
            immediate=not boxes,
            on_error=refused,
            on_saved=saved,
        )
        self._refresh_progress()
        self._touch()

    def _touch(self) -> None:
        if self.time.touch():
            self._send_time()

    def _send_time(self) -> None:
        def write() -> None:
            seconds = self.time.take()
            if not seconds:
                return
            try:
                self.store.cohorts.add_time(self.code, self.me, seconds)
            except Exception:
                self.time.give_back(seconds)
                raise

        self.autosave.change(("time",), write, immediate=True)

    def flush(self) -> bool:
        """Save now whatever is waiting (the time spent too); True when all of it is saved."""
        if not self.read_only and getattr(self, "view", None) is not None:
            self.time.touch()
            self._send_time()
        return self.autosave.flush()

    def _on_check_feedback_click(self, _b: Any) -> None:
        """The trainer's feedback as it is now, beside each exercise (no reload needed)."""
        try:
            self.feedback = dict(self.store.cohorts.participant_view(self.code, self.me).feedback)
        except Exception as e:  # noqa: BLE001 - said beside the button
            self.feedback_note.value = f"<p role='alert'>Not checked: {escape(problem(e))}</p>"
            return
        for eid, box in self.feedback_boxes.items():
            box.value = feedback_html(self.feedback.get(eid))
        n = sum(1 for f in self.feedback.values() if f.text.strip())
        said = f"Feedback on {n} exercise{'' if n == 1 else 's'}" if n else "No feedback yet"
        self.feedback_note.value = f"<p role='status'>{said}.</p>"
        self._touch()

    def _refresh_progress(self) -> None:
        self.progress.value = progress_html(self.course, course_progress(self.course, self.answers))

    def _make_plan(self, widget: PlannerExercise) -> None:
        sc = widget.exercise.scenario
        title = (sc.title if sc is not None else widget.exercise.prompt)[:200]
        try:
            _, plan_code = self.store.plans.create(title)
        except Exception as e:  # noqa: BLE001 - said beside the button
            widget.note.message = "The plan could not be made: " + problem(e)
            return
        from ..registry import plan_link

        widget.value = plan_link(self.base_url, plan_code)  # saved like any answer
        self.autosave.flush()

    # -- the journal ----------------------------------------------------------------------

    def _journal_owner(self) -> str:
        try:
            owner, _ = identity.journal_owner(self.journal_key or None)
        except Exception:  # noqa: BLE001 - no journal reachable: the text copy is offered
            return ""
        return owner

    def _journal_copy(self, ex: Exercise, widget: ExerciseWidget) -> JournalCopy:
        owner = self._journal_owner()
        journal = route_link("journal", self.base_url) if self.base_url else ""
        box = JournalCopy(bool(owner), journal)
        box.button.on_click(lambda _b: self._copy_to_journal(ex, widget, box, owner))
        box.show_text.on_click(lambda _b: self._show_text(ex, widget, box))
        self.journal_boxes[ex.id] = box
        return box

    def _copy_to_journal(
        self, ex: Exercise, widget: ExerciseWidget, box: JournalCopy, owner: str
    ) -> None:
        texts = widget.value if isinstance(widget.value, dict) else {}
        model = self.refs.model(ex)
        if not any(t.strip() for t in texts.values()):
            box.result.value = "<p role='status'>Write your reflection first.</p>"
            return
        if model is None:
            box.result.value = (
                "<p role='alert'>The reflective model of this exercise is not on this server, "
                "so the journal cannot hold it; copy it as text instead.</p>"
            )
            return
        title = f"{self.course.title}: {ex.prompt}"[:200]
        try:
            entry = self.store.journal.create(owner, model, title=title, stages=dict(texts))
        except CoprodError as e:
            box.result.value = f"<p role='alert'>Not copied: {escape(str(e))}</p>"
            return
        except Exception as e:  # noqa: BLE001 - said beside the button
            box.result.value = f"<p role='alert'>Not copied: {escape(problem(e))}</p>"
            return
        box.result.value = (
            f"<p role='status'>Copied into your journal as “{escape(entry.title)}”. Only you "
            "can read it there.</p>"
        )

    def _show_text(self, ex: Exercise, widget: ExerciseWidget, box: JournalCopy) -> None:
        texts = widget.value if isinstance(widget.value, dict) else {}
        box.text.value = reflection_markdown(self.course, ex, self.refs.model(ex), texts)
        box.text.layout.display = None

    def _come_back_html(self) -> str:
        return come_back_html(self.base_url, self.code, self.cohort.id, self.me)


def open_course(
    code: str, me: str, base_url: str = "", key: str = "", store: Store | None = None
) -> w.Widget:
    if store is None:
        from ..store import Store

        store = Store(os.environ.get("COPROD_DB") or None)
    return CourseParticipantApp(store, code, me, base_url, key)


def show(
    code: str | None = None,
    me: str | None = None,
    key: str | None = None,
    store: Store | None = None,
) -> w.Widget:
    """The workbook's one call."""

    def build() -> w.Widget:
        visit = identity.from_request(code, me)
        journal_key = key or visit.key
        if visit.served and not (visit.code and visit.me):
            raise NotFound("this page needs the course link your trainer shared")
        if not visit.code:
            return CodeEntry(
                "Course workbook",
                lambda c: open_course(c, visit.me, visit.base_url, journal_key, store),
            )
        return open_course(visit.code, visit.me, visit.base_url, journal_key, store)

    return safely(build)
