"""`coprod import responses` and `coprod export ratings`: answers in from a form tool, ratings out."""

from __future__ import annotations

import argparse
import sys

from .common import open_store

MAPPING_DOC = """\
mapping file (YAML), one line per column the headers do not make clear:
  "How much do we ask people?": assets-1        # a statement id
  "Anything to add about assets?": comment:assets
  "Submitted": timestamp
  "Your email": email      # never stored in an anonymous round
  "Your name": name        # stored in named rounds only
  "Team role": role        # one of the round's roles, or blank
  "Score": ignore
Columns it does not name are matched by their headers: a statement's text or id (also as
'Question [statement text]'), Timestamp, Email, Name, Role, 'Comments: <principle title>'."""


def _print_problems(head: str, e: Exception) -> None:
    """Every problem of a file on its own line (the first 100), then what to do."""
    from ..model.exchange import ExchangeError

    if not isinstance(e, ExchangeError):
        print(f"coprod: {head}: {e}", file=sys.stderr)
        return
    n = len(e.problems)
    print(f"coprod: {head}: {n} problem{'s' if n != 1 else ''}:", file=sys.stderr)
    for p in e.problems[:100]:
        print(f"  {p}", file=sys.stderr)
    if n > 100:
        print(f"  ... and {n - 100} more", file=sys.stderr)
    if e.hint:
        print(e.hint, file=sys.stderr)


def cmd_import_responses(args: argparse.Namespace) -> int:
    """A form tool's CSV into a round: every row checked first, nothing written on a problem."""
    from pathlib import Path

    from ..errors import CoprodError

    path = Path(args.file)
    try:
        report = open_store(args).imports.from_file(
            args.round,
            path,
            Path(args.mapping) if args.mapping else None,
            dry_run=args.dry_run,
        )
    except CoprodError as e:
        _print_problems(f"cannot import {path} into round {args.round}", e)
        print("Nothing was imported.", file=sys.stderr)
        return 2
    r, res, plan = report.round, report.result, report.plan
    n = len(plan.rows)
    if report.dry_run:
        print(
            f"{path}: {n} response{'s' if n != 1 else ''} checked for round {r.id} ({r.team}); "
            "all good, nothing written (--dry-run)."
        )
    else:
        print(
            f"Imported {n} response{'s' if n != 1 else ''} from {path} into round {r.id} "
            f"({r.team}): {res.added} added, {res.updated} updated, {res.unchanged} unchanged."
        )
    for note in plan.notes:
        print(f"  note: {note}")
    return 0


def cmd_export_ratings(args: argparse.Namespace) -> int:
    """A round's ratings as tidy CSV or JSON, anonymised where the round is."""
    from pathlib import Path

    from ..errors import CoprodError

    out = Path(args.output)
    try:
        store = open_store(args)
        rep = store.imports.export_file(args.round, out, args.to)
        rel = store.rounds.released(args.round)
    except CoprodError as e:
        print(f"coprod: cannot export round {args.round}: {e}", file=sys.stderr)
        return 2
    print(
        f"Ratings of round {args.round} written to {out} ({rep.format.upper()}): "
        f"{rep.respondents} respondents, {rep.ratings} ratings, {rep.comments} comments."
    )
    if not rel.live:
        from ..analysis.render import released_when

        held = (
            f"; {rel.held} newer answer{'s' if rel.held != 1 else ''} held back until at least "
            f"{rel.need_more or 1} more "
            + ("person answers or changes" if rel.need_more <= 1 else "people answer or change")
            + " answers"
            if rel.held
            else ""
        )
        print(f"The results released {released_when(rel.released_at)}{held}.")
    if rep.held_back:
        print(
            f"Left out, as fewer than the round's minimum rated them: {'; '.join(rep.held_back)}."
        )
    return 0


def add_export_ratings(er: argparse.ArgumentParser) -> None:
    """`coprod export ratings`, registered in the `export` group."""
    er.description = (
        "One row per rating (CSV) or one object per respondent (JSON). Anonymous rounds: "
        "the answers of the results last released, as the results page shows them (a new "
        "set only once at least the minimum have answered or changed answers since), "
        "respondents numbered in a new random order each time, no names, emails or times, "
        "a role only where at least the round's minimum share it, comments not linked to "
        "anyone. Refused below the round's minimum number of answers. CSV cells that a "
        "spreadsheet would run as formulas start with '."
    )
    er.add_argument("--round", type=int, required=True, metavar="ID", help="the round's id")
    er.add_argument(
        "--to", choices=("csv", "json"), help="format (default: from the file name's suffix)"
    )
    er.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    er.set_defaults(func=cmd_export_ratings)


def add_import(i: argparse.ArgumentParser) -> None:
    """`coprod import responses`."""
    i.description = "Import answers collected in another tool (a form's CSV export)."
    isub = i.add_subparsers(dest="import_command", required=True)
    ir = isub.add_parser(
        "responses",
        help="a form tool's CSV of ratings into a round",
        description=(
            "Import a CSV (a timestamp column, perhaps email, name and role columns, then one "
            "column per statement with values like 4, '4 - Often', 'Often', blank or "
            '"Don\'t know") as submitted answers. Every row is checked first: on any problem '
            "nothing is written. Importing the same file again adds nothing. Emails and names "
            "are never stored in an anonymous round."
        ),
        epilog=MAPPING_DOC,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ir.add_argument("file", metavar="FILE", help="the CSV file")
    ir.add_argument("--round", type=int, required=True, metavar="ID", help="the round's id")
    ir.add_argument(
        "--mapping", metavar="MAP.yaml", help="what the columns hold, where headers do not say"
    )
    ir.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    ir.set_defaults(func=cmd_import_responses)
