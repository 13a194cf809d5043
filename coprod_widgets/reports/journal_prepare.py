"""One prepared journal export: one entry, a selection or a topic's cycles, as written or in a
regulator's form, gathered for one owner and checked, once.

``prepare`` reads the owner's entries (through the Store's owner filter), fills the form ONCE
and scans for identifiers ONCE; the page's preview and findings, the Markdown, the HTML and the
PDF are all rendered from the ``Prepared`` it returns (``journal_markdown``, ``journal_html``),
never by gathering again. Tags are named by ``model.journal_tags``, the one label function.

A word limit over the regulator's maximum refuses the form export (the regulator would refuse
the form); the entry itself can always be exported as written. Identifiers found refuse the
export until the author fixes them or says to export anyway (``ignore_identifiers``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from ..errors import CoprodError, InvalidInput
from ..model.forms import EntryFormSettings, ExportForm, FilledForm, LimitCheck, fill_form
from ..model.identifiers import Finding, scan
from ..model.journal import FREE_FORM, Entry, ReflectiveModel, Timeline, Topic, cpd_hours, timeline
from ..model.journal_tags import tag_label, tag_labels

if TYPE_CHECKING:
    from ..store import Store

FORMATS = {"md": "text/markdown", "html": "text/html", "pdf": "application/pdf"}
SUFFIX = {"md": ".md", "html": ".html", "pdf": ".pdf"}

# What an export says where the author has not written yet: the same words in every format.
NOT_WRITTEN = "Not written yet."
NO_ANSWER = "No answer yet."
NONE_CHOSEN = "None chosen yet."
THEMES = "Themes chosen:"


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
    exported_on: str = field(default_factory=lambda: date.today().isoformat())

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
        return f"{what}-{scope}-{self.exported_on}{SUFFIX[fmt]}"


def default_tag_labels() -> dict[str, str]:
    """Every shipped framework's and benefit set's tag labels (``model.journal_tags``)."""
    from ..content import FrameworkLibrary
    from ..content.benefits import BenefitLibrary

    return tag_labels(FrameworkLibrary(), BenefitLibrary())


def models_for(store: Store, entries: Sequence[Entry]) -> dict[str, ReflectiveModel]:
    """The model each entry was written with, as the store keeps it."""
    out: dict[str, ReflectiveModel] = {}
    for e in entries:
        if e.model_key not in out:
            try:
                out[e.model_key] = store.journal.model(e.model_id, e.model_version)
            except CoprodError:
                out[e.model_key] = FREE_FORM
    return out


def prepare(
    store: Store,
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
        topic = store.journal.topic(owner, topic_id)
        entries = store.journal.cycles(owner, topic_id)
        if entry_ids:
            wanted = set(entry_ids)
            entries = [e for e in entries if e.id in wanted]
    else:
        if not entry_ids:
            raise InvalidInput("choose at least one entry to export")
        entries = store.journal.entries(owner, list(dict.fromkeys(entry_ids)))
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
        tag_titles=dict(titles) if titles is not None else default_tag_labels(),
        topic=topic,
        timeline=timeline(topic, entries, model_for) if topic is not None else None,
        form=form,
    )
    if form is not None:
        settings = {
            e.id: EntryFormSettings.from_values(store.journal.form_settings(owner, e.id, form.id))
            for e in entries
        }
        parts = store.journal.form_parts(owner, form.id)
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
        for sid, text in stage_texts(e, m):
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
                        f"{_entry_label(e)} › your words for “{short(a.question.title)}”",
                        s.texts[a.question.id],
                    )
                )
    return out


def stage_texts(e: Entry, m: ReflectiveModel) -> list[tuple[str, str]]:
    """The entry's text in the model's order, then any kept from another model's stages."""
    out = [(s.id, e.stages[s.id]) for s in m.stages if e.stages.get(s.id, "").strip()]
    out += [(k, v) for k, v in e.stages.items() if v.strip() and k not in m.stage_ids]
    return out


def short(text: str, n: int = 60) -> str:
    t = " ".join(text.split())
    return t if len(t) <= n else t[: n - 1].rstrip() + "…"


def check(prep: Prepared, *, ignore_identifiers: bool = False) -> None:
    """Refuse what must not go out: a form over a word limit, or identifiers not waved through."""
    if prep.over:
        raise OverLimit(prep.over)
    if prep.findings and not ignore_identifiers:
        raise IdentifiersFound(prep.findings)


def facts(e: Entry, m: ReflectiveModel, tags: Mapping[str, str]) -> list[tuple[str, str]]:
    """Date, model, time, status and tags (by their labels) of an entry, as every format shows
    them."""
    hours = cpd_hours(e.minutes)
    out = [
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
        out.append(("Tags", "; ".join(tag_label(t, tags) for t in e.tags)))
    return out


def part_name(f: ExportForm) -> str:
    return {"nmc-reflective-account": "Reflective account", "swe-cpd-record": "CPD record"}.get(
        f.id, "Activity"
    )
