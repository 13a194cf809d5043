"""A plan's fields: which keys exist, what each holds, and what the store accepts for each.

Keys look like ``purpose.decision``, ``cos.co-design.how`` or, for the rows a team adds
(budget lines, milestones, risks, measures), ``budget.<row id>.rate``. A row id is made when the
row is added, so two people adding a line at the same moment get two lines.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidInput

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


def new_row_id() -> str:
    """A row id that sorts in the order rows were added, and never collides in practice."""
    return f"{time.time_ns() // 1_000_000:011x}{secrets.token_hex(3)}"
