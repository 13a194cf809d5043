"""The planner workbook: a team plans how it will involve people, before it starts.

The parts follow what the seeds say goes wrong: purpose and limits, where on the ladder, the
four Co's, voices and support, budget, timeline, risks, measures and review. Every field is
saved to the store as it is typed, one field at a time (two people editing different parts never
overwrite each other); a reload, a closed tab or a dead kernel brings it all back from there.

A plan is opened by its private code: ``?plan=<code>`` under ``coprod serve``, or ``show(code=)``.
Without one, the page offers to start a new plan (or, in JupyterLab, to open one of yours).
"""

from __future__ import annotations

import base64
import logging
import os
import re
import secrets
from dataclasses import replace
from datetime import date
from html import escape
from typing import Any

import ipywidgets as w

from .. import identity

# Imported here, not on first use: a pre-started kernel runs this import before anyone asks
# for the page, so pandas, matplotlib, YAML and SQLAlchemy are loaded by the time it is asked.
from ..analysis.budget import budget_html
from ..content import ContentError, FrameworkLibrary
from ..content.planner import load_planner_content
from ..errors import Conflict, CoprodError, InvalidInput, NotFound
from ..model.plan import (
    CO,
    KEPT,
    LADDER,
    OTHER_AREA,
    PDSA,
    PURPOSE,
    REVIEW,
    ROWS,
    STAGES,
    TIMELINE_STAGE,
    VOICES,
    VOICES_SUPPORT,
    VOICES_SUPPORT_NOTES,
    Field,
    PlanData,
    PlannerContent,
    field_for,
    new_row_id,
    parse_date,
    plan_link,
    review_due,
    review_stages,
    stage_date_problems,
    summarise,
    timeline,
)
from ..store import Store
from ..widgets import Notice, SaveStatus
from ..widgets.planner import BudgetLineRow, FieldsBox, RowBox
from .autosave import Autosave, keep, slug
from .common import link, problem, safely

log = logging.getLogger("coprod")

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
TIMELINE_STAGES = tuple(s for s in STAGES if s[0] != "throughout")

STYLE = """<style>
.coprod-planner .coprod-stacked { flex-direction: column; align-items: stretch; height: auto; }
.coprod-planner .coprod-stacked > .widget-label { max-width: none !important; width: auto !important;
  font-weight: 600; text-align: left; margin-bottom: .15rem; height: auto; }
.coprod-planner .widget-text.coprod-stacked input, .coprod-planner textarea { font-size: 1rem;
  font-family: inherit; }
.coprod-planner .coprod-stacked > select, .coprod-planner .coprod-stacked > input { flex: 0 0 auto; }
.coprod-planner .widget-dropdown.coprod-stacked select { font-size: 1rem; height: 2.2rem; }
.coprod-planner .widget-radio.coprod-stacked { width: 100%; }
.coprod-planner .widget-radio.coprod-stacked .widget-radio-box { flex-direction: row; flex-wrap: wrap;
  gap: .1rem 1.25rem; height: auto; }
.coprod-planner .widget-radio-box label, .coprod-planner .widget-checkbox label { font-size: 1rem;
  line-height: 1.6; }
.coprod-planner .widget-checkbox { width: 100%; height: auto; }
.coprod-planner .widget-button { align-self: flex-start; }
.coprod-planner .coprod-input-date, .coprod-planner .coprod-input-number { width: 11rem; }
.coprod-planner .coprod-line-fields, .coprod-planner .coprod-stage-dates,
.coprod-planner .coprod-buttons { flex-flow: row wrap; gap: 0 1rem; align-items: flex-start; }
.coprod-planner .coprod-line-fields .coprod-field-what { width: 18rem; }
.coprod-planner .coprod-line-fields .widget-dropdown { width: 13rem; }
.coprod-planner .coprod-stage-dates .coprod-input-date { width: 13rem; }
.coprod-planner .coprod-row { border: 1px solid #c8c8c8; border-radius: 6px; padding: .5rem .75rem;
  margin: .5rem 0; background: #fff; }
.coprod-planner .coprod-field-problem { color: #b00020; font-weight: 600; margin: .1rem 0; }
.coprod-planner .coprod-line-problem { color: #b00020; }
.coprod-planner .coprod-line-sum { font-weight: 600; }
.coprod-planner .coprod-note { color: #4d4d4d; }
.coprod-planner .coprod-left-out { border-left: 6px solid #b00020; background: #fdecee;
  padding: .25rem 1rem; margin: .5rem 0; }
.coprod-planner .coprod-pair { gap: 1rem; flex-wrap: wrap; }
.coprod-planner .coprod-pair > * { flex: 1 1 18rem; }
.coprod-planner table { border-collapse: collapse; margin: .5rem 0; }
.coprod-planner th, .coprod-planner td { border: 1px solid #ccc; padding: .2rem .5rem;
  text-align: left; vertical-align: top; }
.coprod-planner .coprod-figure { display: flex; flex-wrap: wrap; gap: 1rem; }
.coprod-planner .coprod-figure svg { max-width: 100%; height: auto; }
.coprod-planner section.coprod-part-head h2 { border-bottom: 2px solid #053061;
  padding-bottom: .15rem; margin-top: 2rem; }
.coprod-planner .coprod-mark { font-weight: 700; }
.coprod-planner > .coprod-save-status { position: sticky; bottom: 0; background: #fff;
  border-top: 1px solid #c8c8c8; padding: .1rem .5rem; z-index: 1; }
</style>"""


def _label(key: str) -> str:
    if key == "title":
        return "Name of the plan"
    try:
        return field_for(key).label
    except InvalidInput:
        return key


def _slug(title: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
    return s or "plan"


# A file of ours named in a citation (`shared/seeds/001_x.txt`, `data/planner/risks.yaml`):
# it means nothing to a reader and shows how the server is laid out, so it is never shown.
_FILE_PATH = re.compile(
    r"(?<![\w/.:-])(?:(?:data|shared|seeds)/[\w./-]*|(?:[\w.-]+/)*[\w.-]+"
    r"\.(?:txt|ya?ml|md|json|csv|ipynb|py))(?![\w/-])",
    re.I,
)


def _cite(source: Any) -> str:
    """A source as a reader needs it: its citation text (titles, authors, years), without any
    file path, escaped."""
    text = _FILE_PATH.sub(lambda m: "." if m[0].endswith(".") else "", source.citation)
    text = re.sub(r"\s*\(\s*[;,\s]*\)", "", text)  # brackets left empty
    text = re.sub(r"\s+([;,.])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    return escape(text)


def _head(part: str, number: int, intro: str = "") -> w.HTML:
    title = dict(PARTS)[part]
    p = f"<p>{intro}</p>" if intro else ""
    return w.HTML(
        f"<section class='coprod-part-head'><h2 id='plan-{part}'>{number}. {title}</h2>{p}</section>"
    )


class PlannerApp(w.VBox):
    """Wires the plan's views to the store: every change is saved as it is made."""

    def __init__(
        self,
        store: Any,
        code: str,
        base_url: str = "",
        content: PlannerContent | None = None,
        today: date | None = None,
        frameworks: FrameworkLibrary | None = None,
    ):
        self.store, self.code, self.base_url = store, code, base_url
        self.plan = store.plan_by_code(code)  # NotFound for an unknown code
        self.fields: dict[str, Any] = dict(store.plan_fields(code))
        self.content = content or load_planner_content()
        self.today = today or date.today()
        self._frameworks = frameworks
        self._pending: dict[str, Any] = {}
        # What this page last read from or wrote to the store, field by field: the base a save
        # is checked against, so a stale tab cannot overwrite what another has saved since.
        self._seen: dict[str, Any] = {**self.fields, "title": self.plan.title}
        self._quiet = False
        self.clashes = Notice()
        self.clashes_clear = w.Button(
            description="Clear the kept text", tooltip="once you have copied what you need"
        )
        self.clashes_clear.on_click(self._on_clashes_clear_click)
        self._last_removed: tuple[str, str] | None = None
        self._chart_key: Any = None
        self.status = SaveStatus()
        self.autosave = Autosave(self.status)
        self.boxes: list[FieldsBox] = []
        # Where the rows a team adds live: made first, as rows may be restored in any part.
        self.lines: dict[str, BudgetLineRow] = {}
        self.rows_of: dict[str, dict[str, RowBox]] = {"milestones": {}, "risks": {}, "measures": {}}
        self.holders: dict[str, w.Box] = {
            "budget": w.VBox(),
            "milestones": w.VBox(),
            "risks": w.VBox(),
            "measures": w.VBox(),
        }

        parts = [
            self._purpose(),
            self._ladder(),
            self._cos(),
            self._voices(),
            self._budget(),
            self._timeline(),
            self._risks(),
            self._measures(),
            self._review(),
            self._export(),
        ]
        super().__init__(
            [
                w.HTML(STYLE),
                self._header(),
                self.clashes,
                self.clashes_clear,
                *[c for p in parts for c in p],
                self.status,
            ]
        )
        self.add_class("coprod-app")
        self.add_class("coprod-planner")
        self._show_clashes()

    # -- reading ------------------------------------------------------------------------------

    @property
    def data(self) -> PlanData:
        return PlanData(self.plan.title, self.fields)

    def _values(self, prefix: str) -> dict[str, Any]:
        n = len(prefix)
        return {k[n:]: v for k, v in self.fields.items() if k.startswith(prefix)}

    def _box(
        self, fields: tuple[Field, ...] | list[Field], prefix: str, after: Any = None
    ) -> FieldsBox:
        box = FieldsBox(fields, self._values(prefix), prefix=prefix)
        self._watch(box, after)
        return box

    def _watch(self, box: FieldsBox, after: Any = None) -> None:
        self.boxes.append(box)
        for name, inp in box.inputs.items():
            if isinstance(inp, w.Text | w.Textarea):
                keep(inp, slug("plan", box.prefix + name))

        def on_values(change: Any) -> None:
            if self._quiet:
                return
            old, new = change["old"] or {}, change["new"] or {}
            for name, value in new.items():
                if old.get(name) != value:
                    self.save(box.prefix + name, value)
            if after is not None:
                after()

        box.observe(on_values, "values")

    # -- saving -------------------------------------------------------------------------------

    def save(self, key: str, value: Any) -> None:
        """Save one field through the page's autosave (typed text after a pause, a click at
        once). Each write says which value the page last saw, so a field someone else saved
        in the meantime is a clash (``_on_clash``), never an overwrite."""
        if key == "title":
            self.plan = replace(self.plan, title=value.strip() if isinstance(value, str) else "")
        else:
            self.fields[key] = value
        code, store, seen = self.code, self.store, self._seen

        def write() -> None:
            store.save_plan_field(code, key, value, base=seen.get(key))
            seen[key] = value  # here, so the next write of this box has the right base

        def refused(e: Exception) -> None:
            if isinstance(e, Conflict):
                self._on_clash(key, value, e.current, e.label)

        typed = isinstance(value, str)
        self.autosave.change(
            key,
            write,
            slug=slug("plan", key) if typed else "",
            value=value if typed else None,
            immediate=not typed,
            on_error=refused,
        )

    def _save_many(self, values: dict[str, Any]) -> None:
        """A new row's first fields, saved together."""
        self.fields.update(values)
        code, store, seen = self.code, self.store, self._seen

        def write() -> None:
            store.save_plan_fields(code, values)
            seen.update(values)

        self.autosave.change(("row", *sorted(values)), write, immediate=True)

    def _on_clash(self, key: str, ours: Any, theirs: Any, label: str) -> None:
        """Someone else saved this field first: show theirs in the box, keep ours in the plan
        (``kept.<key>``) and on the page, so nothing either person typed is lost."""
        self._seen[key] = theirs
        if key == "title":
            self.plan = replace(self.plan, title=theirs or "")
        else:
            self.fields[key] = theirs
        kept_key = f"{KEPT}.{key}"
        mine = ours if isinstance(ours, str) else ("" if ours is None else str(ours))
        earlier = self.fields.get(kept_key) or ""
        kept = f"{earlier}\n\n{mine}".strip() if earlier and mine not in earlier else mine
        try:
            if kept:
                self.store.save_plan_field(self.code, kept_key, kept)
                self.fields[kept_key] = self._seen[kept_key] = kept
        except Exception as e:  # noqa: BLE001 - it stays on this page, said plainly
            log.warning("kept text for %s not saved: %s", key, e)
        self._quiet = True
        try:
            for box in self.boxes:
                name = key[len(box.prefix) :]
                if key.startswith(box.prefix) and name in box.specs:
                    box.set_value(name, theirs)
        finally:
            self._quiet = False
        self.status.state = "error"
        self.status.message = f"Not saved: someone else changed “{label}” first. See above."
        self._show_clashes(label)

    def _show_clashes(self, label: str = "") -> None:
        prefix = f"{KEPT}."
        kept = {k[len(prefix) :]: v for k, v in self.fields.items() if k.startswith(prefix) and v}
        if not kept:
            self.clashes.title = self.clashes.text = ""
            self.clashes_clear.layout.display = "none"
            return
        first = (
            f"Someone else changed “{label}” while you were typing, and saved first. Their "
            "version is in the box now. "
            if label
            else ""
        )
        self.clashes.kind, self.clashes.title = "error", "Two people typed in the same box"
        self.clashes.text = (
            first + "What was typed here is kept below (and with the plan), to copy back what "
            "you need.\n" + "\n".join(f"{_label(k)}: {v}" for k, v in kept.items())
        )
        self.clashes_clear.layout.display = None

    def _on_clashes_clear_click(self, _b: Any) -> None:
        for k in [k for k in self.fields if k.startswith(f"{KEPT}.")]:
            self.save(k, "")
        self._show_clashes()

    # -- header -------------------------------------------------------------------------------

    def _header(self) -> w.Widget:
        items = "".join(f"<li><a href='#plan-{k}'>{escape(t)}</a></li>" for k, t in PARTS)
        url = plan_link(self.base_url, self.code)
        if self.base_url:
            where = (
                "<p>This is your plan's private link. Keep it, and share it only with the people "
                f"planning with you: anyone who has it can read and change the plan.</p>"
                f"<p><a class='coprod-plan-link' href='{escape(url)}'>{escape(url)}</a></p>"
            )
        else:
            where = (
                "<p>To come back to this plan, keep its code: "
                f"<code class='coprod-plan-link'>{escape(url)}</code></p>"
            )
        self.header = w.HTML(
            "<header><h1>Plan: how we will involve people</h1>"
            "<p>Work through the parts below before you start, with the people you plan with. "
            "Everything is saved as you type.</p>"
            f"<details class='coprod-come-back' open><summary>Coming back to this plan</summary>{where}"
            "</details>"
            f"<nav aria-label='Parts of the plan'><ol>{items}</ol></nav></header>"
        )
        return self.header

    # -- 1. purpose ---------------------------------------------------------------------------

    def _purpose(self) -> list[w.Widget]:
        title = FieldsBox(
            [
                Field(
                    "title", "Name of the plan", "text", placeholder="e.g. Riverside youth drop-in"
                )
            ],
            {"title": self.plan.title},
            prefix="",
        )
        self._watch(title)
        self.title_box = title
        self.purpose = self._box(PURPOSE, "purpose.")
        return [
            _head(
                "purpose",
                1,
                "Say what is at stake, and be honest about the limits: people need to know what "
                "they can and cannot change before they give their time.",
            ),
            title,
            self.purpose,
        ]

    # -- 2. ladder ----------------------------------------------------------------------------

    def _ladder(self) -> list[w.Widget]:
        ladders = self.content.ladders
        chosen = self.fields.get("ladder.id")
        if chosen not in {lad.id for lad in ladders}:
            chosen = ladders[0].id
        self.ladder_choice = FieldsBox(
            [
                Field(
                    "id",
                    "Which ladder?",
                    "ident",
                    tuple(
                        (lad.id, f"{lad.title} ({len(lad.steps)} {lad.kind}s)") for lad in ladders
                    ),
                    style="radio",
                )
            ],
            {"id": chosen},
            prefix="ladder.",
        )
        self._watch(self.ladder_choice, self._refresh_ladder)
        self.ladder_steps: dict[str, FieldsBox] = {}
        for lad in ladders:
            word = lad.kind
            options = (("", f"Choose a {word}"),) + tuple(
                (s.id, f"{i}. {s.title}") for i, s in enumerate(lad.steps, start=1)
            )
            self.ladder_steps[lad.id] = self._box(
                [
                    Field("today", f"Where the work is today ({lad.title})", "ident", options),
                    Field("aim", f"Where we aim to be ({lad.title})", "ident", options),
                ],
                f"ladder.{lad.id}.",
                self._refresh_ladder,
            )
        self.ladder_table = w.HTML()
        self.ladder_notes = self._box(LADDER, "ladder.")
        self._refresh_ladder()
        return [
            _head(
                "ladder",
                2,
                "Where does the work stand today, and where do you aim to be? Not all work has to "
                "reach the top, but say honestly where it is.",
            ),
            self.ladder_choice,
            *self.ladder_steps.values(),
            self.ladder_table,
            self.ladder_notes,
        ]

    def _refresh_ladder(self) -> None:
        lid = self.ladder_choice.values.get("id")
        lad = next((x for x in self.content.ladders if x.id == lid), self.content.ladders[0])
        for k, box in self.ladder_steps.items():
            box.layout.display = None if k == lad.id else "none"
        steps = self.ladder_steps[lad.id].values
        today, aim = steps.get("today", ""), steps.get("aim", "")
        rows = []
        for i, s in enumerate(lad.steps, start=1):
            marks = [m for m, sid in (("today", today), ("our aim", aim)) if sid == s.id]
            group = lad.group(s.group)
            mark = (
                f"<span class='coprod-mark'>{escape(' and '.join(marks).capitalize())}</span>"
                if marks
                else ""
            )
            rows.append(
                f"<tr><td>{i}</td><th scope='row'>{escape(s.title)}</th>"
                f"<td>{escape(group.title) if group else ''}</td>"
                f"<td>{escape(s.description)}</td><td>{mark}</td></tr>"
            )
        warn = ""
        if (
            today
            and aim
            and today in {s.id for s in lad.steps}
            and aim in {s.id for s in lad.steps}
        ):
            if lad.number(aim) < lad.number(today):
                warn = (
                    "<p class='coprod-note' role='status'>Your aim is lower on the ladder than "
                    "where the work is today. If that is on purpose, say why below.</p>"
                )
        self.ladder_table.value = (
            f"<details class='coprod-ladder'><summary>The {len(lad.steps)} {lad.kind}s of the "
            f"{escape(lad.title)}</summary><p>{escape(lad.summary)}</p>"
            f"<table><caption class='coprod-sr'>{escape(lad.title)}, lowest first</caption>"
            "<thead><tr><th scope='col'>No.</th><th scope='col'>Step</th><th scope='col'>Group</th>"
            "<th scope='col'>What it means</th><th scope='col'>This plan</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            f"<p class='coprod-note'>Source: {_cite(lad.source)}</p></details>{warn}"
        )

    # -- 3. four Co's -------------------------------------------------------------------------

    def _cos(self) -> list[w.Widget]:
        out: list[w.Widget] = [
            _head(
                "cos",
                3,
                "For each stage of the service, will it be co-produced, with whom, and how?",
            )
        ]
        self.cos: dict[str, FieldsBox] = {}
        for co in self.content.four_cos:
            fields = [
                replace(f, label=f"{co.title}: {f.label[0].lower()}{f.label[1:]}") for f in CO
            ]
            out.append(
                w.HTML(
                    f"<h3>{escape(co.title)}</h3><p class='coprod-note'>{escape(co.description)}</p>"
                )
            )
            self.cos[co.id] = self._box(fields, f"cos.{co.id}.")
            out.append(self.cos[co.id])
        out.append(
            w.HTML(f"<p class='coprod-note'>Source: {_cite(self.content.four_cos_source)}</p>")
        )
        return out

    # -- 4. voices ----------------------------------------------------------------------------

    def _voices(self) -> list[w.Widget]:
        self.voices = self._box(VOICES, "voices.")
        self.support = self._box(VOICES_SUPPORT, "voices.support.")
        self.support_notes = self._box(VOICES_SUPPORT_NOTES, "voices.")
        return [
            _head(
                "voices",
                4,
                "Co-production goes wrong when it relies on the same few voices, or looks like a "
                "closed club to everyone else. Who should be in the room, and who usually is not?",
            ),
            self.voices,
            w.HTML(
                "<h3>Access and support</h3><p>People take part as equals only with the support "
                "they need. Which will you offer?</p>"
            ),
            self.support,
            self.support_notes,
        ]

    # -- 5. budget ----------------------------------------------------------------------------

    def _budget(self) -> list[w.Widget]:
        note = self.content.payments
        points = "".join(f"<li>{escape(p)}</li>" for p in note.points)
        self.payment_guide = w.HTML(
            "<div class='coprod-notice coprod-payment-guide' role='note'>"
            f"<p><strong>{escape(note.summary)}</strong></p>"
            f"<details><summary>{escape(note.title)}</summary><ul>{points}</ul>"
            f"<p class='coprod-note'>Sources: {_cite(note.source)}</p></details></div>"
        )
        self.lines_box = self.holders["budget"]
        for rid, vals in self.data.rows("budget"):
            self._add_line_row(rid, vals)
        self.add_line = w.Button(description="Add a budget line")
        self.add_line.on_click(self._on_add_line_click)
        self.undo_remove = w.Button(description="Bring back the line just removed")
        self.undo_remove.layout.display = "none"
        self.undo_remove.on_click(self._on_undo_remove_click)
        self.budget_totals = w.HTML()
        self.budget_totals.add_class("coprod-budget-totals")
        self._refresh_budget()
        return [
            _head(
                "budget",
                5,
                "Co-production takes time and money people did not plan for. Cost it now: "
                "payments to participants (people × sessions × hours × rate), expenses, venue, "
                "interpreting, childcare and anything else.",
            ),
            self.payment_guide,
            self.lines_box,
            w.HBox([self.add_line, self.undo_remove]),
            w.HTML("<h3>Totals</h3>"),
            self.budget_totals,
        ]

    def _add_line_row(self, rid: str, vals: dict[str, Any]) -> BudgetLineRow:
        row = BudgetLineRow(ROWS["budget"], rid, vals, payment_note=self.content.payments.summary)
        self._watch(row, self._refresh_budget)
        row.observe(lambda _c, rid=rid: self._on_row_removed("budget", rid), "removed")
        self.lines[rid] = row
        self.lines_box.children = [*self.lines_box.children, row]
        return row

    def _on_add_line_click(self, _b: Any) -> None:
        rid = new_row_id()
        first = {"kind": "payment", "stage": ""}
        self._save_many({f"budget.{rid}.{k}": v for k, v in first.items()})
        row = self._add_line_row(rid, first)
        self._refresh_budget()
        row.inputs["kind"].focus()  # keyboard users carry on in the new line

    def _on_row_removed(self, collection: str, rid: str) -> None:
        self.save(f"{collection}.{rid}.removed", True)
        self._last_removed = (collection, rid)
        holder = self.holders[collection]
        holder.children = [c for c in holder.children if getattr(c, "row_id", None) != rid]
        if collection == "budget":
            self.lines.pop(rid, None)
            self.undo_remove.layout.display = None
            self._refresh_budget()
        else:
            self.rows_of[collection].pop(rid, None)
            self._after_rows(collection)

    def _on_undo_remove_click(self, _b: Any) -> None:
        if not self._last_removed or self._last_removed[0] != "budget":
            return
        _, rid = self._last_removed
        self.save(f"budget.{rid}.removed", False)
        vals = {
            k.split(".")[2]: v for k, v in self.fields.items() if k.startswith(f"budget.{rid}.")
        }
        self._add_line_row(rid, vals)
        self._last_removed = None
        self.undo_remove.layout.display = "none"
        self._refresh_budget()

    def _refresh_budget(self) -> None:
        lines = [row.line for row in self.lines.values()]
        s = summarise(lines)
        key = (
            tuple((ln.stage, ln.kind, ln.total) for ln in s.counted),
            tuple((ln.id, ln.what, ln.problems, ln.note) for ln in s.left_out),
        )
        if key == self._chart_key:
            return  # nothing the totals show has changed: do not redraw the chart
        self._chart_key = key
        self.budget_totals.value = budget_html(lines)

    # -- 6. timeline --------------------------------------------------------------------------

    def _timeline(self) -> list[w.Widget]:
        self.stage_dates: dict[str, FieldsBox] = {}
        rows: list[w.Widget] = []
        for sid, title in TIMELINE_STAGES:
            fields = [replace(f, label=f"{title} {f.label.lower()}") for f in TIMELINE_STAGE]
            box = self._box(fields, f"timeline.{sid}.", self._refresh_timeline)
            box.add_class("coprod-stage-dates")
            box.layout.flex_flow = "row wrap"
            self.stage_dates[sid] = box
            rows.append(box)
        self.milestones_box = self.holders["milestones"]
        for rid, vals in self.data.rows("milestones"):
            self._add_row("milestones", rid, vals)
        self.add_milestone = w.Button(description="Add a milestone or review date")
        self.add_milestone.on_click(
            lambda _b: self._on_add_row("milestones", {"kind": "milestone"})
        )
        self.timeline_table = w.HTML()
        self._refresh_timeline()
        return [
            _head("timeline", 6, "When does each stage start and end? Dates as YYYY-MM-DD."),
            w.HTML("<h3>Stages</h3>"),
            *rows,
            w.HTML("<h3>Milestones and review dates</h3>"),
            self.milestones_box,
            self.add_milestone,
            w.HTML("<h3>The timeline at a glance</h3>"),
            self.timeline_table,
        ]

    def _row_fields(self, collection: str) -> list[Field]:
        fields = list(ROWS[collection])
        if collection == "measures":
            options = (
                ("", "Choose an area of benefit"),
                *((a.id, a.title) for a in self.content.areas),
                (OTHER_AREA, "Something else"),
            )
            fields = [replace(f, choices=options) if f.name == "area" else f for f in fields]
        return fields

    def _add_row(self, collection: str, rid: str, vals: dict[str, Any]) -> RowBox:
        noun = {"milestones": "date", "risks": "risk", "measures": "measure"}[collection]
        row = RowBox(
            self._row_fields(collection),
            rid,
            collection,
            vals,
            noun=noun,
            inline=collection == "milestones",
        )
        self._watch(row, lambda c=collection: self._after_rows(c))
        row.observe(lambda _c, rid=rid, c=collection: self._on_row_removed(c, rid), "removed")
        self.rows_of[collection][rid] = row
        holder = self.holders[collection]
        holder.children = [*holder.children, row]
        return row

    def _on_add_row(self, collection: str, first: dict[str, Any]) -> RowBox:
        rid = new_row_id()
        self._save_many({f"{collection}.{rid}.{k}": v for k, v in first.items()})
        row = self._add_row(collection, rid, first)
        self._after_rows(collection)
        return row

    def _after_rows(self, collection: str) -> None:
        if collection == "milestones":
            self._refresh_timeline()
        elif collection == "measures":
            self._refresh_measures()
        elif collection == "risks":
            self._refresh_risk_choices()

    def _refresh_timeline(self) -> None:
        data = self.data
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
        for row in self.rows_of["milestones"].values():
            _, problem = parse_date(row.values.get("date", ""), "When")
            row.messages = {"date": problem} if problem else {}
        entries = timeline(data)
        if not entries:
            self.timeline_table.value = "<p class='coprod-note'>No dates yet.</p>"
            return
        kinds = {"stage": "Stage", "milestone": "Milestone", "review": "Review"}
        rows = "".join(
            f"<tr><td>{escape(e.when.isoformat()) if e.when else escape(e.typed or 'No date')}</td>"
            f"<td>{kinds.get(e.kind, '')}</td><td>{escape(e.what)}</td></tr>"
            for e in entries
        )
        self.timeline_table.value = (
            "<table><caption class='coprod-sr'>Stages, milestones and review dates in date order"
            "</caption><thead><tr><th scope='col'>When</th><th scope='col'>Kind</th>"
            f"<th scope='col'>What</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    # -- 7. risks -----------------------------------------------------------------------------

    def _risks(self) -> list[w.Widget]:
        self.risks_box = self.holders["risks"]
        for rid, vals in self.data.rows("risks"):
            self._add_row("risks", rid, vals)
        self.risk_pick = w.Dropdown(
            description="A risk from the starting list", style={"description_width": "initial"}
        )
        self.risk_pick.add_class("coprod-stacked")
        self.risk_pick.layout.width = "100%"
        self.add_risk = w.Button(description="Add this risk")
        self.add_risk.on_click(self._on_add_risk_click)
        self.add_own_risk = w.Button(description="Add a risk of our own")
        self.add_own_risk.on_click(lambda _b: self._on_add_row("risks", {"risk": ""}))
        ideas = "".join(
            f"<li><strong>{escape(r.title)}.</strong> {escape(r.description)} "
            f"<em>How to meet it:</em> {escape(r.how)}</li>"
            for r in self.content.risks
        )
        self._refresh_risk_choices()
        return [
            _head(
                "risks",
                7,
                "What could go wrong, and how will you meet it? Start from what practitioners "
                "say often goes wrong with co-production, then add your own.",
            ),
            w.HTML(
                "<details><summary>The starting list: what often goes wrong</summary>"
                f"<ul>{ideas}</ul><p class='coprod-note'>Source: "
                f"{_cite(self.content.risks_source)}</p></details>"
            ),
            self.risk_pick,
            w.HBox([self.add_risk, self.add_own_risk], layout=w.Layout(flex_flow="row wrap")),
            self.risks_box,
        ]

    def _refresh_risk_choices(self) -> None:
        used = {str(r.values.get("from") or "") for r in self.rows_of["risks"].values()}
        left = [(r.title, r.id) for r in self.content.risks if r.id not in used]
        self.risk_pick.options = left or [("All of the starting list is in the plan", "")]
        self.risk_pick.value = left[0][1] if left else ""  # new options leave no choice made
        self.add_risk.disabled = not left

    def _on_add_risk_click(self, _b: Any) -> None:
        idea = self.content.risk(self.risk_pick.value or "")
        if idea is None:
            return
        self._on_add_row("risks", {"from": idea.id, "risk": idea.title, "how": idea.how})

    # -- 8. measures --------------------------------------------------------------------------

    def _measures(self) -> list[w.Widget]:
        self.measures_box = self.holders["measures"]
        for rid, vals in self.data.rows("measures"):
            self._add_row("measures", rid, vals)
        self.add_measure = w.Button(description="Add a measure")
        self.add_measure.on_click(lambda _b: self._on_add_row("measures", {"area": ""}))
        self.measures_cover = w.HTML()
        ideas = "".join(
            f"<li><strong>{escape(a.title)}</strong>: {escape(a.description)}<ul>"
            + "".join(f"<li>{escape(i)}</li>" for i in a.ideas)
            + "</ul></li>"
            for a in self.content.areas
        )
        self._refresh_measures()
        return [
            _head(
                "measures",
                8,
                "How will you know it worked? Tie each measure to one of the six areas of benefit "
                "of co-production, and look at how the work was done as well as what it achieved.",
            ),
            w.HTML(
                "<details><summary>The six areas of benefit, with ideas for measures</summary>"
                f"<ul>{ideas}</ul><p class='coprod-note'>Source: "
                f"{_cite(self.content.areas_source)}</p></details>"
            ),
            self.measures_box,
            self.add_measure,
            self.measures_cover,
        ]

    def _refresh_measures(self) -> None:
        covered = {str(r.values.get("area") or "") for r in self.rows_of["measures"].values()}
        missing = [a.title for a in self.content.areas if a.id not in covered]
        if not self.rows_of["measures"]:
            self.measures_cover.value = "<p class='coprod-note'>No measures yet.</p>"
        elif missing:
            self.measures_cover.value = (
                "<p class='coprod-note'>Areas of benefit without a measure yet: "
                f"{escape(', '.join(missing))}.</p>"
            )
        else:
            self.measures_cover.value = (
                "<p class='coprod-note'>Every area of benefit has a measure.</p>"
            )

    # -- 9. review ----------------------------------------------------------------------------

    def _review(self) -> list[w.Widget]:
        self.review = self._box(REVIEW, "review.", self._refresh_review)
        self.review_state = w.HTML()
        self.open_review = w.Button(description="Start the review now")
        self.open_review.on_click(self._on_open_review_click)
        self.pdsa = FieldsBox(PDSA, self._values("review.pdsa."), prefix="review.pdsa.")
        self._watch(self.pdsa)
        c = self.pdsa.cells
        pair = w.HBox([c["predicted"], c["observed"]])
        pair.add_class("coprod-pair")
        self.pdsa.children = [c["plan"], c["do"], pair, c["study"], c["act"], c["decision"]]
        self.round_area = self._round_area()
        self.pdsa_area = w.VBox(
            [
                w.HTML(
                    "<h3>Reflection on the plan: Plan, Do, Study, Act</h3><p>Put what you "
                    "predicted beside what you observed, then decide what to keep, change or "
                    "stop. This cycle is kept with the plan, for everyone who has its link.</p>"
                ),
                self.pdsa,
                self._journal_area(),
                self.round_area,
            ]
        )
        self._refresh_review()
        return [
            _head(
                "review",
                9,
                "Co-production is not a one-off. Set a date to look back at this plan together.",
            ),
            self.review,
            self.review_state,
            self.open_review,
            self.pdsa_area,
        ]

    def _refresh_review(self) -> None:
        typed = self.review.values.get("date", "")
        when, problem = parse_date(typed, "Review date")
        self.review.messages = {"date": problem} if problem else {}
        due = review_due(self.data, self.today)
        self.pdsa_area.layout.display = None if due else "none"
        self.open_review.layout.display = "none" if due else None
        if due:
            text = "The review is open: reflect on the plan below."
        elif when is not None:
            text = (
                f"The review opens on {when.isoformat()}. You can start it sooner if you need to."
            )
        else:
            text = "Set a review date; the reflection on the plan opens on that day."
        self.review_state.value = f"<p role='status'>{escape(text)}</p>"
        self._refresh_timeline()

    def _on_open_review_click(self, _b: Any) -> None:
        self.save("review.opened", True)
        self._refresh_review()

    def _round_area(self) -> w.Widget:
        self.round_links = w.HTML()
        self.round_team = w.Text(
            description="Team name for the self-assessment",
            value=self.plan.title,
            style={"description_width": "initial"},
        )
        self.round_team.add_class("coprod-stacked")
        lib = self._frameworks or FrameworkLibrary()
        self.round_framework = w.Dropdown(
            description="Framework of principles",
            options=[(f"{f.title} ({len(f.principles)} principles)", f.id) for f in lib],
            style={"description_width": "initial"},
        )
        self.round_framework.add_class("coprod-stacked")
        self._library = lib
        self.open_round = w.Button(
            description="Open a self-assessment round", button_style="primary"
        )
        self.open_round.on_click(self._on_open_round_click)
        self.round_message = Notice()
        self.round_form = w.VBox([self.round_team, self.round_framework, self.open_round])
        box = w.VBox(
            [
                w.HTML(
                    "<h3>A team self-assessment (optional)</h3><p>Alongside the reflection, the "
                    "team can rate privately how well it co-produces, and see where views differ.</p>"
                ),
                self.round_form,
                self.round_message,
                self.round_links,
            ]
        )
        self._show_round()
        return box

    def _show_round(self, facilitator_code: str = "") -> None:
        """The round opened from this plan. Its results link is shown only in the tab that
        opened it, once: the plan's link is shared with the whole group, and the results link
        must not travel with it (exports leave it out too)."""
        rid = self.fields.get("review.round_id")
        if not isinstance(rid, int):
            return
        try:
            links = self.store.links(rid)
        except NotFound:
            return
        self.round_form.layout.display = "none"
        r = links.round
        results = (
            "<dt>For you, to see the results (copy it now: it is not shown again)</dt>"
            f"<dd><code>{escape(link(self.base_url, facilitator_code))}</code></dd>"
            if facilitator_code
            else "<dt>The results</dt><dd>The person who opened the round has the results "
            "link.</dd>"
        )
        self.round_links.value = (
            f"<p>Round {r.id} for {escape(r.team)} was opened on {escape(r.created_at[:10])}.</p>"
            "<dl class='coprod-links'>"
            f"<dt>For the team to answer</dt><dd><code>{escape(link(self.base_url, links.member_code))}</code></dd>"
            f"{results}</dl>"
        )

    def _on_open_round_click(self, _b: Any) -> None:
        try:
            # Another tab may have opened one since this page was loaded: one round per review.
            stored = self.store.plan_fields(self.code).get("review.round_id")
            if isinstance(stored, int):
                self.fields["review.round_id"] = self._seen["review.round_id"] = stored
                self.round_message.kind, self.round_message.title = "info", "Already open"
                self.round_message.text = "Someone opened the round for this review already."
                self._show_round()
                return
            if identity.only_owner_starts_rounds():
                self.round_message.kind, self.round_message.title = "info", "Ask the owner"
                self.round_message.text = (
                    "On this server only its owner starts self-assessment rounds. Ask the "
                    "person who runs it to open one from the start page, then keep its link "
                    "with this plan."
                )
                return
            fw = self._library.get(self.round_framework.value)
            created = self.store.create_round(self.round_team.value, fw)
        except (CoprodError, KeyError) as e:
            self.round_message.kind, self.round_message.title = "error", "Not opened"
            self.round_message.text = str(e).strip("'\"")
            return
        self.save("review.round_id", created.round.id)
        self.round_message.kind, self.round_message.title = "success", "The round is open"
        self.round_message.text = "Share the first link with the team. Keep the second to yourself."
        self._show_round(created.facilitator_code)

    # -- the review in one's own journal ----------------------------------------------------

    def _journal_area(self) -> w.Widget:
        self.journal_link = w.Text(
            description="Your journal's link (empty: start a new journal)",
            placeholder="the private link of your reflective journal",
            style={"description_width": "initial"},
            continuous_update=False,
        )
        self.journal_link.add_class("coprod-stacked")
        self.to_journal = w.Button(description="Reflect on it in my journal")
        self.to_journal.on_click(self._on_to_journal_click)
        self.journal_message = Notice()
        served = bool(self.base_url)
        return w.VBox(
            [
                w.HTML(
                    "<h3>In your own reflective journal (optional)</h3><p>Start a PDSA cycle "
                    "on this plan in your private journal, filled in from what the team wrote "
                    "here. You can follow it through more cycles there; nobody else sees it.</p>"
                ),
                *([self.journal_link] if served else []),
                self.to_journal,
                self.journal_message,
            ]
        )

    def _on_to_journal_click(self, _b: Any) -> None:
        from ..content.models import ModelLibrary

        key = ""
        if self.base_url:  # served: a journal is its private key
            typed = self.journal_link.value.strip()
            key = re.split(r"[/=]", typed.rstrip("/"))[-1] if typed else secrets.token_urlsafe(16)
            if not identity.valid_journal_key(key):
                self.journal_message.kind, self.journal_message.title = "error", "Not started"
                self.journal_message.text = (
                    "That is not a journal link: copy the whole link of your journal, or leave "
                    "the box empty to start a new journal."
                )
                return
            owner = identity.journal_key_owner(key)
        else:
            owner, _visit = identity.journal_owner()
        try:
            pdsa = ModelLibrary().get("pdsa")
            title = self.plan.title or "our plan"
            topic = self.store.journal_create_topic(owner, f"Review of the plan: {title}"[:200])
            entry = self.store.journal_start_cycle(owner, topic.id, pdsa)
            for stage, text in review_stages(self.data).items():
                self.store.journal_save_stage(owner, entry.id, stage, text)
        except (CoprodError, KeyError) as e:
            self.journal_message.kind, self.journal_message.title = "error", "Not started"
            self.journal_message.text = problem(e)
            return
        self.journal_message.kind, self.journal_message.title = "success", "In your journal"
        if key:
            where = f"{self.base_url.rstrip('/')}/journal/{key}"
            self.journal_message.text = (
                f"A PDSA cycle on this plan is in your journal: {where}\n"
                + (
                    "This is a new journal: keep that link private and safe. It is the only "
                    "way into it, and it is not shown again."
                    if not self.journal_link.value.strip()
                    else "Open your journal to carry on."
                )
            )
        else:
            self.journal_message.text = (
                "A PDSA cycle on this plan is in your journal: open the journal workbook."
            )

    # -- 10. export ---------------------------------------------------------------------------

    def _export(self) -> list[w.Widget]:
        self.make_html = w.Button(description="Make an HTML copy")
        self.make_pdf = w.Button(description="Make a PDF copy")
        self.make_html.on_click(lambda _b: self.export("html"))
        self.make_pdf.on_click(lambda _b: self.export("pdf"))
        self.export_note = Notice()
        self.downloads = w.HTML()
        self.downloads.add_class("coprod-downloads")
        return [
            _head(
                "export",
                10,
                "Make a copy of the plan to share, print or keep with your papers. It shows the "
                "plan as it is saved now.",
            ),
            w.HBox([self.make_html, self.make_pdf]),
            self.export_note,
            self.downloads,
        ]

    def export(self, fmt: str) -> bytes | None:
        """Make the plan's HTML or PDF and offer it as a download link in the page."""
        self.export_note.kind, self.export_note.title = "info", "Making the file..."
        self.export_note.text = "This takes a few seconds."
        try:
            from ..reports.export import export_report

            data = export_report("plan_report", {"code": self.code, "db": self.store.url}, fmt)
        except CoprodError as e:
            self.export_note.kind, self.export_note.title = "error", "The file could not be made"
            self.export_note.text = str(e)
            return None
        except Exception:  # noqa: BLE001 - the page must say so, not show a traceback
            log.exception("plan export failed")
            self.export_note.kind, self.export_note.title = "error", "The file could not be made"
            self.export_note.text = "Something went wrong. The plan itself is safe; try again."
            return None
        mime = "text/html" if fmt == "html" else "application/pdf"
        name = f"{_slug(self.plan.title)}.{fmt}"
        b64 = base64.b64encode(data).decode("ascii")
        size = f"{max(1, round(len(data) / 1024))} KB"
        made = {"html": "", "pdf": ""}
        made.update(getattr(self, "_made", {}))
        made[fmt] = (
            f"<li><a download='{escape(name)}' href='data:{mime};base64,{b64}' "
            f"class='coprod-download-{fmt}'>Download the plan as {fmt.upper()} "
            f"({escape(name)}, {size})</a></li>"
        )
        self._made = made
        self.downloads.value = "<ul>" + made["html"] + made["pdf"] + "</ul>"
        self.export_note.kind, self.export_note.title = "success", "Your file is ready"
        self.export_note.text = f"Use the link below to download the {fmt.upper()} file."
        return data


# -- without a plan: start one, or open one ------------------------------------------------------


class PlanStart(w.VBox):
    """Start a new plan (and see its private link), or open one by its code."""

    def __init__(self, store: Any, base_url: str = "", served: bool = False):
        self.store, self.base_url, self.served = store, base_url, served
        self.title = w.Text(
            description="Name of the plan",
            placeholder="e.g. Riverside youth drop-in",
            style={"description_width": "initial"},
        )
        self.start = w.Button(description="Start a new plan", button_style="primary")
        self.start.on_click(self._on_start_click)
        self.code = w.Text(
            description="Plan code",
            placeholder="the code at the end of your plan's link",
            style={"description_width": "initial"},
        )
        self.open_button = w.Button(description="Open the plan")
        self.open_button.on_click(self._on_open_click)
        self.message = Notice()
        self.body = w.VBox()
        header = w.HTML(
            "<header><h1>Plan how you will involve people</h1><p>For a commissioner, a "
            "service manager or a community group about to involve people in designing or "
            "running a service. The planner walks you through the questions to ask before "
            "you start, and leaves you with a plan to share and review.</p></header>"
        )
        children: list[w.Widget] = [
            w.HTML("<h2>Start a new plan</h2>"),
            self.title,
            self.start,
            w.HTML("<h2>Open a plan you started</h2><p>Paste the code from your plan's link.</p>"),
            w.HBox([self.code, self.open_button]),
        ]
        if not served:
            children.append(self._mine())
        # Hidden once a plan is open, so nobody starts a second plan by mistake.
        self.chooser = w.VBox(children)
        super().__init__([header, self.chooser, self.message, self.body])
        self.add_class("coprod-app")

    def _mine(self) -> w.Widget:
        """In JupyterLab the database is the user's own: list their plans to open."""
        plans = self.store.list_plans()[:20]
        if not plans:
            return w.HTML()
        buttons = []
        for s in plans:
            b = w.Button(description=f"Open: {s.plan.title or 'Untitled plan'}"[:80])
            b.on_click(lambda _b, code=s.plan.code: self._open(code))
            buttons.append(b)
        return w.VBox([w.HTML("<h2>Your plans</h2>"), *buttons])

    def _on_start_click(self, _b: Any) -> None:
        try:
            _plan, code = self.store.create_plan(self.title.value)
        except CoprodError as e:
            self.message.kind, self.message.title, self.message.text = (
                "error",
                "Not started",
                str(e),
            )
            return
        self.new_code = code
        url = plan_link(self.base_url, code)
        self.message.kind, self.message.title = "success", "Your plan is started"
        self.message.text = (
            f"Keep this private link to come back to it: {url}\n"
            "Anyone who has it can read and change the plan."
        )
        self._open(code)

    def _on_open_click(self, _b: Any) -> None:
        code = self.code.value.strip().rsplit("=", 1)[-1].rsplit("/", 1)[-1]
        self._open(code)

    def _open(self, code: str) -> None:
        page = safely(lambda: open_plan(code, self.base_url, self.store))
        self.body.children = [page]
        if isinstance(page, PlannerApp):
            self.chooser.layout.display = "none"


def _store(store: Any) -> Any:
    return store if store is not None else Store(os.environ.get("COPROD_DB") or None)


def open_plan(code: str, base_url: str = "", store: Any = None) -> w.Widget:
    try:
        return PlannerApp(_store(store), code, base_url)
    except ContentError as e:
        raise CoprodError(f"the planner's content files have problems: {e}") from None


def show(code: str | None = None, store: Any = None) -> w.Widget:
    """The workbook's one call: the plan whose code is given or in the link, or a way to start."""

    def build() -> w.Widget:
        if code:
            return open_plan(code, identity.base_url(), store)
        if identity.in_voila():
            visit = identity.from_request()
            if visit.plan:
                return open_plan(visit.plan, visit.base_url, store)
            return PlanStart(_store(store), visit.base_url, served=True)
        return PlanStart(_store(store), identity.base_url(), served=False)

    return safely(build)
