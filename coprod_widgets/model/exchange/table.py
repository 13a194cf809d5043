"""A CSV file read into a header and rows, whatever its encoding and delimiter."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from .problems import fail as _fail


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
DELIMITER_SINGULAR = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}


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
