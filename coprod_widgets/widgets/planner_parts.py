"""The planner's first parts, each a box of fields: the header, 1. purpose, 2. the ladder,
3. the four Co's, 4. voices. Each is built from the plan's fields as stored; no store access."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from html import escape
from typing import Any

import ipywidgets as w

from ..model.plan import (
    CO,
    LADDER,
    PURPOSE,
    VOICES,
    VOICES_SUPPORT,
    VOICES_SUPPORT_NOTES,
    Field,
    PlanData,
    PlannerContent,
)
from .planner import PARTS, FieldsBox, PlanPart, cite, part_head, values_under


def header(url: str, served: bool) -> w.HTML:
    """The page's heading, how to come back to the plan (its private link when ``served``, or
    its code), and the contents of its parts."""
    items = "".join(f"<li><a href='#plan-{k}'>{escape(t)}</a></li>" for k, t in PARTS)
    if served:
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
    return w.HTML(
        "<header><h1>Plan: how we will involve people</h1>"
        "<p>Work through the parts below before you start, with the people you plan with. "
        "Everything is saved as you type.</p>"
        f"<details class='coprod-come-back' open><summary>Coming back to this plan</summary>{where}"
        "</details>"
        f"<nav aria-label='Parts of the plan'><ol>{items}</ol></nav></header>"
    )


class PurposeView(PlanPart):
    """1. The plan's name, what is at stake, and what is and is not open to change."""

    def __init__(self, title: str, fields: Mapping[str, Any]):
        name = Field(
            "title", "Name of the plan", "text", placeholder="e.g. Riverside youth drop-in"
        )
        self.title_box = FieldsBox([name], {"title": title}, prefix="")
        self.fields = FieldsBox(PURPOSE, values_under(fields, "purpose."), prefix="purpose.")
        head = part_head(
            "purpose",
            "Say what is at stake, and be honest about the limits: people need to know what "
            "they can and cannot change before they give their time.",
        )
        super().__init__("purpose", [head, self.title_box, self.fields])

    @property
    def boxes(self) -> list[FieldsBox]:
        return [self.title_box, self.fields]


class LadderView(PlanPart):
    """2. Which ladder of participation, where the work is on it today, and where it aims to be.

    Each ladder keeps its own choices (``steps``, one box per ladder, only the chosen one shown);
    the table shows the chosen ladder with today and the aim marked."""

    def __init__(self, content: PlannerContent, fields: Mapping[str, Any]):
        self.ladders = content.ladders
        chosen = fields.get("ladder.id")
        if chosen not in {lad.id for lad in self.ladders}:
            chosen = self.ladders[0].id
        options = tuple(
            (lad.id, f"{lad.title} ({len(lad.steps)} {lad.kind}s)") for lad in self.ladders
        )
        self.choice = FieldsBox(
            [Field("id", "Which ladder?", "ident", options, style="radio")],
            {"id": chosen},
            prefix="ladder.",
        )
        self.steps: dict[str, FieldsBox] = {}
        for lad in self.ladders:
            steps = (("", f"Choose a {lad.kind}"),) + tuple(
                (s.id, f"{i}. {s.title}") for i, s in enumerate(lad.steps, start=1)
            )
            prefix = f"ladder.{lad.id}."
            self.steps[lad.id] = FieldsBox(
                [
                    Field("today", f"Where the work is today ({lad.title})", "ident", steps),
                    Field("aim", f"Where we aim to be ({lad.title})", "ident", steps),
                ],
                values_under(fields, prefix),
                prefix=prefix,
            )
        self.table = w.HTML()
        self.notes = FieldsBox(LADDER, values_under(fields, "ladder."), prefix="ladder.")
        head = part_head(
            "ladder",
            "Where does the work stand today, and where do you aim to be? Not all work has to "
            "reach the top, but say honestly where it is.",
        )
        super().__init__(
            "ladder", [head, self.choice, *self.steps.values(), self.table, self.notes]
        )
        self.refresh(PlanData())

    @property
    def boxes(self) -> list[FieldsBox]:
        return [self.choice, *self.steps.values(), self.notes]

    def refresh(self, data: PlanData) -> None:
        lid = self.choice.values.get("id")
        lad = next((x for x in self.ladders if x.id == lid), self.ladders[0])
        for k, box in self.steps.items():
            box.layout.display = None if k == lad.id else "none"
        steps = self.steps[lad.id].values
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
        ids = {s.id for s in lad.steps}
        if today in ids and aim in ids and lad.number(aim) < lad.number(today):
            warn = (
                "<p class='coprod-note' role='status'>Your aim is lower on the ladder than "
                "where the work is today. If that is on purpose, say why below.</p>"
            )
        self.table.value = (
            f"<details class='coprod-ladder'><summary>The {len(lad.steps)} {lad.kind}s of the "
            f"{escape(lad.title)}</summary><p>{escape(lad.summary)}</p>"
            f"<table><caption class='coprod-sr'>{escape(lad.title)}, lowest first</caption>"
            "<thead><tr><th scope='col'>No.</th><th scope='col'>Step</th><th scope='col'>Group</th>"
            "<th scope='col'>What it means</th><th scope='col'>This plan</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            f"<p class='coprod-note'>Source: {cite(lad.source)}</p></details>{warn}"
        )


class CosView(PlanPart):
    """3. For each of the four Co's: will it be co-produced, with whom, and how
    (``stages``: one box per Co, by its id)."""

    def __init__(self, content: PlannerContent, fields: Mapping[str, Any]):
        out: list[w.Widget] = [
            part_head(
                "cos", "For each stage of the service, will it be co-produced, with whom, and how?"
            )
        ]
        self.stages: dict[str, FieldsBox] = {}
        for co in content.four_cos:
            specs = [replace(f, label=f"{co.title}: {f.label[0].lower()}{f.label[1:]}") for f in CO]
            out.append(
                w.HTML(
                    f"<h3>{escape(co.title)}</h3><p class='coprod-note'>{escape(co.description)}</p>"
                )
            )
            prefix = f"cos.{co.id}."
            self.stages[co.id] = FieldsBox(specs, values_under(fields, prefix), prefix=prefix)
            out.append(self.stages[co.id])
        out.append(w.HTML(f"<p class='coprod-note'>Source: {cite(content.four_cos_source)}</p>"))
        super().__init__("cos", out)

    @property
    def boxes(self) -> list[FieldsBox]:
        return list(self.stages.values())


class VoicesView(PlanPart):
    """4. Who should be in the room and who usually is not, and the support people need."""

    def __init__(self, fields: Mapping[str, Any]):
        self.fields = FieldsBox(VOICES, values_under(fields, "voices."), prefix="voices.")
        self.support = FieldsBox(
            VOICES_SUPPORT, values_under(fields, "voices.support."), prefix="voices.support."
        )
        self.support_notes = FieldsBox(
            VOICES_SUPPORT_NOTES, values_under(fields, "voices."), prefix="voices."
        )
        head = part_head(
            "voices",
            "Co-production goes wrong when it relies on the same few voices, or looks like a "
            "closed club to everyone else. Who should be in the room, and who usually is not?",
        )
        support = w.HTML(
            "<h3>Access and support</h3><p>People take part as equals only with the support "
            "they need. Which will you offer?</p>"
        )
        super().__init__("voices", [head, self.fields, support, self.support, self.support_notes])

    @property
    def boxes(self) -> list[FieldsBox]:
        return [self.fields, self.support, self.support_notes]
