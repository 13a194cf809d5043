"""`coprod db copy --from URL --to URL`: a whole database moved, SQLite to PostgreSQL or back."""

from __future__ import annotations

import argparse
import sys


def cmd_db_copy(args: argparse.Namespace) -> int:
    """Every table copied and counted on both sides; a target holding data only with --force."""
    from ..errors import CoprodError
    from ..store.copy import copy_database

    try:
        rep = copy_database(args.source, args.target, force=args.force)
    except CoprodError as e:
        print(f"coprod: not copied: {e}", file=sys.stderr)
        return 2
    total = sum(rep.counts.values())
    print(
        f"Copied {rep.source} to {rep.target} (schema version {rep.schema_version}): "
        f"{total:,} rows in {len(rep.counts)} tables, counted on both sides."
    )
    if rep.replaced:
        print(f"  replaced what the target held: {sum(rep.replaced.values()):,} rows")
    width = max((len(k) for k in rep.counts), default=0)
    for name, n in sorted(rep.counts.items()):
        print(f"  {name:<{width}}  {n:>9,}")
    return 0


def add_db(d: argparse.ArgumentParser) -> None:
    """`coprod db COMMAND`."""
    d.description = "Work on the database as a whole. Each subcommand says more with --help."
    ds = d.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    c = ds.add_parser("copy", help="copy every table from one database to another")
    c.description = (
        "Copy everything in one database into another: rounds and answers, actions, plans, "
        "journals, cohorts, released results and the import key's fingerprint (the key file "
        "itself stays in the data folder). The target is brought to this coprod's schema, "
        "written in one transaction and its rows counted against the source's; its search "
        "index is built again and PostgreSQL's ids continue after the copied ones. A target "
        "that holds data is refused unless --force is given. Stop `coprod serve` first: "
        "answers saved during the copy are not in it."
    )
    c.epilog = (
        "example: coprod db copy --from sqlite:///coprod.sqlite "
        "--to postgresql+psycopg://coprod@db.example/coprod"
    )
    c.add_argument(
        "--from",
        dest="source",
        metavar="URL",
        required=True,
        help="the database to copy, e.g. sqlite:////home/me/.local/share/coprod/coprod.sqlite",
    )
    c.add_argument(
        "--to",
        dest="target",
        metavar="URL",
        required=True,
        help="the database to write, e.g. postgresql+psycopg://user:password@host/coprod",
    )
    c.add_argument(
        "--force", action="store_true", help="replace what the target holds (kept nowhere)"
    )
    c.set_defaults(func=cmd_db_copy)
