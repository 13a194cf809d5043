"""What several commands share: the store from --db, the server address, where an export goes.

Only argparse and sys at import time: the store (SQLAlchemy), even pathlib, are imported when a
command needs them, so `coprod --help` and argument errors stay quick.
"""

from __future__ import annotations

import argparse
import sys

# typing.TYPE_CHECKING without importing typing (a few ms at every start); mypy reads it the same.
TYPE_CHECKING = False


if TYPE_CHECKING:
    from pathlib import Path

    from ..store import Store

DEFAULT_URL = "http://127.0.0.1:8866"
REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf"}


def open_store(args: argparse.Namespace) -> Store:
    """The store of --db (default: $COPROD_DB or a SQLite file in the data folder)."""
    from ..store import Store

    return Store(args.db)


def either(names: list[str]) -> str:
    """'a or b', 'a, b or c'."""
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def output_target(args: argparse.Namespace, suffixes: dict[str, str]) -> tuple[Path, str] | None:
    """Where an export goes and in which format (--to, else the file's suffix), or None after
    saying what is wrong: every export command checks these the same way before any work."""
    from pathlib import Path

    out = Path(args.output)
    fmt = args.to or suffixes.get(out.suffix.lower())
    if fmt is None:
        names = list(dict.fromkeys(suffixes.values()))
        print(
            f"coprod: say which format with {either(['--to ' + n for n in names])} (or name the file "
            f"{either(['.' + n for n in names])}, not {out.name!r})",
            file=sys.stderr,
        )
        return None
    if not out.parent.is_dir():
        print(
            f"coprod: cannot write {out}: the folder {out.parent} does not exist", file=sys.stderr
        )
        return None
    return out, fmt


def write_report(name: str, parameters: dict[str, object], fmt: str, out: Path) -> bool:
    """Run report ``name`` (reports/notebooks/) and write it to ``out``; on failure say why on
    stderr and return False. Every report-exporting command ends here."""
    from ..errors import CoprodError
    from ..reports.export import export_report, write_file

    try:
        write_file(export_report(name, parameters, fmt), out)
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return False
    except OSError as e:
        print(f"coprod: cannot write {out}: {e.strerror or e}", file=sys.stderr)
        return False
    return True
