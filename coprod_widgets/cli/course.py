"""`coprod course validate`: check a course folder a trainer wrote, every problem at once."""

from __future__ import annotations

import argparse

from .validate import check_each


def cmd_course_validate(args: argparse.Namespace) -> int:
    """Check course folders (or their course.yaml): every problem, with file, line and field."""
    from ..content.courses import course_summary, load_course

    return check_each(args.paths, lambda path: course_summary(load_course(path)))


def add_course(c: argparse.ArgumentParser) -> None:
    """`coprod course validate PATH...`."""
    c.description = (
        "Courses a trainer runs with a cohort: a folder with course.yaml and one Markdown "
        "file per module (see data/courses/README.md)."
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
