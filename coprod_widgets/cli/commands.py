"""The one list of coprod's commands: which module registers which, in the order help shows them.

A new command: write ``cmd_x(args) -> int`` and ``add_x(sub)`` in the module of its group
(importing what it needs inside ``cmd_x``, never at the top), add ``add_x`` below, and add its
line to the list in ``cli/__init__.py`` (tests/test_cli_help.py checks that list against this).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from .backup import add_backup, add_restore
from .exchange import add_export_ratings, add_import
from .journal import add_export_journal, add_journal
from .plan import add_export_plan, add_plan
from .rounds import add_export_team_report, add_round
from .serve import add_demo, add_serve
from .validate import add_validate

if TYPE_CHECKING:
    from .common import Subparsers

EXAMPLES = """\
examples:
  coprod serve --demo --open          try the workbooks on this computer
  coprod round create --team Riverside --framework nef-nesta-six
  coprod export team-report --round 1 -o riverside.pdf
  coprod import responses answers.csv --round 1 --dry-run
  coprod backup coprod-backup.zip

Each command says more with --help, e.g. coprod export team-report --help."""


def add_export(sub: Subparsers) -> None:
    """`coprod export ...`: one subcommand per thing exported, from EXPORTS."""
    e = sub.add_parser(
        "export",
        help="export reports and data: team-report, ratings, plan, journal",
        description="Write a report or data to a file. Each subcommand says more with --help.",
    )
    es = e.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    for add in EXPORTS:
        add(es)


# `coprod export WHAT`, in the order help lists them.
EXPORTS: tuple[Callable[[Subparsers], None], ...] = (
    add_export_team_report,
    add_export_ratings,
    add_export_plan,
    add_export_journal,
)

# `coprod COMMAND`, in the order help lists them.
COMMANDS: tuple[Callable[[Subparsers], None], ...] = (
    add_serve,
    add_demo,
    add_validate,
    add_round,
    add_export,
    add_import,
    add_journal,
    add_plan,
    add_backup,
    add_restore,
)


def parser() -> argparse.ArgumentParser:
    """The whole command line. Building it imports nothing beyond the standard library."""
    p = argparse.ArgumentParser(
        prog="coprod",
        description="Co-production workbooks: serve them, run rounds, export, import, back up.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--db", help="database URL (default: $COPROD_DB or a SQLite file in your data folder)"
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return p
