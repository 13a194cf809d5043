"""One exercise of one participant, as the trainer reads it: their answer, and a box for the
trainer's feedback on it.

The widget holds no store: it reports each edit through ``on_change`` and the page saves it
(through the house's autosave), saying so beside the box in ``save_status``.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w
from traitlets import Unicode

from .status import FieldNote, SaveStatus


class FeedbackBox(w.VBox):
    """An exercise's prompt, the participant's answer (HTML, escaped by the caller) and the
    trainer's feedback on it."""

    exercise_id = Unicode("", help="the exercise this feedback is on")

    def __init__(self, exercise_id: str, prompt: str, answer_html: str, feedback: str = ""):
        self._callbacks: list[Callable[[str, str], None]] = []
        self.exercise_id = exercise_id
        self.answer = w.HTML(
            f"<h4 class='coprod-prompt'>{escape(prompt)}</h4>"
            f"<div class='coprod-their-answer'>{answer_html}</div>"
        )
        self.text = w.Textarea(
            value=feedback,
            description="Your feedback on this answer",
            placeholder="What went well, what to think about next (they see it on their page)",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%", height="4.5em"),
        )
        self.save_status = SaveStatus()
        self.note = FieldNote()
        super().__init__([self.answer, self.text, self.note, self.save_status])
        self.add_class("coprod-feedback")
        self.text.observe(self._on_text_value, "value")

    def on_change(self, callback: Callable[[str, str], None]) -> None:
        """``callback(exercise_id, text)`` on every edit of the feedback."""
        self._callbacks.append(callback)

    def _on_text_value(self, change: Any) -> None:
        for callback in self._callbacks:
            callback(self.exercise_id, change["new"])
