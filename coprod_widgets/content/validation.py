"""A small schema checker for hand-written YAML that names the file, line and field path.

Trainers write these files by hand, so every problem is reported at once (not only the first),
each as ``file:line: field.path: what was expected``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

PathT = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(top level)'}: {self.message}"


class ContentError(Exception):
    """A content file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def dotted(path: PathT) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _lines(node: yaml.Node, path: PathT, into: dict[PathT, int]) -> None:
    into[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            into[(*path, key)] = k.start_mark.line + 1
            _lines(v, (*path, key), into)
            into[(*path, key)] = k.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _lines(v, (*path, i), into)


def read_yaml(path: Path) -> tuple[Any, dict[PathT, int]]:
    """Parse a YAML file; return the data and a map from field path to line number."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ContentError([Problem(name, None, "", f"not UTF-8 text ({e.reason})")]) from None
    except OSError as e:
        raise ContentError([Problem(name, None, "", f"cannot be read ({e.strerror})")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        raise ContentError([Problem(name, line, "", f"not valid YAML: {e.problem}")]) from None
    except yaml.YAMLError as e:
        raise ContentError([Problem(name, None, "", f"not valid YAML: {e}")]) from None
    lines: dict[PathT, int] = {}
    if node is not None:
        _lines(node, (), lines)
    return data, lines


class Checker:
    """Collects problems while walking plain data, with line numbers from ``read_yaml``."""

    def __init__(self, file: str, lines: dict[PathT, int]):
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def line(self, path: PathT) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def add(self, path: PathT, message: str) -> None:
        self.problems.append(Problem(self.file, self.line(path), dotted(path), message))

    def mapping(
        self,
        value: Any,
        path: PathT,
        required: Iterable[str],
        optional: Iterable[str] = (),
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(path, f"expected a mapping of fields, found {_kind(value)}")
            return None
        required = list(required)
        allowed = set(required) | set(optional)
        for key in required:
            if key not in value or value[key] is None:
                self.add(path, f"missing required field '{key}'")
        for key in value:
            if key not in allowed:
                self.add(
                    (*path, str(key)),
                    f"unknown field; expected one of: {', '.join(sorted(allowed))}",
                )
        return value

    def text(self, d: dict[str, Any], key: str, path: PathT, *, required: bool = True) -> str:
        v = d.get(key)
        if v is None:
            return ""  # a missing required field is reported by mapping()
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            self.add((*path, key), f"expected text, found {_kind(v)}")
            return ""
        s = str(v).strip()
        if required and not s:
            self.add((*path, key), "expected text, found an empty value")
        return s

    def ident(self, d: dict[str, Any], key: str, path: PathT) -> str:
        v = self.text(d, key, path)
        if v and not ID_RE.match(v):
            self.add(
                (*path, key),
                f"expected an id of lowercase letters, digits and hyphens, found {v!r}",
            )
        return v

    def integer(self, d: dict[str, Any], key: str, path: PathT) -> int | None:
        v = d.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            self.add((*path, key), f"expected a whole number, found {_kind(v)} {v!r}")
            return None
        return v

    def number(self, d: dict[str, Any], key: str, path: PathT) -> float | None:
        v = d.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.add((*path, key), f"expected a number, found {_kind(v)} {v!r}")
            return None
        return float(v)

    def boolean(self, d: dict[str, Any], key: str, path: PathT, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            self.add((*path, key), f"expected true or false, found {_kind(v)} {v!r}")
            return default
        return v

    def items(
        self,
        d: dict[str, Any],
        key: str,
        path: PathT,
        each: Callable[[Any, PathT], Any],
        *,
        at_least: int = 1,
    ) -> list[Any]:
        v = d.get(key)
        if v is None:
            return []
        if not isinstance(v, list):
            self.add((*path, key), f"expected a list, found {_kind(v)}")
            return []
        if len(v) < at_least:
            self.add((*path, key), f"expected at least {at_least} item(s), found {len(v)}")
        out = []
        for i, item in enumerate(v):
            r = each(item, (*path, key, i))
            if r is not None:
                out.append(r)
        return out

    def raise_if_any(self) -> None:
        if self.problems:
            raise ContentError(self.problems)


def _kind(v: Any) -> str:
    if v is None:
        return "nothing"
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "text"
    return type(v).__name__


T = TypeVar("T")


def load_all(
    dirs: Iterable[Path], load: Callable[[Path], T], kind: str, problems: list[Problem]
) -> list[T]:
    """Every valid YAML file of the folders, in name order. A file that does not load adds its
    problems to ``problems`` (and to the log) and is left out: content never stops the app."""
    import logging

    log = logging.getLogger("coprod_widgets.content")
    out: list[T] = []
    for d in dirs:
        if not d.is_dir():
            continue
        for f in sorted(d.glob("*.y*ml")):
            try:
                out.append(load(f))
            except ContentError as e:
                problems.extend(e.problems)
                for p in e.problems:
                    log.warning("%s left out: %s", kind, p)
    return out
