"""Benefits of co-production as tags for the journal, from data/benefits/, validated.

Each file is a set of benefits grouped by who gains (organisations, people who use services,
practitioners; or individuals, communities, services, decision-makers). A journal entry tagged
with one says which benefit it is evidence of. Tags are ``<file id>/<benefit id>``, so benefit
ids need only be unique within their file. Problems are reported like a framework's:
``file:line: field.path: what was expected``; a broken file is reported and left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..model.benefits import Benefit, BenefitGroup, BenefitSet
from .ladders import source_of, unique_id, version_of
from .validation import Checker, PathT, Problem, load_all, read_yaml

TOP_REQUIRED = ("id", "version", "title", "summary", "source", "attribution", "groups")


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
        self.problems: list[Problem] = []
        found = load_all(
            benefit_dirs() if dirs is None else dirs, load_benefits, "benefits file", self.problems
        )
        self.sets: dict[str, BenefitSet] = {s.id: s for s in found}

    def __iter__(self) -> Iterator[BenefitSet]:
        return iter(sorted(self.sets.values(), key=lambda s: s.title.casefold()))


def benefits_summary(s: BenefitSet) -> str:
    n = sum(len(g.benefits) for g in s.groups)
    groups = f"{len(s.groups)} group{'' if len(s.groups) == 1 else 's'}"
    return f"{s.id}@{s.version}: {s.title}: {n} benefits in {groups}"
