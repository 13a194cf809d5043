"""A plan for involving people in a service: reading it back, its dates, and what the planner
offers from data/.

A plan is stored field by field (``plan_fields(plan_id, key, value)``) so that two people
editing different parts never overwrite each other. It is pure: no widgets, no database, no
pandas. Its parts live in three rooms, all importable from here:

- ``plan_fields``: which keys exist and what each holds (``Field``, ``field_for``,
  ``check_plan_field``);
- ``plan_numbers``: numbers and dates as typed, and the budget's arithmetic;
- this module: ``PlanData`` (a plan read back), its timeline and review, and the content
  the planner offers (ladders, the four Co's, risks, areas of benefit).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from .framework import Source
from .ladder import Ladder
from .plan_fields import (
    CO,
    COST_KINDS,
    COST_TITLES,
    FOUR_COS,
    ID_RE,
    KEPT,
    LADDER,
    LONG_MAX,
    MILESTONE_KINDS,
    OTHER_AREA,
    OTHER_COST_FIELDS,
    PAYMENT_FIELDS,
    PDSA,
    PDSA_DECISIONS,
    PURPOSE,
    RAW_MAX,
    REMOVED,
    REVIEW,
    ROW_ID_RE,
    ROWS,
    STAGE_TITLES,
    STAGES,
    SUPPORT_NEEDS,
    TEXT_MAX,
    TIMELINE_STAGE,
    VOICES,
    VOICES_SUPPORT,
    VOICES_SUPPORT_NOTES,
    WILL_CHOICES,
    Field,
    check_plan_field,
    field_for,
    new_row_id,
)
from .plan_numbers import (
    EXAMPLES,
    LINE_MAX,
    NUMBER_MAX,
    PENNY,
    BudgetLine,
    BudgetSummary,
    budget_line,
    money,
    parse_date,
    parse_number,
    summarise,
)

# A file of ours named in a citation (`shared/seeds/001_x.txt`, `data/planner/risks.yaml`):
# it means nothing to a reader and shows how the server is laid out, so it is never shown.
_FILE_PATH = re.compile(
    r"(?<![\w/.:-])(?:(?:data|shared|seeds)/[\w./-]*|(?:[\w.-]+/)*[\w.-]+"
    r"\.(?:txt|ya?ml|md|json|csv|ipynb|py))(?![\w/-])",
    re.I,
)


def reader_citation(source: Source) -> str:
    """A source as a reader needs it: its citation (titles, authors, years) without any file
    path of ours. Plain text, not escaped."""
    text = _FILE_PATH.sub(lambda m: "." if m[0].endswith(".") else "", source.citation)
    text = re.sub(r"\s*\(\s*[;,\s]*\)", "", text)  # brackets left empty
    return re.sub(r"\s+([;,.])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()


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


__all__ = [
    "AreaOfBenefit",
    "BudgetLine",
    "BudgetSummary",
    "CO",
    "COST_KINDS",
    "COST_TITLES",
    "CoStage",
    "EXAMPLES",
    "FOUR_COS",
    "Field",
    "Guide",
    "ID_RE",
    "KEPT",
    "LADDER",
    "LINE_MAX",
    "LONG_MAX",
    "MILESTONE_KINDS",
    "NUMBER_MAX",
    "OTHER_AREA",
    "OTHER_COST_FIELDS",
    "PAYMENT_FIELDS",
    "PDSA",
    "PDSA_DECISIONS",
    "PENNY",
    "PURPOSE",
    "PlanData",
    "PlanRecord",
    "PlannerContent",
    "RAW_MAX",
    "REMOVED",
    "REVIEW",
    "ROWS",
    "ROW_ID_RE",
    "RiskIdea",
    "STAGES",
    "STAGE_TITLES",
    "SUPPORT_NEEDS",
    "TEXT_MAX",
    "TIMELINE_STAGE",
    "TimelineEntry",
    "VOICES",
    "VOICES_SUPPORT",
    "VOICES_SUPPORT_NOTES",
    "WILL_CHOICES",
    "budget_line",
    "check_plan_field",
    "field_for",
    "money",
    "new_row_id",
    "parse_date",
    "parse_number",
    "reader_citation",
    "review_due",
    "review_stages",
    "stage_date_problems",
    "summarise",
    "timeline",
]
