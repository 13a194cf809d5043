"""Benefits of co-production as tags for the journal, from data/benefits/, validated.

Each file is a set of benefits grouped by who gains (organisations, people who use services,
practitioners; or individuals, communities, services, decision-makers). A journal entry tagged
with one says which benefit it is evidence of. Tags are ``<file id>/<benefit id>``, so benefit
ids need only be unique within their file. Problems are reported like a framework's:
``file:line: field.path: what was expected``; a broken file is reported and left out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model.framework import Source
from .ladders import source_of, unique_id, version_of
from .validation import Checker, ContentError, PathT, Problem, read_yaml

log = logging.getLogger("coprod")

TOP_REQUIRED = ("id", "version", "title", "summary", "source", "attribution", "groups")


@dataclass(frozen=True)
class Benefit:
    id: str
    title: str
    description: str


@dataclass(frozen=True)
class BenefitGroup:
    id: str
    title: str  # who gains, e.g. "For people who use services"
    benefits: tuple[Benefit, ...]


@dataclass(frozen=True)
class BenefitSet:
    id: str
    version: str
    title: str
    summary: str
    source: Source
    attribution: str
    groups: tuple[BenefitGroup, ...]

    def tags(self) -> list[tuple[str, str]]:
        return [(f"{self.id}/{b.id}", b.title) for g in self.groups for b in g.benefits]


def validate_benefits_data(
    data: Any, lines: dict[PathT, int], file: str, *, expected_id: str | None = None
) -> BenefitSet:
    """Check parsed YAML; return the BenefitSet or raise ContentError listing every problem."""
    c = Checker(file, lines)
    top = c.mapping(data, (), TOP_REQUIRED)
    if top is None:
        c.raise_if_any()
        raise AssertionError("unreachable")
    sid = c.ident(top, "id", ())
    if expected_id and sid and sid != expected_id:
        c.add(("id",), f"expected the file's name, {expected_id!r}, found {sid!r}")
    groups_seen: dict[str, PathT] = {}
    seen: dict[str, PathT] = {}

    def benefit(v: Any, p: PathT) -> Benefit | None:
        d = c.mapping(v, p, ("id", "title", "description"))
        if d is None:
            return None
        bid = c.ident(d, "id", p)
        unique_id(c, seen, bid, (*p, "id"), "benefit")
        return Benefit(bid, c.text(d, "title", p), c.text(d, "description", p))

    def group(v: Any, p: PathT) -> BenefitGroup | None:
        d = c.mapping(v, p, ("id", "title", "benefits"))
        if d is None:
            return None
        gid = c.ident(d, "id", p)
        unique_id(c, groups_seen, gid, (*p, "id"), "group")
        return BenefitGroup(gid, c.text(d, "title", p), tuple(c.items(d, "benefits", p, benefit)))

    out = BenefitSet(
        id=sid,
        version=version_of(c, top),
        title=c.text(top, "title", ()),
        summary=c.text(top, "summary", ()),
        source=source_of(c, top),
        attribution=c.text(top, "attribution", ()),
        groups=tuple(c.items(top, "groups", (), group)),
    )
    c.raise_if_any()
    return out


def load_benefits(path: str | Path) -> BenefitSet:
    path = Path(path)
    data, lines = read_yaml(path)
    return validate_benefits_data(data, lines, str(path), expected_id=path.stem)


def benefit_dirs() -> list[Path]:
    """Shipped sets, then the user's own (a file dropped there is picked up)."""
    from ..paths import data_dir, user_dir

    return [data_dir() / "benefits", user_dir() / "benefits"]


class BenefitLibrary:
    """Every valid set found; invalid files are kept as ``problems`` and left out."""

    def __init__(self, dirs: Iterable[Path] | None = None):
        self.sets: dict[str, BenefitSet] = {}
        self.problems: list[Problem] = []
        for d in benefit_dirs() if dirs is None else dirs:
            if not d.is_dir():
                continue
            for f in sorted(d.glob("*.y*ml")):
                try:
                    s = load_benefits(f)
                except ContentError as e:
                    self.problems.extend(e.problems)
                    for p in e.problems:
                        log.warning("benefits file left out: %s", p)
                    continue
                self.sets[s.id] = s

    def __iter__(self) -> Iterator[BenefitSet]:
        return iter(sorted(self.sets.values(), key=lambda s: s.title.casefold()))


def benefits_summary(s: BenefitSet) -> str:
    n = sum(len(g.benefits) for g in s.groups)
    groups = f"{len(s.groups)} group{'' if len(s.groups) == 1 else 's'}"
    return f"{s.id}@{s.version}: {s.title}: {n} benefits in {groups}"
