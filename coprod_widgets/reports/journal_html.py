"""A prepared journal export as HTML: every piece of the author's text escaped. The page shows
this HTML as its preview, and the report notebook hands the same HTML to nbconvert for the HTML
and PDF files (``journal.render``), so the page and the files cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

from ..model.forms import Answer
from ..model.journal import FREE_FORM, Entry, ReflectiveModel, Timeline, cpd_hours
from .journal_prepare import (
    NO_ANSWER,
    NONE_CHOSEN,
    NOT_WRITTEN,
    THEMES,
    Prepared,
    facts,
    part_name,
    stage_texts,
)


def html_text(text: str) -> str:
    """The author's text as escaped HTML paragraphs (blank lines) and line breaks."""
    paras = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(escape(line) for line in p.strip().split("\n")) + "</p>" for p in paras
    )


def _facts_html(e: Entry, m: ReflectiveModel, tags: Mapping[str, str]) -> str:
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts(e, m, tags))
    return f"<dl class='coprod-facts'>{rows}</dl>"


def timeline_html(tl: Timeline, level: int = 2) -> str:
    """The cycles of a topic: predicted beside observed, what changed, what is still open."""
    h = f"h{level}"
    rows = []
    for v in tl.cycles:
        compare = ""
        if v.model.compare is not None:
            compare = (
                f"<td>{html_text(v.predicted) or '<em>not written</em>'}</td>"
                f"<td>{html_text(v.observed) or '<em>not written</em>'}</td>"
            )
        else:
            compare = "<td colspan='2'><em>this model has no prediction</em></td>"
        rows.append(
            f"<tr><th scope='row'>Cycle {v.number}<br><small>{escape(v.entry.entry_date)}"
            f"</small></th><td>{html_text(v.started_from) or '<em>the first cycle</em>'}</td>"
            f"{compare}<td>{html_text(v.changed) or '<em>not decided yet</em>'}</td></tr>"
        )
    table = (
        "<table class='coprod-table coprod-words coprod-timeline'><caption>Cycles of this topic</caption>"
        "<thead><tr><th scope='col'>Cycle</th><th scope='col'>Started from</th>"
        "<th scope='col'>Predicted</th><th scope='col'>Observed</th>"
        "<th scope='col'>What it changed next</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<p>No cycles yet.</p>"
    )
    open_html = ""
    if tl.open_items:
        items = "".join(f"<li>{escape(x)}</li>" for x in tl.open_items)
        open_html = f"<{h}>Still open</{h}><ul class='coprod-open'>{items}</ul>"
    return f"<section class='coprod-timeline-section'>{table}{open_html}</section>"


def entries_html(prep: Prepared) -> str:
    parts = [
        f"<header><h1>{escape(prep.title)}</h1><p class='coprod-note'>Exported from a reflective "
        f"journal on {prep.exported_on}.</p></header>"
    ]
    if prep.timeline is not None:
        parts.append(f"<h2>Timeline</h2>{timeline_html(prep.timeline, 3)}")
    nested = len(prep.entries) > 1 or prep.topic is not None
    for e in prep.entries:
        m = prep.model_for.get(e.model_key, FREE_FORM)
        head = f"Cycle {e.cycle}: " if prep.topic is not None and e.cycle else ""
        sh = "h3" if nested else "h2"
        body = "".join(
            f"<{sh}>{escape(m.stage(sid).title if sid in m.stage_ids else 'Kept from another model: ' + sid)}</{sh}>"
            f"{html_text(text)}"
            for sid, text in stage_texts(e, m)
        )
        title = f"<h2>{escape(head + e.display_title())}</h2>" if nested else ""
        parts.append(
            f"<article class='coprod-entry'>{title}{_facts_html(e, m, prep.tag_titles)}{body}</article>"
        )
    return "".join(parts)


def _answer_html(n: int, a: Answer, h: str) -> str:
    out = f"<{h} class='coprod-question'>{n}. {escape(a.question.title)}</{h}>"
    if a.question.options:
        chosen = (
            "".join(f"<li>{escape(c)}</li>" for c in a.choices)
            or f"<li><em>{NONE_CHOSEN}</em></li>"
        )
        out += f"<p><strong>{THEMES}</strong></p><ul class='coprod-choices'>{chosen}</ul>"
    if a.text:
        out += f"<div class='coprod-answer'>{html_text(a.text)}</div>"
    elif not a.question.options:
        out += f"<p class='coprod-answer'><em>{NO_ANSWER}</em></p>"
    return out


def form_html(prep: Prepared) -> str:
    assert prep.filled is not None and prep.form is not None
    f, filled = prep.form, prep.filled
    parts = [
        f"<header><h1>{escape(f.title)}</h1><p class='coprod-note'>{escape(f.regulator)}. "
        f"Prepared from a reflective journal on {prep.exported_on}: check it against "
        "the regulator's current form.</p></header>"
    ]
    for p in filled.parts:
        parts.append(
            f"<h2>{escape(p.question.title)}</h2>"
            + (html_text(p.text) or f"<p><em>{NOT_WRITTEN}</em></p>")
        )
    if f.dated_list:
        rows = "".join(
            f"<tr><td>{escape(e.entry_date)}</td><td>{escape(e.display_title())}</td>"
            f"<td>{escape(cpd_hours(e.minutes))}</td></tr>"
            for e in prep.entries
        )
        parts.append(
            "<h2>Dated list of activities</h2><table class='coprod-table coprod-words'><thead><tr>"
            "<th scope='col'>Date</th><th scope='col'>Activity</th><th scope='col'>Hours</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    many = len(filled.entries) > 1 or bool(f.limits)
    for i, fe in enumerate(filled.entries, start=1):
        head = f"<h2>{part_name(f)} {i}: {escape(fe.entry.display_title())}</h2>" if many else ""
        h = "h3" if many else "h2"
        answers = "".join(_answer_html(n, a, h) for n, a in enumerate(fe.answers, start=1))
        parts.append(f"<article class='coprod-form-entry'>{head}{answers}</article>")
    return "".join(parts)


def body_html(prep: Prepared) -> str:
    return form_html(prep) if prep.form is not None else entries_html(prep)
