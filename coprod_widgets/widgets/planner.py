"""The planner's views: a box of labelled fields, a removable row, and a budget line.

Each view is bound to the plan model's ``Field`` specs and holds what the person typed in its
``values`` trait; the app watches that trait and saves each changed field. No store access here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

import ipywidgets as w
from traitlets import Bool, Dict, Unicode, observe

from ..model.plan import (
    OTHER_COST_FIELDS,
    PAYMENT_FIELDS,
    BudgetLine,
    Field,
    budget_line,
    money,
)

WIDE = {"description_width": "initial"}
CHECKED_KINDS = ("number", "date")  # kept as typed, read with a message when they do not parse


def make_input(f: Field, value: Any) -> w.Widget:
    """The input for a field, labelled with its ``description`` (its accessible name)."""
    if f.kind == "flag":
        return w.Checkbox(description=f.label, value=value is True, indent=False)
    if f.kind in ("choice", "ident"):
        options = list(f.choices)
        values = [v for v, _ in options]
        current = value if value in values else (values[0] if values else None)
        pairs = [(label, v) for v, label in options]
        if f.style == "radio":
            widget: w.Widget = w.RadioButtons(
                description=f.label, options=pairs, value=current, style=WIDE
            )
        else:
            widget = w.Dropdown(description=f.label, options=pairs, value=current, style=WIDE)
        widget.add_class("coprod-stacked")
        widget.add_class(f"coprod-input-{f.kind}")
        return widget
    text = value if isinstance(value, str) else ""
    if f.kind == "long":
        widget = w.Textarea(
            description=f.label,
            value=text,
            placeholder=f.placeholder,
            continuous_update=True,
            style=WIDE,
            layout=w.Layout(width="100%", height="5.5em"),
        )
    else:
        widget = w.Text(
            description=f.label,
            value=text,
            placeholder=f.placeholder,
            continuous_update=True,
            style=WIDE,
        )
    widget.add_class("coprod-stacked")
    widget.add_class(f"coprod-input-{f.kind}")
    return widget


def _stored(widget: w.Widget) -> Any:
    if isinstance(widget, w.Checkbox):
        return bool(widget.value)
    return "" if widget.value is None else widget.value


class FieldsBox(w.VBox):
    """A group of labelled inputs, each with room beside it for a message about what was typed.

    Fields of kind ``ident`` without choices are carried in ``values`` but not shown. Numbers
    and dates get a slot for a message beside them (``messages``); other kinds cannot be wrong.
    """

    prefix = Unicode("", help="the key prefix of these fields in the plan, e.g. 'purpose.'")
    values = Dict(help="each field's value as typed, by field name (without the prefix)")
    messages = Dict(help="a message to show beside a field, by field name")

    def __init__(
        self, fields: Sequence[Field], values: Mapping[str, Any] | None = None, prefix: str = ""
    ):
        values = dict(values or {})
        self.specs = {f.name: f for f in fields}
        self.inputs: dict[str, w.Widget] = {}
        self.notes: dict[str, w.HTML] = {}
        self.cells: dict[str, w.Widget] = {}
        kept: dict[str, Any] = {}
        for f in fields:
            if f.kind == "ident" and not f.choices:
                if f.name in values:
                    kept[f.name] = values[f.name]
                continue
            inp = make_input(f, values.get(f.name))
            cell: w.Widget = inp
            if f.kind in CHECKED_KINDS:  # only these can hold something to put right
                note = w.HTML()
                note.add_class("coprod-field-note")
                self.notes[f.name] = note
                cell = w.VBox([inp, note])
            cell.add_class("coprod-field")
            cell.add_class(f"coprod-field-{f.name}")
            self.inputs[f.name], self.cells[f.name] = inp, cell
            kept[f.name] = _stored(inp)
        super().__init__(children=list(self.cells.values()))
        self.add_class("coprod-fields")
        self.prefix = prefix
        self.values = kept
        for name, inp in self.inputs.items():
            inp.observe(lambda ch, name=name: self._on_input_value(name, ch), "value")

    def _on_input_value(self, name: str, _change: Any) -> None:
        self.values = {**self.values, name: _stored(self.inputs[name])}

    def set_value(self, name: str, value: Any) -> None:
        """Put a value in a field as if typed (a widget updates, ``values`` follows)."""
        if name in self.inputs:
            self.inputs[name].value = value
        else:
            self.values = {**self.values, name: value}

    @observe("messages")
    def _on_messages(self, change: Any) -> None:
        for name, note in self.notes.items():
            text = change["new"].get(name, "")
            note.value = (
                f"<p class='coprod-field-problem' role='alert'>{escape(text)}</p>" if text else ""
            )


class RowBox(FieldsBox):
    """A row the team added (a milestone, a risk, a measure): its fields and a Remove button."""

    row_id = Unicode("", help="the row's id in the plan")
    removed = Bool(False, help="set when the person removes the row")

    def __init__(
        self,
        fields: Sequence[Field],
        row_id: str,
        collection: str,
        values: Mapping[str, Any] | None = None,
        noun: str = "row",
        inline: bool = False,
    ):
        super().__init__(fields, values, prefix=f"{collection}.{row_id}.")
        self.row_id = row_id
        self.remove_button = w.Button(description=f"Remove this {noun}")
        self.remove_button.add_class("coprod-remove")
        self.remove_button.on_click(self._on_remove_button_click)
        fields_box: list[w.Widget] = list(self.children)
        if inline:  # short fields side by side, wrapping on a narrow screen
            line = w.HBox(fields_box)
            line.add_class("coprod-line-fields")
            fields_box = [line]
        self.children: list[w.Widget] = [*fields_box, self.remove_button]
        self.add_class("coprod-row")

    def _on_remove_button_click(self, _b: Any) -> None:
        self.removed = True


class BudgetLineRow(RowBox):
    """One budget line: what it is for, its numbers, and its total worked out as people type.

    A payment line is people x sessions x hours x rate; other costs are how many x cost each.
    A number that is not a number keeps what was typed, gets a message beside it and leaves
    the line out of the totals (``line.status == 'problem'``).
    """

    total_text = Unicode("", help="the line's total or why it has none, as shown")

    def __init__(
        self,
        fields: Sequence[Field],
        row_id: str,
        values: Mapping[str, Any] | None = None,
        payment_note: str = "",
    ):
        super().__init__(fields, row_id, "budget", values, noun="line")
        self.payment_note = w.HTML(
            f"<p class='coprod-note coprod-payment-note'>{escape(payment_note)}</p>"
        )
        self.total = w.HTML()
        self.total.add_class("coprod-line-total")
        c = self.cells
        head = w.HBox([c["kind"], c["stage"], c["what"]])
        self.payment_numbers = w.HBox([c[n] for n in PAYMENT_FIELDS])
        self.other_numbers = w.HBox([c[n] for n in OTHER_COST_FIELDS])
        for box in (head, self.payment_numbers, self.other_numbers):
            box.add_class("coprod-line-fields")
        self.children = [
            head,
            self.payment_numbers,
            self.other_numbers,
            self.payment_note,
            self.total,
            self.remove_button,
        ]
        self.add_class("coprod-budget-line")
        self._refresh()

    @property
    def line(self) -> BudgetLine:
        return budget_line(self.row_id, self.values)

    @observe("values")
    def _on_values(self, _change: Any = None) -> None:
        self._refresh()

    def _refresh(self) -> None:
        if not hasattr(self, "total"):
            return  # still being built
        line = self.line
        payment = line.kind == "payment"
        self.payment_numbers.layout.display = None if payment else "none"
        self.payment_note.layout.display = None if payment else "none"
        self.other_numbers.layout.display = "none" if payment else None
        self.messages = dict(line.field_problems)
        if line.total is not None:
            total = money(line.total)
            sums = line.sum_text
            text = f"Line total: {total}" if sums == total else f"Line total: {sums} = {total}"
        else:
            text = f"Line total: none yet. {line.note}"
        self.total_text = text
        cls = "coprod-line-problem" if line.status == "problem" else ""
        self.total.value = f"<p class='coprod-line-sum {cls}'>{escape(text)}</p>"
