"""`coprod course validate`: check a course folder a trainer wrote, every problem at once;
`coprod course notebooks`: the course as notebooks to read or adapt in JupyterLab."""

from __future__ import annotations

import argparse

from .validate import check_each


def cmd_course_validate(args: argparse.Namespace) -> int:
    """Check course folders (or their course.yaml): every problem, with file, line and field."""
    from ..content.courses import course_summary, load_course

    return check_each(args.paths, lambda path: course_summary(load_course(path)))


def cmd_course_notebooks(args: argparse.Namespace) -> int:
    """Write a course's notebooks: the folder, then each notebook written, current or kept."""
    from pathlib import Path

    from ..content.course_notebooks import course_folder, write_course_notebooks
    from ..content.validation import ContentError
    from ..errors import CoprodError
    from .lab import default_folder

    folder = Path(args.output) if args.output else default_folder() / "courses"
    if not args.output:
        folder = folder / course_folder(args.course).name
    try:
        done = write_course_notebooks(args.course, folder, force=args.force)
    except ContentError as e:
        n = len(e.problems)
        problems = "\n".join(f"  {p}" for p in e.problems)
        raise CoprodError(
            f"{args.course}: the course has {n} problem{'s' if n != 1 else ''}; no notebook "
            f"was written:\n{problems}"
        ) from None
    print(f"Notebooks of {args.course} in {done.folder}:")
    for path in done.written:
        print(f"  wrote     {path.name}")
    for path in done.unchanged:
        print(f"  current   {path.name}")
    for path in done.kept:
        print(f"  kept      {path.name}: edited here, so left as it is (--force replaces it)")
    print("Open them in JupyterLab (coprod lab); answers typed in them are not saved.")
    return 0


def add_course(c: argparse.ArgumentParser) -> None:
    """`coprod course validate PATH...`."""
    c.description = (
        "Courses a trainer runs with a cohort: a folder with course.yaml and one Markdown "
        "file per module (see data/courses/README.md). Check one, or open it as notebooks."
    )
    cs = c.add_subparsers(dest="course_command", required=True, metavar="ACTION")
    v = cs.add_parser("validate", help="check course folders, every problem at once")
    v.description = (
        "Check course folders written by hand: the course file, every module and every "
        "exercise, and that the ladders, reflective models and frameworks they name exist. "
        "Every problem is listed with its file, line and field. Exit status 1 if any course "
        "is invalid."
    )
    v.epilog = "Example: coprod course validate data/courses/intro-coproduction"
    v.add_argument("paths", nargs="+", metavar="PATH", help="a course folder, or its course.yaml")
    v.set_defaults(func=cmd_course_validate)
    n = cs.add_parser("notebooks", help="the course as notebooks to read or adapt in JupyterLab")
    n.description = (
        "Write a course as notebooks: an overview (00-course.ipynb) and one notebook per "
        "module in order, each with the module's text as Markdown cells and every exercise "
        "shown with the widget participants get, in preview (answers typed there are not "
        "saved). A notebook edited since it was written is kept as it is, unless --force. "
        "A course with problems is listed with file and line, and nothing is written."
    )
    n.epilog = "Example: coprod course notebooks intro-coproduction -o intro-notebooks"
    n.add_argument(
        "course",
        metavar="COURSE",
        help="a course folder (or its course.yaml), or the id of a shipped or installed course",
    )
    n.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        help="the folder for the notebooks (default: courses/<id> in coprod lab's folder, "
        "~/coprod-workbooks)",
    )
    n.add_argument(
        "--force",
        action="store_true",
        help="replace notebooks edited since they were written (their edits are lost)",
    )
    n.set_defaults(func=cmd_course_notebooks)
