"""`coprod ...`: the command line, one module per command group (the list is ``commands.py``).

Commands (``coprod COMMAND --help`` says more about each):

    coprod serve                  serve the workbooks as a web app
    coprod demo                   add a demo team with answers and print its links
    coprod lab                    JupyterLab on your own copies of the workbooks, same database
    coprod validate               check data files: frameworks, models, forms, ladders, benefits
    coprod round create           open a round and print its two links
    coprod round next             open the next round of a team's series
    coprod round list             list rounds (with --links, each round's two links)
    coprod round close            close a round
    coprod course validate        check a course folder: modules, exercises, references
    coprod course notebooks       a course as notebooks to read or adapt in JupyterLab
    coprod cohort create          start a cohort of a course and print its two links
    coprod cohort list            list cohorts (with --links, each cohort's two links)
    coprod cohort close           close a cohort: no more joins or answers
    coprod export team-report     a round's team report as HTML or PDF
    coprod export ratings         a round's ratings as tidy CSV or JSON
    coprod export plan            a co-production plan as HTML or PDF
    coprod export journal         journal entries, as written or in a regulator's form
    coprod export portfolio       each participant's portfolio of a cohort, HTML or PDF
    coprod import responses       a form tool's CSV of ratings into a round
    coprod journal list           your journal entries, newest first
    coprod journal show           one of your entries, as Markdown
    coprod journal validate       check reflective model and export form files
    coprod plan new               start a plan and print its private link
    coprod plan list              list plans, most recently changed first
    coprod backup                 the database and the data folder's keys in one file
    coprod restore                put a backup's database and keys back, after checking it
    coprod db copy                every table from one database to another, counted on both

Start-up stays quick: importing this package and parsing the arguments load only the standard
library. Each command imports what it needs (the store, pandas, nbconvert, ...) inside its own
``cmd_*`` function. tests/test_cli_help.py holds this list and that rule to the parser.
"""

from __future__ import annotations

import os
import sys

from .commands import parser

__all__ = ["main", "parser"]


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit status (0 done, 1 unexpected failure, 2 refused, 130 ^C)."""
    from ..errors import CoprodError

    argv = sys.argv[1:] if argv is None else argv
    args = parser(argv).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except CoprodError as e:
        print(_no_password(f"coprod: {e}"), file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - a message, not a traceback (COPROD_DEBUG=1 for one)
        if os.environ.get("COPROD_DEBUG"):
            raise
        where = f" (database {args.db})" if getattr(args, "db", None) else ""
        print(
            _no_password(
                f"coprod: {type(e).__name__}{where}: {e}\n"
                "Nothing more was done. Run again with COPROD_DEBUG=1 to see where it failed."
            ),
            file=sys.stderr,
        )
        return 1


def _no_password(text: str) -> str:
    """An error message with the password of any database URL in it masked."""
    from ..store.store import mask_db_urls

    return mask_db_urls(text)
