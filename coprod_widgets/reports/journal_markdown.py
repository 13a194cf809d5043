"""A prepared journal export as Markdown: the author's text backslash-escaped, so nothing they
typed becomes markup. Rendered from ``journal_prepare.Prepared`` only, as the HTML and the page's
preview are, so the three say the same things."""

from __future__ import annotations

import re

from ..model.forms import Answer
from ..model.journal import FREE_FORM, Timeline, cpd_hours
from .journal_prepare import (
    NO_ANSWER,
    NONE_CHOSEN,
    NOT_WRITTEN,
    THEMES,
    Prepared,
    facts,
    part_name,
    short,
    stage_texts,
)

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md_text(text: str) -> str:
    """The author's text as Markdown that renders as that text: markup characters escaped,
    entity-like ampersands escaped, paragraphs kept."""
    s = _MD_SPECIAL.sub(r"\\\1", text.strip())
    s = re.sub(r"&(?=#?\w+;)", r"\\&", s)
    s = re.sub(r"^(\s*)([-+=]|\d+[.)])(\s)", r"\1\\\2\3", s, flags=re.MULTILINE)
    lines = [line.rstrip() for line in s.split("\n")]
    # A line break inside a paragraph stays a line break (two trailing spaces).
    return "\n".join(
        line + ("  " if line and i + 1 < len(lines) and lines[i + 1] else "")
        for i, line in enumerate(lines)
    )


def entries_markdown(prep: Prepared) -> str:
    lines = [
        f"# {md_text(prep.title)}",
        "",
        f"_Exported from a reflective journal on {prep.exported_on}._",
        "",
    ]
    if prep.timeline is not None:
        lines += _timeline_markdown(prep.timeline)
    for e in prep.entries:
        m = prep.model_for.get(e.model_key, FREE_FORM)
        head = f"Cycle {e.cycle}: " if prep.topic is not None and e.cycle else ""
        if len(prep.entries) > 1 or prep.topic is not None:
            lines += [f"## {md_text(head + e.display_title())}", ""]
        lines += [f"- {k}: {md_text(v)}" for k, v in facts(e, m, prep.tag_titles)] + [""]
        level = "###" if len(prep.entries) > 1 or prep.topic is not None else "##"
        for sid, text in stage_texts(e, m):
            title = m.stage(sid).title if sid in m.stage_ids else f"Kept from another model: {sid}"
            lines += [f"{level} {md_text(title)}", "", md_text(text), ""]
    return "\n".join(lines).rstrip() + "\n"


def _timeline_markdown(tl: Timeline) -> list[str]:
    lines = ["## Timeline", ""]
    for v in tl.cycles:
        lines.append(
            f"- Cycle {v.number} ({v.entry.entry_date}): {md_text(v.entry.display_title())}"
        )
        if v.predicted or v.observed:
            lines.append(f"    - Predicted: {md_text(short(v.predicted, 200)) or '(not written)'}")
            lines.append(f"    - Observed: {md_text(short(v.observed, 200)) or '(not written)'}")
        if v.changed:
            lines.append(f"    - What it changed: {md_text(short(v.changed, 200))}")
    if tl.open_items:
        lines += ["", "### Still open", ""] + [f"- {md_text(x)}" for x in tl.open_items]
    return [*lines, ""]


def _answer_md(n: int, a: Answer, level: str) -> list[str]:
    lines = [f"{level} {n}. {md_text(a.question.title)}", ""]
    if a.question.options:
        chosen = md_text("; ".join(a.choices)) if a.choices else f"_{NONE_CHOSEN}_"
        lines += [f"{THEMES} {chosen}", ""]
    if a.text:
        lines += [md_text(a.text), ""]
    elif not a.question.options:
        lines += [f"_{NO_ANSWER}_", ""]
    return lines


def form_markdown(prep: Prepared) -> str:
    assert prep.filled is not None and prep.form is not None
    f, filled = prep.form, prep.filled
    lines = [
        f"# {md_text(f.title)}",
        "",
        f"_{md_text(f.regulator)}. Prepared from a reflective journal on "
        f"{prep.exported_on}: check it against the regulator's current form._",
        "",
    ]
    for p in filled.parts:
        lines += [
            f"## {md_text(p.question.title)}",
            "",
            md_text(p.text) or f"_{NOT_WRITTEN}_",
            "",
        ]
    if f.dated_list:
        lines += ["## Dated list of activities", "", "| Date | Activity | Hours |", "|---|---|---|"]
        lines += [
            f"| {e.entry_date} | {md_text(e.display_title())} | {cpd_hours(e.minutes)} |"
            for e in prep.entries
        ] + [""]
    many = len(filled.entries) > 1 or bool(f.limits)
    for i, fe in enumerate(filled.entries, start=1):
        if many:
            lines += [f"## {part_name(f)} {i}: {md_text(fe.entry.display_title())}", ""]
        for n, a in enumerate(fe.answers, start=1):
            lines += _answer_md(n, a, "###" if many else "##")
    return "\n".join(lines).rstrip() + "\n"


def to_markdown(prep: Prepared) -> str:
    return form_markdown(prep) if prep.form is not None else entries_markdown(prep)
