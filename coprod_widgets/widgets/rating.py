"""One statement rated on an anchored scale, with "don't know"."""

from __future__ import annotations

import ipywidgets as w
from traitlets import Any, Unicode, observe

from ..model.framework import Scale

DONT_KNOW = "dont_know"


class StatementRating(w.VBox):
    """A statement and its scale as radio buttons (each has a visible, accessible label)."""

    statement_id = Unicode(help="id of the statement rated")
    choice = Any(None, allow_none=True, help='a scale value, "dont_know", or None if not rated')

    def __init__(self, statement_id: str, text: str, scale: Scale, number: int, **kwargs):
        options: list[tuple[str, int | str]] = [
            (f"{p.value} {p.label}", p.value) for p in scale.points
        ]
        if scale.dont_know:
            options.append(("Don't know", DONT_KNOW))
        self._radios = w.RadioButtons(
            options=options,
            value=None,
            description=f"{number}. {text}",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%"),
        )
        self._radios.add_class("coprod-rating")
        super().__init__(children=[self._radios], **kwargs)
        self.add_class("coprod-statement")
        self.statement_id = statement_id
        self._radios.observe(self._on_radios_value, "value")

    def _on_radios_value(self, change) -> None:
        self.choice = change["new"]

    @observe("choice")
    def _on_choice(self, change) -> None:
        if self._radios.value != change["new"]:
            self._radios.value = change["new"]

    @property
    def radios(self) -> w.RadioButtons:
        return self._radios
