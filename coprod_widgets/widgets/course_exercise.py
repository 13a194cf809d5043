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
from .course_exercise_base import (
    WIDE,
    ExerciseWidget,
    LadderExercise,
    MultipleChoiceExercise,
    RatingExercise,
    SingleChoiceExercise,
    TextExercise,
)
from .rating import DONT_KNOW, StatementRating


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
                style=WIDE,
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
