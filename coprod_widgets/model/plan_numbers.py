"""Numbers and dates typed into a plan, and the budget's arithmetic.

Numbers are kept as the text the person typed: a rate typed as ``abc`` is saved as ``abc``,
shown back with a message, and left out of the totals until it is put right.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from .plan_fields import (
    COST_KINDS,
    COST_TITLES,
    OTHER_COST_FIELDS,
    PAYMENT_FIELDS,
    STAGE_TITLES,
    STAGES,
)

# -- numbers and dates typed by people -------------------------------------------------------

_PLAIN = re.compile(r"^(\d+(\.\d+)?|\.\d+)$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")

EXAMPLES = {
    "money": "a number like 25 or 25.50",
    "whole": "a whole number like 6",
    "decimal": "a number like 2 or 1.5",
}


# Far above any real plan's line, and low enough that a line's total stays exact to the penny.
NUMBER_MAX = 1_000_000


def parse_number(text: Any, label: str, kind: str = "money") -> tuple[Decimal | None, str]:
    """(the number, "") or (None, a message). Empty text is (None, "") and not a mistake.

    Accepts what people type for money in the UK: ``25``, ``25.50``, ``£25.50``, ``1,200``.
    Refuses what would silently mislead: ``2,5`` (a decimal comma), ``1e3``, negatives.
    """
    raw = "" if text is None else str(text)
    s = raw.strip().replace(" ", "")
    if not s:
        return None, ""
    if s.startswith("£"):
        s = s[1:]
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    shown = raw.strip()
    if s.startswith("-") and _PLAIN.match(s[1:]):
        return None, f"{label}: expected zero or more, not '{shown}'"
    if not _PLAIN.match(s):
        return None, f"{label}: expected {EXAMPLES[kind]}, not '{shown}'"
    n = Decimal(s)
    if kind == "whole" and n != n.to_integral_value():
        return None, f"{label}: expected {EXAMPLES['whole']}, not '{shown}'"
    if n > NUMBER_MAX:
        return None, f"{label}: at most {NUMBER_MAX:,}, not '{shown}': check the number"
    return n, ""


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: Any, label: str) -> tuple[date | None, str]:
    """(the date, "") or (None, a message); empty is (None, ""). YYYY-MM-DD or DD/MM/YYYY."""
    raw = "" if text is None else str(text).strip()
    if not raw:
        return None, ""
    m = _ISO.match(raw)
    ymd = (int(m[1]), int(m[2]), int(m[3])) if m else None
    if ymd is None:
        m = _UK.match(raw)
        ymd = (int(m[3]), int(m[2]), int(m[1])) if m else None
    if ymd is not None:
        try:
            return date(*ymd), ""
        except ValueError:
            pass
    return None, f"{label}: expected a date like 2026-03-31 or 31/03/2026, not '{raw}'"


# -- the budget ----------------------------------------------------------------------------

PENNY = Decimal("0.01")
LINE_MAX = Decimal(1_000_000_000)  # £1bn: no line of a real plan comes near it
_NUMBER_KIND = {
    "people": "whole",
    "sessions": "whole",
    "hours": "decimal",
    "rate": "money",
    "quantity": "decimal",
    "cost": "money",
}
_SHORT = {
    "people": "People",
    "sessions": "Sessions",
    "hours": "Hours",
    "rate": "Rate",
    "quantity": "How many",
    "cost": "Cost each",
}


def money(x: Decimal | float | int) -> str:
    """£1,234.50"""
    return f"£{Decimal(str(x)).quantize(PENNY, ROUND_HALF_UP):,.2f}"


@dataclass(frozen=True)
class BudgetLine:
    """One line of the budget, as typed, with its total if it can be worked out.

    A line is ``empty`` (nothing typed in its numbers yet), ``problem`` (a number that is not a
    number), ``incomplete`` (a number it needs is missing) or ``ok``. Only ``ok`` lines count in
    the totals; the others are listed beside the totals so nobody is misled.
    """

    id: str
    kind: str
    stage: str
    what: str
    typed: Mapping[str, str]
    numbers: Mapping[str, Decimal | None]
    field_problems: Mapping[str, str] = field(default_factory=dict)  # field -> message
    missing: tuple[str, ...] = ()  # labels of the fields the line still needs

    @property
    def problems(self) -> tuple[str, ...]:
        """One message per number that is not a number, such as "Rate: expected ...", and one
        for a line whose total is beyond any real plan's (a slip of the keyboard)."""
        out = tuple(self.field_problems.values())
        if not out and not self.missing:
            t = self._product()
            if t is not None and t > LINE_MAX:
                out = (f"this line comes to more than {money(LINE_MAX)}: check its numbers",)
        return out

    @property
    def needs(self) -> tuple[str, ...]:
        return PAYMENT_FIELDS if self.kind == "payment" else OTHER_COST_FIELDS

    @property
    def status(self) -> str:
        if self.problems:
            return "problem"
        if all(self.numbers.get(n) is None for n in self.needs):
            return "empty"
        return "incomplete" if self.missing else "ok"

    def _product(self) -> Decimal | None:
        n = self.numbers
        try:
            if self.kind == "payment":
                return n["people"] * n["sessions"] * n["hours"] * n["rate"]  # type: ignore[operator]
            quantity = n.get("quantity")
            return (Decimal(1) if quantity is None else quantity) * n["cost"]  # type: ignore[operator]
        except (KeyError, TypeError):
            return None

    @property
    def total(self) -> Decimal | None:
        if self.status != "ok":
            return None
        t = self._product()
        return None if t is None else t.quantize(PENNY, ROUND_HALF_UP)

    @property
    def kind_title(self) -> str:
        return COST_TITLES.get(self.kind, self.kind)

    @property
    def stage_title(self) -> str:
        return STAGE_TITLES.get(self.stage, "No stage chosen")

    @property
    def sum_text(self) -> str:
        """How the total is worked out, in words: '6 people × 4 sessions × 2.5 hours × £25.50'."""
        n = self.numbers
        if self.kind == "payment":
            parts = [
                f"{_n(n.get('people'))} people",
                f"{_n(n.get('sessions'))} sessions",
                f"{_n(n.get('hours'))} hours",
                "?" if n.get("rate") is None else money(n["rate"]) + " an hour",  # type: ignore[arg-type]
            ]
            return " × ".join(parts)
        quantity = n.get("quantity")
        cost = "?" if n.get("cost") is None else money(n["cost"])  # type: ignore[arg-type]
        return cost if quantity is None else f"{_n(quantity)} × {cost}"

    @property
    def note(self) -> str:
        """Why a line is not in the totals, in a sentence; empty for a line that is."""
        if self.status == "problem":
            if not self.field_problems:  # the line as a whole: its total is out of all scale
                return f"Left out of the totals: {self.problems[0]}."
            return "Left out of the totals until the number is put right."
        if self.status == "incomplete":
            return f"Left out of the totals: {', '.join(self.missing)} still to fill in."
        if self.status == "empty":
            return "Not filled in yet."
        return ""


def _n(x: Decimal | None) -> str:
    if x is None:
        return "?"
    return f"{x.normalize():f}" if x == x.to_integral_value() else f"{x:f}"


def budget_line(row_id: str, values: Mapping[str, Any]) -> BudgetLine:
    """A budget line from its stored fields (text as typed)."""
    kind = cast(str, values.get("kind")) if values.get("kind") in COST_TITLES else "payment"
    typed: dict[str, str] = {}
    numbers: dict[str, Decimal | None] = {}
    problems: dict[str, str] = {}
    needs = PAYMENT_FIELDS if kind == "payment" else OTHER_COST_FIELDS
    for name in needs:
        text = values.get(name)
        text = text if isinstance(text, str) else ""
        typed[name] = text
        number, problem = parse_number(text, _SHORT[name], _NUMBER_KIND[name])
        numbers[name] = number
        if problem:
            problems[name] = problem
    required = PAYMENT_FIELDS if kind == "payment" else ("cost",)
    missing = tuple(_SHORT[n] for n in required if numbers[n] is None and not typed[n].strip())
    stage = values.get("stage") if isinstance(values.get("stage"), str) else ""
    what = values.get("what") if isinstance(values.get("what"), str) else ""
    return BudgetLine(
        id=row_id,
        kind=kind,
        stage=stage or "",
        what=what or "",
        typed=typed,
        numbers=numbers,
        field_problems=problems,
        missing=missing,
    )


@dataclass(frozen=True)
class BudgetSummary:
    """What the budget adds up to, and which lines were left out and why."""

    by_stage: dict[str, Decimal]  # stage id ("" for none chosen) -> total, in STAGES order
    by_kind: dict[str, Decimal]
    total: Decimal
    counted: tuple[BudgetLine, ...]
    left_out: tuple[BudgetLine, ...]  # problem or incomplete lines
    empty: int  # lines with nothing typed in their numbers yet


def summarise(lines: Iterable[BudgetLine]) -> BudgetSummary:
    """Totals per stage, per kind of cost and overall, in plain Python (exact to the penny)."""
    lines = list(lines)
    counted = tuple(line for line in lines if line.total is not None)
    by_stage: dict[str, Decimal] = {}
    by_kind: dict[str, Decimal] = {}
    order = [s for s, _ in STAGES] + [""]
    for s in order:
        for line in counted:
            stage = line.stage if line.stage in STAGE_TITLES else ""
            if stage == s:
                by_stage[s] = by_stage.get(s, Decimal(0)) + line.total  # type: ignore[operator]
    for k, _ in COST_KINDS:
        for line in counted:
            if line.kind == k:
                by_kind[k] = by_kind.get(k, Decimal(0)) + line.total  # type: ignore[operator]
    # counted holds only lines whose total is not None
    total = sum((cast(Decimal, line.total) for line in counted), Decimal(0))
    return BudgetSummary(
        by_stage=by_stage,
        by_kind=by_kind,
        total=Decimal(total).quantize(PENNY),
        counted=counted,
        left_out=tuple(line for line in lines if line.status in ("problem", "incomplete")),
        empty=sum(1 for line in lines if line.status == "empty"),
    )
