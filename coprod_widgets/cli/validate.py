"""`coprod validate`: check data files a person wrote, every problem at once."""

from __future__ import annotations

import argparse

from .common import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


def check_each(names: list[str], summarise: Callable[[str], str]) -> int:
    """Check each file or folder: ``summarise(name)`` says what it holds, or raises
    ContentError listing every problem. Prints one line each (and its problems); 1 if any is
    invalid. `coprod validate` and `coprod course validate` both report this way."""
    from ..content import ContentError

    bad = 0
    for name in names:
        try:
            summary = summarise(name)
        except ContentError as e:
            bad += 1
            n = len(e.problems)
            print(f"{name}: INVALID ({n} problem{'s' if n != 1 else ''})")
            for p in e.problems:
                print(f"  {p}")
            continue
        print(f"{name}: ok: {summary}")
    return 1 if bad else 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Check data files (frameworks, reflective models, export forms, ladders): every problem."""
    from pathlib import Path

    from ..content.any import validate_file

    return check_each(args.files, lambda f: validate_file(Path(f)))


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
