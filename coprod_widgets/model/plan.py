"""A plan for involving people in a service: its parts, its fields, and its budget arithmetic.

A plan is stored field by field (``plan_fields(plan_id, key, value)``) so that two people
editing different parts never overwrite each other. This module says which keys exist, what
each holds, and how the budget adds up. It is pure: no widgets, no database, no pandas.

Keys look like ``purpose.decision``, ``cos.co-design.how`` or, for the rows a team adds
(budget lines, milestones, risks, measures), ``budget.<row id>.rate``. A row id is made when the
row is added, so two people adding a line at the same moment get two lines.

Numbers are kept as the text the person typed: a rate typed as ``abc`` is saved as ``abc``,
shown back with a message, and left out of the totals until it is put right.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from ..errors import InvalidInput
from .framework import Source
from .ladder import Ladder

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
ROW_ID_RE = re.compile(r"^[0-9a-z]{6,32}$")

TEXT_MAX = 500
LONG_MAX = 20_000
RAW_MAX = 100  # numbers and dates, kept as typed

# -- the fixed vocabulary of a plan --------------------------------------------------------

FOUR_COS = ("co-commissioning", "co-design", "co-delivery", "co-evaluation")

STAGES: tuple[tuple[str, str], ...] = (
    ("getting-ready", "Getting ready"),
    ("co-commissioning", "Co-commissioning"),
    ("co-design", "Co-design"),
    ("co-delivery", "Co-delivery"),
    ("co-evaluation", "Co-evaluation"),
    ("throughout", "Throughout"),
)
STAGE_TITLES = dict(STAGES)

COST_KINDS: tuple[tuple[str, str], ...] = (
    ("payment", "Payments to participants"),
    ("expenses", "Expenses"),
    ("venue", "Venue"),
    ("interpreting", "Interpreting"),
    ("childcare", "Childcare and care"),
    ("other", "Other costs"),
)
COST_TITLES = dict(COST_KINDS)

SUPPORT_NEEDS: tuple[tuple[str, str], ...] = (
    ("information", "Information in plain, accessible formats"),
    ("training", "Training, for participants and staff"),
    ("mentoring", "Mentoring or a buddy"),
    ("interpreting", "Interpreting and translation"),
    ("travel", "Travel, paid or arranged"),
    ("care", "Care: childcare, or cover for someone they care for"),
)

WILL_CHOICES: tuple[tuple[str, str], ...] = (
    ("", "Not decided yet"),
    ("yes", "Yes"),
    ("partly", "In part"),
    ("no", "No"),
)

MILESTONE_KINDS: tuple[tuple[str, str], ...] = (
    ("milestone", "Milestone"),
    ("review", "Review date"),
)

PDSA_DECISIONS: tuple[tuple[str, str], ...] = (
    ("", "Not decided yet"),
    ("adopt", "Adopt: keep the plan as it is"),
    ("adapt", "Adapt: change the plan and test again"),
    ("abandon", "Abandon: stop and try something else"),
)

OTHER_AREA = "other"  # a measure outside the six areas of benefit


@dataclass(frozen=True)
class Field:
    """One input of a plan: its key (relative to its part or row), label and kind.

    Kinds: ``text`` (one line), ``long`` (a paragraph), ``choice`` (one of ``choices``), ``flag``
    (yes/no), ``number`` and ``date`` (kept as typed, checked when read), ``ident`` (an id from
    the content files, such as a ladder step), ``int`` (set by the app, not typed).
    """

    name: str
    label: str
    kind: str = "text"
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    placeholder: str = ""
    style: str = ""  # "radio" to show a choice as radio buttons

    @property
    def max_len(self) -> int:
        return {"text": TEXT_MAX, "long": LONG_MAX}.get(self.kind, RAW_MAX)


# The parts of a plan with fixed fields (rows come after).
PURPOSE = (
    Field(
        "decision",
        "What decision or service is at stake?",
        "long",
        placeholder="e.g. how the new youth drop-in will be run, and by whom",
    ),
    Field(
        "open",
        "What is open to change?",
        "long",
        placeholder="what the people involved can really shape",
    ),
    Field(
        "fixed",
        "What is not open to change, and why?",
        "long",
        placeholder="e.g. the budget is set; the building is fixed; the law requires ...",
    ),
    Field("lead", "Who leads the plan, and how to reach them", "text"),
)
LADDER = (Field("notes", "What would have to change to move from today to the aim?", "long"),)
CO = (
    Field("will", "Will it be co-produced?", "choice", WILL_CHOICES, style="radio"),
    Field("who", "With whom?", "text", placeholder="e.g. parents, young people, carers"),
    Field("how", "How?", "long"),
)
VOICES = (
    Field("affected", "Who is affected by this decision or service?", "long"),
    Field("usual", "Who usually takes part?", "long"),
    Field("missing", "Who usually does not take part, and why might that be?", "long"),
    Field("reach", "How will you reach beyond the usual voices?", "long"),
    Field("numbers", "How many people will take part, and in what groups?", "text"),
)
VOICES_SUPPORT = tuple(Field(k, label, "flag") for k, label in SUPPORT_NEEDS)
VOICES_SUPPORT_NOTES = (
    Field(
        "support_notes", "Access and support: what people need, and how you will provide it", "long"
    ),
)
TIMELINE_STAGE = (
    Field("start", "Starts", "date", placeholder="YYYY-MM-DD"),
    Field("end", "Ends", "date", placeholder="YYYY-MM-DD"),
)
REVIEW = (Field("date", "Review date", "date", placeholder="YYYY-MM-DD"),)
PDSA = (
    Field("plan", "Plan: what did we set out to try?", "long"),
    Field("predicted", "What we predicted", "long"),
    Field("do", "Do: what did we actually do?", "long"),
    Field("observed", "What we observed", "long"),
    Field("study", "Study: what does the difference between them tell us?", "long"),
    Field("act", "Act: what will we keep, change or stop?", "long"),
    Field("decision", "Our decision", "choice", PDSA_DECISIONS),
)

# Rows a team adds; each row's fields are stored under "<collection>.<row id>.<field>".
ROWS: dict[str, tuple[Field, ...]] = {
    "budget": (
        Field("kind", "Cost", "choice", COST_KINDS),
        Field("stage", "Stage", "choice", (("", "Choose a stage"), *STAGES)),
        Field("what", "What for", "text", placeholder="e.g. four design workshops"),
        Field("people", "People", "number", placeholder="e.g. 6"),
        Field("sessions", "Sessions", "number", placeholder="e.g. 4"),
        Field("hours", "Hours each", "number", placeholder="e.g. 2.5"),
        Field("rate", "Rate per hour (£)", "number", placeholder="e.g. 25.50"),
        Field("quantity", "How many (empty for one)", "number", placeholder="e.g. 24"),
        Field("cost", "Cost each (£)", "number", placeholder="e.g. 8.75"),
    ),
    "milestones": (
        Field("kind", "Kind", "choice", MILESTONE_KINDS),
        Field("what", "What", "text"),
        Field("date", "When", "date", placeholder="YYYY-MM-DD"),
    ),
    "risks": (
        Field("from", "From the starting list", "ident"),
        Field("risk", "The risk", "long"),
        Field("how", "How we will meet it", "long"),
        Field("who", "Who keeps an eye on it", "text"),
    ),
    "measures": (
        Field("area", "Area of benefit", "ident"),
        Field("what", "What we will look for", "long"),
        Field("how", "How we will find out", "long"),
    ),
}
REMOVED = Field("removed", "Removed", "flag")

PAYMENT_FIELDS = ("people", "sessions", "hours", "rate")
OTHER_COST_FIELDS = ("quantity", "cost")


def _fields(fs: Iterable[Field]) -> dict[str, Field]:
    return {f.name: f for f in fs}


_FIXED: dict[str, Field] = {
    **{f"purpose.{f.name}": f for f in PURPOSE},
    **{f"ladder.{f.name}": f for f in LADDER},
    **{f"voices.{f.name}": f for f in VOICES},
    **{f"voices.support.{f.name}": f for f in VOICES_SUPPORT},
    **{f"voices.{f.name}": f for f in VOICES_SUPPORT_NOTES},
    **{f"review.{f.name}": f for f in REVIEW},
    **{f"review.pdsa.{f.name}": f for f in PDSA},
    "ladder.id": Field("id", "Which ladder", "ident"),
    "review.opened": Field("opened", "Review opened", "flag"),
    "review.round_id": Field("round_id", "Self-assessment round", "int"),
    **{f"cos.{co}.{f.name}": f for co in FOUR_COS for f in CO},
    **{f"timeline.{s}.{f.name}": f for s, _ in STAGES for f in TIMELINE_STAGE},
}
_ROW_FIELDS = {coll: {**_fields(fs), "removed": REMOVED} for coll, fs in ROWS.items()}


KEPT = "kept"


def field_for(key: Any) -> Field:
    """The field a key names, or InvalidInput: the store accepts no other key."""
    if not isinstance(key, str) or len(key) > 200:
        raise InvalidInput("this is not a part of a plan")
    if key in _FIXED:
        return _FIXED[key]
    parts = key.split(".")
    if len(parts) == 3 and parts[0] in _ROW_FIELDS and ROW_ID_RE.match(parts[1]):
        f = _ROW_FIELDS[parts[0]].get(parts[2])
        if f is not None:
            return f
    if parts[0] == KEPT and len(parts) > 1:
        # What a person had typed when someone else saved the same field first (see Store).
        rest = key[len(KEPT) + 1 :]
        label = "Name of the plan" if rest == "title" else field_for(rest).label
        return Field("kept", f"{label} (kept when two people typed at once)", "long")
    if len(parts) == 3 and parts[0] == "ladder" and parts[2] in ("today", "aim"):
        if ID_RE.match(parts[1]):
            return Field(parts[2], "Today" if parts[2] == "today" else "Our aim", "ident")
    raise InvalidInput(f"{key}: this is not a part of a plan")


def check_plan_field(key: Any, value: Any) -> Any:
    """The value to store for ``key``, or InvalidInput saying what was expected.

    Numbers and dates are checked when they are read, not here: what the person typed is
    always kept, so a mistake can be seen and put right rather than lost.
    """
    f = field_for(key)
    label = f.label
    if f.kind == "flag":
        if not isinstance(value, bool):
            raise InvalidInput(f"{label}: expected yes or no")
        return value
    if f.kind == "int":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInput(f"{label}: expected a whole number")
        return value
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{label}: expected text")
    if len(value) > f.max_len:
        raise InvalidInput(f"{label}: at most {f.max_len:,} characters")
    if f.kind == "choice" and value not in dict(f.choices):
        allowed = ", ".join(repr(v) for v, _ in f.choices if v)
        raise InvalidInput(f"{label}: expected one of {allowed}, not {value!r}")
    if f.kind == "ident" and value and not ID_RE.match(value):
        raise InvalidInput(f"{label}: {value!r} is not one of the choices")
    return value


PLANNER_NOTEBOOK = "planner.ipynb"


def plan_link(base_url: str, code: str) -> str:
    """The plan's private link under `coprod serve` (or just its code where there is none)."""
    if not base_url:
        return code
    return f"{base_url.rstrip('/')}/voila/render/{PLANNER_NOTEBOOK}?plan={code}"


def new_row_id() -> str:
    """A row id that sorts in the order rows were added, and never collides in practice."""
    return f"{time.time_ns() // 1_000_000:011x}{secrets.token_hex(3)}"


# -- reading a stored plan -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRecord:
    """A plan's own row: its private code and title. Its content is in its fields."""

    id: int
    code: str
    title: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class PlanData:
    """A plan's fields, read back: what the app restores and what reports show."""

    title: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)

    def text(self, key: str) -> str:
        v = self.fields.get(key)
        return v if isinstance(v, str) else ""

    def flag(self, key: str) -> bool:
        return self.fields.get(key) is True

    def rows(self, collection: str, *, removed: bool = False) -> list[tuple[str, dict[str, Any]]]:
        """The rows of a collection in the order they were added: (row id, {field: value})."""
        found: dict[str, dict[str, Any]] = {}
        prefix = collection + "."
        for key, value in self.fields.items():
            if key.startswith(prefix):
                parts = key.split(".")
                if len(parts) == 3:
                    found.setdefault(parts[1], {})[parts[2]] = value
        out = sorted(found.items())
        return [(rid, vals) for rid, vals in out if bool(vals.get("removed") is True) == removed]

    def budget_lines(self) -> list[BudgetLine]:
        return [budget_line(rid, vals) for rid, vals in self.rows("budget")]


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


# -- dates of the plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    when: date | None
    what: str
    kind: str  # "stage", "milestone", "review"
    typed: str = ""  # the date as typed, shown when it could not be read
    problem: str = ""


def timeline(plan: PlanData) -> list[TimelineEntry]:
    """Stages, milestones and review dates, in date order (undated ones last)."""
    out: list[TimelineEntry] = []
    for sid, title in STAGES:
        for part, word in (("start", "starts"), ("end", "ends")):
            typed = plan.text(f"timeline.{sid}.{part}")
            if typed.strip():
                d, problem = parse_date(typed, f"{title} {word}")
                out.append(TimelineEntry(d, f"{title} {word}", "stage", typed, problem))
    for _rid, vals in plan.rows("milestones"):
        typed = cast(str, vals.get("date")) if isinstance(vals.get("date"), str) else ""
        what = cast(str, vals.get("what")) if isinstance(vals.get("what"), str) else ""
        kind = (
            cast(str, vals.get("kind"))
            if vals.get("kind") in dict(MILESTONE_KINDS)
            else "milestone"
        )
        if not (typed.strip() or what.strip()):
            continue
        d, problem = parse_date(typed, what or "When")
        out.append(TimelineEntry(d, what, kind, typed, problem))
    review = plan.text("review.date")
    if review.strip():
        d, problem = parse_date(review, "Review date")
        out.append(TimelineEntry(d, "Review of this plan", "review", review, problem))
    return sorted(out, key=lambda e: (e.when is None, e.when or date.min))


def stage_date_problems(plan: PlanData) -> dict[str, str]:
    """A message per stage whose end comes before its start."""
    out = {}
    for sid, title in STAGES:
        start, _ = parse_date(plan.text(f"timeline.{sid}.start"), "Starts")
        end, _ = parse_date(plan.text(f"timeline.{sid}.end"), "Ends")
        if start and end and end < start:
            out[sid] = f"{title}: ends ({end.isoformat()}) before it starts ({start.isoformat()})"
    return out


def review_due(plan: PlanData, today: date) -> bool:
    """True once the review date has come, or when the team has opened the review early."""
    if plan.flag("review.opened"):
        return True
    when, _ = parse_date(plan.text("review.date"), "Review date")
    return when is not None and when <= today


# -- what the planner offers from data/ ------------------------------------------------------


@dataclass(frozen=True)
class CoStage:
    id: str
    title: str
    description: str


@dataclass(frozen=True)
class RiskIdea:
    id: str
    title: str
    description: str
    how: str
    source: str


@dataclass(frozen=True)
class AreaOfBenefit:
    id: str
    title: str
    description: str
    ideas: tuple[str, ...]


@dataclass(frozen=True)
class Guide:
    """A short text with its points and source, such as the note on payments."""

    id: str
    title: str
    summary: str
    points: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class PlannerContent:
    """Everything the planner offers a team, read from data/ladders and data/planner."""

    ladders: tuple[Ladder, ...]
    four_cos: tuple[CoStage, ...]
    four_cos_source: Source
    risks: tuple[RiskIdea, ...]
    risks_source: Source
    areas: tuple[AreaOfBenefit, ...]
    areas_source: Source
    payments: Guide

    def ladder(self, ladder_id: str) -> Ladder:
        for lad in self.ladders:
            if lad.id == ladder_id:
                return lad
        raise KeyError(ladder_id)

    def risk(self, risk_id: str) -> RiskIdea | None:
        return next((r for r in self.risks if r.id == risk_id), None)

    def area(self, area_id: str) -> AreaOfBenefit | None:
        return next((a for a in self.areas if a.id == area_id), None)


def review_stages(plan: PlanData) -> dict[str, str]:
    """A PDSA journal entry's stages, filled in from the plan and its review (stage id -> text):
    the aim from the purpose, the measures from the plan's measures, and Plan, prediction, Do,
    Study and Act from the team's reflection, where they have been written."""
    f = plan.fields

    def text(key: str) -> str:
        v = f.get(key)
        return v.strip() if isinstance(v, str) else ""

    measures = [
        text(f"measures.{rid}.what")
        for rid, _ in plan.rows("measures")
        if text(f"measures.{rid}.what")
    ]
    observed, study = text("review.pdsa.observed"), text("review.pdsa.study")
    out = {
        "aim": text("purpose.decision"),
        "measures": "\n".join(f"- {m}" for m in measures),
        "plan": text("review.pdsa.plan"),
        "prediction": text("review.pdsa.predicted"),
        "do": text("review.pdsa.do"),
        "study": "\n\n".join(x for x in (observed, study) if x),
        "act": text("review.pdsa.act"),
    }
    return {k: v for k, v in out.items() if v}
