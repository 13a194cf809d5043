"""The seams between pages and the store, one Protocol per port.

A page is written against a port, never against ``Store`` itself, so the same page runs on the
store in its own kernel (JupyterLab, the command line) or on the store held by `coprod serve`
(a member's kernel reaches it over loopback HTTP: ``store.remote.RemoteMemberStore``).

Each part of ``Store`` is typed by its port here (``store.rounds: RoundsPort`` ...), so mypy
holds every repository to what it promises; the types that travel (``MemberView``,
``FormSettings``, ``JSONValue``) are named here too, and nothing here loads SQLAlchemy.

``MEMBER_ACTIONS`` is the one list of what a member's page may ask the server to do; the server
answers nothing else. ``ERROR_KINDS`` is the one map between the store's errors and what travels
back to the page (the page shows the error's own message, which is written for a person).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypedDict

from ..errors import Closed, CoprodError, InvalidInput, NotFound
from .cohort_ports import CohortsPort as CohortsPort  # re-exported: pages import ports from here

if TYPE_CHECKING:  # the port itself loads nothing: a member's page imports it
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from datetime import date
    from pathlib import Path

    from ..model.actions import Action
    from ..model.exchange import ImportPlan, ImportResult, ImportRow, RatingsExport
    from ..model.forms import ExportForm
    from ..model.framework import Framework
    from ..model.journal import Entry, EntryVersion, JournalPage, ReflectiveModel, Topic
    from ..model.plan import PlanRecord
    from ..model.release import Release
    from ..model.rounds import Answer, Round
    from .imports import ExportReport, ImportReport
    from .plans import PlanSummary
    from .rounds import RoundLinks, RoundSummary

# A value as JSON holds it: what a plan field or a journal form setting is saved as.
JSONValue = str | int | float | bool | None | list["JSONValue"] | dict[str, "JSONValue"]


# What the author changed for one entry and form: ``{"mapping:q": [...], "text:q": "..."}``.
FormSettings = dict[str, JSONValue]


class MemberView(TypedDict):
    """What a member's page reads when it opens (JSON-ready): ``Round.to_dict()``,
    ``Framework.to_dict()`` and ``Answer.to_dict()`` (an empty answer before the first save)."""

    round: dict[str, JSONValue]
    framework: dict[str, JSONValue]
    answer: dict[str, JSONValue]


class MemberPort(Protocol):
    """What a member's self-assessment page may do: read its round and its own answer, and
    write that answer. Every method takes the round's member code and the member's token."""

    def member_view(self, code: str, me: str) -> MemberView: ...

    def save_rating(
        self, code: str, me: str, statement_id: str, value: int | None, dont_know: bool = False
    ) -> str: ...

    def save_comment(self, code: str, me: str, principle_id: str, text: str) -> str: ...

    def save_profile(self, code: str, me: str, name: str = "", role: str = "") -> str: ...

    def submit(self, code: str, me: str) -> str: ...


MEMBER_ACTIONS: tuple[str, ...] = (
    "member_view",
    "save_rating",
    "save_comment",
    "save_profile",
    "submit",
)

# error class <-> (HTTP status, kind): the server sends the kind, the member's kernel raises the
# same class again with the same message.
ERROR_KINDS: dict[type[CoprodError], tuple[int, str]] = {
    NotFound: (404, "not_found"),
    Closed: (409, "closed"),
    InvalidInput: (400, "invalid"),
}
ERROR_CLASSES: dict[str, type[CoprodError]] = {kind: cls for cls, (_, kind) in ERROR_KINDS.items()}

# -- the repositories' ports: what ``Store``'s parts promise, checked by mypy on ``Store`` ----------


class RoundsPort(Protocol):
    """A team's rounds, their links and series, the answers given and what of them is released."""

    def create(
        self,
        team: str,
        framework: Framework,
        *,
        anonymous: bool = ...,
        min_answers: int = ...,
        roles: list[str] | tuple[str, ...] = ...,
        previous_id: int | None = ...,
    ) -> RoundLinks: ...

    def get(self, round_id: int) -> Round: ...

    def by_code(self, code: str) -> tuple[Round, str]:
        """The round a link code opens and what it opens it as: 'member' or 'facilitator'."""

    def framework(self, round_id: int) -> Framework:
        """The framework exactly as the round used it."""

    def all(self) -> list[RoundSummary]:
        """Every round, oldest first, with how many answers are submitted and in progress."""

    def open_next(self, round_id: int, framework: Framework | None = ...) -> RoundLinks:
        """The team's next round after this one, with the same settings; the same framework snapshot unless a (newer) version of the same framework is given."""

    def series(self, round_id: int) -> list[Round]:
        """Every round of the team's series that this round belongs to, oldest first."""

    def next(self, round_id: int) -> Round | None:
        """The round opened from this one, if any."""

    def links(self, round_id: int) -> RoundLinks: ...

    def close(self, round_id: int) -> Round: ...

    def answers(self, round_id: int) -> list[Answer]:
        """Every answer in a round (drafts included), in no particular order of person."""

    def member_answers(self, round_id: int) -> list[tuple[str, Answer]]:
        """Every answer in a round with its member's stored hash (never shown or exported)."""

    def released(self, round_id: int) -> Release:
        """What a facilitator may see of a round now: every answer of a named round (live); in an anonymous round the last snapshot, after releasing a new one if the answers given or changed since allow it (``model.release.decide``). Every reader of results calls this: the results page, the team report, the ratings export, trends and the command line."""


class MembersPort(MemberPort, Protocol):
    """What a member's page may do (``MemberPort``), and the one read the server adds: whether a token holds an answer in a round."""

    def member_view(self, code: str, me: str) -> MemberView:
        """The round, its framework and this member's answers so far (JSON-ready)."""

    def answer(self, round_id: int, me: str) -> Answer | None:
        """The answer the holder of token ``me`` gave in the round, if any."""

    def save_rating(
        self, code: str, me: str, statement_id: str, value: int | None, dont_know: bool = ...
    ) -> str: ...

    def save_comment(self, code: str, me: str, principle_id: str, text: str) -> str: ...

    def save_profile(self, code: str, me: str, name: str = ..., role: str = ...) -> str: ...

    def submit(self, code: str, me: str) -> str: ...


class ActionsPort(Protocol):
    """What a team agreed to do about a round's results, and whether it helped."""

    def add(
        self, round_id: int, principle_id: str, what: str, lead: str = ..., due: str = ...
    ) -> Action: ...

    def get(self, action_id: int) -> Action: ...

    def update(self, action_id: int, field: str, value: str, in_round: int | None = ...) -> Action:
        """Change one field. ``in_round`` is the round the team is looking back from, if any."""

    def for_round(self, round_id: int) -> list[Action]:
        """Actions agreed on this round's results, oldest first."""

    def in_series(self, round_id: int) -> list[Action]:
        """Every action of the series this round belongs to, oldest first."""

    def to_review(self, round_id: int) -> list[Action]:
        """Actions the team looks back on in this round: every action agreed on the previous round, and older ones still unfinished, so an action not done by the next round is not lost from view. An older one closed in this round's review stays listed here."""


class PlansPort(Protocol):
    """Plans, each opened by its private code and saved field by field."""

    def create(self, title: str = ...) -> tuple[PlanRecord, str]:
        """A new, empty plan and its private code (whoever holds the code can edit it)."""

    def get(self, plan_id: int) -> PlanRecord: ...

    def by_code(self, code: str) -> PlanRecord: ...

    def save_field(self, code: str, key: str, value: object, base: object = ...) -> str:
        """Save one field as it is typed; ``title`` renames the plan. Returns when it was saved."""

    def save_fields(self, code: str, values: Mapping[str, object]) -> str:
        """Save several fields at once, all or none (a new row and its first values)."""

    def fields(self, code: str) -> dict[str, JSONValue]:
        """Every saved field of the plan: key -> value (as saved)."""

    def all(self) -> list[PlanSummary]:
        """Every plan, most recently changed first, with how many fields hold something."""


class ImportsPort(Protocol):
    """Answers imported from a file into a round; a round's ratings exported to a file."""

    def plan(
        self, round_id: int, data: bytes, file: str, mapping: tuple[str, str] | None = ...
    ) -> ImportPlan:
        """Read, match and check a CSV against the round; writes nothing."""

    def write(self, round_id: int, rows: Sequence[ImportRow]) -> ImportResult:
        """Write checked rows as submitted answers, all in one transaction or none."""

    def from_file(
        self, round_id: int, path: Path, mapping: Path | None = ..., *, dry_run: bool = ...
    ) -> ImportReport:
        """Import a form tool's CSV into a round: every row checked before any is written."""

    def export(
        self, round_id: int, shuffle: Callable[[list[Answer]], None] | None = ...
    ) -> RatingsExport:
        """A round's submitted ratings, anonymised where the round is; refused below minimum."""

    def export_file(self, round_id: int, path: Path, fmt: str | None = ...) -> ExportReport:
        """Write a round's ratings as CSV or JSON, all of the file or none of it."""


class JournalPort(Protocol):
    """The reflective journal: every method takes the owner and reads or writes only what is theirs."""

    @property
    def fts(self) -> bool:
        """Whether full-text search uses the FTS5 index (SQLite) or falls back to LIKE."""

    @fts.setter
    def fts(self, value: bool) -> None: ...

    def remember_model(self, model: ReflectiveModel) -> str:
        """Keep the model's definition as entries are written with it; returns the version key the entries record."""

    def model(self, model_id: str, version: str) -> ReflectiveModel:
        """The model an entry was written with (models are content, not private)."""

    def create(
        self,
        owner: str,
        model: ReflectiveModel = ...,
        *,
        title: str = ...,
        entry_date: str | date | None = ...,
        minutes: int = ...,
        participatory: bool = ...,
        stages: dict[str, str] | None = ...,
        tags: Iterable[str] = ...,
        topic_id: int | None = ...,
        cycle: int | None = ...,
    ) -> Entry:
        """A new entry for ``owner``; every value checked first, nothing written on a problem."""

    def entry(self, owner: str, entry_id: int) -> Entry: ...

    def entries(self, owner: str, entry_ids: Sequence[int]) -> list[Entry]:
        """Several of the owner's entries, in the order asked; NotFound names the first missing."""

    def save(self, owner: str, entry_id: int, field: str, value: object) -> str:
        """Change one field: title, entry_date, minutes, participatory or status."""

    def set_model(self, owner: str, entry_id: int, model: ReflectiveModel) -> str:
        """Write the entry with another model; text of the old model's stages is kept."""

    def save_stage(self, owner: str, entry_id: int, stage_id: str, text: str) -> str:
        """Save one stage's text as it is typed (an upsert: other stages are untouched)."""

    def set_tag(self, owner: str, entry_id: int, tag: str, on: bool = ...) -> str:
        """Add or remove one tag (each tag its own row: two tabs tagging never clash)."""

    def finish(self, owner: str, entry_id: int) -> Entry:
        """Mark the entry finished and keep it as a version (it can still be edited)."""

    def versions(self, owner: str, entry_id: int) -> list[EntryVersion]:
        """The entry's earlier versions, oldest first."""

    def restore(self, owner: str, entry_id: int, number: int) -> Entry:
        """Bring an earlier version back; the text it replaces is kept as a version first."""

    def find(
        self,
        owner: str,
        query: str = ...,
        *,
        tag: str | None = ...,
        model_id: str | None = ...,
        date_from: str | date | None = ...,
        date_to: str | date | None = ...,
        topic_id: int | None = ...,
        limit: int = ...,
        offset: int = ...,
    ) -> JournalPage:
        """A page of the owner's entries matching every filter, newest first, with the totals (entries, minutes, participatory minutes) of all that match. Never loads the text."""

    def tag_counts(self, owner: str) -> dict[str, int]:
        """The tags the owner has used, with how many entries carry each."""

    def model_counts(self, owner: str) -> dict[str, int]: ...

    def create_topic(self, owner: str, title: str, model_id: str = ...) -> Topic:
        """A topic to follow through cycles; each cycle is an entry (PDSA by default)."""

    def topics(self, owner: str) -> list[Topic]:
        """The owner's topics, open first, most recently changed first, with their cycle counts."""

    def topic(self, owner: str, topic_id: int) -> Topic: ...

    def update_topic(self, owner: str, topic_id: int, field: str, value: object) -> Topic: ...

    def cycles(self, owner: str, topic_id: int) -> list[Entry]:
        """Every cycle of the topic, first to last."""

    def start_cycle(
        self, owner: str, topic_id: int, model: ReflectiveModel, entry_date: str | None = ...
    ) -> Entry:
        """The topic's next cycle: it starts from what the last one carried forward."""

    def form_settings(self, owner: str, entry_id: int, form_id: str) -> FormSettings:
        """What the author changed for this entry and form: ``{"mapping:q": [...], ...}``."""

    def save_form_setting(
        self,
        owner: str,
        entry_id: int,
        form: ExportForm,
        model: ReflectiveModel,
        key: str,
        value: object,
    ) -> str: ...

    def form_parts(self, owner: str, form_id: str) -> dict[str, str]: ...

    def save_form_part(self, owner: str, form: ExportForm, part_id: str, text: str) -> str: ...

    def info(self, owner: str) -> tuple[str, int]:
        """The journal's name and its number of entries, so that a page always says which journal is open. A journal without a name yet is given the default one (started: the day of its first entry, or today), kept from then on."""

    def known(self, owner: str) -> bool:
        """Whether this journal was ever started (named, or with an entry or a topic): a served journal's link is accepted only then, so a key made up elsewhere opens nothing."""

    def set_name(self, owner: str, name: str) -> str:
        """Name the journal (as its owner will recognise it on every page)."""
