"""The one list of coprod's commands: which module registers which, in the order help shows them.

A new command: write ``cmd_x(args) -> int`` and ``add_x(sub)`` in the module of its group
(importing what it needs inside ``cmd_x``, never at the top), add ``add_x`` below, and add its
line to the list in ``cli/__init__.py`` (tests/test_cli_help.py checks that list against this).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from .backup import add_backup, add_restore
from .common import TYPE_CHECKING
from .exchange import add_export_ratings, add_import
from .journal import add_export_journal, add_journal
from .plan import add_export_plan, add_plan
from .rounds import add_export_team_report, add_round
from .serve import add_demo, add_serve
from .validate import add_validate

if TYPE_CHECKING:
    from typing import Any

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


def parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``argv``, only the command it names is built in full.

    Building it imports nothing beyond the standard library. Given the arguments about to be
    parsed, the other commands are registered by name and help alone (what ``coprod --help`` and
    a wrong command's message need): building every argument of every command cost more than
    Python's own start.
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
    for add in COMMANDS:
        # _Probe has the one method of Subparsers that the add_* functions call.
        add(sub if wanted is None else _Probe(sub, wanted))  # type: ignore[arg-type]
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


class _Probe:
    """Hands an add_* function the real subparsers for the command wanted, an outline for others."""

    def __init__(self, sub: Subparsers, wanted: str):
        self._sub, self._wanted = sub, wanted

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser | _Dropped:
        if name == self._wanted:
            return self._sub.add_parser(name, **kwargs)
        self._sub.add_parser(name, help=kwargs.get("help"))
        return _Dropped()


class _Dropped:
    """Takes any call an add_* function makes on a parser it does not need, and does nothing."""

    def __getattr__(self, name: str) -> _Dropped:
        return self

    def __call__(self, *args: object, **kwargs: object) -> _Dropped:
        return self
