"""Reflective models and export forms as YAML files: validate them and load them into the model.

The same checker as frameworks, so a trainer who adds a model or a form gets the same kind of
message: every problem at once, each as ``file:line: field.path: what was expected``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from ..model.forms import ENTRY_FIELDS, ExportForm, Limit, Option, Question
from ..model.framework import Source
from ..model.journal import FREE_FORM, ROLES, Compare, CycleRule, ReflectiveModel, Stage
from .validation import Checker, ContentError, PathT, Problem, load_all, read_yaml

MODEL_REQUIRED = ("id", "version", "title", "summary", "source", "attribution", "stages")
MODEL_OPTIONAL = ("cycle", "compare")
FORM_REQUIRED = (
    "id",
    "version",
    "title",
    "regulator",
    "summary",
    "source",
    "attribution",
    "questions",
)
FORM_OPTIONAL = ("profile_parts", "limits", "dated_list", "entries")


def model_dirs() -> list[Path]:
    """Shipped models first, then the user's own (a file dropped there is picked up)."""
    from ..paths import data_dir, user_dir

    return [data_dir() / "reflective_models", user_dir() / "reflective_models"]


def form_dirs() -> list[Path]:
    from ..paths import data_dir, user_dir

    return [data_dir() / "export_forms", user_dir() / "export_forms"]


# -- shared pieces ----------------------------------------------------------------------------


def _top(c: Checker, data: Any, required: tuple, optional: tuple, expected_id: str | None):
    top = c.mapping(data, (), required, optional)
    if top is None:
        c.raise_if_any()
        raise AssertionError("unreachable")
    ident = c.ident(top, "id", ())
    if ident and expected_id and ident != expected_id:
        c.add(("id",), f"expected the file name without .yaml ({expected_id!r}), found {ident!r}")
    version = top.get("version")
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, (str, int, float))
    ):
        c.add(("version",), 'expected a version such as "1.0" (in quotes)')
    version_s = str(version).strip() if version is not None else ""
    source = Source(citation="")
    src = top.get("source")
    if src is not None and c.mapping(src, ("source",), ("citation",), ("url", "notes")):
        source = Source(
            citation=c.text(src, "citation", ("source",)),
            url=c.text(src, "url", ("source",), required=False),
            notes=c.text(src, "notes", ("source",), required=False),
        )
    return top, ident, version_s, source


def _texts(c: Checker, d: dict[str, Any], key: str, path: PathT) -> tuple[str, ...]:
    v = d.get(key)
    if v is None:
        return ()
    if not isinstance(v, list):
        c.add((*path, key), f"expected a list of text, found {_kind(v)}")
        return ()
    out = []
    for i, item in enumerate(v):
        if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item):
            c.add((*path, key, i), "expected text")
            continue
        out.append(str(item).strip())
    return tuple(out)


def _ids(c: Checker, d: dict[str, Any], key: str, path: PathT) -> list[str]:
    v = d.get(key)
    if v is None:
        return []
    if not isinstance(v, list):
        c.add((*path, key), f"expected a list of ids, found {_kind(v)}")
        return []
    out = []
    for i, item in enumerate(v):
        if not isinstance(item, str):
            c.add((*path, key, i), f"expected an id, found {_kind(item)}")
            continue
        out.append(item)
    return out


def _kind(v: Any) -> str:
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, str):
        return "text"
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, (int, float)):
        return "a number"
    return "nothing" if v is None else type(v).__name__


def _unique(c: Checker, seen: dict[str, PathT], ident: str, path: PathT, what: str) -> None:
    if not ident:
        return
    if ident in seen:
        line = c.line(seen[ident])
        c.add(path, f"{what} id {ident!r} is used twice (also at line {line})")
    seen.setdefault(ident, path)


# -- reflective models ------------------------------------------------------------------------


def validate_model_data(
    data: Any, lines: dict[PathT, int], file: str, *, expected_id: str | None = None
) -> ReflectiveModel:
    """Check parsed YAML; return the model or raise ContentError listing every problem."""
    c = Checker(file, lines)
    top, mid, version, source = _top(c, data, MODEL_REQUIRED, MODEL_OPTIONAL, expected_id)
    if mid == FREE_FORM.id:
        c.add(("id",), f"{FREE_FORM.id!r} is built in: choose another id")
    title = c.text(top, "title", ())
    summary = c.text(top, "summary", ())
    attribution = c.text(top, "attribution", ())
    seen: dict[str, PathT] = {}

    def stage(v: Any, p: PathT) -> Stage | None:
        d = c.mapping(v, p, ("id", "title", "prompt", "role"), ("hints",))
        if d is None:
            return None
        sid = c.ident(d, "id", p)
        _unique(c, seen, sid, (*p, "id"), "stage")
        role = c.text(d, "role", p)
        if role and role not in ROLES:
            c.add((*p, "role"), f"expected one of: {', '.join(ROLES)}; found {role!r}")
        return Stage(
            id=sid,
            title=c.text(d, "title", p),
            prompt=c.text(d, "prompt", p),
            role=role,
            hints=_texts(c, d, "hints", p),
        )

    stages = tuple(c.items(top, "stages", (), stage))
    ids = {s.id for s in stages}

    def ref(d: dict[str, Any], key: str, path: PathT) -> str:
        v = c.text(d, key, path)
        if v and stages and v not in ids:
            c.add(
                (*path, key),
                f"expected the id of one of the stages ({', '.join(ids)}), found {v!r}",
            )
        return v

    cycle = None
    cyc = top.get("cycle")
    if cyc is not None and c.mapping(cyc, ("cycle",), ("carry", "into"), ("keep",)):
        keep = _ids(c, cyc, "keep", ("cycle",))
        for i, k in enumerate(keep):
            if stages and k not in ids:
                c.add(("cycle", "keep", i), f"expected the id of one of the stages, found {k!r}")
        cycle = CycleRule(ref(cyc, "carry", ("cycle",)), ref(cyc, "into", ("cycle",)), tuple(keep))
    compare = None
    cmp_ = top.get("compare")
    if cmp_ is not None and c.mapping(cmp_, ("compare",), ("predicted", "observed")):
        compare = Compare(ref(cmp_, "predicted", ("compare",)), ref(cmp_, "observed", ("compare",)))
        if compare.predicted and compare.predicted == compare.observed:
            c.add(("compare", "observed"), "expected a different stage from 'predicted'")
    c.raise_if_any()
    return ReflectiveModel(
        id=mid,
        version=version,
        title=title,
        summary=summary,
        source=source,
        attribution=attribution,
        stages=stages,
        cycle=cycle,
        compare=compare,
    )


def load_model(path: str | Path) -> ReflectiveModel:
    path = Path(path)
    data, lines = read_yaml(path)
    return validate_model_data(data, lines, str(path), expected_id=path.stem)


# -- export forms -------------------------------------------------------------------------------


def validate_form_data(
    data: Any, lines: dict[PathT, int], file: str, *, expected_id: str | None = None
) -> ExportForm:
    c = Checker(file, lines)
    top, fid, version, source = _top(c, data, FORM_REQUIRED, FORM_OPTIONAL, expected_id)
    seen: dict[str, PathT] = {}

    def option(v: Any, p: PathT) -> Option | None:
        d = c.mapping(v, p, ("id", "title"))
        if d is None:
            return None
        return Option(c.ident(d, "id", p), c.text(d, "title", p))

    def question(v: Any, p: PathT, *, part: bool = False) -> Question | None:
        optional: tuple[str, ...] = ("help", "max_words", "required")
        if not part:
            optional += ("roles", "field", "options", "min_choices")
        d = c.mapping(v, p, ("id", "title"), optional)
        if d is None:
            return None
        qid = c.ident(d, "id", p)
        _unique(c, seen, qid, (*p, "id"), "question")
        roles = _ids(c, d, "roles", p)
        for i, r in enumerate(roles):
            if r not in ROLES:
                c.add((*p, "roles", i), f"expected one of: {', '.join(ROLES)}; found {r!r}")
        fld = c.text(d, "field", p, required=False)
        if fld and fld not in ENTRY_FIELDS:
            c.add((*p, "field"), f"expected one of: {', '.join(ENTRY_FIELDS)}; found {fld!r}")
        options = tuple(c.items(d, "options", p, option)) if "options" in d else ()
        oids: dict[str, PathT] = {}
        for i, o in enumerate(options):
            _unique(c, oids, o.id, (*p, "options", i, "id"), "option")
        if fld and (roles or options):
            c.add((*p, "field"), "a question answered by an entry field takes no roles or options")
        min_choices = c.integer(d, "min_choices", p) or 0
        if "min_choices" in d and not options:
            c.add((*p, "min_choices"), "expected options to choose from")
        elif min_choices < 0 or min_choices > len(options):
            c.add((*p, "min_choices"), f"expected a number from 0 to {len(options)}")
        max_words = c.integer(d, "max_words", p)
        if max_words is not None and max_words < 1:
            c.add((*p, "max_words"), "expected a whole number above 0")
        return Question(
            id=qid,
            title=" ".join(c.text(d, "title", p).split()),
            help=" ".join(c.text(d, "help", p, required=False).split()),
            roles=tuple(roles),
            field=fld,
            options=options,
            min_choices=min_choices,
            max_words=max_words,
            required=c.boolean(d, "required", p, True),
        )

    questions = tuple(c.items(top, "questions", (), question))
    parts = tuple(
        c.items(top, "profile_parts", (), lambda v, p: question(v, p, part=True), at_least=1)
    )
    qids = {q.id for q in questions}

    def limit(v: Any, p: PathT) -> Limit | None:
        d = c.mapping(v, p, ("id", "title", "questions", "max_words"))
        if d is None:
            return None
        listed = _ids(c, d, "questions", p)
        for i, q in enumerate(listed):
            if questions and q not in qids:
                c.add((*p, "questions", i), f"expected the id of one of the questions, found {q!r}")
        mw = c.integer(d, "max_words", p)
        if mw is not None and mw < 1:
            c.add((*p, "max_words"), "expected a whole number above 0")
        return Limit(c.ident(d, "id", p), c.text(d, "title", p), tuple(listed), mw or 0)

    limits = tuple(c.items(top, "limits", (), limit))
    dated = c.boolean(top, "dated_list", (), False)
    entries: tuple[int, int] | None = None
    if top.get("entries") is not None:
        e = c.mapping(top["entries"], ("entries",), ("min", "max"))
        if e is not None:
            lo, hi = c.integer(e, "min", ("entries",)), c.integer(e, "max", ("entries",))
            if lo is not None and hi is not None:
                if not 1 <= lo <= hi:
                    c.add(("entries",), f"expected 1 <= min <= max, found min {lo}, max {hi}")
                entries = (lo, hi)
    title = c.text(top, "title", ())
    regulator = c.text(top, "regulator", ())
    summary = c.text(top, "summary", ())
    attribution = c.text(top, "attribution", ())
    c.raise_if_any()
    return ExportForm(
        id=fid,
        version=version,
        title=title,
        regulator=regulator,
        summary=summary,
        source=source,
        attribution=attribution,
        questions=questions,
        profile_parts=parts,
        limits=limits,
        dated_list=dated,
        entries=entries,
    )


def load_form(path: str | Path) -> ExportForm:
    path = Path(path)
    data, lines = read_yaml(path)
    return validate_form_data(data, lines, str(path), expected_id=path.stem)


def load_any(path: str | Path) -> ReflectiveModel | ExportForm:
    """A model or a form, told apart by its keys (``stages`` or ``questions``)."""
    path = Path(path)
    data, lines = read_yaml(path)
    if isinstance(data, dict) and "questions" in data and "stages" not in data:
        return validate_form_data(data, lines, str(path), expected_id=path.stem)
    if isinstance(data, dict) and "stages" in data:
        return validate_model_data(data, lines, str(path), expected_id=path.stem)
    raise ContentError(
        [
            Problem(
                str(path),
                1,
                "",
                "expected a reflective model (with 'stages') or an export form (with 'questions')",
            )
        ]
    )


# -- libraries ----------------------------------------------------------------------------------

T = TypeVar("T", ReflectiveModel, ExportForm)


class _Library(Generic[T]):
    """Every valid file in the folders; the invalid ones kept as problems, never a crash."""

    kind = "file"

    def __init__(self, dirs: Iterable[Path], load: Callable[[Path], T]):
        self.problems: list[Problem] = []
        self.items: dict[tuple[str, str], T] = {
            (item.id, item.version): item for item in load_all(dirs, load, self.kind, self.problems)
        }

    def latest(self) -> dict[str, T]:
        from .frameworks import _version_key

        out: dict[str, T] = {}
        for (iid, _), item in sorted(self.items.items(), key=lambda kv: _version_key(kv[0][1])):
            out[iid] = item
        return out

    def __iter__(self) -> Iterator[T]:
        return iter(self.latest().values())

    def get(self, ident: str, version: str | None = None) -> T:
        if version is not None:
            try:
                return self.items[(ident, version)]
            except KeyError:
                raise KeyError(f"{ident}@{version}") from None
        latest = self.latest()
        if ident not in latest:
            known = ", ".join(sorted(latest)) or "none"
            raise KeyError(f"no {self.kind} with id {ident!r} (known: {known})")
        return latest[ident]


class ModelLibrary(_Library[ReflectiveModel]):
    """The reflective models: the shipped and the user's files, and free-form (always there)."""

    kind = "reflective model"
    ORDER = ("gibbs", "kolb", "what-so-what-now-what", "pdsa", "brookfield-lenses")

    def __init__(self, dirs: Iterable[Path] | None = None):
        super().__init__(model_dirs() if dirs is None else dirs, load_model)
        self.items[(FREE_FORM.id, FREE_FORM.version)] = FREE_FORM

    def __iter__(self) -> Iterator[ReflectiveModel]:
        order = {m: i for i, m in enumerate((*self.ORDER, FREE_FORM.id))}
        return iter(
            sorted(self.latest().values(), key=lambda m: (order.get(m.id, 50), m.title.casefold()))
        )


class FormLibrary(_Library[ExportForm]):
    kind = "export form"

    def __init__(self, dirs: Iterable[Path] | None = None):
        super().__init__(form_dirs() if dirs is None else dirs, load_form)

    def __iter__(self) -> Iterator[ExportForm]:
        return iter(sorted(self.latest().values(), key=lambda f: f.title.casefold()))


def model_summary(m: ReflectiveModel) -> str:
    extra = ""
    if m.compare:
        extra = f", {m.compare.predicted} beside {m.compare.observed}"
    rule = m.cycle_rule()
    return (
        f"{m.key}: {m.title}: {len(m.stages)} stages; next cycle starts from "
        f"{rule.carry} (into {rule.into}){extra}"
    )


def form_summary(f: ExportForm) -> str:
    limits = [
        f"{q.title} <= {q.max_words}" for q in (*f.profile_parts, *f.questions) if q.max_words
    ]
    limits += [f"{lim.title} <= {lim.max_words}" for lim in f.limits]
    return (
        f"{f.key}: {f.title}: {len(f.questions)} questions"
        + (f", {len(f.profile_parts)} profile parts" if f.profile_parts else "")
        + (f"; word limits: {', '.join(limits)}" if limits else "")
    )
