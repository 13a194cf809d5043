"""One widget per kind of course exercise: the prompt, the inputs (each labelled, keyboard
usable) and the answer as the store keeps it, in ``value``.

``value`` is plain JSON data (see ``model.course_progress.is_answered``): text for text and
planner, a whole number for rating, an option id (or a list of them) for choice, a step id for
ladder, ``{stage id: text}`` for reflection and ``{statement id: number or "dont_know"}`` for
self-assessment. Setting ``value`` shows it; every edit sets it, which is the change a page
saves. No store, no content files: what an exercise refers to (a ladder, a reflective model, a
framework) is handed in as a model object by the page, with the exercise's ``parts`` (its ids)
when it cannot be found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any as AnyType

import ipywidgets as w
from traitlets import Any, Unicode, observe

from ..model.course import (
    CHOICE,
    LADDER,
    PLANNER,
    RATING,
    REFLECTION,
    SELF_ASSESSMENT,
    TEXT,
    Exercise,
)
from ..model.framework import Framework
from ..model.journal_models import ReflectiveModel
from ..model.ladder import Ladder
from .rating import DONT_KNOW, StatementRating
from .status import FieldNote

_WIDE = {"description_width": "initial"}


def _head_html(exercise: Exercise, label: str) -> str:
    hint = f"<p class='coprod-exercise-hint'>{escape(exercise.hint)}</p>" if exercise.hint else ""
    return (
        f"<h3 class='coprod-exercise-title'><span class='coprod-exercise-kind'>{escape(label)}"
        f"</span> {escape(exercise.prompt)}</h3>{hint}"
    )


class ExerciseWidget(w.VBox):
    """What every kind shares: the heading, the inputs, a note beside them (why an answer was
    not saved), and ``value``."""

    exercise_id = Unicode(help="the exercise answered")
    value = Any(None, allow_none=True, help="the answer as stored (plain JSON data)")
    label = "Exercise"

    def __init__(self, exercise: Exercise, value: AnyType = None, **kwargs: AnyType):
        self.exercise = exercise
        self.heading = w.HTML(_head_html(exercise, self.label))
        self.note = FieldNote()
        self._quiet = False
        inputs = self._inputs()
        super().__init__([self.heading, *inputs, self.note], **kwargs)
        self.add_class("coprod-exercise")
        self.add_class(f"coprod-exercise-{exercise.kind}")
        self.exercise_id = exercise.id
        self.value = self.clean(value)

    def _inputs(self) -> list[w.Widget]:
        raise NotImplementedError

    def clean(self, value: AnyType) -> AnyType:
        """A stored answer as this kind shows it (anything of the wrong shape shows as none)."""
        return value

    def _show(self, value: AnyType) -> None:
        raise NotImplementedError

    @observe("value")
    def _on_value(self, change: dict[str, AnyType]) -> None:
        self._quiet = True
        try:
            self._show(change["new"])
        finally:
            self._quiet = False

    def _edited(self, value: AnyType) -> None:
        if not self._quiet:
            self.value = value

    def text_boxes(self) -> dict[str, w.Textarea]:
        """The boxes a person types in, by a name of their own within the exercise (the page
        marks them so the browser keeps what is typed until it is saved)."""
        return {}


class TextExercise(ExerciseWidget):
    label = "Write"

    def _inputs(self) -> list[w.Widget]:
        self.box = w.Textarea(
            description="Your answer",
            placeholder="Write here: it is saved as you type.",
            continuous_update=True,
            rows=5,
            style=_WIDE,
            layout=w.Layout(width="100%"),
        )
        self.box.add_class("coprod-exercise-text")
        self.box.observe(lambda ch: self._edited(ch["new"]), "value")
        return [self.box]

    def clean(self, value: AnyType) -> AnyType:
        return value if isinstance(value, str) else ""

    def _show(self, value: AnyType) -> None:
        self.box.value = value if isinstance(value, str) else ""

    def text_boxes(self) -> dict[str, w.Textarea]:
        return {"text": self.box}


class _RadioExercise(ExerciseWidget):
    """An answer picked from radio buttons (a radio group named by the prompt in the page)."""

    def _options(self) -> list[tuple[str, AnyType]]:
        raise NotImplementedError

    def _inputs(self) -> list[w.Widget]:
        self.radios = w.RadioButtons(
            options=self._options(),
            value=None,
            description=self.exercise.prompt,
            style=_WIDE,
            layout=w.Layout(width="100%"),
        )
        self.radios.add_class("coprod-rating")
        self.radios.observe(lambda ch: self._edited(ch["new"]), "value")
        return [self.radios]

    def clean(self, value: AnyType) -> AnyType:
        known = [v for _, v in self._options()]
        return value if value in known and not isinstance(value, bool) else None

    def _show(self, value: AnyType) -> None:
        self.radios.value = self.clean(value)


class RatingExercise(_RadioExercise):
    label = "Rate"

    def _options(self) -> list[tuple[str, AnyType]]:
        s = self.exercise.scale
        if s is None:
            return []
        ends = {s.low: s.low_label, s.high: s.high_label}
        return [(f"{v} {ends[v]}" if ends.get(v) else str(v), v) for v in s.values]


class SingleChoiceExercise(_RadioExercise):
    label = "Choose one"

    def _options(self) -> list[tuple[str, AnyType]]:
        return [(o.label, o.id) for o in self.exercise.options]


class MultipleChoiceExercise(ExerciseWidget):
    """Several options may be picked: a checkbox each, in a group named by the prompt."""

    label = "Choose any"

    def _inputs(self) -> list[w.Widget]:
        self.boxes = {
            o.id: w.Checkbox(value=False, description=o.label, indent=False)
            for o in self.exercise.options
        }
        for cb in self.boxes.values():
            cb.observe(lambda _ch: self._edited(self._picked()), "value")
        group = w.VBox(list(self.boxes.values()))
        group.add_class("coprod-choices")
        return [group]

    def _picked(self) -> list[str]:
        return [i for i, cb in self.boxes.items() if cb.value]

    def clean(self, value: AnyType) -> AnyType:
        if not isinstance(value, (list, tuple)):
            return []
        return [i for i in self.boxes if i in value]

    def _show(self, value: AnyType) -> None:
        picked = set(self.clean(value))
        for i, cb in self.boxes.items():
            cb.value = i in picked


class LadderExercise(_RadioExercise):
    """A step of a ladder of participation, the highest first, as ladders are drawn."""

    label = "Place it on the ladder"

    def __init__(self, exercise: Exercise, value: AnyType = None, *, ladder: Ladder | None = None):
        self.ladder = ladder
        super().__init__(exercise, value)

    def _inputs(self) -> list[w.Widget]:
        radios = super()._inputs()
        if self.ladder is None:
            return radios
        items = "".join(
            f"<dt>{escape(s.title)}</dt><dd>{escape(s.description)}</dd>"
            for s in reversed(self.ladder.steps)
        )
        about = w.HTML(
            f"<details class='coprod-ladder-steps'><summary>The steps of "
            f"{escape(self.ladder.title)}</summary><dl>{items}</dl></details>"
        )
        return [about, *radios]

    def _options(self) -> list[tuple[str, AnyType]]:
        if self.ladder is not None:
            return [(s.title, s.id) for s in reversed(self.ladder.steps)]
        return [(p, p) for p in reversed(self.exercise.parts)]


class ReflectionExercise(ExerciseWidget):
    """A box per stage of a reflective model, each labelled with the stage and its prompt."""

    label = "Reflect"

    def __init__(
        self, exercise: Exercise, value: AnyType = None, *, model: ReflectiveModel | None = None
    ):
        self.model = model
        super().__init__(exercise, value)

    def _stages(self) -> list[tuple[str, str, str]]:
        if self.model is not None:
            return [(s.id, s.title, s.prompt) for s in self.model.stages]
        return [(p, p, "") for p in self.exercise.parts]

    def _inputs(self) -> list[w.Widget]:
        self.areas: dict[str, w.Textarea] = {}
        children: list[w.Widget] = []
        for sid, title, prompt in self._stages():
            area = w.Textarea(
                description=title,
                placeholder=prompt or "Write here: it is saved as you type.",
                continuous_update=True,
                rows=4,
                style=_WIDE,
                layout=w.Layout(width="100%"),
            )
            area.add_class("coprod-stage-text")
            area.observe(lambda _ch: self._edited(self._texts()), "value")
            self.areas[sid] = area
            if prompt:
                children.append(w.HTML(f"<p class='coprod-prompt'>{escape(prompt)}</p>"))
            children.append(area)
        return children

    def _texts(self) -> dict[str, str]:
        return {sid: a.value for sid, a in self.areas.items() if a.value}

    def clean(self, value: AnyType) -> AnyType:
        if not isinstance(value, Mapping):
            return {}
        return {k: v for k, v in value.items() if k in self.areas and isinstance(v, str) and v}

    def _show(self, value: AnyType) -> None:
        texts = self.clean(value)
        for sid, area in self.areas.items():
            area.value = texts.get(sid, "")

    def text_boxes(self) -> dict[str, w.Textarea]:
        return dict(self.areas)


class SelfAssessmentExercise(ExerciseWidget):
    """The team's rating widget for each statement of a framework, on its scale."""

    label = "Rate your practice"

    def __init__(
        self, exercise: Exercise, value: AnyType = None, *, framework: Framework | None = None
    ):
        self.framework = framework
        super().__init__(exercise, value)

    def _inputs(self) -> list[w.Widget]:
        self.ratings: dict[str, StatementRating] = {}
        fw = self.framework
        if fw is None:
            return [w.HTML("<p>The statements of this exercise cannot be shown here.</p>")]
        for n, st in enumerate(fw.statements, start=1):
            r = StatementRating(st.id, st.text, fw.scale, n)
            r.observe(lambda _ch: self._edited(self._chosen()), "choice")
            self.ratings[st.id] = r
        return list(self.ratings.values())

    def _chosen(self) -> dict[str, AnyType]:
        return {sid: r.choice for sid, r in self.ratings.items() if r.choice is not None}

    def clean(self, value: AnyType) -> AnyType:
        if not isinstance(value, Mapping) or self.framework is None:
            return {}
        allowed = {p.value for p in self.framework.scale.points} | {DONT_KNOW}
        return {
            k: v
            for k, v in value.items()
            if k in self.ratings and v in allowed and not isinstance(v, bool)
        }

    def _show(self, value: AnyType) -> None:
        chosen = self.clean(value)
        for sid, r in self.ratings.items():
            r.choice = chosen.get(sid)


class PlannerExercise(ExerciseWidget):
    """The scenario, and a button that makes a plan for it (the page makes it: ``on_make``);
    the answer is the plan's link, shown once made."""

    label = "Plan"

    def __init__(self, exercise: Exercise, value: AnyType = None, **kwargs: AnyType):
        self._makers: list[Callable[[PlannerExercise], None]] = []
        super().__init__(exercise, value, **kwargs)

    def _inputs(self) -> list[w.Widget]:
        sc = self.exercise.scenario
        scenario = (
            f"<div class='coprod-scenario'><h4>{escape(sc.title)}</h4>"
            f"<p>{escape(sc.description)}</p></div>"
            if sc is not None
            else ""
        )
        self.make_button = w.Button(description="Make my plan for this", button_style="primary")
        self.make_button.on_click(self._on_make_button_click)
        self.link = w.HTML()
        return [w.HTML(scenario), self.make_button, self.link]

    def on_make(self, callback: Callable[[PlannerExercise], None]) -> None:
        """``callback(widget)`` makes the plan and sets ``value`` to its link."""
        self._makers.append(callback)

    def _on_make_button_click(self, _b: AnyType) -> None:
        for make in self._makers:
            make(self)

    def clean(self, value: AnyType) -> AnyType:
        return value if isinstance(value, str) else ""

    def _show(self, value: AnyType) -> None:
        link = self.clean(value)
        self.make_button.layout.display = "none" if link else None
        if not link:
            self.link.value = ""
            return
        href = escape(link, quote=True)
        shown = (
            f"<a href='{href}' target='_blank' rel='noopener'>Open my plan</a>"
            if link.startswith(("http://", "https://", "/"))
            else f"your plan's code is <code>{escape(link)}</code> (open the planner with it)"
        )
        self.link.value = (
            f"<p class='coprod-plan-link'>Your plan is made: {shown}. It is saved as you "
            "type in the planner; come back here to find it again.</p>"
        )


def exercise_widget(
    exercise: Exercise,
    value: AnyType = None,
    *,
    ladder: Ladder | None = None,
    model: ReflectiveModel | None = None,
    framework: Framework | None = None,
) -> ExerciseWidget:
    """The widget of an exercise's kind, showing ``value`` (its saved answer)."""
    kind = exercise.kind
    if kind == TEXT:
        return TextExercise(exercise, value)
    if kind == RATING:
        return RatingExercise(exercise, value)
    if kind == CHOICE:
        if exercise.multiple:
            return MultipleChoiceExercise(exercise, value)
        return SingleChoiceExercise(exercise, value)
    if kind == LADDER:
        return LadderExercise(exercise, value, ladder=ladder)
    if kind == REFLECTION:
        return ReflectionExercise(exercise, value, model=model)
    if kind == SELF_ASSESSMENT:
        return SelfAssessmentExercise(exercise, value, framework=framework)
    if kind == PLANNER:
        return PlannerExercise(exercise, value)
    raise ValueError(f"no widget for an exercise of kind {kind!r}")


__all__: Sequence[str] = (
    "ExerciseWidget",
    "LadderExercise",
    "MultipleChoiceExercise",
    "PlannerExercise",
    "RatingExercise",
    "ReflectionExercise",
    "SelfAssessmentExercise",
    "SingleChoiceExercise",
    "TextExercise",
    "exercise_widget",
)
