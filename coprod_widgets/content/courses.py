"""Courses as a folder of files: validate them and load them into the model.

A course is a folder under ``data/courses/`` (or the user's own ``courses`` folder): a
``course.yaml`` and one Markdown file per module, named after the module's id. A module file
starts with YAML front matter between two ``---`` lines and holds its exercises as fenced
```` ```exercise ```` blocks of YAML (see data/courses/README.md).

Checked like frameworks: every problem at once, each as ``file:line: field.path: what was
expected``, with the line counted in the file the trainer edits (inside a Markdown file too).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..model.course import (
    CHOICE,
    KINDS,
    LADDER,
    PLANNER,
    RATING,
    REFLECTION,
    SELF_ASSESSMENT,
    TEXT,
    Block,
    ChoiceOption,
    Course,
    CourseSource,
    Exercise,
    Module,
    RatingScale,
    Scenario,
)
from .validation import Checker, ContentError, PathT, Problem, dotted, read_yaml

COURSE_FILE = "course.yaml"
COURSE_REQUIRED = ("id", "version", "title", "summary", "audience", "minutes", "modules", "sources")
COURSE_OPTIONAL = ("attribution",)
MODULE_REQUIRED = ("id", "title", "minutes", "sources")
MODULE_OPTIONAL = ("summary",)
EXERCISE_REQUIRED = ("id", "kind", "prompt")
EXERCISE_OPTIONAL = ("hint",)
KIND_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    TEXT: ((), ()),
    RATING: (("scale",), ()),
    CHOICE: (("options",), ("multiple",)),
    LADDER: (("ladder",), ()),
    REFLECTION: (("model",), ()),
    SELF_ASSESSMENT: (("framework",), ()),
    PLANNER: (("scenario",), ()),
}
"""For each kind: the fields it needs and the fields it may have, beyond id, kind and prompt."""

VERSION_RE = re.compile(r"^\d+(\.\d+){0,2}$")
URL_RE = re.compile(r"^https?://\S+$")
FENCE_RE = re.compile(r"^(`{3,}|~{3,})\s*([^`\s]*)\s*$")
MAX_SCALE_POINTS = 11
EXERCISES = "exercises"


# -- what exercises may refer to -------------------------------------------------------------


@dataclass(frozen=True)
class References:
    """The ids an exercise may name, each with the ids an answer to it covers: ladders (their
    step ids), reflective models (their stage ids) and frameworks (their statement ids)."""

    ladders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    models: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    frameworks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        ladder_dirs: Iterable[Path] | None = None,
        model_dirs: Iterable[Path] | None = None,
        framework_dirs: Iterable[Path] | None = None,
    ) -> References:
        """From the content libraries (the shipped and the user's folders unless given)."""
        from .frameworks import FrameworkLibrary
        from .ladders import LadderLibrary
        from .models import ModelLibrary

        ladders = LadderLibrary(ladder_dirs).ladders
        models = ModelLibrary(model_dirs).latest()
        frameworks = FrameworkLibrary(framework_dirs).latest()
        return cls(
            ladders={k: tuple(s.id for s in v.steps) for k, v in ladders.items()},
            models={k: tuple(s.id for s in v.stages) for k, v in models.items()},
            frameworks={k: tuple(s.id for s in v.statements) for k, v in frameworks.items()},
        )


_REF_FIELD = {LADDER: "ladder", REFLECTION: "model", SELF_ASSESSMENT: "framework"}
_REF_WHAT = {
    LADDER: ("ladder", "data/ladders"),
    REFLECTION: ("reflective model", "data/reflective_models"),
    SELF_ASSESSMENT: ("framework", "data/frameworks"),
}


def _known(refs: References, kind: str) -> Mapping[str, tuple[str, ...]]:
    return {LADDER: refs.ladders, REFLECTION: refs.models, SELF_ASSESSMENT: refs.frameworks}[kind]


# -- YAML inside Markdown, with the file's own line numbers ----------------------------------


def _line_map(node: yaml.Node, path: PathT, offset: int, into: dict[PathT, int]) -> None:
    into[path] = node.start_mark.line + offset
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            _line_map(v, (*path, k.value), offset, into)
            into[(*path, k.value)] = k.start_mark.line + offset
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _line_map(v, (*path, i), offset, into)


def _yaml_snippet(
    text: str, file: str, first_line: int, prefix: PathT, lines: dict[PathT, int]
) -> tuple[bool, Any, list[Problem]]:
    """Parse YAML that starts at ``first_line`` of ``file``; add its line numbers to ``lines``
    under ``prefix``. Returns (parsed, data, problems)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        line = first_line + e.problem_mark.line if e.problem_mark else first_line
        return False, None, [Problem(file, line, dotted(prefix), f"not valid YAML: {e.problem}")]
    except yaml.YAMLError as e:
        return False, None, [Problem(file, first_line, dotted(prefix), f"not valid YAML: {e}")]
    if node is not None:
        _line_map(node, prefix, first_line, lines)
    else:
        lines[prefix] = first_line
    return True, data, []


@dataclass
class _Parts:
    """A module file cut into its front matter, prose and exercise blocks."""

    front: Any = None
    prose: list[tuple[int, str]] = field(default_factory=list)  # (index in blocks, text)
    exercises: list[tuple[int, Any]] = field(default_factory=list)  # (index in blocks, data)
    lines: dict[PathT, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    count: int = 0
    front_read: bool = False


def _split_module(text: str, file: str) -> _Parts:
    out = _Parts()
    rows = text.splitlines()
    if not rows or rows[0].strip() != "---":
        out.problems.append(
            Problem(
                file,
                1,
                "",
                "expected front matter: a first line '---', the module's "
                "id, title, minutes and sources in YAML, then a line '---'",
            )
        )
        return out
    end = next((i for i in range(1, len(rows)) if rows[i].strip() in ("---", "...")), None)
    if end is None:
        out.problems.append(
            Problem(file, 1, "", "front matter is not closed: expected a line '---' after it")
        )
        return out
    ok, out.front, problems = _yaml_snippet("\n".join(rows[1:end]), file, 2, (), out.lines)
    out.problems.extend(problems)
    out.front_read = ok
    prose: list[str] = []

    def flush() -> None:
        chunk = "\n".join(prose).strip()
        if chunk:
            out.prose.append((out.count, chunk))
            out.count += 1
        prose.clear()

    i = end + 1
    while i < len(rows):
        m = FENCE_RE.match(rows[i].rstrip())
        if not m:
            prose.append(rows[i])
            i += 1
            continue
        fence, info = m.group(1), m.group(2)
        close = next(
            (
                j
                for j in range(i + 1, len(rows))
                if rows[j].strip().startswith(fence[0] * len(fence))
                and not rows[j].strip().strip(fence[0])
            ),
            None,
        )
        if info.lower() != "exercise":
            if info.lower().startswith("exercise") or info.lower() in ("exercice", "excercise"):
                out.problems.append(
                    Problem(
                        file,
                        i + 1,
                        "",
                        f"expected a block opened with {fence}exercise, found {fence}{info}",
                    )
                )
            stop = len(rows) if close is None else close + 1
            prose.extend(rows[i:stop])
            i = stop
            continue
        n = len(out.exercises)
        if close is None:
            out.problems.append(
                Problem(
                    file,
                    i + 1,
                    f"{EXERCISES}[{n}]",
                    f"exercise block is not closed: expected a line {fence} after it",
                )
            )
            break
        flush()
        prefix: PathT = (EXERCISES, n)
        ok, data, problems = _yaml_snippet(
            "\n".join(rows[i + 1 : close]), file, i + 2, prefix, out.lines
        )
        out.lines.setdefault(prefix, i + 1)
        out.problems.extend(problems)
        if ok:
            out.exercises.append((out.count, data))
        else:
            out.exercises.append((out.count, {"__unparsed__": True}))
        out.count += 1
        i = close + 1
    flush()
    return out


# -- checking pieces -------------------------------------------------------------------------


def _version(c: Checker, top: dict[str, Any]) -> str:
    v = top.get("version")
    if v is None:
        return ""
    if not isinstance(v, str):
        c.add(("version",), f'expected a version in quotes such as "1.0", found {v!r}')
        return str(v)
    if not VERSION_RE.match(v.strip()):
        c.add(("version",), f'expected a version of numbers and dots such as "1.0", found {v!r}')
    return v.strip()


def _minutes(c: Checker, d: dict[str, Any], path: PathT) -> int:
    n = c.integer(d, "minutes", path)
    if n is not None and n <= 0:
        c.add((*path, "minutes"), f"expected a time in minutes greater than 0, found {n}")
    return n or 0


def _sources(c: Checker, d: dict[str, Any], path: PathT) -> tuple[CourseSource, ...]:
    def source(v: Any, p: PathT) -> CourseSource | None:
        sd = c.mapping(v, p, ("title",), ("url", "reference"))
        if sd is None:
            return None
        url = c.text(sd, "url", p, required=False)
        ref = c.text(sd, "reference", p, required=False)
        if url and not URL_RE.match(url):
            c.add((*p, "url"), f"expected a web address starting with https://, found {url!r}")
        if not url and not ref:
            c.add(p, "expected a 'url' or a 'reference' saying where to find the source")
        return CourseSource(c.text(sd, "title", p), url, ref)

    return tuple(c.items(d, "sources", path, source))


def _unique(
    c: Checker, seen: dict[str, tuple[str, int | None]], ident: str, path: PathT, what: str
) -> None:
    if not ident:
        return
    if ident in seen:
        file, line = seen[ident]
        where = f"line {line}" if file == c.file else f"{file}:{line}"
        c.add(path, f"{what} id {ident!r} is used twice (also at {where}); ids must be unique")
        return
    seen[ident] = (c.file, c.line(path))


def _exercise(
    c: Checker,
    data: Any,
    p: PathT,
    refs: References,
    ids: dict[str, tuple[str, int | None]],
) -> Exercise | None:
    if isinstance(data, dict) and data.get("__unparsed__"):
        return None
    kind = data.get("kind") if isinstance(data, dict) else None
    known_kind = isinstance(kind, str) and kind in KINDS
    if isinstance(kind, str) and kind in KIND_FIELDS:
        needs, may = KIND_FIELDS[kind]
        d = c.mapping(data, p, (*EXERCISE_REQUIRED, *needs), (*EXERCISE_OPTIONAL, *may))
    else:
        every = {f for n, m in KIND_FIELDS.values() for f in (*n, *m)}
        d = c.mapping(data, p, EXERCISE_REQUIRED, (*EXERCISE_OPTIONAL, *every))
        if kind is not None:
            c.add((*p, "kind"), f"expected one of the kinds {', '.join(KINDS)}, found {kind!r}")
    if d is None:
        return None
    eid = c.ident(d, "id", p)
    _unique(c, ids, eid, (*p, "id"), "exercise")
    prompt = c.text(d, "prompt", p)
    hint = c.text(d, "hint", p, required=False)
    if not known_kind:
        return None
    assert isinstance(kind, str)
    ex = Exercise(id=eid, kind=kind, prompt=prompt, hint=hint)
    if kind == RATING:
        ex = Exercise(eid, kind, prompt, hint, scale=_scale(c, d.get("scale"), (*p, "scale")))
    elif kind == CHOICE:
        ex = Exercise(
            eid,
            kind,
            prompt,
            hint,
            options=_options(c, d, p),
            multiple=c.boolean(d, "multiple", p, False),
        )
    elif kind in _REF_FIELD:
        key = _REF_FIELD[kind]
        ref = c.ident(d, key, p)
        known = _known(refs, kind)
        parts: tuple[str, ...] = ()
        if ref and ref not in known:
            what, where = _REF_WHAT[kind]
            listed = ", ".join(sorted(known)) or "none found"
            c.add((*p, key), f"expected the id of a {what} in {where} ({listed}), found {ref!r}")
        elif ref:
            parts = known[ref]
        ex = Exercise(eid, kind, prompt, hint, ref=ref, parts=parts)
    elif kind == PLANNER:
        ex = Exercise(eid, kind, prompt, hint, scenario=_scenario(c, d.get("scenario"), p))
    return ex


def _scale(c: Checker, v: Any, p: PathT) -> RatingScale | None:
    if v is None:
        return None
    d = c.mapping(v, p, ("min", "max"), ("min_label", "max_label"))
    if d is None:
        return None
    lo, hi = c.integer(d, "min", p), c.integer(d, "max", p)
    scale = RatingScale(
        lo or 0,
        hi or 0,
        c.text(d, "min_label", p, required=False),
        c.text(d, "max_label", p, required=False),
    )
    if lo is None or hi is None:
        return None
    if hi <= lo:
        c.add((*p, "max"), f"expected max greater than min ({lo} to {hi})")
    elif hi - lo + 1 > MAX_SCALE_POINTS:
        c.add((*p, "max"), f"expected at most {MAX_SCALE_POINTS} points, found {hi - lo + 1}")
    return scale


def _options(c: Checker, d: dict[str, Any], p: PathT) -> tuple[ChoiceOption, ...]:
    seen: dict[str, tuple[str, int | None]] = {}

    def option(v: Any, op: PathT) -> ChoiceOption | None:
        od = c.mapping(v, op, ("id", "label"))
        if od is None:
            return None
        oid = c.ident(od, "id", op)
        _unique(c, seen, oid, (*op, "id"), "option")
        return ChoiceOption(oid, c.text(od, "label", op))

    return tuple(c.items(d, "options", p, option, at_least=2))


def _scenario(c: Checker, v: Any, p: PathT) -> Scenario | None:
    if v is None:
        return None
    d = c.mapping(v, (*p, "scenario"), ("title", "description"))
    if d is None:
        return None
    return Scenario(
        c.text(d, "title", (*p, "scenario")), c.text(d, "description", (*p, "scenario"))
    )


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
    parts = _split_module(text, file)
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
        minutes = _minutes(c, front, ())
        sources = _sources(c, front, ())
    blocks: dict[int, Block] = dict(parts.prose)
    for n, (at, data) in enumerate(parts.exercises):
        ex = _exercise(c, data, (EXERCISES, n), refs, ids)
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
    version = _version(c, top)
    title = c.text(top, "title", ())
    summary = c.text(top, "summary", ())
    audience = c.text(top, "audience", ())
    attribution = c.text(top, "attribution", (), required=False)
    minutes = _minutes(c, top, ())
    sources = _sources(c, top, ())

    listed: dict[str, PathT] = {}
    seen_modules: dict[str, tuple[str, int | None]] = {}

    def module_id(v: Any, p: PathT) -> str | None:
        if not isinstance(v, str) or not v.strip():
            c.add(p, f"expected a module id (its file's name without .md), found {v!r}")
            return None
        mid = v.strip()
        _unique(c, seen_modules, mid, p, "module")
        listed.setdefault(mid, p)
        return mid

    order = c.items(top, "modules", (), module_id)
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
    for mid in order:
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
