"""`coprod plan new|list` and `coprod export plan`: the co-production planner (issue 5)."""

from __future__ import annotations

import argparse
import sys

from .common import DEFAULT_URL, REPORT_SUFFIXES, open_store, output_target, write_report


def cmd_plan_new(args: argparse.Namespace) -> int:
    """Start a plan and print its private link."""
    from ..errors import CoprodError
    from ..registry import plan_link

    try:
        plan, code = open_store(args).plans.create(args.title or "")
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    print(f"Plan {plan.id} started: {plan.title or 'Untitled plan'}")
    print("Its private link (anyone with it can read and change the plan):")
    print(f"  {plan_link(args.url, code)}")
    print(f"To export it: coprod export plan --plan={code} -o plan.html")
    return 0


def cmd_plan_list(args: argparse.Namespace) -> int:
    rows = open_store(args).plans.all()
    if not rows:
        print('No plans yet. Start one with: coprod plan new --title "..."')
        return 0
    head = ("id", "title", "changed", "fields", "code")
    table = [
        (
            str(r.plan.id),
            r.plan.title or "Untitled plan",
            r.plan.updated_at[:10],
            str(r.fields),
            r.plan.code,
        )
        for r in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *table)]
    for row in (head, *table):
        print("  ".join(x.ljust(w) for x, w in zip(row, widths)).rstrip())
    return 0


def cmd_export_plan(args: argparse.Namespace) -> int:
    """A plan as HTML or PDF, through the same report route as the team report."""
    from ..errors import CoprodError

    target = output_target(args, REPORT_SUFFIXES)
    if target is None:
        return 2
    out, fmt = target
    try:
        title = open_store(args).plans.by_code(args.plan).title  # NotFound before any work
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    if not write_report("plan_report", {"code": args.plan, "db": args.db}, fmt, out):
        return 2
    print(f"Plan {title or 'Untitled plan'!r} written to {out} ({fmt.upper()}).")
    return 0


def add_plan(pl: argparse.ArgumentParser) -> None:
    """`coprod plan new|list`."""
    pl.description = (
        "Co-production plans, written in the planner. To export one: coprod export plan."
    )
    ps = pl.add_subparsers(dest="plan_command", required=True)
    pn = ps.add_parser(
        "new",
        help="start a plan and print its private link",
        epilog='Example: coprod plan new --title "Day centre menu"',
    )
    pn.add_argument("--title", default="", help="the plan's name")
    pn.add_argument("--url", default=DEFAULT_URL, help="server address for the link")
    pn.set_defaults(func=cmd_plan_new)
    pls = ps.add_parser(
        "list",
        help="list plans, most recently changed first",
        description="Every plan: its id, title, last change, fields filled in and code.",
    )
    pls.set_defaults(func=cmd_plan_list)


def add_export_plan(ep: argparse.ArgumentParser) -> None:
    """`coprod export plan --plan CODE --to html|pdf -o FILE`."""
    ep.description = "Write a plan to an HTML or PDF file, through the team report's route."
    ep.epilog = "Example: coprod export plan --plan=CODE -o plan.pdf"
    ep.add_argument(
        "--plan",
        required=True,
        metavar="CODE",
        help="the plan's code, from its link; write --plan=CODE, as a code may start with '-'",
    )
    ep.add_argument(
        "--to", choices=("html", "pdf"), help="format (default: from the file name's suffix)"
    )
    ep.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    ep.set_defaults(func=cmd_export_plan)
