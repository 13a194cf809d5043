"""Journal exports: one entry, a selection or a topic's cycles, as written or in a regulator's
form, to Markdown, HTML or PDF, with the identifier check and the word limits before any of it.

The order is always: gather (``prepare``: the owner's entries only, through the Store's owner
filter), check (identifiers found, limits over), then render. HTML and PDF go through the
report route (``reports/notebooks/journal_report.ipynb`` run by ``reports.export``), so they
look like every other coprod report; Markdown is written here. Every piece of the author's text
is escaped in HTML and backslash-escaped in Markdown, so nothing they typed can become markup.

A word limit over the regulator's maximum refuses the form export (the regulator would refuse
the form); the entry itself can always be exported as written. Identifiers found refuse the
export until the author fixes them or says to export anyway (``ignore_identifiers``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any

from ..errors import CoprodError, InvalidInput
from ..model.forms import (
    Answer,
    EntryFormSettings,
    ExportForm,
    FilledForm,
    LimitCheck,
    fill_form,
)
from ..model.identifiers import Finding, scan
from ..model.journal import (
    FREE_FORM,
    Entry,
    ReflectiveModel,
    Timeline,
    Topic,
    cpd_hours,
    timeline,
)

FORMATS = {"md": "text/markdown", "html": "text/html", "pdf": "application/pdf"}
SUFFIX = {"md": ".md", "html": ".html", "pdf": ".pdf"}


class IdentifiersFound(CoprodError):
    """The export may identify someone: ``findings`` say what and where."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        n = len(findings)
        super().__init__(
            f"{n} thing{'s' if n != 1 else ''} that may identify someone: fix "
            f"{'them' if n != 1 else 'it'}, or export anyway if you are sure"
        )


class OverLimit(CoprodError):
    """A form's part is longer than the regulator allows."""

    def __init__(self, checks: Sequence[LimitCheck]):
        self.checks = tuple(checks)
        super().__init__(
            "over the word limit, so the form was not exported: "
            + "; ".join(c.message() for c in self.checks)
            + ". Shorten it, or export the entry as written instead."
        )


@dataclass
class Prepared:
    """Everything an export will contain, gathered for one owner and checked."""

    title: str
    entries: list[Entry]
    model_for: dict[str, ReflectiveModel]
    tag_titles: dict[str, str]
    topic: Topic | None = None
    timeline: Timeline | None = None
    form: ExportForm | None = None
    filled: FilledForm | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def over(self) -> tuple[LimitCheck, ...]:
        return self.filled.over_limit if self.filled else ()

    @property
    def notes(self) -> tuple[str, ...]:
        return self.filled.notes if self.filled else ()

    def filename(self, fmt: str) -> str:
        """No user text in the name: a file name is seen in more places than its content."""
        what = self.form.id if self.form else "journal"
        if self.topic is not None:
            scope = f"topic-{self.topic.id}-cycles"
        elif len(self.entries) == 1:
            scope = f"entry-{self.entries[0].id}"
        else:
            scope = f"{len(self.entries)}-entries"
        return f"{what}-{scope}-{date.today().isoformat()}{SUFFIX[fmt]}"


def tag_titles() -> dict[str, str]:
    """'framework-id/principle-id' -> 'Principle (Framework)', for every shipped framework."""
    from ..content import FrameworkLibrary

    out: dict[str, str] = {}
    for fw in FrameworkLibrary():
        for p in fw.principles:
            out[f"{fw.id}/{p.id}"] = f"{p.title} ({fw.title})"
    return out


def models_for(store: Any, entries: Sequence[Entry]) -> dict[str, ReflectiveModel]:
    """The model each entry was written with, as the store keeps it."""
    out: dict[str, ReflectiveModel] = {}
    for e in entries:
        if e.model_key not in out:
            try:
                out[e.model_key] = store.journal_model(e.model_id, e.model_version)
            except CoprodError:
                out[e.model_key] = FREE_FORM
    return out


def prepare(
    store: Any,
    owner: str,
    *,
    entry_ids: Sequence[int] = (),
    topic_id: int | None = None,
    form: ExportForm | None = None,
    titles: Mapping[str, str] | None = None,
) -> Prepared:
    """Gather an export: the owner's entries (NotFound for anyone else's), filled in the form if
    one is given, and everything in it checked for identifiers."""
    topic = None
    if topic_id is not None:
        topic = store.journal_topic(owner, topic_id)
        entries = store.journal_cycles(owner, topic_id)
        if entry_ids:
            wanted = set(entry_ids)
            entries = [e for e in entries if e.id in wanted]
    else:
        if not entry_ids:
            raise InvalidInput("choose at least one entry to export")
        entries = store.journal_entries(owner, list(dict.fromkeys(entry_ids)))
    if not entries:
        raise InvalidInput("there is nothing to export: this topic has no cycles yet")
    model_for = models_for(store, entries)
    if topic is not None:
        title = f"{topic.title}: reflection cycles"
    elif len(entries) == 1:
        title = entries[0].display_title()
    else:
        title = f"Reflective journal: {len(entries)} entries"
    prep = Prepared(
        title=title,
        entries=entries,
        model_for=model_for,
        tag_titles=dict(titles) if titles is not None else tag_titles(),
        topic=topic,
        timeline=timeline(topic, entries, model_for) if topic is not None else None,
        form=form,
    )
    if form is not None:
        settings = {
            e.id: EntryFormSettings.from_values(store.journal_form_settings(owner, e.id, form.id))
            for e in entries
        }
        parts = store.journal_form_parts(owner, form.id)
        prep.filled = fill_form(form, entries, model_for, settings, parts)
        prep.title = form.title if len(entries) == 1 else f"{form.title} ({len(entries)} entries)"
        prep.findings = scan(_form_fields(prep.filled, settings, parts))
    else:
        prep.findings = scan(_entry_fields(prep))
    return prep


def _entry_label(e: Entry) -> str:
    return f"Entry “{e.display_title()}” ({e.entry_date})"


def _entry_fields(prep: Prepared) -> list[tuple[str, str, str]]:
    out = []
    for e in prep.entries:
        m = prep.model_for.get(e.model_key, FREE_FORM)
        out.append((f"entry:{e.id}:title", f"{_entry_label(e)} › title", e.title))
        for sid, text in _stage_texts(e, m):
            title = m.stage(sid).title if sid in m.stage_ids else sid
            out.append((f"entry:{e.id}:stage:{sid}", f"{_entry_label(e)} › {title}", text))
    if prep.topic is not None:
        out.insert(0, (f"topic:{prep.topic.id}:title", "Topic title", prep.topic.title))
    return out


def _form_fields(
    filled: FilledForm, settings: Mapping[int, EntryFormSettings], parts: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    out = [
        (f"part:{p.question.id}", p.question.title, parts.get(p.question.id, ""))
        for p in filled.parts
    ]
    for fe in filled.entries:
        e, m = fe.entry, fe.model
        s = settings.get(e.id)
        # Titles go out in headings and in the HCPC dated list whether or not a question
        # draws on them: always checked.
        out.append((f"entry:{e.id}:title", f"{_entry_label(e)} › title", e.title))
        for a in fe.answers:
            for sid in a.stages:
                title = m.stage(sid).title if sid in m.stage_ids else sid
                out.append(
                    (
                        f"entry:{e.id}:stage:{sid}",
                        f"{_entry_label(e)} › {title}",
                        e.stages.get(sid, ""),
                    )
                )
            if s and s.texts.get(a.question.id):
                out.append(
                    (
                        f"entry:{e.id}:text:{a.question.id}",
                        f"{_entry_label(e)} › your words for “{_short(a.question.title)}”",
                        s.texts[a.question.id],
                    )
                )
    return out


def _stage_texts(e: Entry, m: ReflectiveModel) -> list[tuple[str, str]]:
    """The entry's text in the model's order, then any kept from another model's stages."""
    out = [(s.id, e.stages[s.id]) for s in m.stages if e.stages.get(s.id, "").strip()]
    out += [(k, v) for k, v in e.stages.items() if v.strip() and k not in m.stage_ids]
    return out


def _short(text: str, n: int = 60) -> str:
    t = " ".join(text.split())
    return t if len(t) <= n else t[: n - 1].rstrip() + "…"


def check(prep: Prepared, *, ignore_identifiers: bool = False) -> None:
    """Refuse what must not go out: a form over a word limit, or identifiers not waved through."""
    if prep.over:
        raise OverLimit(prep.over)
    if prep.findings and not ignore_identifiers:
        raise IdentifiersFound(prep.findings)


# -- Markdown -----------------------------------------------------------------------------------

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


def _facts(e: Entry, m: ReflectiveModel, tags: Mapping[str, str]) -> list[tuple[str, str]]:
    hours = cpd_hours(e.minutes)
    facts = [
        ("Date", e.entry_date),
        ("Reflective model", m.title),
        (
            "Time spent",
            f"{hours} hour{'s' if hours != '1' else ''}"
            + (", participatory" if e.participatory else ""),
        ),
        ("Status", "finished" if e.finished else "draft"),
    ]
    if e.tags:
        facts.append(("Tags", "; ".join(tags.get(t, t) for t in e.tags)))
    return facts


def entries_markdown(prep: Prepared) -> str:
    lines = [
        f"# {md_text(prep.title)}",
        "",
        f"_Exported from a reflective journal on {date.today().isoformat()}._",
        "",
    ]
    if prep.timeline is not None:
        lines += _timeline_markdown(prep.timeline)
    for e in prep.entries:
        m = prep.model_for.get(e.model_key, FREE_FORM)
        head = f"Cycle {e.cycle}: " if prep.topic is not None and e.cycle else ""
        if len(prep.entries) > 1 or prep.topic is not None:
            lines += [f"## {md_text(head + e.display_title())}", ""]
        lines += [f"- {k}: {md_text(v)}" for k, v in _facts(e, m, prep.tag_titles)] + [""]
        level = "###" if len(prep.entries) > 1 or prep.topic is not None else "##"
        for sid, text in _stage_texts(e, m):
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
            lines.append(f"    - Predicted: {md_text(_short(v.predicted, 200)) or '(not written)'}")
            lines.append(f"    - Observed: {md_text(_short(v.observed, 200)) or '(not written)'}")
        if v.changed:
            lines.append(f"    - What it changed: {md_text(_short(v.changed, 200))}")
    if tl.open_items:
        lines += ["", "### Still open", ""] + [f"- {md_text(x)}" for x in tl.open_items]
    return [*lines, ""]


def _answer_md(n: int, a: Answer, level: str) -> list[str]:
    lines = [f"{level} {n}. {md_text(a.question.title)}", ""]
    if a.choices:
        lines += [
            f"Themes chosen: {md_text('; '.join(a.choices))}" if a.question.options else "",
            "",
        ]
    if a.text:
        lines += [md_text(a.text), ""]
    elif not a.choices:
        lines += ["_(no answer yet)_", ""]
    return lines


def form_markdown(prep: Prepared) -> str:
    assert prep.filled is not None and prep.form is not None
    f, filled = prep.form, prep.filled
    lines = [
        f"# {md_text(f.title)}",
        "",
        f"_{md_text(f.regulator)}. Prepared from a reflective journal on "
        f"{date.today().isoformat()}: check it against the regulator's current form._",
        "",
    ]
    for p in filled.parts:
        lines += [
            f"## {md_text(p.question.title)}",
            "",
            md_text(p.text) or "_(not written yet)_",
            "",
        ]
    if f.dated_list:
        lines += ["## Dated list of activities", ""]
        lines += [
            f"- {e.entry_date}: {md_text(e.display_title())} ({cpd_hours(e.minutes)} h)"
            for e in prep.entries
        ] + [""]
    many = len(filled.entries) > 1 or bool(f.limits)
    for i, fe in enumerate(filled.entries, start=1):
        if many:
            lines += [f"## {_part_name(f)} {i}: {md_text(fe.entry.display_title())}", ""]
        for n, a in enumerate(fe.answers, start=1):
            lines += _answer_md(n, a, "###" if many else "##")
    return "\n".join(lines).rstrip() + "\n"


def _part_name(f: ExportForm) -> str:
    return {"nmc-reflective-account": "Reflective account", "swe-cpd-record": "CPD record"}.get(
        f.id, "Activity"
    )


def to_markdown(prep: Prepared) -> str:
    return form_markdown(prep) if prep.form is not None else entries_markdown(prep)


# -- HTML ---------------------------------------------------------------------------------------


def html_text(text: str) -> str:
    """The author's text as escaped HTML paragraphs (blank lines) and line breaks."""
    paras = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(escape(line) for line in p.strip().split("\n")) + "</p>" for p in paras
    )


def _facts_html(e: Entry, m: ReflectiveModel, tags: Mapping[str, str]) -> str:
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in _facts(e, m, tags))
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
        "<table class='coprod-table coprod-timeline'><caption>Cycles of this topic</caption>"
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
        f"journal on {date.today().isoformat()}.</p></header>"
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
            for sid, text in _stage_texts(e, m)
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
            or "<li><em>none chosen yet</em></li>"
        )
        out += f"<p><strong>Themes chosen:</strong></p><ul class='coprod-choices'>{chosen}</ul>"
    if a.text:
        out += f"<div class='coprod-answer'>{html_text(a.text)}</div>"
    elif not a.question.options:
        out += "<p class='coprod-answer'><em>No answer yet.</em></p>"
    return out


def form_html(prep: Prepared) -> str:
    assert prep.filled is not None and prep.form is not None
    f, filled = prep.form, prep.filled
    parts = [
        f"<header><h1>{escape(f.title)}</h1><p class='coprod-note'>{escape(f.regulator)}. "
        f"Prepared from a reflective journal on {date.today().isoformat()}: check it against "
        "the regulator's current form.</p></header>"
    ]
    for p in filled.parts:
        parts.append(
            f"<h2>{escape(p.question.title)}</h2>"
            + (html_text(p.text) or "<p><em>Not written yet.</em></p>")
        )
    if f.dated_list:
        rows = "".join(
            f"<tr><td>{escape(e.entry_date)}</td><td>{escape(e.display_title())}</td>"
            f"<td>{escape(cpd_hours(e.minutes))}</td></tr>"
            for e in prep.entries
        )
        parts.append(
            "<h2>Dated list of activities</h2><table class='coprod-table'><thead><tr>"
            "<th scope='col'>Date</th><th scope='col'>Activity</th><th scope='col'>Hours</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
    many = len(filled.entries) > 1 or bool(f.limits)
    for i, fe in enumerate(filled.entries, start=1):
        head = f"<h2>{_part_name(f)} {i}: {escape(fe.entry.display_title())}</h2>" if many else ""
        h = "h3" if many else "h2"
        answers = "".join(_answer_html(n, a, h) for n, a in enumerate(fe.answers, start=1))
        parts.append(f"<article class='coprod-form-entry'>{head}{answers}</article>")
    return "".join(parts)


# The report stylesheet right-aligns table cells after the first (numbers); ours hold words.
EXPORT_CSS = "<style>.coprod-table td{text-align:left}.coprod-timeline td{width:22%}</style>"


def body_html(prep: Prepared) -> str:
    return EXPORT_CSS + (form_html(prep) if prep.form is not None else entries_html(prep))


# -- the report notebook's call, and the whole export -------------------------------------------


def journal_report(
    owner: str,
    entry_ids: Sequence[int] = (),
    topic_id: int | None = None,
    form_id: str | None = None,
    db: str | None = None,
) -> Any:
    """The report notebook's one call: the export's HTML body, for nbconvert."""
    from ..content.models import FormLibrary
    from ..store import Store
    from .team import ReportHTML

    form = FormLibrary().get(form_id) if form_id else None
    store = Store(db)
    try:
        prep = prepare(store, owner, entry_ids=entry_ids, topic_id=topic_id, form=form)
    finally:
        store.close()
    return ReportHTML(body_html(prep), prep.title)


@dataclass(frozen=True)
class Exported:
    data: bytes
    filename: str
    mime: str
    prepared: Prepared


def render(store: Any, owner: str, prep: Prepared, fmt: str) -> bytes:
    """The prepared export as bytes: Markdown here, HTML and PDF through the report route."""
    if fmt == "md":
        return to_markdown(prep).encode("utf-8")
    if fmt not in FORMATS:
        raise InvalidInput(f"format: expected md, html or pdf, not {fmt!r}")
    from .export import export_report

    params = {
        "owner": owner,
        "entry_ids": [e.id for e in prep.entries],
        "topic_id": prep.topic.id if prep.topic else None,
        "form_id": prep.form.id if prep.form else None,
        "db": store.url,
    }
    return export_report("journal_report", params, fmt, prep.title)


def export_journal(
    store: Any,
    owner: str,
    fmt: str,
    *,
    entry_ids: Sequence[int] = (),
    topic_id: int | None = None,
    form: ExportForm | None = None,
    ignore_identifiers: bool = False,
) -> Exported:
    """Gather, check, render. OverLimit / IdentifiersFound (with what and where) refuse it."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format: expected md, html or pdf, not {fmt!r}")
    prep = prepare(store, owner, entry_ids=entry_ids, topic_id=topic_id, form=form)
    check(prep, ignore_identifiers=ignore_identifiers)
    return Exported(render(store, owner, prep, fmt), prep.filename(fmt), FORMATS[fmt], prep)
