"""Export forms: a regulator's questions, filled from journal entries, with word limits checked.

Pure: no widgets, no IO. A form (NMC written reflective account, Social Work England CPD record,
HCPC CPD profile, ...) is data under ``data/export_forms``. Each question names the *roles* of
the model stages that answer it by default (see ``model.journal.ROLES``), so every model, a
trainer's own included, fills every form. The author can change, per entry, which stages answer
which question, add words of their own, and choose options (the NMC's Code themes); those
choices are stored with the entry as ``EntryFormSettings``.

Words are counted by ``count_words`` everywhere: the page's live count and the export's check
give the same number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInput
from .framework import Source
from .journal import FREE_FORM, Entry, ReflectiveModel, cpd_hours

ENTRY_FIELDS = ("date", "title", "hours", "participatory")
WORD_RE = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
OWN_TEXT_MAX = 50_000


def count_words(text: str) -> int:
    """Words as a reader counts them: runs of letters or digits, with inner apostrophes,
    hyphens and dots kept in the word ("don't", "co-production", "3.5" are one word each);
    punctuation and dashes on their own are not words."""
    return len(WORD_RE.findall(text or ""))


@dataclass(frozen=True)
class Option:
    id: str
    title: str


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    help: str = ""
    roles: tuple[str, ...] = ()
    field: str = ""  # an entry fact instead of text: date, title, hours, participatory
    options: tuple[Option, ...] = ()
    min_choices: int = 0
    max_words: int | None = None
    required: bool = True

    @property
    def takes_text(self) -> bool:
        return not self.field

    def option_title(self, option_id: str) -> str:
        for o in self.options:
            if o.id == option_id:
                return o.title
        raise KeyError(option_id)


@dataclass(frozen=True)
class Limit:
    """A word limit over some questions, summed across every entry of one export."""

    id: str
    title: str
    questions: tuple[str, ...]
    max_words: int


@dataclass(frozen=True)
class ExportForm:
    id: str
    version: str
    title: str
    regulator: str
    summary: str
    source: Source
    attribution: str
    questions: tuple[Question, ...]
    profile_parts: tuple[Question, ...] = ()  # written once per export (HCPC practice summary)
    limits: tuple[Limit, ...] = ()
    dated_list: bool = False
    entries: tuple[int, int] | None = None  # how many entries one export should cover

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def question(self, qid: str) -> Question:
        for q in (*self.questions, *self.profile_parts):
            if q.id == qid:
                return q
        raise KeyError(qid)


@dataclass
class EntryFormSettings:
    """What the author changed for one entry and one form; anything not set uses the defaults."""

    mapping: dict[str, list[str]] = field(default_factory=dict)  # question id -> stage ids
    texts: dict[str, str] = field(default_factory=dict)  # question id -> own words
    choices: dict[str, list[str]] = field(default_factory=dict)  # question id -> option ids

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> EntryFormSettings:
        """From the stored rows ``{"mapping:nature": [...], "text:code": "...", ...}``."""
        s = cls()
        for key, value in values.items():
            kind, _, qid = key.partition(":")
            if kind == "mapping" and isinstance(value, list):
                s.mapping[qid] = [str(v) for v in value]
            elif kind == "text" and isinstance(value, str):
                s.texts[qid] = value
            elif kind == "choices" and isinstance(value, list):
                s.choices[qid] = [str(v) for v in value]
        return s


def check_setting(form: ExportForm, model: ReflectiveModel, key: str, value: Any) -> Any:
    """Check one setting the author changed; InvalidInput naming the question otherwise."""
    kind, _, qid = key.partition(":")
    try:
        q = form.question(qid)
    except KeyError:
        raise InvalidInput(f"{form.title} has no question {qid!r}") from None
    if q in form.profile_parts or q.field:
        raise InvalidInput(f"{q.title}: not set per entry")
    if kind == "mapping":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInput(f"{q.title}: expected a list of stages")
        unknown = [v for v in value if v not in model.stage_ids]
        if unknown:
            raise InvalidInput(f"{q.title}: {model.title} has no stage {unknown[0]!r}")
        return list(dict.fromkeys(value))
    if kind == "text":
        if not isinstance(value, str):
            raise InvalidInput(f"{q.title}: expected text")
        if len(value) > OWN_TEXT_MAX:
            raise InvalidInput(f"{q.title}: at most {OWN_TEXT_MAX:,} characters")
        return value
    if kind == "choices":
        if not q.options:
            raise InvalidInput(f"{q.title}: has nothing to choose")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInput(f"{q.title}: expected a list of choices")
        ids = [o.id for o in q.options]
        unknown = [v for v in value if v not in ids]
        if unknown:
            raise InvalidInput(f"{q.title}: {unknown[0]!r} is not one of {', '.join(ids)}")
        return [i for i in ids if i in value]  # the form's order
    raise InvalidInput(f"{key!r} is not a setting (expected mapping:, text: or choices:)")


def check_part(form: ExportForm, part_id: str, text: Any) -> str:
    if part_id not in {p.id for p in form.profile_parts}:
        raise InvalidInput(f"{form.title} has no part {part_id!r}")
    if not isinstance(text, str):
        raise InvalidInput(f"{form.question(part_id).title}: expected text")
    if len(text) > OWN_TEXT_MAX:
        raise InvalidInput(f"{form.question(part_id).title}: at most {OWN_TEXT_MAX:,} characters")
    return text


def default_mapping(form: ExportForm, model: ReflectiveModel) -> dict[str, list[str]]:
    """Which stages answer which question, by role, each stage used once (the first question
    that takes its role wins), in the model's order."""
    used: set[str] = set()
    out: dict[str, list[str]] = {}
    for q in form.questions:
        if not q.takes_text:
            continue
        stages = [s.id for s in model.stages if s.role in q.roles and s.id not in used]
        used.update(stages)
        out[q.id] = stages
    return out


def mapping_for(
    form: ExportForm, model: ReflectiveModel, settings: EntryFormSettings | None
) -> dict[str, list[str]]:
    out = default_mapping(form, model)
    if settings:
        for qid, stages in settings.mapping.items():
            if qid in out:
                out[qid] = [s for s in stages if s in model.stage_ids]
    return out


def unused_stages(
    form: ExportForm, model: ReflectiveModel, mapping: Mapping[str, Sequence[str]]
) -> list[str]:
    used = {s for stages in mapping.values() for s in stages}
    return [s.id for s in model.stages if s.id not in used]


@dataclass(frozen=True)
class Answer:
    question: Question
    text: str = ""
    choices: tuple[str, ...] = ()  # option titles
    stages: tuple[str, ...] = ()  # the stage ids it was made from
    words: int = 0

    @property
    def empty(self) -> bool:
        return not self.text.strip() and not self.choices

    @property
    def over(self) -> bool:
        mw = self.question.max_words
        return mw is not None and self.words > mw


@dataclass(frozen=True)
class FilledEntry:
    entry: Entry
    model: ReflectiveModel
    answers: tuple[Answer, ...]


@dataclass(frozen=True)
class LimitCheck:
    id: str
    title: str
    words: int
    max_words: int
    where: str = ""

    @property
    def over(self) -> bool:
        return self.words > self.max_words

    def message(self) -> str:
        where = f" ({self.where})" if self.where else ""
        if self.over:
            return (
                f"{self.title}{where}: {self.words:,} words, over the limit of "
                f"{self.max_words:,} by {self.words - self.max_words:,}"
            )
        return f"{self.title}{where}: {self.words:,} of {self.max_words:,} words"


@dataclass(frozen=True)
class FilledForm:
    form: ExportForm
    parts: tuple[Answer, ...]
    entries: tuple[FilledEntry, ...]
    limits: tuple[LimitCheck, ...]
    notes: tuple[str, ...]  # empty required answers, missing choices: worth a look, not fatal

    @property
    def over_limit(self) -> tuple[LimitCheck, ...]:
        return tuple(c for c in self.limits if c.over)


def _join(parts: Sequence[str]) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def answer_for(
    q: Question,
    entry: Entry,
    model: ReflectiveModel,
    mapping: Mapping[str, Sequence[str]],
    settings: EntryFormSettings | None,
) -> Answer:
    if q.field == "date":
        return Answer(q, entry.entry_date)
    if q.field == "title":
        return Answer(q, entry.display_title())
    if q.field == "hours":
        return Answer(q, cpd_hours(entry.minutes))
    if q.field == "participatory":
        return Answer(q, "Yes" if entry.participatory else "No")
    stages = tuple(mapping.get(q.id, ()))
    own = (settings.texts.get(q.id, "") if settings else "").strip()
    text = _join([entry.stages.get(s, "") for s in stages] + [own])
    chosen = tuple(settings.choices.get(q.id, ()) if settings else ())
    titles = tuple(o.title for o in q.options if o.id in chosen)
    return Answer(q, text, titles, stages, count_words(text))


def fill_form(
    form: ExportForm,
    entries: Sequence[Entry],
    model_for: Mapping[str, ReflectiveModel],
    settings: Mapping[int, EntryFormSettings] | None = None,
    parts: Mapping[str, str] | None = None,
) -> FilledForm:
    """The form as it would be exported, with every limit checked and every gap noted."""
    settings = settings or {}
    parts = parts or {}
    filled_parts = tuple(
        Answer(p, (parts.get(p.id) or "").strip(), words=count_words(parts.get(p.id) or ""))
        for p in form.profile_parts
    )
    filled: list[FilledEntry] = []
    notes: list[str] = []
    checks: list[LimitCheck] = []
    for a in filled_parts:
        if a.question.max_words is not None:
            checks.append(
                LimitCheck(a.question.id, a.question.title, a.words, a.question.max_words)
            )
        if a.question.required and a.empty:
            notes.append(f"{a.question.title} is empty.")
    for n, e in enumerate(entries, start=1):
        m = model_for.get(e.model_key, FREE_FORM)
        s = settings.get(e.id)
        mapping = mapping_for(form, m, s)
        answers = tuple(answer_for(q, e, m, mapping, s) for q in form.questions)
        where = f"entry {n}, “{e.display_title()}”" if len(entries) > 1 else ""
        for a in answers:
            q = a.question
            if q.max_words is not None:
                checks.append(LimitCheck(q.id, q.title, a.words, q.max_words, where))
            if q.required and q.takes_text and not a.text.strip() and not q.options:
                notes.append(f"{_short(q.title)}{_in(where)} has no answer yet.")
            if q.options and len(a.choices) < q.min_choices:
                notes.append(
                    f"{_short(q.title)}{_in(where)}: choose at least {q.min_choices} "
                    f"({', '.join(o.title for o in q.options)})."
                )
        filled.append(FilledEntry(e, m, answers))
    for lim in form.limits:
        words = sum(a.words for fe in filled for a in fe.answers if a.question.id in lim.questions)
        checks.append(LimitCheck(lim.id, lim.title, words, lim.max_words))
    if form.entries is not None and not form.entries[0] <= len(entries) <= form.entries[1]:
        lo, hi = form.entries
        notes.append(
            f"The {form.title} covers {lo} to {hi} activities; this export has {len(entries)}. "
            "Choose the entries it should cover and export them together."
        )
    return FilledForm(form, filled_parts, tuple(filled), tuple(checks), tuple(notes))


def _short(title: str, limit: int = 70) -> str:
    t = " ".join(title.split())
    return t if len(t) <= limit else t[: limit - 1].rstrip() + "…"


def _in(where: str) -> str:
    return f" ({where})" if where else ""
