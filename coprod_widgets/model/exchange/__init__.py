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

The rooms, in the order an import goes through them:

- ``problems``: ``Problem`` and ``ExchangeError``, and the text helpers all share;
- ``table``: ``read_table``, a CSV's header and rows whatever its encoding and delimiter;
- ``mapping``: ``parse_mapping``, a mapping file's lines;
- ``columns``: ``map_columns``, what each column holds;
- ``values``: ``parse_rating``, a cell as a rating;
- ``rows``: ``check_rows``, every row as an answer keyed by ``row_token``;
- ``export``: ``build_export``, a round's ratings gathered and anonymised;
- ``writers``: ``export_csv`` and ``export_json``.
"""

from __future__ import annotations

from .columns import (
    METADATA_HEADERS,
    NAME_HEADERS,
    ROLE_HEADERS,
    TIMESTAMP_HEADERS,
    Column,
    ColumnMap,
    map_columns,
)
from .export import (
    ExportComment,
    RatingsExport,
    Respondent,
    build_export,
    shown_roles,
    too_few_message,
)
from .mapping import KINDS, MAPPING_HELP, TARGETS, Mapping, MappingEntry, parse_mapping
from .problems import (
    FORMULA_STARTS,
    ExchangeError,
    Problem,
    column_letter,
    escape_formula,
    normalise,
    short,
)
from .rows import ImportPlan, ImportResult, ImportRow, check_rows, row_token
from .table import EMPTY, Table, TableRow, read_table
from .values import DONT_KNOW, parse_rating, scale_text
from .writers import export_csv, export_json

__all__ = [
    "DONT_KNOW",
    "EMPTY",
    "FORMULA_STARTS",
    "KINDS",
    "MAPPING_HELP",
    "METADATA_HEADERS",
    "NAME_HEADERS",
    "ROLE_HEADERS",
    "TARGETS",
    "TIMESTAMP_HEADERS",
    "Column",
    "ColumnMap",
    "ExchangeError",
    "ExportComment",
    "ImportPlan",
    "ImportResult",
    "ImportRow",
    "Mapping",
    "MappingEntry",
    "Problem",
    "RatingsExport",
    "Respondent",
    "TableRow",
    "Table",
    "build_export",
    "check_rows",
    "column_letter",
    "escape_formula",
    "export_csv",
    "export_json",
    "map_columns",
    "normalise",
    "parse_mapping",
    "parse_rating",
    "read_table",
    "row_token",
    "scale_text",
    "short",
    "shown_roles",
    "too_few_message",
]
