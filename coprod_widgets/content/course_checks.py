"""The checks of a course's fields and exercises, and what exercises may refer to.

Used by ``courses.py`` for course.yaml and for each module's front matter and exercise blocks;
every check adds its problem to the ``Checker`` (file, line, field, what was expected).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model.course import (
    CHOICE,
    KINDS,
    LADDER,
    PLANNER,
    RATING,
    REFLECTION,
    SELF_ASSESSMENT,
    TEXT,
    ChoiceOption,
    CourseSource,
    Exercise,
    RatingScale,
    Scenario,
)
from .validation import Checker, PathT

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
MAX_SCALE_POINTS = 11


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


# -- checking pieces -------------------------------------------------------------------------


def check_version(c: Checker, top: dict[str, Any]) -> str:
    v = top.get("version")
    if v is None:
        return ""
    if not isinstance(v, str):
        c.add(("version",), f'expected a version in quotes such as "1.0", found {v!r}')
        return str(v)
    if not VERSION_RE.match(v.strip()):
        c.add(("version",), f'expected a version of numbers and dots such as "1.0", found {v!r}')
    return v.strip()


def check_minutes(c: Checker, d: dict[str, Any], path: PathT) -> int:
    n = c.integer(d, "minutes", path)
    if n is not None and n <= 0:
        c.add((*path, "minutes"), f"expected a time in minutes greater than 0, found {n}")
    return n or 0


def check_sources(c: Checker, d: dict[str, Any], path: PathT) -> tuple[CourseSource, ...]:
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


def check_unique(
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


def check_exercise(
    c: Checker,
    data: Any,
    p: PathT,
    refs: References,
    ids: dict[str, tuple[str, int | None]],
) -> Exercise | None:
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
    check_unique(c, ids, eid, (*p, "id"), "exercise")
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
        check_unique(c, seen, oid, (*op, "id"), "option")
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
