"""The planner's parts made of rows a team adds: 5. budget, 6. timeline, 7. risks, 8. measures.

Each part's rows live in a ``RowList``; its Add buttons add a row there, and the app (listening
to the list) saves it. No store access here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from html import escape
from typing import Any

import ipywidgets as w

from ..model.plan import (
    OTHER_AREA,
    ROWS,
    STAGES,
    TIMELINE_STAGE,
    BudgetLine,
    PlanData,
    PlannerContent,
    parse_date,
    stage_date_problems,
    summarise,
    timeline,
)
from .planner import BudgetLineRow, FieldsBox, PlanPart, RowBox, RowList, cite, part_head
from .planner import values_under as _under

TIMELINE_STAGES = tuple(s for s in STAGES if s[0] != "throughout")


class BudgetView(PlanPart):
    """5. The budget: a line per cost, each totalled as it is typed, and the totals.

    ``totals_html`` draws the totals (a table and a chart) from the lines; it is given by the
    app, and called only when what the totals show has changed."""

    def __init__(
        self,
        content: PlannerContent,
        data: PlanData,
        totals_html: Callable[[list[BudgetLine]], str],
    ):
        note = content.payments
        points = "".join(f"<li>{escape(p)}</li>" for p in note.points)
        self.payment_guide = w.HTML(
            "<div class='coprod-notice coprod-payment-guide' role='note'>"
            f"<p><strong>{escape(note.summary)}</strong></p>"
            f"<details><summary>{escape(note.title)}</summary><ul>{points}</ul>"
            f"<p class='coprod-note'>Sources: {cite(note.source)}</p></details></div>"
        )

        def make_row(rid: str, values: Mapping[str, Any]) -> RowBox:
            return BudgetLineRow(ROWS["budget"], rid, values, payment_note=note.summary)

        self.lines = RowList("budget", make_row, data.rows("budget"))
        self.lines.on_change(self._on_lines_change)
        self.add_line = w.Button(description="Add a budget line")
        self.add_line.on_click(self._on_add_line_click)
        self.undo_remove = w.Button(description="Bring back the line just removed")
        self.undo_remove.layout.display = "none"
        self.undo_remove.on_click(self._on_undo_remove_click)
        self.totals = w.HTML()
        self.totals.add_class("coprod-budget-totals")
        self._totals_html = totals_html
        self._drawn: Any = None
        head = part_head(
            "budget",
            "Co-production takes time and money people did not plan for. Cost it now: "
            "payments to participants (people × sessions × hours × rate), expenses, venue, "
            "interpreting, childcare and anything else.",
        )
        buttons = w.HBox([self.add_line, self.undo_remove])
        totals_head = w.HTML("<h3>Totals</h3>")
        super().__init__(
            "budget", [head, self.payment_guide, self.lines, buttons, totals_head, self.totals]
        )
        self.refresh(data)

    @property
    def row_lists(self) -> list[RowList]:
        return [self.lines]

    def _on_add_line_click(self, _b: Any) -> None:
        row = self.lines.add({"kind": "payment", "stage": ""})
        row.inputs["kind"].focus()  # keyboard users carry on in the new line

    def _on_undo_remove_click(self, _b: Any) -> None:
        self.lines.restore()

    def _on_lines_change(self, _row: RowBox, event: str, _first: dict[str, Any]) -> None:
        if event in ("removed", "restored"):
            self.undo_remove.layout.display = None if event == "removed" else "none"

    def refresh(self, data: PlanData) -> None:
        lines = [row.line for row in self.lines.rows.values() if isinstance(row, BudgetLineRow)]
        s = summarise(lines)
        key = (
            tuple((ln.stage, ln.kind, ln.total) for ln in s.counted),
            tuple((ln.id, ln.what, ln.problems, ln.note) for ln in s.left_out),
        )
        if key == self._drawn:
            return  # nothing the totals show has changed: do not redraw the chart
        self._drawn = key
        self.totals.value = self._totals_html(lines)


class TimelineView(PlanPart):
    """6. When each stage starts and ends, milestones and review dates, and all of them in
    date order."""

    def __init__(self, data: PlanData):
        self.stage_dates: dict[str, FieldsBox] = {}
        for sid, title in TIMELINE_STAGES:
            fields = [replace(f, label=f"{title} {f.label.lower()}") for f in TIMELINE_STAGE]
            prefix = f"timeline.{sid}."
            box = FieldsBox(fields, _under(data.fields, prefix), prefix=prefix)
            box.add_class("coprod-stage-dates")
            box.layout.flex_flow = "row wrap"
            self.stage_dates[sid] = box

        def make_row(rid: str, values: Mapping[str, Any]) -> RowBox:
            fields = ROWS["milestones"]
            return RowBox(fields, rid, "milestones", values, noun="date", inline=True)

        self.milestones = RowList("milestones", make_row, data.rows("milestones"))
        self.add_milestone = w.Button(description="Add a milestone or review date")
        self.add_milestone.on_click(self._on_add_milestone_click)
        self.table = w.HTML()
        super().__init__(
            "timeline",
            [
                part_head("timeline", "When does each stage start and end? Dates as YYYY-MM-DD."),
                w.HTML("<h3>Stages</h3>"),
                *self.stage_dates.values(),
                w.HTML("<h3>Milestones and review dates</h3>"),
                self.milestones,
                self.add_milestone,
                w.HTML("<h3>The timeline at a glance</h3>"),
                self.table,
            ],
        )
        self.refresh(data)

    @property
    def boxes(self) -> list[FieldsBox]:
        return list(self.stage_dates.values())

    @property
    def row_lists(self) -> list[RowList]:
        return [self.milestones]

    def _on_add_milestone_click(self, _b: Any) -> None:
        self.milestones.add({"kind": "milestone"})

    def refresh(self, data: PlanData) -> None:
        for sid, box in self.stage_dates.items():
            msgs = {}
            for f in TIMELINE_STAGE:
                _, problem = parse_date(
                    box.values.get(f.name, ""), f"{dict(STAGES)[sid]} {f.label.lower()}"
                )
                if problem:
                    msgs[f.name] = problem
            order = stage_date_problems(data).get(sid)
            if order and "end" not in msgs:
                msgs["end"] = order
            box.messages = msgs
        for row in self.milestones.rows.values():
            _, problem = parse_date(row.values.get("date", ""), "When")
            row.messages = {"date": problem} if problem else {}
        entries = timeline(data)
        if not entries:
            self.table.value = "<p class='coprod-note'>No dates yet.</p>"
            return
        kinds = {"stage": "Stage", "milestone": "Milestone", "review": "Review"}
        rows = "".join(
            f"<tr><td>{escape(e.when.isoformat()) if e.when else escape(e.typed or 'No date')}</td>"
            f"<td>{kinds.get(e.kind, '')}</td><td>{escape(e.what)}</td></tr>"
            for e in entries
        )
        self.table.value = (
            "<table><caption class='coprod-sr'>Stages, milestones and review dates in date order"
            "</caption><thead><tr><th scope='col'>When</th><th scope='col'>Kind</th>"
            f"<th scope='col'>What</th></tr></thead><tbody>{rows}</tbody></table>"
        )


def _rows(
    collection: str, noun: str, fields: Sequence[Any]
) -> Callable[[str, Mapping[str, Any]], RowBox]:
    def make_row(rid: str, values: Mapping[str, Any]) -> RowBox:
        return RowBox(fields, rid, collection, values, noun=noun)

    return make_row


class RisksView(PlanPart):
    """7. What could go wrong and how to meet it: from a starting list (``pick``, offering only
    what is not in the plan yet) or the team's own."""

    def __init__(self, content: PlannerContent, data: PlanData):
        self.content = content
        self.rows = RowList("risks", _rows("risks", "risk", ROWS["risks"]), data.rows("risks"))
        self.pick = w.Dropdown(
            description="A risk from the starting list", style={"description_width": "initial"}
        )
        self.pick.add_class("coprod-stacked")
        self.pick.layout.width = "100%"
        self.add = w.Button(description="Add this risk")
        self.add.on_click(self._on_add_click)
        self.add_own = w.Button(description="Add a risk of our own")
        self.add_own.on_click(self._on_add_own_click)
        ideas = "".join(
            f"<li><strong>{escape(r.title)}.</strong> {escape(r.description)} "
            f"<em>How to meet it:</em> {escape(r.how)}</li>"
            for r in content.risks
        )
        head = part_head(
            "risks",
            "What could go wrong, and how will you meet it? Start from what practitioners "
            "say often goes wrong with co-production, then add your own.",
        )
        starting = w.HTML(
            "<details><summary>The starting list: what often goes wrong</summary>"
            f"<ul>{ideas}</ul><p class='coprod-note'>Source: "
            f"{cite(content.risks_source)}</p></details>"
        )
        buttons = w.HBox([self.add, self.add_own], layout=w.Layout(flex_flow="row wrap"))
        super().__init__("risks", [head, starting, self.pick, buttons, self.rows])
        self.refresh(data)

    @property
    def row_lists(self) -> list[RowList]:
        return [self.rows]

    def refresh(self, data: PlanData) -> None:
        used = {str(r.values.get("from") or "") for r in self.rows.rows.values()}
        left = [(r.title, r.id) for r in self.content.risks if r.id not in used]
        self.pick.options = left or [("All of the starting list is in the plan", "")]
        self.pick.value = left[0][1] if left else ""  # new options leave no choice made
        self.add.disabled = not left

    def _on_add_click(self, _b: Any) -> None:
        idea = self.content.risk(self.pick.value or "")
        if idea is not None:
            self.rows.add({"from": idea.id, "risk": idea.title, "how": idea.how})

    def _on_add_own_click(self, _b: Any) -> None:
        self.rows.add({"risk": ""})


class MeasuresView(PlanPart):
    """8. How the team will know it worked: measures tied to the six areas of benefit, and
    which areas have none yet (``cover``)."""

    def __init__(self, content: PlannerContent, data: PlanData):
        self.content = content
        options = (
            ("", "Choose an area of benefit"),
            *((a.id, a.title) for a in content.areas),
            (OTHER_AREA, "Something else"),
        )
        fields = [replace(f, choices=options) if f.name == "area" else f for f in ROWS["measures"]]
        self.rows = RowList("measures", _rows("measures", "measure", fields), data.rows("measures"))
        self.add = w.Button(description="Add a measure")
        self.add.on_click(self._on_add_click)
        self.cover = w.HTML()
        ideas = "".join(
            f"<li><strong>{escape(a.title)}</strong>: {escape(a.description)}<ul>"
            + "".join(f"<li>{escape(i)}</li>" for i in a.ideas)
            + "</ul></li>"
            for a in content.areas
        )
        head = part_head(
            "measures",
            "How will you know it worked? Tie each measure to one of the six areas of benefit "
            "of co-production, and look at how the work was done as well as what it achieved.",
        )
        areas = w.HTML(
            "<details><summary>The six areas of benefit, with ideas for measures</summary>"
            f"<ul>{ideas}</ul><p class='coprod-note'>Source: "
            f"{cite(content.areas_source)}</p></details>"
        )
        super().__init__("measures", [head, areas, self.rows, self.add, self.cover])
        self.refresh(data)

    @property
    def row_lists(self) -> list[RowList]:
        return [self.rows]

    def _on_add_click(self, _b: Any) -> None:
        self.rows.add({"area": ""})

    def refresh(self, data: PlanData) -> None:
        covered = {str(r.values.get("area") or "") for r in self.rows.rows.values()}
        missing = [a.title for a in self.content.areas if a.id not in covered]
        if not self.rows.rows:
            self.cover.value = "<p class='coprod-note'>No measures yet.</p>"
        elif missing:
            self.cover.value = (
                "<p class='coprod-note'>Areas of benefit without a measure yet: "
                f"{escape(', '.join(missing))}.</p>"
            )
        else:
            self.cover.value = "<p class='coprod-note'>Every area of benefit has a measure.</p>"
