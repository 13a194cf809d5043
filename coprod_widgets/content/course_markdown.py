"""A course module's Markdown file cut into its front matter, prose and exercise blocks.

The YAML of the front matter and of each ```` ```exercise ```` block is parsed with the line
numbers of the Markdown file itself, so a problem names the line the trainer sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .validation import PathT, Problem, dotted

FENCE_RE = re.compile(r"^(`{3,}|~{3,})\s*([^`\s]*)\s*$")
EXERCISES = "exercises"
"""The field path under which a module's exercise blocks are reported: ``exercises[0].kind``."""


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
class ModuleParts:
    """A module file cut into its front matter, prose and exercise blocks; ``lines`` maps field
    paths (``("title",)``, ``("exercises", 0, "kind")``) to lines of the Markdown file."""

    front: Any = None
    prose: list[tuple[int, str]] = field(default_factory=list)  # (index in blocks, text)
    exercises: list[tuple[int, Any]] = field(default_factory=list)  # (index in blocks, data)
    unparsed: set[int] = field(default_factory=set)  # exercise numbers whose YAML is broken
    lines: dict[PathT, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    count: int = 0
    front_read: bool = False


def split_module(text: str, file: str) -> ModuleParts:
    """Front matter between two ``---`` lines, then prose and exercise blocks in order.
    Other fenced blocks stay prose; a misspelt ```` ```exercises ```` is a problem."""
    out = ModuleParts()
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
        if not ok:
            out.unparsed.add(n)
        out.exercises.append((out.count, data))
        out.count += 1
        i = close + 1
    flush()
    return out
