"""Courses as a folder of files: validate them and load them into the model.

A course is a folder under ``data/courses/`` (or the user's own ``courses`` folder): a
``course.yaml`` and one Markdown file per module, named after the module's id. A module file
starts with YAML front matter between two ``---`` lines and holds its exercises as fenced
```` ```exercise ```` blocks of YAML (see data/courses/README.md).

Checked like frameworks: every problem at once, each as ``file:line: field.path: what was
expected``, with the line counted in the file the trainer edits (inside a Markdown file too).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..model.course import Block, Course, CourseSource, Module
from .course_checks import (
    References,
    check_exercise,
    check_minutes,
    check_sources,
    check_unique,
    check_version,
)
from .course_markdown import EXERCISES, split_module
from .validation import Checker, ContentError, PathT, Problem, dotted, read_yaml

__all__ = [
    "CourseLibrary",
    "References",
    "course_dirs",
    "course_summary",
    "load_course",
    "validate_course",
]

COURSE_FILE = "course.yaml"
COURSE_REQUIRED = ("id", "version", "title", "summary", "audience", "minutes", "modules", "sources")
COURSE_OPTIONAL = ("attribution",)
MODULE_REQUIRED = ("id", "title", "minutes", "sources")
MODULE_OPTIONAL = ("summary",)

# -- a module file, a course folder ----------------------------------------------------------


def _module(
    path: Path, refs: References, ids: dict[str, tuple[str, int | None]]
) -> tuple[Module | None, list[Problem]]:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        return None, [Problem(file, None, "", f"not UTF-8 text ({e.reason})")]
    except OSError as e:
        return None, [Problem(file, None, "", f"cannot be read ({e.strerror})")]
    parts = split_module(text, file)
    c = Checker(file, parts.lines)
    c.problems.extend(parts.problems)
    front = None
    if parts.front_read:
        front = c.mapping(parts.front, (), MODULE_REQUIRED, MODULE_OPTIONAL)
    mid = title = summary = ""
    minutes = 0
    sources: tuple[CourseSource, ...] = ()
    if front is not None:
        mid = c.ident(front, "id", ())
        if mid and mid != path.stem:
            c.add(("id",), f"expected the file name without .md ({path.stem!r}), found {mid!r}")
        title = c.text(front, "title", ())
        summary = c.text(front, "summary", (), required=False)
        minutes = check_minutes(c, front, ())
        sources = check_sources(c, front, ())
    blocks: dict[int, Block] = dict(parts.prose)
    for n, (at, data) in enumerate(parts.exercises):
        if n in parts.unparsed:
            continue
        ex = check_exercise(c, data, (EXERCISES, n), refs, ids)
        if ex is not None:
            blocks[at] = ex
    if c.problems:
        return None, c.problems
    ordered = tuple(blocks[k] for k in sorted(blocks))
    return Module(mid, title, minutes, ordered, sources, summary), []


def _folder(path: str | Path) -> Path:
    p = Path(path)
    return p.parent if p.name == COURSE_FILE else p


def _check_course(path: str | Path, refs: References | None) -> tuple[Course | None, list[Problem]]:
    folder = _folder(path)
    course_file = folder / COURSE_FILE
    if not folder.is_dir():
        return None, [Problem(str(folder), None, "", "expected a course folder with a course.yaml")]
    if not course_file.is_file():
        return None, [
            Problem(
                str(course_file),
                None,
                "",
                "missing: every course folder needs a course.yaml naming its modules",
            )
        ]
    try:
        data, lines = read_yaml(course_file)
    except ContentError as e:
        return None, e.problems
    refs = References.load() if refs is None else refs
    c = Checker(str(course_file), lines)
    top = c.mapping(data, (), COURSE_REQUIRED, COURSE_OPTIONAL)
    if top is None:
        return None, c.problems
    cid = c.ident(top, "id", ())
    if cid and cid != folder.name:
        c.add(("id",), f"expected the folder's name ({folder.name!r}), found {cid!r}")
    version = check_version(c, top)
    title = c.text(top, "title", ())
    summary = c.text(top, "summary", ())
    audience = c.text(top, "audience", ())
    attribution = c.text(top, "attribution", (), required=False)
    minutes = check_minutes(c, top, ())
    sources = check_sources(c, top, ())

    listed: dict[str, PathT] = {}
    seen_modules: dict[str, tuple[str, int | None]] = {}

    def module_id(v: Any, p: PathT) -> str | None:
        if not isinstance(v, str) or not v.strip():
            c.add(p, f"expected a module id (its file's name without .md), found {v!r}")
            return None
        mid = v.strip()
        check_unique(c, seen_modules, mid, p, "module")
        listed.setdefault(mid, p)
        return mid

    c.items(top, "modules", (), module_id)
    problems = list(c.problems)
    files = {f.stem: f for f in sorted(folder.glob("*.md")) if f.name.lower() != "readme.md"}
    for mid, p in listed.items():
        if mid not in files:
            problems.append(
                Problem(
                    c.file,
                    c.line(p),
                    dotted(p),
                    f"expected a module file {mid}.md in {folder}, found none",
                )
            )
    for stem, f in files.items():
        if stem not in listed:
            problems.append(
                Problem(
                    str(f),
                    1,
                    "",
                    f"module file not listed in {COURSE_FILE}: add {stem!r} "
                    "to its modules (or remove the file)",
                )
            )
    ids: dict[str, tuple[str, int | None]] = {}
    modules: list[Module] = []
    for mid in listed:
        if mid in files:
            module, found = _module(files[mid], refs, ids)
            problems.extend(found)
            if module is not None:
                modules.append(module)
    if problems:
        return None, problems
    course = Course(
        id=cid,
        version=version,
        title=title,
        summary=summary,
        audience=audience,
        minutes=minutes,
        modules=tuple(modules),
        sources=sources,
        attribution=attribution,
    )
    return course, []


def validate_course(path: str | Path, refs: References | None = None) -> list[Problem]:
    """Every problem of the course in folder ``path`` (or its course.yaml); empty when it is
    fine. ``refs`` are the ladders, models and frameworks exercises may name (by default the
    shipped ones and the user's own)."""
    return _check_course(path, refs)[1]


def load_course(path: str | Path, refs: References | None = None) -> Course:
    """Read and check a course folder; raise ContentError naming every problem."""
    course, problems = _check_course(path, refs)
    if problems or course is None:
        raise ContentError(problems)
    return course


def course_dirs() -> list[Path]:
    """Shipped courses first, then the user's own (a course folder dropped there is picked up)."""
    from ..paths import data_dir, user_dir

    return [data_dir() / "courses", user_dir() / "courses"]


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split(".") if x.isdigit())


class CourseLibrary:
    """Every valid course found in the folders (each course a sub-folder with a course.yaml);
    a course with problems is reported in ``problems`` and left out, never a crash."""

    def __init__(self, dirs: Iterable[Path] | None = None, refs: References | None = None):
        import logging

        log = logging.getLogger("coprod_widgets.content")
        self.problems: list[Problem] = []
        self.courses: dict[tuple[str, str], Course] = {}
        refs = References.load() if refs is None else refs
        for d in course_dirs() if dirs is None else dirs:
            if not d.is_dir():
                continue
            for folder in sorted(p for p in d.iterdir() if p.is_dir()):
                course, problems = _check_course(folder, refs)
                for problem in problems:
                    log.warning("course left out: %s", problem)
                self.problems.extend(problems)
                if course is not None:
                    self.courses[(course.id, course.version)] = course

    def latest(self) -> dict[str, Course]:
        out: dict[str, Course] = {}
        for (cid, _), course in sorted(self.courses.items(), key=lambda kv: _version_key(kv[0][1])):
            out[cid] = course
        return out

    def __iter__(self) -> Iterator[Course]:
        return iter(sorted(self.latest().values(), key=lambda c: c.title.casefold()))

    def get(self, course_id: str, version: str | None = None) -> Course:
        if version is not None:
            try:
                return self.courses[(course_id, version)]
            except KeyError:
                raise KeyError(f"{course_id}@{version}") from None
        latest = self.latest()
        if course_id not in latest:
            known = ", ".join(sorted(latest)) or "none"
            raise KeyError(f"no course with id {course_id!r} (known: {known})")
        return latest[course_id]


def course_summary(course: Course) -> str:
    n = len(course.exercises)
    return (
        f"{course.id}@{course.version}: {course.title}: {len(course.modules)} modules, "
        f"{n} exercises, about {course.minutes} minutes"
    )
