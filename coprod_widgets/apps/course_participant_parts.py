"""The participant's course workbook, its parts: a module's prose as HTML, the progress, what an
exercise refers to, the trainer's feedback, the time spent, and a reflection's copy for the
journal. The page itself is ``course_participant``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..model.course import LADDER, REFLECTION, SELF_ASSESSMENT, Course, Exercise, Module
from ..model.course_progress import CourseProgress

if TYPE_CHECKING:
    from ..model.cohort import Feedback
    from ..model.framework import Framework
    from ..model.journal_models import ReflectiveModel
    from ..model.ladder import Ladder

IDLE_CAP = 300.0
"""The longest pause between two actions on the page that still counts as time on the course
(reading a module is quiet; a page left open overnight is not studying)."""
SEND_EVERY = 60.0


@cache
def _markdown() -> Callable[[str], str]:
    import mistune

    # escape=True: any HTML written in a module is shown as text, never run in the page;
    # mistune's renderer also refuses javascript: and data: links.
    md = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])
    return lambda text: str(md(text))


def prose_html(text: str) -> str:
    """A module's Markdown prose as HTML, with any HTML in it escaped."""
    return f"<div class='coprod-prose'>{_markdown()(text)}</div>"


def _percent(fraction: float) -> str:
    return f"{round(fraction * 100)}%"


def progress_html(course: Course, progress: CourseProgress) -> str:
    """Overall and per module: a sentence, and a table a screen reader reads as it is."""
    rows = "".join(
        f"<tr><th scope='row'>{n}. {escape(m.title)}</th><td>{len(m.answered)} of {m.total}"
        f"</td><td>{'done' if m.done else _percent(m.fraction)}</td></tr>"
        for n, m in enumerate(progress.modules, start=1)
    )
    return (
        "<details class='coprod-course-progress'>"
        f"<summary>Your progress: {progress.answered} of {progress.total} exercises answered "
        f"({_percent(progress.fraction)})</summary>"
        "<table class='coprod-table'><caption class='coprod-sr'>Exercises answered in each "
        "module</caption><thead><tr><th scope='col'>Module</th><th scope='col'>Answered</th>"
        f"<th scope='col'>Complete</th></tr></thead><tbody>{rows}</tbody></table></details>"
    )


def module_head_html(module: Module, number: int) -> str:
    summary = (
        f"<p class='coprod-module-summary'>{escape(module.summary)}</p>" if module.summary else ""
    )
    return (
        f"<h2 class='coprod-module-title'>{number}. {escape(module.title)}</h2>"
        f"<p class='coprod-module-time'>About {module.minutes} minutes</p>{summary}"
    )


def sources_html(module: Module) -> str:
    if not module.sources:
        return ""
    items = []
    for s in module.sources:
        title = escape(s.title)
        if s.url.startswith(("https://", "http://")):
            title = (
                f"<a href='{escape(s.url, quote=True)}' target='_blank' rel='noopener'>{title}</a>"
            )
        ref = f" {escape(s.reference)}" if s.reference else ""
        items.append(f"<li>{title}{ref}</li>")
    return (
        "<details class='coprod-sources'><summary>Sources for this module</summary>"
        f"<ul>{''.join(items)}</ul></details>"
    )


def feedback_html(feedback: Feedback | None) -> str:
    """The trainer's feedback on one exercise, beside it (escaped; empty when there is none)."""
    if feedback is None or not feedback.text.strip():
        return ""
    body = "<br>".join(escape(line) for line in feedback.text.strip().split("\n"))
    when = (
        f" <span class='coprod-feedback-at'>({escape(feedback.at[:10])})</span>"
        if feedback.at
        else ""
    )
    return (
        "<aside class='coprod-feedback' role='note' aria-label='Feedback from your trainer'>"
        f"<h4>Feedback from your trainer{when}</h4><p>{body}</p></aside>"
    )


class References:
    """What exercises refer to, from the content libraries, loaded once per page and only when
    a module that needs them is shown. A reference that cannot be found gives None: the
    exercise widget then offers the ids the cohort kept."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Any] = {}

    def for_exercise(self, exercise: Exercise) -> dict[str, Any]:
        if exercise.kind == LADDER:
            return {"ladder": self._get(LADDER, exercise.ref)}
        if exercise.kind == REFLECTION:
            return {"model": self._get(REFLECTION, exercise.ref)}
        if exercise.kind == SELF_ASSESSMENT:
            return {"framework": self._get(SELF_ASSESSMENT, exercise.ref)}
        return {}

    def model(self, exercise: Exercise) -> ReflectiveModel | None:
        from ..model.journal_models import ReflectiveModel

        found = self._get(REFLECTION, exercise.ref)
        return found if isinstance(found, ReflectiveModel) else None

    def _get(self, kind: str, ref: str) -> Ladder | ReflectiveModel | Framework | None:
        if not ref:
            return None
        if (kind, ref) not in self._cache:
            self._cache[(kind, ref)] = self._load(kind, ref)
        found: Ladder | ReflectiveModel | Framework | None = self._cache[(kind, ref)]
        return found

    @staticmethod
    def _load(kind: str, ref: str) -> Ladder | ReflectiveModel | Framework | None:
        from ..content import FrameworkLibrary
        from ..content.ladders import LadderLibrary
        from ..content.models import ModelLibrary

        try:
            if kind == LADDER:
                return LadderLibrary().get(ref)
            if kind == REFLECTION:
                return ModelLibrary().get(ref)
            return FrameworkLibrary().get(ref)
        except (KeyError, LookupError, OSError, ValueError):
            return None


class TimeSpent:
    """Time on the course, counted on the kernel's side from the participant's own actions:
    each gap between two actions counts, up to ``IDLE_CAP``; what has been counted is handed
    to ``send`` about once a minute and when the page saves everything."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._last = clock()
        self._sent_at = self._last
        self._seconds = 0.0
        self._lock = threading.Lock()

    def touch(self) -> bool:
        """An action now; True when it is time to send what was counted."""
        now = self.clock()
        with self._lock:
            self._seconds += min(max(0.0, now - self._last), IDLE_CAP)
            self._last = now
            due = now - self._sent_at >= SEND_EVERY and self._seconds >= 1
        return due

    def take(self) -> int:
        """The whole seconds counted and not yet sent (they are now the caller's)."""
        with self._lock:
            whole = int(self._seconds)
            self._seconds -= whole
            self._sent_at = self.clock()
        return whole

    def give_back(self, seconds: int) -> None:
        """Seconds a failed send took: counted again."""
        with self._lock:
            self._seconds += seconds


def reflection_markdown(
    course: Course, exercise: Exercise, model: ReflectiveModel | None, texts: Mapping[str, str]
) -> str:
    """A reflection as Markdown text, to paste into a journal kept elsewhere."""
    titles = {s.id: s.title for s in model.stages} if model is not None else {}
    order = [s.id for s in model.stages] if model is not None else list(exercise.parts)
    lines = [f"# {course.title}: {exercise.prompt}", ""]
    if model is not None:
        lines += [f"Written with {model.title}.", ""]
    for sid in order:
        text = texts.get(sid, "").strip()
        if text:
            lines += [f"## {titles.get(sid, sid)}", "", text, ""]
    return "\n".join(lines).rstrip() + "\n"


class JournalCopy(w.VBox):
    """Under a reflection: "Copy into my journal" (``on_copy`` writes the entry, when this
    device's journal is known), or the reflection as text to paste, and where the journal is."""

    def __init__(self, can_copy: bool, journal_link: str = ""):
        self.button = w.Button(description="Copy into my journal", icon="book")
        self.button.add_class("coprod-journal-copy")
        self.result = w.HTML()
        self.text = w.Textarea(
            description="Your reflection as text, to paste into your journal",
            rows=6,
            disabled=False,
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", display="none"),
        )
        self.text.add_class("coprod-journal-text")
        self.show_text = w.Button(description="Show my reflection as text")
        self.can_copy = can_copy
        where = (
            f" <a href='{escape(journal_link, quote=True)}' target='_blank' rel='noopener'>Open "
            "your journal</a> on this device, then open this course's link again, and this "
            "button copies it in directly."
            if journal_link
            else ""
        )
        note = (
            "<p class='coprod-journal-note'>Your journal is private: copying a reflection into "
            "it shares nothing with your trainer. The copy is yours to change; this answer "
            "stays as it is.</p>"
            if can_copy
            else "<p class='coprod-journal-note'>This page cannot reach a journal of yours on "
            "this device, so it gives you the reflection as text to paste into your journal."
            f"{where}</p>"
        )
        children: list[w.Widget] = [w.HTML(note)]
        children += [self.button] if can_copy else [self.show_text, self.text]
        super().__init__([*children, self.result])
        self.add_class("coprod-journal-box")


def edited_box(boxes: dict[str, w.Textarea], old: Any, new: Any) -> tuple[str, str | None]:
    """Which text box an edit was made in, and its text (for the page's keeping of typed text)."""
    if not boxes:
        return "", None
    if isinstance(new, str):
        return next(iter(boxes)), new
    if isinstance(new, dict):
        before = old if isinstance(old, dict) else {}
        for name in boxes:
            if new.get(name, "") != before.get(name, ""):
                return name, str(new.get(name, ""))
    return "", None


def disable(widget: w.Widget) -> None:
    if hasattr(widget, "disabled"):
        widget.disabled = True
    for child in getattr(widget, "children", ()):
        disable(child)


def come_back_html(base_url: str, code: str, cohort_id: int, me: str) -> str:
    """The continuation link, signed by the server for this cohort and this participant, shown
    on their own page only (it opens only with this device's cookie)."""
    if not base_url:
        return ""
    from .. import identity

    try:
        url = identity.course_resume_link(base_url, code, cohort_id, me)
    except OSError:  # no data folder for the signing key: no link, nothing else lost
        return ""
    return (
        "<details class='coprod-come-back'><summary>Coming back on another device</summary>"
        "<p>This device brings your answers back when you open the course link again. "
        "To carry on on another device, open this link there. <strong>Keep it to "
        "yourself: anyone holding it can read and change your answers.</strong></p>"
        f"<p><code>{escape(url)}</code></p></details>"
    )
