"""The reflective journal: entries, versions, checks, and cycles of a topic (the models of
reflection themselves are in ``journal_models``, named here too).

Pure: no widgets, no database. An entry is written stage by stage with a reflective model
(Gibbs, Kolb, ...), or free-form; each stage's text is saved on its own, so two tabs writing
different stages never overwrite each other. A topic is followed through cycles: each cycle is
an entry, and what its model says to carry (Gibbs' action plan, PDSA's Act) becomes the starting
point of the next one.

Every stage of a model has a *role* from a small fixed vocabulary (what happened, what was
learnt, what will change, ...). Export forms map their questions to roles, so a model a trainer
adds as a file works with every regulator's form without anyone writing a mapping for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ..errors import InvalidInput
from .journal_models import FREE_FORM as FREE_FORM  # the models of reflection, named here too
from .journal_models import ROLES as ROLES
from .journal_models import Compare as Compare
from .journal_models import CycleRule as CycleRule
from .journal_models import ReflectiveModel as ReflectiveModel
from .journal_models import Stage as Stage

STATUSES = {"draft": "Draft", "finished": "Finished"}
TOPIC_STATUSES = {"open": "Open", "closed": "Closed"}

TITLE_MAX = 200
STAGE_MAX = 100_000  # about 15,000 words: far beyond any reflection, short of abuse
MINUTES_MAX = 100 * 60  # one entry of CPD time: at most 100 hours
TAGS_MAX = 100
OWNER_RE = re.compile(r"^(user|hub|key):\S[^\x00-\x1f]{0,89}$")
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}/[a-z0-9][a-z0-9-]{0,99}$")
STAGE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass
class Entry:
    """One journal entry as its author sees it (the owner is never part of it)."""

    id: int = 0
    title: str = ""
    entry_date: str = ""
    minutes: int = 0
    participatory: bool = False
    model_id: str = FREE_FORM.id
    model_version: str = FREE_FORM.version
    stages: dict[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    status: str = "draft"
    topic_id: int | None = None
    cycle: int | None = None
    created_at: str = ""
    updated_at: str = ""
    versions: int = 0

    @property
    def model_key(self) -> str:
        return f"{self.model_id}@{self.model_version}"

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    def written(self, model: ReflectiveModel) -> int:
        """How many of the model's stages hold some text."""
        return sum(1 for s in model.stages if self.stages.get(s.id, "").strip())

    def display_title(self) -> str:
        return self.title.strip() or "Untitled entry"

    def content(self) -> dict[str, Any]:
        """What a version keeps: everything the author wrote or chose."""
        return {
            "title": self.title,
            "entry_date": self.entry_date,
            "minutes": self.minutes,
            "participatory": self.participatory,
            "model_id": self.model_id,
            "model_version": self.model_version,
            "stages": {k: v for k, v in sorted(self.stages.items()) if v},
            "tags": sorted(self.tags),
        }

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["tags"] = list(self.tags)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Entry:
        known = {f for f in cls.__dataclass_fields__}
        kw = {k: v for k, v in d.items() if k in known}
        kw["tags"] = tuple(kw.get("tags", ()))
        kw["stages"] = dict(kw.get("stages", {}))
        return cls(**kw)


@dataclass(frozen=True)
class EntryVersion:
    """An earlier state of an entry, kept when editing resumed after a pause or on finishing."""

    number: int
    saved_at: str
    reason: str  # "finished" or "before editing"
    content: dict[str, Any]

    @property
    def title(self) -> str:
        return str(self.content.get("title", "")) or "Untitled entry"


@dataclass(frozen=True)
class EntrySummary:
    """A line of the journal's list: enough to find an entry without loading its text."""

    id: int
    title: str
    entry_date: str
    minutes: int
    participatory: bool
    model_id: str
    status: str
    topic_id: int | None
    cycle: int | None
    updated_at: str
    preview: str  # the start of the text, or a search snippet with \x02...\x03 around matches

    def display_title(self) -> str:
        return self.title.strip() or "Untitled entry"


@dataclass(frozen=True)
class JournalTotals:
    entries: int
    minutes: int
    participatory_minutes: int


@dataclass(frozen=True)
class JournalPage:
    """A page of the list and the totals of everything the filters match."""

    items: tuple[EntrySummary, ...]
    totals: JournalTotals
    offset: int = 0

    @property
    def more(self) -> bool:
        return self.offset + len(self.items) < self.totals.entries


@dataclass(frozen=True)
class Topic:
    id: int
    title: str
    model_id: str
    status: str
    created_at: str
    updated_at: str
    cycles: int = 0


# -- checks: bad input gets a clear message and changes nothing ---------------------------------


def check_owner(owner: Any) -> str:
    """An owner key: ``user:<name>``, ``hub:<name>`` or ``key:<sha256>``; never empty.

    Every journal query filters by owner. Refusing a malformed one here means no call can reach
    entries with an empty or wildcard owner.
    """
    if not isinstance(owner, str) or not OWNER_RE.match(owner):
        raise InvalidInput("this page has lost track of whose journal it is: open your link again")
    return owner


def check_title(value: Any) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("title: expected text")
    text = value.strip()
    if len(text) > TITLE_MAX:
        raise InvalidInput(f"title: at most {TITLE_MAX} characters (this one has {len(text)})")
    return text


def check_date(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("date: expected a date such as 2025-03-14")
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InvalidInput(f"date: expected a date such as 2025-03-14, not {value!r}") from None


def check_minutes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput("time spent: expected a number of minutes")
    if value != value or value < 0 or value > MINUTES_MAX:  # NaN fails the first test
        raise InvalidInput(f"time spent: expected 0 to {MINUTES_MAX // 60} hours")
    return round(value)


def check_participatory(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput("participatory: expected yes or no")
    return value


def check_stage_text(model: ReflectiveModel, stage_id: Any, text: Any) -> str:
    if not isinstance(stage_id, str) or stage_id not in model.stage_ids:
        raise InvalidInput(
            f"stage: {model.title} has no stage {stage_id!r} (it has: {', '.join(model.stage_ids)})"
        )
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise InvalidInput(f"{model.stage(stage_id).title}: expected text")
    if len(text) > STAGE_MAX:
        raise InvalidInput(
            f"{model.stage(stage_id).title}: at most {STAGE_MAX:,} characters "
            f"(this has {len(text):,}); split it into two entries"
        )
    return text


def check_tags(tags: Any) -> tuple[str, ...]:
    if isinstance(tags, str) or not isinstance(tags, Iterable):
        raise InvalidInput("tags: expected a list of tags")
    out = []
    for t in tags:
        if not isinstance(t, str) or not TAG_RE.match(t):
            raise InvalidInput(f"tags: {t!r} is not a tag (expected framework-id/principle-id)")
        out.append(t)
    out = list(dict.fromkeys(out))
    if len(out) > TAGS_MAX:
        raise InvalidInput(f"tags: at most {TAGS_MAX}")
    return tuple(sorted(out))


def check_status(value: Any) -> str:
    if not isinstance(value, str) or value not in STATUSES:
        raise InvalidInput(f"status: expected one of {', '.join(STATUSES)}")
    return value


# -- search text and previews -------------------------------------------------------------------


def searchable_text(title: str, stages: Mapping[str, str]) -> str:
    """What full-text search looks in: the title and every stage."""
    return "\n".join([title, *(t for t in stages.values() if t)])


def preview(stages: Mapping[str, str], order: Iterable[str] = (), limit: int = 240) -> str:
    """The start of what was written, in stage order, on one line."""
    ordered = [stages[s] for s in order if stages.get(s)]
    ordered += [t for s, t in stages.items() if t and s not in set(order)]
    text = " ".join(" ".join(ordered).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def search_terms(query: str) -> list[str]:
    """The words of a search, lower-cased; punctuation separates words, as the index does."""
    return [t for t in re.split(r"[^\w]+", (query or "").casefold()) if t][:20]


def fts_query(query: str) -> str:
    """A safe FTS5 query: every word must appear (as a prefix), nothing read as syntax."""
    return " AND ".join(f'"{t}"*' for t in search_terms(query))


# -- cycles ---------------------------------------------------------------------------------------


def next_cycle_stages(
    model: ReflectiveModel, previous: Entry | None, previous_model: ReflectiveModel | None = None
) -> dict[str, str]:
    """The text a new cycle starts with: what the last one carried forward (its Act or action
    plan, by the rule of the model it was written with), and what the new model keeps."""
    if previous is None:
        return {}
    rule = model.cycle_rule()
    carry = (previous_model or model).cycle_rule().carry
    out = {
        k: previous.stages[k]
        for k in rule.keep
        if k in model.stage_ids and previous.stages.get(k, "").strip()
    }
    carried = previous.stages.get(carry, "").strip()
    if carried and rule.into in model.stage_ids:
        out[rule.into] = carried
    return out


@dataclass(frozen=True)
class CycleView:
    """One cycle of a topic, as the timeline shows it."""

    number: int
    entry: Entry
    model: ReflectiveModel
    started_from: str  # what the previous cycle carried into this one
    changed: str  # what this cycle decided (its Act or action plan)
    predicted: str = ""
    observed: str = ""
    missing: tuple[str, ...] = ()  # titles of stages not written yet


@dataclass(frozen=True)
class Timeline:
    topic: Topic
    cycles: tuple[CycleView, ...]
    open_items: tuple[str, ...]


def timeline(
    topic: Topic, cycles: list[Entry], model_for: Mapping[str, ReflectiveModel]
) -> Timeline:
    """The cycles of a topic in order, what changed each time and what is still open.

    ``model_for`` maps an entry's model key to its model; an unknown one falls back to free-form.
    """
    views: list[CycleView] = []
    previous: Entry | None = None
    ordered = sorted(cycles, key=lambda e: (e.cycle or 0, e.id))
    for i, e in enumerate(ordered, start=1):
        m = model_for.get(e.model_key, FREE_FORM)
        rule = m.cycle_rule()
        started = ""
        if previous is not None:
            pm = model_for.get(previous.model_key, FREE_FORM)
            started = previous.stages.get(pm.cycle_rule().carry, "").strip()
        predicted = observed = ""
        if m.compare is not None:
            predicted = e.stages.get(m.compare.predicted, "").strip()
            observed = e.stages.get(m.compare.observed, "").strip()
        missing = tuple(s.title for s in m.stages if not e.stages.get(s.id, "").strip())
        views.append(
            CycleView(
                number=e.cycle or i,
                entry=e,
                model=m,
                started_from=started,
                changed=e.stages.get(rule.carry, "").strip(),
                predicted=predicted,
                observed=observed,
                missing=missing,
            )
        )
        previous = e
    open_items: list[str] = []
    for v in views:
        if not v.entry.finished:
            left = f": {', '.join(v.missing)} not written yet" if v.missing else ""
            open_items.append(f"Cycle {v.number} is still a draft{left}.")
    if topic.status == "open":
        if views and views[-1].changed:
            open_items.append(
                f"Next step from cycle {views[-1].number}, not yet tested in a new cycle: "
                f"{views[-1].changed}"
            )
        elif not views:
            open_items.append("No cycle yet: start the first one.")
    return Timeline(topic, tuple(views), tuple(open_items))


def cpd_hours(minutes: int) -> str:
    """Minutes as hours for CPD logs: 90 -> '1.5', 45 -> '0.75'."""
    h = minutes / 60
    return f"{h:.2f}".rstrip("0").rstrip(".") if h else "0"
