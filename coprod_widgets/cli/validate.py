"""`coprod validate`: check data files a person wrote, every problem at once."""

from __future__ import annotations

import argparse


def cmd_validate(args: argparse.Namespace) -> int:
    """Check data files (frameworks, reflective models, export forms, ladders): every problem."""
    from pathlib import Path

    from ..content import ContentError
    from ..content.any import validate_file

    bad = 0
    for f in args.files:
        try:
            summary = validate_file(Path(f))
        except ContentError as e:
            bad += 1
            print(f"{f}: INVALID ({len(e.problems)} problem{'s' if len(e.problems) != 1 else ''})")
            for p in e.problems:
                print(f"  {p}")
            continue
        print(f"{f}: ok: {summary}")
    return 1 if bad else 0


def add_validate(v: argparse.ArgumentParser) -> None:
    """`coprod validate FILE...`."""
    v.description = (
        "Check data files written by hand (frameworks, reflective models, export forms, "
        "ladders, sets of benefits, the planner's files), told apart by their folder or keys. "
        "Every problem of every file is listed, with its line and field. Exit status 1 if "
        "any file is invalid."
    )
    v.epilog = "Example: coprod validate data/frameworks/*.yaml"
    v.add_argument("files", nargs="+", metavar="FILE", help="YAML files to check")
    v.set_defaults(func=cmd_validate)
