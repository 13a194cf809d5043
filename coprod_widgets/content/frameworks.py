"""Frameworks of principles as YAML files: validate them and load them into the model."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..model.framework import Band, Framework, Principle, Scale, ScalePoint, Source, Statement
from .validation import Checker, PathT, Problem, load_all, read_yaml

TOP_REQUIRED = ("id", "version", "title", "summary", "source", "attribution", "scale", "principles")
TOP_OPTIONAL = ("bands",)


def validate_framework_data(
    data: Any, lines: dict[PathT, int], file: str, *, expected_id: str | None = None
) -> Framework:
    """Check parsed YAML; return the Framework or raise ContentError listing every problem."""
    c = Checker(file, lines)
    top = c.mapping(data, (), TOP_REQUIRED, TOP_OPTIONAL)
    if top is None:
        c.raise_if_any()
        raise AssertionError("unreachable")
    fid = c.ident(top, "id", ())
    if fid and expected_id and fid != expected_id:
        c.add(("id",), f"expected the file name without .yaml ({expected_id!r}), found {fid!r}")
    version = top.get("version")
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, (str, int, float))
    ):
        c.add(("version",), 'expected a version such as "1.0" (in quotes)')
    version_s = str(version).strip() if version is not None else ""
    title = c.text(top, "title", ())
    summary = c.text(top, "summary", ())
    attribution = c.text(top, "attribution", ())

    source = Source(citation="")
    src = top.get("source")
    if src is not None and c.mapping(src, ("source",), ("citation",), ("url", "notes")):
        source = Source(
            citation=c.text(src, "citation", ("source",)),
            url=c.text(src, "url", ("source",), required=False),
            notes=c.text(src, "notes", ("source",), required=False),
        )

    scale = _scale(c, top.get("scale"))
    bands = tuple(c.items(top, "bands", (), lambda v, p: _band(c, v, p), at_least=1))
    if scale is not None and bands:
        _check_bands(c, scale, bands)

    statement_ids: dict[str, PathT] = {}
    principle_ids: dict[str, PathT] = {}

    def principle(v: Any, p: PathT) -> Principle | None:
        d = c.mapping(v, p, ("id", "title", "description", "statements"), ("guidance",))
        if d is None:
            return None
        pid = c.ident(d, "id", p)
        if pid in principle_ids:
            c.add(
                (*p, "id"),
                f"principle id {pid!r} is used twice (also at {_where(c, principle_ids[pid])})",
            )
        principle_ids.setdefault(pid, (*p, "id"))

        def statement(sv: Any, sp: PathT) -> Statement | None:
            sd = c.mapping(sv, sp, ("id", "text"))
            if sd is None:
                return None
            sid = c.ident(sd, "id", sp)
            if sid in statement_ids:
                c.add(
                    (*sp, "id"),
                    f"statement id {sid!r} is used twice (also at {_where(c, statement_ids[sid])})",
                )
            statement_ids.setdefault(sid, (*sp, "id"))
            return Statement(sid, c.text(sd, "text", sp))

        statements = tuple(c.items(d, "statements", p, statement))
        return Principle(
            id=pid,
            title=c.text(d, "title", p),
            description=c.text(d, "description", p),
            guidance=c.text(d, "guidance", p, required=False),
            statements=statements,
        )

    principles = tuple(c.items(top, "principles", (), principle))
    c.raise_if_any()
    assert scale is not None
    return Framework(
        id=fid,
        version=version_s,
        title=title,
        summary=summary,
        source=source,
        attribution=attribution,
        scale=scale,
        principles=principles,
        bands=bands,
    )


def _where(c: Checker, path: PathT) -> str:
    line = c.line(path)
    return f"line {line}" if line else "another place"


def _scale(c: Checker, v: Any) -> Scale | None:
    if v is None:
        return None
    d = c.mapping(v, ("scale",), ("id", "title", "points"), ("dont_know",))
    if d is None:
        return None

    def point(pv: Any, p: PathT) -> ScalePoint | None:
        pd = c.mapping(pv, p, ("value", "label", "descriptor"))
        if pd is None:
            return None
        value = c.integer(pd, "value", p)
        label = c.text(pd, "label", p)
        descriptor = c.text(pd, "descriptor", p)
        return None if value is None else ScalePoint(value, label, descriptor)

    points = tuple(c.items(d, "points", ("scale",), point, at_least=2))
    if len(points) > 10:
        c.add(("scale", "points"), f"expected at most 10 points, found {len(points)}")
    for i in range(1, len(points)):
        if points[i].value <= points[i - 1].value:
            c.add(
                ("scale", "points", i, "value"),
                f"expected values in increasing order: {points[i].value} comes after "
                f"{points[i - 1].value}",
            )
    if len(points) < 2:
        return None
    return Scale(
        id=c.ident(d, "id", ("scale",)),
        title=c.text(d, "title", ("scale",)),
        points=points,
        dont_know=c.boolean(d, "dont_know", ("scale",), True),
    )


def _band(c: Checker, v: Any, p: PathT) -> Band | None:
    d = c.mapping(v, p, ("min", "max", "label"), ("descriptor",))
    if d is None:
        return None
    lo, hi = c.number(d, "min", p), c.number(d, "max", p)
    label = c.text(d, "label", p)
    if lo is None or hi is None:
        return None
    if lo >= hi:
        c.add((*p, "max"), f"expected max greater than min ({lo} to {hi})")
    return Band(lo, hi, label, c.text(d, "descriptor", p, required=False))


def _check_bands(c: Checker, scale: Scale, bands: tuple[Band, ...]) -> None:
    if bands[0].min != scale.minimum:
        c.add(
            ("bands", 0, "min"),
            f"expected the first band to start at the scale's lowest value {scale.minimum}",
        )
    if bands[-1].max != scale.maximum:
        c.add(
            ("bands", len(bands) - 1, "max"),
            f"expected the last band to end at the scale's highest value {scale.maximum}",
        )
    for i in range(1, len(bands)):
        if bands[i].min != bands[i - 1].max:
            c.add(
                ("bands", i, "min"),
                f"expected bands to follow on without gaps or overlaps: "
                f"{bands[i - 1].max} then {bands[i].min}",
            )


def load_framework(path: str | Path) -> Framework:
    """Read and validate one framework file; raise ContentError naming every problem."""
    path = Path(path)
    data, lines = read_yaml(path)
    return validate_framework_data(data, lines, str(path), expected_id=path.stem)


class FrameworkLibrary:
    """Every valid framework found in the given folders; the invalid ones are kept as problems.

    A malformed file never stops the app: it is reported (``problems``) and left out.
    """

    def __init__(self, dirs: Iterable[Path] | None = None):
        if dirs is None:
            from ..paths import framework_dirs

            dirs = framework_dirs()
        self.problems: list[Problem] = []
        self.frameworks: dict[tuple[str, str], Framework] = {
            (fw.id, fw.version): fw
            for fw in load_all(dirs, load_framework, "framework", self.problems)
        }

    def __iter__(self) -> Iterator[Framework]:
        return iter(sorted(self.latest().values(), key=lambda f: f.title.casefold()))

    def latest(self) -> dict[str, Framework]:
        out: dict[str, Framework] = {}
        for (fid, _), fw in sorted(self.frameworks.items(), key=lambda kv: _version_key(kv[0][1])):
            out[fid] = fw
        return out

    def get(self, framework_id: str, version: str | None = None) -> Framework:
        if version is not None:
            try:
                return self.frameworks[(framework_id, version)]
            except KeyError:
                raise KeyError(f"{framework_id}@{version}") from None
        latest = self.latest()
        if framework_id not in latest:
            known = ", ".join(sorted(latest)) or "none"
            raise KeyError(f"no framework with id {framework_id!r} (known: {known})")
        return latest[framework_id]


def _version_key(v: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(x)) if x.isdigit() else (1, x) for x in v.replace("-", ".").split("."))


def framework_summary(fw: Framework) -> str:
    n = len(fw.statements)
    return (
        f"{fw.id}@{fw.version}: {fw.title}: {len(fw.principles)} principles, {n} statements, "
        f"scale {fw.scale.minimum}-{fw.scale.maximum}"
        + (f", {len(fw.bands)} bands" if fw.bands else "")
    )
