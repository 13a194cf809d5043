"""Start a cohort: a trainer picks a course, names the cohort, sets the minimum, and gets two
links: the join link to share with participants, the trainer link to keep."""

from __future__ import annotations

import os
from html import escape
from typing import Any, cast

import ipywidgets as w

from .. import identity
from ..content.courses import CourseLibrary, course_dirs, course_summary
from ..errors import CoprodError
from ..registry import LinkKind, route_link
from ..store import Store  # SQLAlchemy loaded while the kernel is pre-started, not on request
from ..widgets import Notice
from .common import safely

DEFAULT_MIN = 3
COHORT_ROUTE = "c"

PRIVACY_NOTE = (
    "<p class='coprod-note'>You will see each participant's answers by name (they are told so "
    "when they join), and give feedback on them. What the cohort answered to an exercise is "
    "shown without names, and only once at least the minimum number of participants have "
    "answered it, so that no one's answer can be singled out.</p>"
)
LOST_TRAINER_LINK = (
    "Lost it? The person who runs this server can print every cohort's links again from the "
    "command line."
)


def cohort_link(kind: str, base_url: str, code: str) -> str:
    """A cohort's link (``participant``: the join link; ``trainer``: the trainer's), under
    ``/c/<code>``, or just its code where there is no server."""
    if not base_url:
        return code
    try:
        return route_link(cast(LinkKind, kind), base_url, code)
    except LookupError:  # its workbook is not registered here: the route it will have
        return "/".join([base_url.rstrip("/"), COHORT_ROUTE, code])


def cohort_links_html(base_url: str, join_code: str, trainer_code: str, level: int = 2) -> str:
    """A cohort's two links, each in its own box saying what it is and who gets it."""
    join = escape(cohort_link("participant", base_url, join_code))
    trainer = escape(cohort_link("trainer", base_url, trainer_code))
    h = f"h{level}"
    return (
        "<div class='coprod-links'>"
        "<section class='coprod-link-share'>"
        f"<{h}>Share with the participants: join link</{h}>"
        "<p>Each participant joins the course with this link and sees only their own work "
        "and your feedback on it.</p>"
        f"<p>Join link: <code>{join}</code></p></section>"
        "<section class='coprod-link-keep'>"
        f"<{h}>Keep to yourself: trainer link (anyone with it reads every answer)</{h}>"
        "<p><strong>Do not share this one.</strong> It opens the participants' answers by "
        "name, and lets whoever has it close the cohort.</p>"
        f"<p>Trainer link: <code>{trainer}</code></p>"
        f"<p class='coprod-note'>{LOST_TRAINER_LINK}</p></section>"
        "</div>"
    )


class StartCohortApp(w.VBox):
    def __init__(self, store: Store, library: CourseLibrary, base_url: str = ""):
        self.store, self.library, self.base_url = store, library, base_url
        wide = {"description_width": "initial"}
        self.course = w.Dropdown(
            description="Course",
            options=[
                (f"{c.title} ({len(c.modules)} modules, about {c.minutes} minutes)", c.key)
                for c in library
            ],
            style=wide,
        )
        self.course_about = w.HTML()
        self.title = w.Text(
            description="Name of this cohort",
            placeholder="e.g. Riverside staff, spring 2027",
            style=wide,
            layout=w.Layout(width="100%"),
        )
        self.min_answers = w.BoundedIntText(
            description="Answers needed before an exercise's answers show",
            value=DEFAULT_MIN,
            min=2,
            max=1000,
            style=wide,
        )
        self.create = w.Button(description="Create the cohort", button_style="primary")
        self.result = Notice()
        self.links = w.HTML()
        self._created_from: tuple[Any, ...] | None = None
        self.create.on_click(self._on_create_click)
        self.course.observe(self._on_course_value, "value")
        for field in (self.course, self.title, self.min_answers):
            field.observe(self._on_form_value, "value")
        own = course_dirs()[-1]
        problems = (
            "<p class='coprod-note'>A course of your own appears here once its folder is in "
            f"<code>{escape(str(own))}</code> (<code>coprod course validate FOLDER</code> "
            "checks it first).</p>"
        )
        if library.problems:
            items = "".join(f"<li>{escape(str(p))}</li>" for p in library.problems)
            problems += (
                "<details><summary>Some course folders were left out because they have "
                f"problems</summary><ul>{items}</ul></details>"
            )
        super().__init__(
            [
                w.HTML(
                    "<header><h1>Run a course</h1><p>Participants work through the course at "
                    "their own pace; you follow their progress, read their answers and give "
                    f"feedback.</p>{problems}</header>"
                ),
                self.course,
                self.course_about,
                self.title,
                w.HTML(PRIVACY_NOTE),
                self.min_answers,
                self.create,
                self.result,
                self.links,
            ]
        )
        self.add_class("coprod-app")
        self._on_course_value()

    def _chosen(self) -> Any:
        course_id, _, version = str(self.course.value).partition("@")
        return self.library.get(course_id, version or None)

    def _on_course_value(self, _change: Any = None) -> None:
        if not self.course.value:
            self.course_about.value = "<p>No course was found.</p>"
            return
        c = self._chosen()
        self.course_about.value = (
            f"<p>{escape(c.summary)}</p><p>For: {escape(c.audience)}</p>"
            f"<p class='coprod-note'>{escape(course_summary(c))}</p>"
        )

    def _form_key(self) -> tuple[Any, ...]:
        return (self.course.value, self.title.value.strip(), self.min_answers.value)

    def _on_form_value(self, _change: Any = None) -> None:
        self._created_from = None  # a changed form may make another cohort

    def _on_create_click(self, _b: Any) -> None:
        if self.create.disabled or self._created_from == self._form_key():
            return  # already made from this form: the links are on the page
        self.create.disabled = True
        try:
            self._create()
        finally:
            self.create.disabled = False

    def _create(self) -> None:
        key = self._form_key()
        try:
            if not self.course.value:
                raise KeyError("choose a course first")
            created = self.store.cohorts.create(
                self.title.value, self._chosen(), min_answers=int(self.min_answers.value)
            )
        except (CoprodError, KeyError) as e:
            self.result.kind, self.result.title = "error", "Not created"
            self.result.text = str(e).strip("'\"")
            return
        self._created_from = key
        c = created.cohort
        self.result.kind, self.result.title = "success", f"Cohort {c.id} is open"
        self.result.text = (
            "Two links below. Share the join link with the participants; keep the trainer link "
            "to yourself. Pressing the button again makes no second cohort: change the form "
            "first to start another."
        )
        self.links.value = cohort_links_html(self.base_url, created.join_code, created.trainer_code)


def show_start(store: Store | None = None) -> w.Widget:
    """The start workbook's one call."""

    def build() -> w.Widget:
        nonlocal store
        if store is None:
            store = Store(os.environ.get("COPROD_DB") or None)
        return StartCohortApp(store, CourseLibrary(), identity.base_url())

    return safely(build)
