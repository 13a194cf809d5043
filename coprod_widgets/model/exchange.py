"""Responses from a form tool's CSV mapped onto a framework, and a round's ratings written out.

Pure: bytes and text in, plain data out. Reading and writing files and the database live in
``store.imports``. An import collects every problem before anything is written, each naming the
file, the row (and line) or column, and what was expected: a facilitator fixing a spreadsheet
needs the whole list at once, not one error per attempt.

Columns are matched to statements by their header (see ``map_columns``), or by a mapping file
(see ``parse_mapping``). Values may be ``4``, ``4 - Often``, ``Often``, blank or "Don't know".
Each imported row becomes a submitted answer whose member token is derived from the row (see
``row_token``), so importing the same file again updates those answers instead of adding more.

Exports give one row per rating (CSV) or one object per respondent (JSON). In anonymous rounds
respondents are numbered in a fresh random order, carry no name, email or time, show a role only
where enough people share it, and comments are not linked to anyone.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ..errors import InvalidInput
from .aggregate import aggregate
from .framework import Framework, Scale
from .release import Release
from .rounds import Answer, Rating, Round
from .text import clean_text

# -- problems -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import: which file, where in it, and what was expected."""

    file: str
    where: str  # "row 7 (line 8), column C 'We ask…'", "line 3", "column C 'Q1'" or ""
    message: str

    def __str__(self) -> str:
        if self.where:
            return f"{self.file}: {self.where}: {self.message}"
        return f"{self.file}: {self.message}"


class ExchangeError(InvalidInput):
    """A file that cannot be imported or exported; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[Problem], hint: str = ""):
        self.problems = list(problems)
        self.hint = hint
        lines = [str(p) for p in self.problems]
        if hint:
            lines.append(hint)
        super().__init__("\n".join(lines))


# -- text helpers ---------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
_NOT_WORD = re.compile(r"[^\w]+|_")
_LEADING_NUMBER = re.compile(r"^(?:q ?)?\d+ ")


def normalise(text: str) -> str:
    """Casefolded, apostrophes dropped, other punctuation to spaces, whitespace collapsed.

    So "Don't know", "dont know" and "DON’T KNOW" are one, and "We ask." matches "we ask".
    """
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column: 0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def short(text: str, width: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    """A leading ' so a spreadsheet shows text that would otherwise run as a formula.

    OWASP's advice for CSV injection: a cell starting with = + - @ tab or carriage return is
    a formula to Excel and LibreOffice (``=HYPERLINK(...)`` can leak data when clicked).
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# -- reading a CSV --------------------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    number: int  # 1 is the first row after the header
    line: int  # the line of the file where the row starts
    cells: tuple[str, ...]

    def where(self) -> str:
        return f"row {self.number} (line {self.line})"


@dataclass(frozen=True)
class Table:
    file: str
    headers: tuple[str, ...]
    rows: tuple[TableRow, ...]
    delimiter: str = ","
    notes: tuple[str, ...] = ()


_DELIMITERS = ",;\t|"
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}
_DELIMITER_SINGULAR = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}


def _fail(file: str, where: str, message: str) -> NoReturn:
    raise ExchangeError([Problem(file, where, message)])


EMPTY = "the file is empty: expected a header row, then one row per response"


def _decode(data: bytes, file: str) -> tuple[str, list[str]]:
    notes: list[str] = []
    if data.startswith(b"PK\x03\x04"):
        _fail(
            file,
            "",
            "this is a spreadsheet workbook (.xlsx or .ods), not CSV: save it as CSV "
            "(in Excel: File > Save As > CSV UTF-8)",
        )
    if data.startswith(b"%PDF"):
        _fail(file, "", "this is a PDF, not CSV")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")  # Excel's "Unicode Text" export
        except UnicodeDecodeError:
            _fail(file, "", "marked as UTF-16 but is not valid UTF-16: save it again as CSV")
    elif data.startswith(b"\xef\xbb\xbf"):
        if not _is_utf8(data[3:]):
            _fail(file, "", "marked as UTF-8 but is not valid UTF-8: save it again as CSV")
        text = data[3:].decode("utf-8")
    elif _is_utf8(data):
        text = data.decode("utf-8")
    else:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            _fail(file, "", "not text: expected a CSV file in UTF-8 (or Windows-1252)")
        notes.append(
            f"{file} is not UTF-8; it was read as Windows-1252 (Excel's usual encoding): "
            "check that accented letters came through"
        )
    if "\x00" in text:
        _fail(file, "", "not a CSV file: it holds binary data (expected text)")
    return text, notes


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _count_outside_quotes(line: str, ch: str) -> int:
    n, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            n += 1
    return n


def _delimiter(text: str) -> str:
    """The delimiter, from csv.Sniffer over the first lines, else the header's commonest one."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = text.splitlines()[0] if text.splitlines() else ""
        counts = {d: _count_outside_quotes(first, d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_table(data: bytes, file: str) -> Table:
    """A CSV file's header and rows, whatever its encoding and delimiter.

    UTF-8 (with or without Excel's byte-order mark), UTF-16 and Windows-1252; commas,
    semicolons, tabs or bars; Excel's ``sep=;`` first line. Blank rows are dropped.
    """
    text, notes = _decode(data, file)
    if not text.strip():
        _fail(file, "", EMPTY)
    first = text.lstrip()[:1]
    if first in ("{", "[", "<"):
        kind = "HTML or XML" if first == "<" else "JSON"
        _fail(file, "line 1", f"this looks like {kind}, not CSV: export the responses as CSV")
    skipped_lines = 0
    m = re.match(r"sep=(.)\r?\n", text)
    if m:
        delimiter = m.group(1)
        text = text[m.end() :]
        skipped_lines = 1
    else:
        delimiter = _delimiter(text)
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        quotechar='"',
        doublequote=True,
        strict=True,
    )
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            records.append((start + skipped_lines, cells))
            start = reader.line_num + 1
    except csv.Error as e:
        _fail(
            file,
            f"line {start + skipped_lines}",
            f"not valid CSV ({e}): check the quotes in the row starting here",
        )
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        _fail(file, "", EMPTY)
    (_, headers), body = records[0], records[1:]
    if not body:
        _fail(file, "", "the file has a header row but no responses below it")
    if delimiter != ",":
        notes.append(
            f"{file}: values are separated by {_DELIMITER_NAMES.get(delimiter, delimiter)}"
        )
    rows = tuple(TableRow(i, line, tuple(cells)) for i, (line, cells) in enumerate(body, 1))
    return Table(file, tuple(h.strip() for h in headers), rows, delimiter, tuple(notes))


# -- the mapping file -----------------------------------------------------------------------

KINDS = ("statement", "comment", "timestamp", "email", "name", "role", "ignore")
TARGETS = "a statement id, comment:<principle id>, timestamp, email, name, role or ignore"
MAPPING_HELP = (
    f"a YAML file with a line '<column header>: <target>' per column, the target being {TARGETS}"
)


@dataclass(frozen=True)
class MappingEntry:
    header: str
    target: str
    line: int


@dataclass(frozen=True)
class Mapping:
    """What a mapping file says each column holds.

    The file is YAML, one line per column that needs saying::

        # header in the CSV: what it holds
        "How much do we ask people?": assets-1   # a statement id
        "Anything to add about assets?": comment:assets
        "Submitted": timestamp
        "Your email": email          # never stored in an anonymous round
        "Your name": name            # stored in named rounds only
        "Team role": role
        "Score": ignore

    Columns it does not name are still matched by their headers.
    """

    file: str
    entries: tuple[MappingEntry, ...]


def parse_mapping(text: str, file: str) -> Mapping:
    """A mapping file's entries, with every problem in its shape reported at once."""
    import yaml  # lazily: the model is imported where YAML is not wanted

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        line = f"line {e.problem_mark.line + 1}" if e.problem_mark else ""
        raise ExchangeError([Problem(file, line, f"not valid YAML: {e.problem}")]) from None
    except yaml.YAMLError as e:
        raise ExchangeError([Problem(file, "", f"not valid YAML: {e}")]) from None
    if node is None:
        _fail(file, "", f"the mapping is empty: expected {MAPPING_HELP}")
    if not isinstance(node, yaml.MappingNode):
        _fail(file, f"line {node.start_mark.line + 1}", f"expected {MAPPING_HELP}")
    problems: list[Problem] = []
    entries: list[MappingEntry] = []
    seen: dict[str, int] = {}
    for k, v in node.value:
        where = f"line {k.start_mark.line + 1}"
        header = str(k.value).strip() if isinstance(k, yaml.ScalarNode) else ""
        if not header:
            problems.append(Problem(file, where, "expected a column header as the key"))
        elif not isinstance(v, yaml.ScalarNode) or not str(v.value).strip():
            problems.append(Problem(file, where, f"{short(header)!r}: expected {TARGETS}"))
        elif header in seen:
            problems.append(
                Problem(file, where, f"{short(header)!r} is already mapped on line {seen[header]}")
            )
        else:
            seen[header] = k.start_mark.line + 1
            entries.append(MappingEntry(header, str(v.value).strip(), seen[header]))
    if problems:
        raise ExchangeError(problems)
    return Mapping(file, tuple(entries))


# -- matching columns -----------------------------------------------------------------------


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


# -- values ---------------------------------------------------------------------------------

DONT_KNOW = frozenset({"dont know", "do not know", "n a", "na", "not sure", "unsure"})
# A whole number (4, or 4.0 as spreadsheets write it), then perhaps a label: "4 - Often",
# "4 – Often", "4. Often", "4 (Often)". The label must start with a letter, so 4.5 is no 4.
_NUMBER = re.compile(r"^(\d+)(?:\.0+)?(?:(?:\s*[-\u2013\u2014:.)=]\s*|\s+)\(?([^\W\d].*?)\)?)?$")


def scale_text(scale: Scale) -> str:
    """'1–5 (1 Never … 5 Always)', and "or Don't know" where the scale offers it."""
    first, last = scale.points[0], scale.points[-1]
    text = f"{first.value}–{last.value} ({first.value} {first.label} … {last.value} {last.label})"
    return text + (", or Don't know" if scale.dont_know else "")


def parse_rating(cell: str, scale: Scale) -> Rating:
    """A cell as a rating: ``4``, ``4 - Often``, ``4 – Often``, ``Often``, blank or don't know.

    Raises ValueError saying what was expected. A number with a label of another point
    (``4 - Never``) is refused: the form's scale runs the other way or differs.
    """
    text = " ".join((cell or "").split())
    if not text:
        return Rating()
    norm = normalise(text)
    if norm in DONT_KNOW:
        if not scale.dont_know:
            raise ValueError(
                f"{short(text)!r}: this framework's scale has no \"don't know\"; "
                "leave the cell blank instead"
            )
        return Rating(None, True)
    m = _NUMBER.match(text)
    if m:
        value = int(m.group(1))
        if value not in scale.values:
            raise ValueError(f"{short(text)!r} is not on the scale {scale_text(scale)}")
        label = normalise(m.group(2) or "")
        for p in scale.points:
            if label and p.value != value and normalise(p.label) == label:
                raise ValueError(
                    f"{short(text)!r}: {value} is {scale.label_for(value)!r} on this scale, not "
                    f"{p.label!r}: does the form's scale run the other way?"
                )
        return Rating(value, False)
    for p in scale.points:
        if normalise(p.label) == norm:
            return Rating(p.value, False)
    raise ValueError(f"{short(text)!r} is not on the scale {scale_text(scale)}")


# -- checking rows --------------------------------------------------------------------------


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
                    f"{_DELIMITER_SINGULAR.get(table.delimiter, 'delimiter')} or quote?",
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


# -- export ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Respondent:
    number: int
    ratings: dict[str, Rating]
    role: str = ""  # blank where it would single someone out
    name: str = ""  # named rounds only
    submitted_at: str = ""  # named rounds only


@dataclass(frozen=True)
class ExportComment:
    principle_id: str
    text: str
    respondent: int | None = None  # named rounds only
    name: str = ""


@dataclass(frozen=True)
class RatingsExport:
    round: Round
    framework: Framework
    submitted: int
    respondents: tuple[Respondent, ...]
    comments: tuple[ExportComment, ...] = field(default=())
    # Anonymous rounds: principles that fewer than the minimum rated (the others said "don't
    # know"); their values are left out, as the results page holds them back.
    held_back: tuple[str, ...] = ()
    release: Release | None = None  # the snapshot exported (anonymous rounds)


def too_few_message(rnd: Round, submitted: int) -> str:
    return (
        f"round {rnd.id} has {submitted} submitted answer{'s' if submitted != 1 else ''}; "
        f"its ratings can be exported from {rnd.min_answers} (fewer would show what "
        "individuals said)"
    )


def shown_roles(rnd: Round, answers: Sequence[Answer]) -> frozenset[str]:
    """The roles an export may show: in an anonymous round, those at least min_answers share.

    The people left without a role (rarer roles and none) must be that many too, or no role is
    shown: with Staff x5 and Carer x1, a blank role would be the one carer.
    """
    counts = Counter(a.role for a in answers)
    if not rnd.anonymous:
        return frozenset(r for r in counts if r)
    shown = {r for r, n in counts.items() if r and n >= rnd.min_answers}
    rest = sum(n for r, n in counts.items() if r not in shown)
    return frozenset(shown) if rest == 0 or rest >= rnd.min_answers else frozenset()


def build_export(
    rnd: Round,
    framework: Framework,
    answers: Sequence[Answer],
    shuffle: Callable[[list[Any]], None] | None = None,
    release: Release | None = None,
) -> RatingsExport:
    """A round's submitted ratings ready to write, or InvalidInput below the minimum.

    ``answers``: what may be released (an anonymous round's last snapshot, ``release``), so the
    export moves only when the results page does. Anonymous rounds: respondents numbered in a
    fresh random order (``shuffle``, by default the system's random source), no names or
    times, comments apart and sorted by principle and text. Named rounds: respondents by name,
    with their comments.
    """
    submitted = [a for a in answers if a.submitted]
    if release is not None and not release.released:
        raise InvalidInput(too_few_message(rnd, release.submitted_now))
    if len(submitted) < rnd.min_answers:
        raise InvalidInput(too_few_message(rnd, len(submitted)))
    roles = shown_roles(rnd, submitted)
    if rnd.anonymous:
        (shuffle or random.SystemRandom().shuffle)(submitted)
    else:
        submitted.sort(key=lambda a: (a.name.casefold(), a.submitted_at or ""))
    order = {p.id: i for i, p in enumerate(framework.principles)}
    # The results page's own rule decides what is held back, so page and export agree.
    held = (
        {p.principle_id for p in aggregate(rnd, framework, submitted).principles if p.held_back}
        if rnd.anonymous
        else set()
    )
    hidden = {st.id for p in framework.principles if p.id in held for st in p.statements}
    respondents = []
    comments = []
    for n, a in enumerate(submitted, 1):
        respondents.append(
            Respondent(
                n,
                {
                    s.id: a.rating(s.id)
                    for s in framework.statements
                    if a.rating(s.id).answered
                    and not (s.id in hidden and a.rating(s.id).value is not None)
                },
                a.role if a.role in roles else "",
                "" if rnd.anonymous else a.name,
                "" if rnd.anonymous else (a.submitted_at or ""),
            )
        )
        for pid, text in sorted(a.comments.items(), key=lambda kv: order.get(kv[0], 99)):
            if text.strip():
                comments.append(
                    ExportComment(pid, text.strip())
                    if rnd.anonymous
                    else ExportComment(pid, text.strip(), n, a.name)
                )
    if rnd.anonymous:
        comments.sort(key=lambda c: (order.get(c.principle_id, 99), c.text.casefold(), c.text))
    return RatingsExport(
        rnd,
        framework,
        len(submitted),
        tuple(respondents),
        tuple(comments),
        tuple(p.id for p in framework.principles if p.id in held),
        release if release is not None and not release.live else None,
    )


def _csv_columns(named: bool) -> list[str]:
    who = ["respondent", "name", "submitted_at", "role"] if named else ["respondent", "role"]
    return [
        "kind",
        "round",
        "team",
        "framework_id",
        "framework_version",
        *who,
        "principle_id",
        "principle_title",
        "statement_id",
        "statement_text",
        "value",
        "label",
        "dont_know",
        "comment",
    ]


def export_csv(export: RatingsExport) -> str:
    """Tidy CSV: one row per rating, then one per comment; text cells made formula-safe."""
    rnd, fw = export.round, export.framework
    named = not rnd.anonymous
    columns = _csv_columns(named)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)

    def put(d: dict[str, Any]) -> None:
        w.writerow(
            [
                escape_formula(v) if isinstance(v, str) else ("" if v is None else v)
                for v in (d.get(c, "") for c in columns)
            ]
        )

    base = {
        "round": rnd.id,
        "team": rnd.team,
        "framework_id": fw.id,
        "framework_version": fw.version,
    }
    for r in export.respondents:
        who: dict[str, Any] = {"respondent": r.number, "role": r.role}
        if named:
            who |= {"name": r.name, "submitted_at": r.submitted_at}
        for p in fw.principles:
            for s in p.statements:
                if s.id not in r.ratings:
                    continue
                rating = r.ratings[s.id]
                put(
                    base
                    | who
                    | {
                        "kind": "rating",
                        "principle_id": p.id,
                        "principle_title": p.title,
                        "statement_id": s.id,
                        "statement_text": s.text,
                        "value": rating.value,
                        "label": "Don't know"
                        if rating.dont_know
                        else fw.scale.label_for(rating.value),  # type: ignore[arg-type]
                        "dont_know": "true" if rating.dont_know else "false",
                    }
                )
    for c in export.comments:
        whose: dict[str, Any] = {"respondent": c.respondent, "name": c.name} if named else {}
        put(
            base
            | whose
            | {
                "kind": "comment",
                "principle_id": c.principle_id,
                "principle_title": _title(fw, c.principle_id),
                "comment": c.text,
            }
        )
    return buf.getvalue()


def _title(fw: Framework, principle_id: str) -> str:
    try:
        return fw.principle(principle_id).title
    except KeyError:
        return ""


def export_json(export: RatingsExport) -> str:
    """The same ratings as one JSON document: round, framework, respondents, comments."""
    rnd, fw = export.round, export.framework
    respondents = []
    for r in export.respondents:
        d: dict[str, Any] = {"respondent": r.number}
        if not rnd.anonymous:
            d["name"] = r.name
            d["submitted_at"] = r.submitted_at
        if r.role:
            d["role"] = r.role
        d["ratings"] = {
            sid: "dont_know" if rating.dont_know else rating.value
            for sid, rating in r.ratings.items()
        }
        respondents.append(d)
    comments = []
    for c in export.comments:
        d = {"principle_id": c.principle_id, "principle_title": _title(fw, c.principle_id)}
        if not rnd.anonymous:
            d |= {"respondent": c.respondent, "name": c.name}
        comments.append(d | {"text": c.text})
    doc = {
        "format": "coprod-ratings/1",
        "round": {
            "id": rnd.id,
            "team": rnd.team,
            "anonymous": rnd.anonymous,
            "min_answers": rnd.min_answers,
            "roles": list(rnd.roles),
            "status": rnd.status,
            "submitted": export.submitted,
            "held_back_principles": list(export.held_back),
            **(
                {
                    "snapshot": {
                        "number": export.release.sequence,
                        "released_at": export.release.released_at,
                        "answers": export.submitted,
                    }
                }
                if export.release is not None
                else {}
            ),
        },
        "framework": {
            "id": fw.id,
            "version": fw.version,
            "title": fw.title,
            "scale": [{"value": p.value, "label": p.label} for p in fw.scale.points],
            "dont_know": fw.scale.dont_know,
            "principles": [
                {
                    "id": p.id,
                    "title": p.title,
                    "statements": [{"id": s.id, "text": s.text} for s in p.statements],
                }
                for p in fw.principles
            ],
        },
        "respondents": respondents,
        "comments": comments,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
