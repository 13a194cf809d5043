"""Columns matched to a framework's statements, by their headers or a mapping file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..framework import Framework
from .mapping import MAPPING_HELP, Mapping
from .problems import ExchangeError, Problem, column_letter, normalise, short
from .table import Table

_LEADING_NUMBER = re.compile(r"^(?:q ?)?\d+ ")


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    kind: str  # one of KINDS
    target: str = ""  # the statement id, or the principle id of a comment column

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    def label(self) -> str:
        if not self.header:
            return f"column {self.letter} (no header)"
        return f"column {self.letter} {short(self.header)!r}"


@dataclass(frozen=True)
class ColumnMap:
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = ()

    def of(self, kind: str) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind == kind)

    def first(self, kind: str) -> Column | None:
        cols = self.of(kind)
        return cols[0] if cols else None


def _names(text: str) -> frozenset[str]:
    return frozenset(x.strip() for x in text.split("|"))


# Headers (normalised) that say what a column holds; the first timestamp-like column is used.
TIMESTAMP_HEADERS = _names(
    "timestamp|completion time|submitted|submitted at|submitted on|date submitted|"
    "submission date|submission time|submit date|date|time|date time|end time|end date|"
    "recorded date|response date"
)
NAME_HEADERS = _names("name|your name|full name|respondent name|participant name")
ROLE_HEADERS = _names("role|your role|job role|role in the team|your role in the team|team role")
# What form tools add that is not an answer: left out, and listed as ignored.
METADATA_HEADERS = _names(
    "id|response id|respondent id|start time|start date|last modified time|score|total score|"
    "points|ip address|progress|duration|duration in seconds|finished|response type|"
    "user language"
)
_COMMENT = re.compile(
    r"^(?:any |other |further )?(?:comments?|notes?|anything else)"
    r"(?: (?:on|about|for|re|regarding))? (.+)$"
)
_BRACKET = re.compile(r"\[([^\[\]]+)\]\s*$")


def _is_email(norm: str) -> bool:
    words = norm.split()
    return (
        "email" in words
        or "emails" in words
        or "e mail" in norm
        or any(w.startswith("email") for w in words)
        or norm == "username"
    )


def _target(target: str, framework: Framework) -> tuple[str, str] | str:
    """(kind, target) for a mapping file's target, or what was expected instead."""
    t = target.strip()
    low = t.casefold()
    if low in ("timestamp", "email", "name", "role", "ignore"):
        return low, ""
    if low.startswith("comment:"):
        pid = t.split(":", 1)[1].strip()
        for p in framework.principles:
            if p.id.casefold() == pid.casefold():
                return "comment", p.id
        ids = ", ".join(p.id for p in framework.principles)
        return f"{pid!r} is not a principle of {framework.key} (expected one of: {ids})"
    for s in framework.statements:
        if s.id.casefold() == low:
            return "statement", s.id
    return (
        f"{t!r} is not a statement of {framework.key}: expected a statement id (such as "
        f"{framework.statements[0].id}), comment:<principle id>, timestamp, email, name, role "
        "or ignore"
    )


def _statement_exact(header: str, framework: Framework) -> str | None:
    norm = normalise(header)
    bare = _LEADING_NUMBER.sub("", norm)
    inner = _BRACKET.search(header)
    candidates = {norm, bare}
    if inner:
        candidates |= {
            normalise(inner.group(1)),
            _LEADING_NUMBER.sub("", normalise(inner.group(1))),
        }
    for s in framework.statements:
        if normalise(s.text) in candidates or normalise(s.id) in candidates:
            return s.id
    return None


def _statement_loose(header: str, framework: Framework) -> tuple[str | None, list[str]]:
    """By containment ("1. We ask. (required)") or a truncated header ("We ask what…").

    Returns the statement id, or None and the ids that tie.
    """
    norm = f" {normalise(header)} "
    found = [
        (len(normalise(s.text)), s.id)
        for s in framework.statements
        if normalise(s.text) and f" {normalise(s.text)} " in norm
    ]
    if found:
        best = max(n for n, _ in found)
        ids = [sid for n, sid in found if n == best]
        return (ids[0], []) if len(ids) == 1 else (None, ids)
    raw = header.rstrip()
    if raw.endswith(("…", "...")):
        prefix = _LEADING_NUMBER.sub("", normalise(raw.rstrip(".…")))
        if len(prefix) >= 15:
            ids = [s.id for s in framework.statements if normalise(s.text).startswith(prefix)]
            return (ids[0], []) if len(ids) == 1 else (None, ids)
    return None, []


def _comment_principle(norm: str, framework: Framework) -> str | None:
    m = _COMMENT.match(norm)
    if not m:
        return None
    rest = m.group(1)
    for p in framework.principles:
        if rest in (normalise(p.title), normalise(p.id)):
            return p.id
    return None


def _mapped(
    table: Table, framework: Framework, mapping: Mapping, problems: list[Problem]
) -> dict[int, Column]:
    """The columns a mapping file names, by index; its problems added to ``problems``."""
    headers, cols = table.headers, {}
    for e in mapping.entries:
        where, what = f"line {e.line}", short(e.header)
        idx = [i for i, h in enumerate(headers) if h == e.header] or [
            i for i, h in enumerate(headers) if normalise(h) and normalise(h) == normalise(e.header)
        ]
        resolved = _target(e.target, framework)
        if not idx:
            msg = f"{what!r}: no column of {table.file} has this header"
        elif len(idx) > 1:
            letters = " and ".join(column_letter(i) for i in idx)
            msg = f"{what!r}: columns {letters} of {table.file} both have this header: rename one"
        elif isinstance(resolved, str):
            msg = f"{what!r}: {resolved}"
            cols[idx[0]] = Column(idx[0], headers[idx[0]], "ignore")  # said once is enough
        else:
            cols[idx[0]] = Column(idx[0], headers[idx[0]], *resolved)
            continue
        problems.append(Problem(mapping.file, where, msg))
    return cols


def _detect(i: int, header: str, framework: Framework, taken: set[str]) -> Column | list[str]:
    """What a column holds by its header alone, or the statements it could be (maybe none)."""
    norm = normalise(header)
    if sid := _statement_exact(header, framework):
        return Column(i, header, "statement", sid)
    for kind, names in (
        ("timestamp", TIMESTAMP_HEADERS),
        ("name", NAME_HEADERS),
        ("role", ROLE_HEADERS),
    ):
        if norm in names:
            # A second one (say Start time beside Timestamp) is left out.
            return Column(i, header, "ignore" if kind in taken else kind)
    if pid := _comment_principle(norm, framework):
        return Column(i, header, "comment", pid)
    sid, ties = _statement_loose(header, framework)
    if sid:
        return Column(i, header, "statement", sid)
    if ties:
        return ties
    if _is_email(norm):
        # A second email-like column is left out: never stored either.
        return Column(i, header, "ignore" if "email" in taken else "email")
    if norm in METADATA_HEADERS:
        return Column(i, header, "ignore")
    return []


def map_columns(table: Table, framework: Framework, mapping: Mapping | None = None) -> ColumnMap:
    """What each column holds, or every column that matches nothing and why.

    A mapping file's entries come first. Then, by header: a statement's text or id, also inside
    ``Question [statement text]`` (Google Forms' grid) or after a question number; a timestamp,
    name or role column; ``Comments: <principle title>``; a header that contains a statement's
    text or is a truncated one (``We ask what…``); an email column; a form tool's own extras
    (ID, score, ...), ignored. Any other column stops the import.
    """
    file, headers = table.file, table.headers
    problems: list[Problem] = []
    cols = _mapped(table, framework, mapping, problems) if mapping is not None else {}
    unmatched: list[Column] = []
    for i, header in enumerate(headers):  # cells beyond the header: check_rows says so
        if i in cols:
            continue
        if normalise(header):
            found = _detect(i, header, framework, {c.kind for c in cols.values()})
        elif any(i < len(r.cells) and r.cells[i].strip() for r in table.rows):
            found = []  # cells under no header
        else:
            continue  # an empty column without a header (a trailing comma) is no matter
        if isinstance(found, Column):
            cols[i] = found
            continue
        unmatched.append(Column(i, header, "ignore"))
        problems.append(
            Problem(
                file,
                unmatched[-1].label(),
                f"could be any of the statements {', '.join(found)}: say which in a mapping file"
                if found
                else f"matches no statement of {framework.key}, and is not a timestamp, email, "
                "name, role or comment column",
            )
        )

    # One column per statement, per principle's comments, and per timestamp/email/name/role.
    by_target: dict[tuple[str, str], list[Column]] = {}
    for c in sorted(cols.values(), key=lambda c: c.index):
        if c.kind != "ignore":
            by_target.setdefault((c.kind, c.target), []).append(c)
    for (kind, target), same in by_target.items():
        if len(same) > 1:
            what = {"statement": f"statement {target}", "comment": f"comments on {target}"}
            problems.append(
                Problem(
                    file,
                    " and ".join(c.label() for c in same),
                    f"both hold {what.get(kind, f'the {kind}')}: map one of them to something "
                    "else (or ignore) in a mapping file",
                )
            )

    rated = {c.target for c in cols.values() if c.kind == "statement"}
    missing = [s for s in framework.statements if s.id not in rated]
    if unmatched:
        example = next((c for c in unmatched if c.header), None)
        hints = [f"To fix: use a mapping file (--mapping), {MAPPING_HELP}; for example:"]
        if example is not None:
            sid = (missing or framework.statements)[0].id
            hints.append(f"  {json.dumps(example.header, ensure_ascii=False)}: {sid}")
        if missing:
            hints.append(
                "Statements with no column yet: "
                + "; ".join(f"{s.id} {short(s.text, 50)!r}" for s in missing)
            )
        if len(headers) == 1:
            hints.append(
                "Only one column was found: is this a CSV file, with commas or semicolons "
                "between its values?"
            )
        raise ExchangeError(problems, "\n".join(hints))
    if not problems and not rated:
        problems.append(
            Problem(
                file,
                "",
                f"no column matches a statement of {framework.key}: expected one column per "
                "statement, headed by its text or id (or a mapping file)",
            )
        )
    if problems:
        raise ExchangeError(problems)

    notes = []
    ignored = [c for c in cols.values() if c.kind == "ignore"]
    if ignored:
        notes.append(
            "ignored: " + ", ".join(c.label() for c in sorted(ignored, key=lambda c: c.index))
        )
    if missing:
        notes.append(
            f"no column for {len(missing)} statement{'s' if len(missing) != 1 else ''}, left "
            f"unrated: {', '.join(s.id for s in missing)}"
        )
    return ColumnMap(tuple(sorted(cols.values(), key=lambda c: c.index)), tuple(notes))
