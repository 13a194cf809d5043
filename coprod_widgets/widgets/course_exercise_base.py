"""The exercise widgets' shared base, and the kinds answered in one box or one pick: text,
rating, choice (single or multiple) and ladder. See ``course_exercise`` for the others and for
``exercise_widget``, which picks the widget of an exercise's kind."""

from __future__ import annotations

from html import escape
from typing import Any as AnyType

import ipywidgets as w
from traitlets import Any, Unicode, observe

from ..model.course import Exercise
from ..model.ladder import Ladder
from .status import FieldNote

WIDE = {"description_width": "initial"}


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
            style=WIDE,
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
            style=WIDE,
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
