"""The one list of coprod's commands: name, one-line help, and where its arguments are added.

Only the command being run is imported and built in full: ``coprod --help`` imports none of
the command modules, and ``coprod round list`` only ``cli/rounds.py``.

A new command: write ``cmd_x(args) -> int`` and ``add_x(p)`` (its description, example and
arguments) in the module of its group, importing what ``cmd_x`` needs inside ``cmd_x``, never
at the top; add its line below; and add it to the list in ``cli/__init__.py``'s docstring
(tests/test_cli_help.py checks that list against this one).
"""

from __future__ import annotations

import argparse
from importlib import import_module

from .common import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

EXAMPLES = """\
examples:
  coprod serve --demo --open          try the workbooks on this computer
  coprod round create --team Riverside --framework nef-nesta-six
  coprod export team-report --round 1 -o riverside.pdf
  coprod import responses answers.csv --round 1 --dry-run
  coprod backup coprod-backup.zip

Each command says more with --help, e.g. coprod export team-report --help."""

# `coprod COMMAND`: (name, help, "module:function" that adds its arguments), in help's order.
COMMANDS = (
    ("serve", "serve the workbooks as a web app", "serve:add_serve"),
    ("demo", "add a demo team with answers and print its links", "serve:add_demo"),
    ("lab", "open JupyterLab on your own copies of the workbooks", "lab:add_lab"),
    (
        "validate",
        "check data files: frameworks, reflective models, export forms, ladders",
        "validate:add_validate",
    ),
    ("round", "create, list or close self-assessment rounds", "rounds:add_round"),
    (
        "course",
        "check a course's files, or write it as notebooks for JupyterLab",
        "course:add_course",
    ),
    ("cohort", "run a course with a cohort: create, list or close", "cohort:add_cohort"),
    (
        "export",
        "export reports and data: team-report, ratings, plan, journal, portfolio",
        "commands:add_export",
    ),
    ("import", "import answers collected elsewhere", "exchange:add_import"),
    (
        "journal",
        "your reflective journal: list, show, validate models",
        "journal:add_journal",
    ),
    ("plan", "start or list co-production plans", "plan:add_plan"),
    (
        "backup",
        "the database and the data folder's keys in one file, while people keep working",
        "backup:add_backup",
    ),
    ("restore", "put a backup's database and keys back, after checking it", "backup:add_restore"),
    ("db", "the database as a whole: copy it to another (SQLite, PostgreSQL)", "db:add_db"),
)

# `coprod export WHAT`, the same way.
EXPORTS = (
    ("team-report", "a round's team report as HTML or PDF", "rounds:add_export_team_report"),
    (
        "ratings",
        "a round's ratings as tidy CSV or JSON (anonymised where the round is)",
        "exchange:add_export_ratings",
    ),
    ("plan", "a co-production plan as HTML or PDF", "plan:add_export_plan"),
    (
        "journal",
        "journal entries or a topic's cycles, as written or in a regulator's form",
        "journal:add_export_journal",
    ),
    (
        "portfolio",
        "each participant's portfolio of a cohort as HTML or PDF",
        "cohort:add_export_portfolio",
    ),
)


def _adder(where: str) -> Callable[[argparse.ArgumentParser], None]:
    """The function at "module:function" in this package, its module imported now."""
    module, function = where.split(":")
    adder: Callable[[argparse.ArgumentParser], None] = getattr(
        import_module(f".{module}", __package__), function
    )
    return adder


def add_export(e: argparse.ArgumentParser) -> None:
    """`coprod export WHAT`: one subcommand per thing exported, from EXPORTS."""
    e.description = "Write a report or data to a file. Each subcommand says more with --help."
    es = e.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    for name, help_, where in EXPORTS:
        _adder(where)(es.add_parser(name, help=help_))


def parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``argv``, only the command it names is built in full.

    The others are registered by name and help alone: all that ``coprod --help`` and a
    mistyped command's message need. Building it imports nothing beyond the standard library.
    """
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
    wanted = None if argv is None else _command_word(argv)
    for name, help_, where in COMMANDS:
        command = sub.add_parser(name, help=help_)
        if argv is None or name == wanted:
            _adder(where)(command)
    return p


def _command_word(argv: list[str]) -> str | None:
    """The command argv names (its first word that is neither an option nor --db's value)."""
    takes_value = False
    for word in argv:
        if takes_value:
            takes_value = False
        elif word == "--":
            return None
        elif word.startswith("-"):
            # --db URL, or an abbreviation argparse accepts (--d URL); --db=URL carries its own
            takes_value = len(word) > 2 and "--db".startswith(word)
        else:
            return word
    return None
