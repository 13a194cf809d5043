"""Every row of a CSV checked as a submitted answer, each keyed so a re-import updates it."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter
from dataclasses import dataclass

from ...errors import InvalidInput
from ..framework import Framework
from ..rounds import Answer, Round
from ..text import clean_text
from .columns import Column, ColumnMap
from .problems import ExchangeError, Problem, short
from .problems import fail as _fail
from .table import DELIMITER_SINGULAR, Table, TableRow
from .values import parse_rating


@dataclass(frozen=True)
class ImportRow:
    """One response ready to write: the answer and the member token it is stored under."""

    number: int
    line: int
    token: str
    answer: Answer


@dataclass(frozen=True)
class ImportPlan:
    file: str
    rows: tuple[ImportRow, ...]
    notes: tuple[str, ...] = ()
    skipped: tuple[int, ...] = ()  # row numbers with no answers at all


@dataclass(frozen=True)
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


def row_token(round_id: int, key: str, secret: bytes = b"") -> str:
    """The member token an imported row is stored under (the database keeps its sha256).

    Derived from the row, so the same file imported twice lands on the same answers. The key
    holds the email (when there is one) only inside this hash. In an anonymous round the hash
    is keyed with a secret kept outside the database, so that nobody holding the database and
    a list of the team's emails can recompute which answer was whose.
    """
    msg = f"import:{round_id}:{key}".encode()
    if secret:
        return "import-" + hmac.new(secret, msg, hashlib.sha256).hexdigest()
    return "import-" + hashlib.sha256(msg).hexdigest()


def _cell(row: TableRow, col: Column | None) -> str:
    if col is None or col.index >= len(row.cells):
        return ""
    return row.cells[col.index].strip()


def _row_answer(
    row: TableRow, columns: ColumnMap, framework: Framework, rnd: Round, role_col: Column | None
) -> tuple[Answer, list[tuple[str, str]]]:
    """One row as a submitted answer, and its problems as (where, what was expected)."""
    where = row.where()
    bad: list[tuple[str, str]] = []
    answer = Answer(status="submitted")
    for c in columns.of("statement"):
        try:
            rating = parse_rating(_cell(row, c), framework.scale)
        except ValueError as e:
            bad.append((f"{where}, {c.label()}", str(e)))
            continue
        if rating.answered:
            answer.ratings[c.target] = rating
    for c in columns.of("comment"):
        # The rule every evidence box follows (model.text): a cell the page would refuse is
        # refused here too, with its row and column, and nothing is written.
        try:
            text = clean_text("evidence", _cell(row, c), box="The comment")
        except InvalidInput as e:
            bad.append((f"{where}, {c.label()}", str(e)))
            continue
        if text:
            answer.comments[c.target] = text
    role = _cell(row, role_col)
    roles = {r.casefold(): r for r in rnd.roles}
    if role and role_col is not None:
        if role.casefold() in roles:
            answer.role = roles[role.casefold()]
        else:
            bad.append(
                (
                    f"{where}, {role_col.label()}",
                    f"{short(role)!r} is not a role of this round: expected one of "
                    f"{', '.join(rnd.roles)}, or blank",
                )
            )
    if not rnd.anonymous:  # an anonymous round never keeps a name, nor an email as one
        email_col, name_col = columns.first("email"), columns.first("name")
        from_col = name_col if _cell(row, name_col) else email_col
        try:
            answer.name = clean_text("name", _cell(row, from_col), box="The name")
        except InvalidInput as e:
            col = f", {from_col.label()}" if from_col is not None else ""
            bad.append((f"{where}{col}", str(e)))
        else:
            if not answer.name and (answer.ratings or answer.comments):
                bad.append(
                    (
                        where,
                        "this round is named: the row has no name"
                        + (" or email" if email_col else ""),
                    )
                )
    return answer, bad


def check_rows(
    table: Table, columns: ColumnMap, framework: Framework, rnd: Round, secret: bytes = b""
) -> ImportPlan:
    """Every row as a submitted answer, or every problem in every row.

    Each answer's key (see ``row_token``) is its email; without one, its timestamp and how
    many rows before had the same one; without either, the row's answers and how many rows
    before were the same. Two rows for one email, or a row repeated exactly with its timestamp,
    are problems: one person would count twice.
    """
    file = table.file
    problems: list[Problem] = []
    notes = [*table.notes, *columns.notes]
    ts_col, email_col = columns.first("timestamp"), columns.first("email")
    name_col, role_col = columns.first("name"), columns.first("role")
    content_cols = [
        c for c in columns.columns if c.kind in ("statement", "comment", "name", "role")
    ]
    width = len(table.headers)

    if not rnd.anonymous and name_col is None and email_col is None:
        problems.append(
            Problem(
                file,
                "",
                "this round is named: expected a name (or email) column, or map one in a "
                "mapping file",
            )
        )
    if role_col is not None and not rnd.roles and any(_cell(r, role_col) for r in table.rows):
        problems.append(
            Problem(
                file,
                role_col.label(),
                "this round has no roles: map the column to ignore, or leave it empty",
            )
        )
        role_col = None
    if rnd.anonymous:
        for c, what in ((email_col, "emails"), (name_col, "names")):
            if c is not None:
                notes.append(f"{c.label()}: {what} are not stored (the round is anonymous)")

    out: list[ImportRow] = []
    skipped: list[int] = []
    first_seen: dict[str, TableRow] = {}
    occurrences: Counter[str] = Counter()
    for row in table.rows:
        if any(c.strip() for c in row.cells[width:]):
            problems.append(
                Problem(
                    file,
                    row.where(),
                    f"{len(row.cells)} cells, but the header has {width} columns: a stray "
                    f"{DELIMITER_SINGULAR.get(table.delimiter, 'delimiter')} or quote?",
                )
            )
            continue
        answer, bad = _row_answer(row, columns, framework, rnd, role_col)
        if bad:
            problems.extend(Problem(file, where, what) for where, what in bad)
            continue
        if not answer.ratings and not answer.comments:
            skipped.append(row.number)
            continue
        email, ts = _cell(row, email_col).casefold(), _cell(row, ts_col)
        content = json.dumps([_cell(row, c) for c in content_cols], ensure_ascii=False)
        if email:
            # One person, one answer: keyed by the email alone, so a response edited in the
            # form tool (which moves its timestamp) updates the same answer on re-import.
            key, seen = f"email:{email}", f"email:{email}"
            repeat = (
                "the same email answered twice, so one person would count twice: keep one of "
                "the rows"
            )
        else:
            # A repeat with its timestamp is the same submission twice; without a timestamp,
            # two people may well have given the same answers.
            base = f"{ts}:" if ts else f":{content}"
            occurrences[base] += 1
            key, seen = f"{base}#{occurrences[base]}", (f"{ts}:{content}" if ts else "")
            repeat = "the same response twice (same timestamp and answers): remove one"
        if seen and seen in first_seen:
            problems.append(Problem(file, f"{first_seen[seen].where()} and {row.where()}", repeat))
            continue
        if seen:
            first_seen[seen] = row
        out.append(
            ImportRow(
                row.number,
                row.line,
                row_token(rnd.id, key, secret if rnd.anonymous else b""),
                answer,
            )
        )

    if problems:
        raise ExchangeError(problems)
    if not out:
        _fail(file, "", "no row has any ratings or comments: nothing to import")
    if skipped:
        notes.append(
            f"skipped {len(skipped)} row{'s' if len(skipped) != 1 else ''} with no answers: "
            + ", ".join(str(n) for n in skipped)
        )
    return ImportPlan(file, tuple(out), tuple(notes), tuple(skipped))
