"""What the planner offers a team, from data/planner/ and data/ladders/, validated.

- ``four-cos.yaml``: the four stages a plan asks about (ids fixed by the model).
- ``risks.yaml``: the starting list of risks, the seeds' known weaknesses in our own words.
- ``measures.yaml``: ideas for measures under the areas of benefit of a framework file
  (the six areas of benefit), whose principles give the areas their titles and descriptions.
- ``payments.yaml``: the note shown beside payments to participants.

Problems are reported like framework problems: ``file:line: field.path: what was expected``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..model.framework import Framework
from ..model.plan import (
    FOUR_COS,
    AreaOfBenefit,
    CoStage,
    Guide,
    PlannerContent,
    RiskIdea,
)
from .ladders import LadderLibrary, source_of, unique_id, version_of
from .validation import Checker, ContentError, PathT, Problem, read_yaml

COMMON = ("id", "version", "title", "summary", "source", "attribution")


def _top(c: Checker, data: Any, required: Iterable[str], optional: Iterable[str] = ()) -> dict:
    top = c.mapping(data, (), (*COMMON, *required), optional)
    if top is None:
        c.raise_if_any()
        raise AssertionError("unreachable")
    c.ident(top, "id", ())
    version_of(c, top)
    for key in ("title", "summary", "attribution"):
        c.text(top, key, ())
    return top


def validate_four_cos(data: Any, lines: dict[PathT, int], file: str) -> tuple:
    c = Checker(file, lines)
    top = _top(c, data, ("stages",))
    seen: dict[str, PathT] = {}

    def stage(v: Any, p: PathT) -> CoStage | None:
        d = c.mapping(v, p, ("id", "title", "description"))
        if d is None:
            return None
        sid = c.ident(d, "id", p)
        unique_id(c, seen, sid, (*p, "id"), "stage")
        if sid and sid not in FOUR_COS:
            c.add((*p, "id"), f"expected one of {', '.join(FOUR_COS)}, found {sid!r}")
        return CoStage(sid, c.text(d, "title", p), c.text(d, "description", p))

    stages = tuple(c.items(top, "stages", (), stage))
    missing = [co for co in FOUR_COS if co not in seen]
    if missing and top.get("stages") is not None:
        c.add(("stages",), f"expected all four stages; missing {', '.join(missing)}")
    source = source_of(c, top)
    c.raise_if_any()
    order = {co: i for i, co in enumerate(FOUR_COS)}
    return tuple(sorted(stages, key=lambda s: order[s.id])), source


def validate_risks(data: Any, lines: dict[PathT, int], file: str) -> tuple:
    c = Checker(file, lines)
    top = _top(c, data, ("risks",))
    seen: dict[str, PathT] = {}

    def risk(v: Any, p: PathT) -> RiskIdea | None:
        d = c.mapping(v, p, ("id", "title", "description", "how", "source"))
        if d is None:
            return None
        rid = c.ident(d, "id", p)
        unique_id(c, seen, rid, (*p, "id"), "risk")
        return RiskIdea(
            rid,
            c.text(d, "title", p),
            c.text(d, "description", p),
            c.text(d, "how", p),
            c.text(d, "source", p),
        )

    risks = tuple(c.items(top, "risks", (), risk))
    source = source_of(c, top)
    c.raise_if_any()
    return risks, source


def validate_measures(
    data: Any, lines: dict[PathT, int], file: str, frameworks: dict[str, Framework]
) -> tuple:
    c = Checker(file, lines)
    top = _top(c, data, ("framework", "areas"))
    fid = c.ident(top, "framework", ())
    fw = frameworks.get(fid) if fid else None
    if fid and fw is None:
        known = ", ".join(sorted(frameworks)) or "none"
        c.add(("framework",), f"expected the id of a framework file ({known}), found {fid!r}")
    seen: dict[str, PathT] = {}
    ideas: dict[str, tuple[str, ...]] = {}

    def area(v: Any, p: PathT) -> None:
        d = c.mapping(v, p, ("id", "ideas"))
        if d is None:
            return
        aid = c.ident(d, "id", p)
        unique_id(c, seen, aid, (*p, "id"), "area")
        if fw is not None and aid and aid not in {pr.id for pr in fw.principles}:
            known = ", ".join(pr.id for pr in fw.principles)
            c.add((*p, "id"), f"expected a principle of {fid} ({known}), found {aid!r}")

        def idea(iv: Any, ip: PathT) -> str | None:
            if isinstance(iv, bool) or not isinstance(iv, str) or not iv.strip():
                c.add(ip, "expected a sentence of text")
                return None
            return iv.strip()

        ideas[aid] = tuple(c.items(d, "ideas", p, idea))

    c.items(top, "areas", (), area)
    source = source_of(c, top)
    c.raise_if_any()
    assert fw is not None
    areas = tuple(
        AreaOfBenefit(pr.id, pr.title, pr.description, ideas.get(pr.id, ())) for pr in fw.principles
    )
    return areas, source


def validate_guide(data: Any, lines: dict[PathT, int], file: str) -> Guide:
    c = Checker(file, lines)
    top = _top(c, data, ("points",))

    def point(v: Any, p: PathT) -> str | None:
        if isinstance(v, bool) or not isinstance(v, str) or not v.strip():
            c.add(p, "expected a sentence of text")
            return None
        return " ".join(v.split())

    points = tuple(c.items(top, "points", (), point))
    source = source_of(c, top)
    c.raise_if_any()
    return Guide(
        id=str(top["id"]),
        title=str(top["title"]).strip(),
        summary=" ".join(str(top["summary"]).split()),
        points=points,
        source=source,
    )


def _read(path: Path, problems: list[Problem]) -> tuple[Any, dict[PathT, int]] | None:
    try:
        return read_yaml(path)
    except ContentError as e:
        problems.extend(e.problems)
        return None


def load_planner_content(
    planner_dir: Path | None = None,
    ladder_dirs: Iterable[Path] | None = None,
    framework_dirs: Iterable[Path] | None = None,
) -> PlannerContent:
    """Read every planner file; raise ContentError listing every problem in all of them."""
    from ..paths import data_dir
    from .frameworks import load_framework

    planner_dir = planner_dir or data_dir() / "planner"
    problems: list[Problem] = []
    ladders = LadderLibrary(ladder_dirs)
    problems.extend(ladders.problems)
    if not ladders.ladders and not ladders.problems:
        problems.append(Problem(str(planner_dir), None, "", "no ladder files were found"))

    # Only the framework the measures name is read, not every framework: this runs in a page.
    frameworks: dict[str, Framework] = {}
    measures_raw = _read(planner_dir / "measures.yaml", problems)
    if measures_raw is not None and isinstance(measures_raw[0], dict):
        fid = measures_raw[0].get("framework")
        if isinstance(fid, str):
            from ..paths import framework_dirs as default_framework_dirs

            for d in framework_dirs or default_framework_dirs():
                f = d / f"{fid}.yaml"
                if f.is_file():
                    try:
                        frameworks[fid] = load_framework(f)
                    except ContentError as e:
                        problems.extend(e.problems)

    results: dict[str, Any] = {}
    checks = {
        "four-cos.yaml": validate_four_cos,
        "risks.yaml": validate_risks,
        "payments.yaml": validate_guide,
    }
    for name, check in checks.items():
        raw = _read(planner_dir / name, problems)
        if raw is None:
            continue
        try:
            results[name] = check(raw[0], raw[1], str(planner_dir / name))
        except ContentError as e:
            problems.extend(e.problems)
    if measures_raw is not None:
        try:
            results["measures.yaml"] = validate_measures(
                *measures_raw, str(planner_dir / "measures.yaml"), frameworks
            )
        except ContentError as e:
            problems.extend(e.problems)
    if problems:
        raise ContentError(problems)
    four_cos, cos_source = results["four-cos.yaml"]
    risks, risks_source = results["risks.yaml"]
    areas, areas_source = results["measures.yaml"]
    return PlannerContent(
        ladders=tuple(ladders),
        four_cos=four_cos,
        four_cos_source=cos_source,
        risks=risks,
        risks_source=risks_source,
        areas=areas,
        areas_source=areas_source,
        payments=results["payments.yaml"],
    )
