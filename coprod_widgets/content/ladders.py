"""Ladders of participation as YAML files: validate them and load them into the model.

Written in the style of ``frameworks.py``: every problem is reported at once, each as
``file:line: field.path: what was expected``, so a trainer can fix a hand-written file in one go.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..model.framework import Source
from ..model.ladder import Ladder, Step, StepGroup
from .validation import Checker, PathT, Problem, load_all, read_yaml

TOP_REQUIRED = ("id", "version", "title", "summary", "source", "attribution", "steps")
TOP_OPTIONAL = ("groups",)


def source_of(c: Checker, top: dict[str, Any]) -> Source:
    """The ``source`` mapping every content file carries (citation, optional url and notes)."""
    src = top.get("source")
    if src is not None and c.mapping(src, ("source",), ("citation",), ("url", "notes")):
        return Source(
            citation=c.text(src, "citation", ("source",)),
            url=c.text(src, "url", ("source",), required=False),
            notes=c.text(src, "notes", ("source",), required=False),
        )
    return Source(citation="")


def version_of(c: Checker, top: dict[str, Any]) -> str:
    version = top.get("version")
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, (str, int, float))
    ):
        c.add(("version",), 'expected a version such as "1.0" (in quotes)')
    return str(version).strip() if version is not None else ""


def unique_id(c: Checker, seen: dict[str, PathT], value: str, path: PathT, what: str) -> None:
    """Report an id used twice, naming the line of its first use."""
    if value in seen:
        line = c.line(seen[value])
        c.add(path, f"{what} id {value!r} is used twice (also at line {line})")
    seen.setdefault(value, path)


def validate_ladder_data(
    data: Any, lines: dict[PathT, int], file: str, *, expected_id: str | None = None
) -> Ladder:
    """Check parsed YAML; return the Ladder or raise ContentError listing every problem."""
    c = Checker(file, lines)
    top = c.mapping(data, (), TOP_REQUIRED, TOP_OPTIONAL)
    if top is None:
        c.raise_if_any()
        raise AssertionError("unreachable")
    lid = c.ident(top, "id", ())
    if lid and expected_id and lid != expected_id:
        c.add(("id",), f"expected the file name without .yaml ({expected_id!r}), found {lid!r}")
    version = version_of(c, top)
    title = c.text(top, "title", ())
    summary = c.text(top, "summary", ())
    attribution = c.text(top, "attribution", ())
    source = source_of(c, top)

    group_ids: dict[str, PathT] = {}

    def group(v: Any, p: PathT) -> StepGroup | None:
        d = c.mapping(v, p, ("id", "title"), ("description",))
        if d is None:
            return None
        gid = c.ident(d, "id", p)
        unique_id(c, group_ids, gid, (*p, "id"), "group")
        return StepGroup(gid, c.text(d, "title", p), c.text(d, "description", p, required=False))

    groups = tuple(c.items(top, "groups", (), group, at_least=1))
    step_ids: dict[str, PathT] = {}

    def step(v: Any, p: PathT) -> Step | None:
        d = c.mapping(v, p, ("id", "title", "description"), ("group",))
        if d is None:
            return None
        sid = c.ident(d, "id", p)
        unique_id(c, step_ids, sid, (*p, "id"), "step")
        gid = c.text(d, "group", p, required=False)
        if groups and not gid:
            c.add(p, "missing required field 'group' (this ladder has groups)")
        elif gid and gid not in group_ids:
            known = ", ".join(group_ids) or "none: add a 'groups' list first"
            c.add((*p, "group"), f"expected one of the groups ({known}), found {gid!r}")
        return Step(sid, c.text(d, "title", p), c.text(d, "description", p), gid)

    steps = tuple(c.items(top, "steps", (), step, at_least=2))
    if len(steps) > 12:
        c.add(("steps",), f"expected at most 12 steps, found {len(steps)}")
    c.raise_if_any()
    return Ladder(
        id=lid,
        version=version,
        title=title,
        summary=summary,
        source=source,
        attribution=attribution,
        steps=steps,
        groups=groups,
    )


def load_ladder(path: str | Path) -> Ladder:
    """Read and validate one ladder file; raise ContentError naming every problem."""
    path = Path(path)
    data, lines = read_yaml(path)
    return validate_ladder_data(data, lines, str(path), expected_id=path.stem)


def ladder_dirs() -> list[Path]:
    """Shipped ladders, then the user's own (a file dropped there is picked up)."""
    from ..paths import data_dir, user_dir

    return [data_dir() / "ladders", user_dir() / "ladders"]


class LadderLibrary:
    """Every valid ladder found; invalid files are kept as ``problems`` and left out."""

    def __init__(self, dirs: Iterable[Path] | None = None):
        self.problems: list[Problem] = []
        found = load_all(
            ladder_dirs() if dirs is None else dirs, load_ladder, "ladder", self.problems
        )
        self.ladders: dict[str, Ladder] = {lad.id: lad for lad in found}

    def __iter__(self) -> Iterator[Ladder]:
        # The TLAP ladder first: it is the one written for co-production.
        return iter(
            sorted(self.ladders.values(), key=lambda lad: (lad.id != "tlap-ladder", lad.id))
        )

    def get(self, ladder_id: str) -> Ladder:
        if ladder_id not in self.ladders:
            known = ", ".join(sorted(self.ladders)) or "none"
            raise KeyError(f"no ladder with id {ladder_id!r} (known: {known})")
        return self.ladders[ladder_id]


def ladder_summary(lad: Ladder) -> str:
    groups = f" in {len(lad.groups)} groups" if lad.groups else ""
    return f"{lad.id}@{lad.version}: {lad.title}: {len(lad.steps)} {lad.kind}s{groups}"
