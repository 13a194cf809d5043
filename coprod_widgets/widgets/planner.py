"""The planner's building blocks: a box of labelled fields, a removable row, a budget line, the
list a collection's rows live in, and what every part of the plan shares (its heading, a
source's citation, ``PlanPart``).

Each box is bound to the plan model's ``Field`` specs and holds what the person typed in its
``values`` trait; the app watches that trait and saves each changed field. No store access here.
The parts themselves are in ``planner_parts``, ``planner_rows`` and ``planner_review``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

import ipywidgets as w
from traitlets import Bool, Dict, Unicode, observe

from ..model.framework import Source
from ..model.plan import (
    OTHER_COST_FIELDS,
    PAYMENT_FIELDS,
    BudgetLine,
    Field,
    PlanData,
    budget_line,
    money,
    new_row_id,
    reader_citation,
)

WIDE = {"description_width": "initial"}
CHECKED_KINDS = ("number", "date")  # kept as typed, read with a message when they do not parse

PARTS = (
    ("purpose", "Purpose"),
    ("ladder", "Where on the ladder"),
    ("cos", "The four Co's"),
    ("voices", "Voices"),
    ("budget", "Budget"),
    ("timeline", "Timeline"),
    ("risks", "Risks"),
    ("measures", "Measures"),
    ("review", "Review"),
    ("export", "Share the plan"),
)


def cite(source: Source) -> str:
    """A source's citation for the page: without our file paths, escaped."""
    return escape(reader_citation(source))


def part_head(part: str, intro: str = "") -> w.HTML:
    """A part's numbered heading (its anchor is what the header's contents link to)."""
    number = [k for k, _ in PARTS].index(part) + 1
    title = dict(PARTS)[part]
    p = f"<p>{intro}</p>" if intro else ""
    return w.HTML(
        f"<section class='coprod-part-head'><h2 id='plan-{part}'>{number}. {title}</h2>{p}</section>"
    )


def values_under(fields: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """The plan's fields under a prefix, keyed by the rest of their key."""
    n = len(prefix)
    return {k[n:]: v for k, v in fields.items() if k.startswith(prefix)}


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


RowEvent = Callable[[RowBox, str, dict[str, Any]], None]


class RowList(w.VBox):
    """The rows of one collection (budget lines, milestones, risks, measures), in the order
    they were added. ``add`` makes a new row, a row's Remove takes it out, ``restore`` brings
    back the last one removed; each tells the ``on_change`` callbacks (row, "added" with its
    first fields, "removed" or "restored"), which is where the app saves."""

    collection = Unicode("", help="the collection's name in the plan, e.g. 'risks'")

    def __init__(
        self,
        collection: str,
        make_row: Callable[[str, Mapping[str, Any]], RowBox],
        rows: Sequence[tuple[str, Mapping[str, Any]]] = (),
    ):
        super().__init__()
        self.collection = collection
        self._make_row = make_row
        self._callbacks: list[RowEvent] = []
        self.rows: dict[str, RowBox] = {}
        self.last_removed: RowBox | None = None
        for rid, values in rows:
            self._place(rid, values)

    def on_change(self, callback: RowEvent) -> None:
        self._callbacks.append(callback)

    def _tell(self, row: RowBox, event: str, first: dict[str, Any]) -> None:
        for callback in self._callbacks:
            callback(row, event, first)

    def _place(self, rid: str, values: Mapping[str, Any]) -> RowBox:
        row = self._make_row(rid, values)
        row.observe(lambda _c, row=row: self._on_row_removed(row), "removed")
        self.rows[rid] = row
        self.children = list(self.rows.values())
        return row

    def add(self, first: Mapping[str, Any]) -> RowBox:
        """A new row with its first fields filled in."""
        row = self._place(new_row_id(), first)
        self._tell(row, "added", dict(first))
        return row

    def restore(self) -> RowBox | None:
        """The row removed last, back where it was in the list's order (at its end)."""
        gone, self.last_removed = self.last_removed, None
        if gone is None:
            return None
        row = self._place(gone.row_id, gone.values)
        self._tell(row, "restored", {})
        return row

    def _on_row_removed(self, row: RowBox) -> None:
        self.rows.pop(row.row_id, None)
        self.children = list(self.rows.values())
        self.last_removed = row
        self._tell(row, "removed", {})


class PlanPart(w.VBox):
    """One part of the plan on the page: its boxes of fields, its lists of rows, and what it
    works out from the plan (``refresh``). The app saves every box and calls ``refresh``."""

    part = Unicode("", help="the part's id, e.g. 'budget' (its heading's anchor is plan-<id>)")

    def __init__(self, part: str, children: Sequence[w.Widget]):
        super().__init__(list(children))
        self.part = part

    @property
    def boxes(self) -> list[FieldsBox]:
        """The part's fixed boxes of fields (rows are in ``row_lists``)."""
        return []

    @property
    def row_lists(self) -> list[RowList]:
        return []

    def refresh(self, data: PlanData) -> None:
        """Show what follows from the plan as it now is (a table, a total, a message)."""
