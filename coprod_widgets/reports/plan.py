"""The plan report: a co-production plan as a page to share, print and review.

``plan_report_html`` builds the body from the plan's fields and the planner's content, one part
after another in the order of the workbook. Every piece of user text is escaped here. A
self-assessment round opened at review is named but its links are not printed: a shared plan
must not hand out the results link.
"""

from __future__ import annotations

from datetime import date
from html import escape

from ..analysis.budget import budget_html
from ..content.planner import load_planner_content
from ..model.plan import (
    MILESTONE_KINDS,
    OTHER_AREA,
    PDSA,
    PDSA_DECISIONS,
    PURPOSE,
    SUPPORT_NEEDS,
    VOICES,
    WILL_CHOICES,
    PlanData,
    PlannerContent,
    PlanRecord,
    reader_citation,
    stage_date_problems,
    timeline,
)
from .team import ReportHTML

NOT_YET = "<p class='coprod-note'>Not filled in yet.</p>"


def paragraphs(text: str) -> str:
    """Typed text as escaped paragraphs; a single line break stays a line break."""
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join("<p>" + escape(b).replace("\n", "<br>") + "</p>" for b in blocks)


def _answer(label: str, text: str) -> str:
    body = paragraphs(text) or NOT_YET
    return f"<h3>{escape(label)}</h3>{body}"


def _table(caption: str, head: list[str], rows: list[list[str]]) -> str:
    """A table whose cells are already-escaped HTML."""
    th = "".join(f"<th scope='col'>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (
        f"<table class='coprod-plan-table'><caption>{escape(caption)}</caption>"
        f"<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
    )


def header_html(plan: PlanRecord) -> str:
    title = plan.title or "Untitled plan"
    return (
        f"<header class='coprod-report-header'><h1>{escape(title)}: co-production plan</h1>"
        "<dl class='coprod-facts'>"
        f"<dt>Started</dt><dd>{escape(plan.created_at[:10])}</dd>"
        f"<dt>Last changed</dt><dd>{escape(plan.updated_at[:10])}</dd>"
        f"<dt>Report made</dt><dd>{date.today().isoformat()}</dd>"
        "</dl></header>"
    )


def purpose_html(data: PlanData) -> str:
    parts = [_answer(f.label, data.text(f"purpose.{f.name}")) for f in PURPOSE]
    return "<section><h2>1. Purpose</h2>" + "".join(parts) + "</section>"


def ladder_html(data: PlanData, content: PlannerContent) -> str:
    lid = data.text("ladder.id") or content.ladders[0].id
    try:
        lad = content.ladder(lid)
    except KeyError:
        return (
            "<section><h2>2. Where on the ladder</h2><p class='coprod-note'>The ladder this "
            f"plan used ({escape(lid)}) is no longer available.</p></section>"
        )
    rows = []
    for which, label in (("today", "Today"), ("aim", "Our aim")):
        sid = data.text(f"ladder.{lad.id}.{which}")
        try:
            step = lad.step(sid)
        except KeyError:
            rows.append([escape(label), "Not chosen yet", ""])
            continue
        rows.append(
            [
                escape(label),
                f"{lad.number(step.id)}. {escape(step.title)}",
                escape(step.description),
            ]
        )
    n = len(lad.steps)
    return (
        f"<section><h2>2. Where on the ladder</h2><p>{escape(lad.title)} ({n} {lad.kind}s, "
        f"1 the lowest, {n} the highest).</p>"
        + _table("Where the work stands and where it aims to be", ["", "Step", "Meaning"], rows)
        + _answer("What would have to change", data.text("ladder.notes"))
        + f"<p class='coprod-note'>Source: {escape(reader_citation(lad.source))}</p></section>"
    )


def cos_html(data: PlanData, content: PlannerContent) -> str:
    will = dict(WILL_CHOICES)
    rows = []
    for co in content.four_cos:
        choice = data.text(f"cos.{co.id}.will")
        rows.append(
            [
                escape(co.title),
                escape(will.get(choice, "Not decided yet")),
                paragraphs(data.text(f"cos.{co.id}.who")),
                paragraphs(data.text(f"cos.{co.id}.how")),
            ]
        )
    return (
        "<section><h2>3. The four Co's</h2>"
        + _table(
            "Which stages will be co-produced, with whom and how",
            ["Stage", "Co-produced?", "With whom", "How"],
            rows,
        )
        + "</section>"
    )


def voices_html(data: PlanData) -> str:
    parts = [_answer(f.label, data.text(f"voices.{f.name}")) for f in VOICES]
    needs = [label for k, label in SUPPORT_NEEDS if data.flag(f"voices.support.{k}")]
    items = "".join(f"<li>{escape(n)}</li>" for n in needs)
    parts.append(
        "<h3>Access and support we will offer</h3>"
        + (f"<ul>{items}</ul>" if needs else "<p class='coprod-note'>None chosen yet.</p>")
        + paragraphs(data.text("voices.support_notes"))
    )
    return "<section><h2>4. Voices</h2>" + "".join(parts) + "</section>"


def budget_section_html(data: PlanData, content: PlannerContent) -> str:
    lines = data.budget_lines()
    note = content.payments
    points = "".join(f"<li>{escape(p)}</li>" for p in note.points)
    body = budget_html(lines, with_lines=True) if lines else NOT_YET
    has_payments = any(line.kind == "payment" for line in lines)
    payment_note = (
        f"<div class='coprod-payment-note'><p><strong>{escape(note.summary)}</strong></p>"
        f"<ul>{points}</ul><p class='coprod-note'>Sources: {escape(reader_citation(note.source))}</p>"
        "</div>"
        if has_payments
        else ""
    )
    return "<section><h2>5. Budget</h2>" + body + payment_note + "</section>"


def timeline_html(data: PlanData) -> str:
    entries = timeline(data)
    kinds = {"stage": "Stage", **dict(MILESTONE_KINDS)}
    rows = [
        [
            escape(e.when.isoformat()) if e.when else escape(e.typed or "No date"),
            escape(kinds.get(e.kind, e.kind)),
            escape(e.what),
        ]
        for e in entries
    ]
    problems = [e.problem for e in entries if e.problem]
    problems += list(stage_date_problems(data).values())
    notes = "".join(f"<li>{escape(p)}</li>" for p in problems)
    return (
        "<section><h2>6. Timeline</h2>"
        + (
            _table("Stages, milestones and review dates", ["When", "What kind", "What"], rows)
            if rows
            else NOT_YET
        )
        + (
            f"<div class='coprod-note'><p>Dates to check:</p><ul>{notes}</ul></div>"
            if notes
            else ""
        )
        + "</section>"
    )


def risks_html(data: PlanData) -> str:
    rows = [
        [
            paragraphs(str(v.get("risk") or "")),
            paragraphs(str(v.get("how") or "")),
            escape(str(v.get("who") or "")),
        ]
        for _rid, v in data.rows("risks")
    ]
    return (
        "<section><h2>7. Risks and how we will meet them</h2>"
        + (
            _table("Risks", ["Risk", "How we will meet it", "Who keeps an eye on it"], rows)
            if rows
            else NOT_YET
        )
        + "</section>"
    )


def measures_html(data: PlanData, content: PlannerContent) -> str:
    rows = []
    covered = set()
    for _rid, v in data.rows("measures"):
        aid = str(v.get("area") or "")
        area = content.area(aid)
        covered.add(aid)
        name = area.title if area else ("Something else" if aid == OTHER_AREA else "Not chosen")
        rows.append(
            [
                escape(name),
                paragraphs(str(v.get("what") or "")),
                paragraphs(str(v.get("how") or "")),
            ]
        )
    missing = [a.title for a in content.areas if a.id not in covered]
    gap = (
        f"<p class='coprod-note'>Areas of benefit without a measure yet: {escape(', '.join(missing))}.</p>"
        if rows and missing
        else ""
    )
    return (
        "<section><h2>8. Measures: how we will know it worked</h2>"
        + (
            _table(
                "Measures by area of benefit",
                ["Area of benefit", "What we will look for", "How we will find out"],
                rows,
            )
            if rows
            else NOT_YET
        )
        + gap
        + "</section>"
    )


def review_html(data: PlanData, round_text: str = "") -> str:
    when = data.text("review.date")
    parts = [
        f"<p>Review date: <strong>{escape(when) if when.strip() else 'not set yet'}</strong></p>"
    ]
    pdsa = {f.name: data.text(f"review.pdsa.{f.name}") for f in PDSA}
    if any(v.strip() for v in pdsa.values()):
        labels = {f.name: f.label for f in PDSA}
        for name in ("plan", "do"):
            parts.append(_answer(labels[name], pdsa[name]))
        parts.append(
            _table(
                "What we predicted beside what we observed",
                ["What we predicted", "What we observed"],
                [[paragraphs(pdsa["predicted"]) or "", paragraphs(pdsa["observed"]) or ""]],
            )
        )
        for name in ("study", "act"):
            parts.append(_answer(labels[name], pdsa[name]))
        decision = dict(PDSA_DECISIONS).get(pdsa["decision"], "Not decided yet")
        parts.append(f"<p>Decision: <strong>{escape(decision)}</strong></p>")
    elif data.flag("review.opened"):
        parts.append("<p class='coprod-note'>The review has been opened; nothing written yet.</p>")
    if round_text:
        parts.append(f"<p>{escape(round_text)}</p>")
    return "<section><h2>9. Review</h2>" + "".join(parts) + "</section>"


def plan_report_html(
    plan: PlanRecord, data: PlanData, content: PlannerContent, round_text: str = ""
) -> str:
    """The whole plan, part by part, as one escaped HTML fragment."""
    return (
        "<div class='coprod-plan-report'>"
        + header_html(plan)
        + purpose_html(data)
        + ladder_html(data, content)
        + cos_html(data, content)
        + voices_html(data)
        + budget_section_html(data, content)
        + timeline_html(data)
        + risks_html(data)
        + measures_html(data, content)
        + review_html(data, round_text)
        + "</div>"
    )


def round_text(store, data: PlanData) -> str:
    """'A team self-assessment round was opened on ... (Team, framework).' or ''."""
    rid = data.fields.get("review.round_id")
    if not isinstance(rid, int):
        return ""
    try:
        rnd = store.rounds.get(rid)
    except Exception:  # noqa: BLE001 - a deleted round must not stop the report
        return ""
    return (
        f"A team self-assessment round was opened at review on {rnd.created_at[:10]} "
        f"for {rnd.team} ({rnd.framework_id}); its links are kept in the planner, not here."
    )


def plan_report(code: str, db: str | None = None) -> ReportHTML:
    """The report notebook's one call: `db` is a database URL ($COPROD_DB or the default)."""
    from ..store import Store

    store = Store(db)
    try:
        plan = store.plans.by_code(code)  # NotFound: "this plan link is not recognised"
        data = PlanData(plan.title, store.plans.fields(code))
        text = round_text(store, data)
    finally:
        store.close()
    html = plan_report_html(plan, data, load_planner_content(), text)
    return ReportHTML(html, f"Plan: {plan.title or 'Untitled plan'}")
