"""`coprod cohort create|list|close` and `coprod export portfolio`: a course run with a cohort."""

from __future__ import annotations

import argparse
import sys

from .common import DEFAULT_URL, TYPE_CHECKING, open_store

if TYPE_CHECKING:
    from ..model.cohort import CohortLinks, ParticipantRow
    from ..model.course import Course


def _course(what: str) -> Course | None:
    """A course folder (or its course.yaml), else a course id from the library; None after
    saying what is wrong."""
    from pathlib import Path

    from ..content.courses import CourseLibrary, load_course
    from ..content.validation import ContentError

    try:
        if Path(what).exists():
            return load_course(what)
        return CourseLibrary().get(what)
    except ContentError as e:
        print(f"coprod: the course at {what} has problems, so no cohort was made:", file=sys.stderr)
        for p in e.problems:
            print(f"  {p}", file=sys.stderr)
    except KeyError as e:
        print(
            f"coprod: {e.args[0]}; or give a course folder's path "
            "(check it first with: coprod course validate PATH)",
            file=sys.stderr,
        )
    return None


def _print_codes(links: CohortLinks, base: str) -> None:
    from ..registry import route_link

    print(
        f"Join link, share with participants:  {route_link('participant', base, links.join_code)}"
    )
    print(f"Trainer link, keep to yourself:      {route_link('trainer', base, links.trainer_code)}")
    print(f"(codes: join {links.join_code}, trainer {links.trainer_code})")


def cmd_cohort_create(args: argparse.Namespace) -> int:
    from ..errors import CoprodError

    course = _course(args.course)
    if course is None:
        return 2
    try:
        links = open_store(args).cohorts.create(args.title, course, min_answers=args.min)
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    c = links.cohort
    print(
        f"Cohort {c.id} created: {c.title}, course {course.key} ({len(course.modules)} modules, "
        f"{len(course.exercises)} exercises); the cohort's answers to an exercise show, without "
        f"names, from {c.min_answers} answers."
    )
    _print_codes(links, args.url.rstrip("/"))
    print("Anyone with the trainer link reads every participant's answers: keep it to yourself.")
    return 0


def cmd_cohort_list(args: argparse.Namespace) -> int:
    from ..registry import route_link

    base = args.url.rstrip("/")
    store = open_store(args)
    rows = store.cohorts.all()
    if not rows:
        print('No cohorts yet. Start one with: coprod cohort create --course ID --title "..."')
        return 0
    head = ("id", "title", "course", "status", "participants", "created")
    table = [
        (
            str(s.id),
            s.title,
            f"{s.course_id}@{s.course_version}",
            s.status,
            str(s.participants),
            s.created_at[:10],
        )
        for s in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *table)]
    print("  ".join(x.ljust(w) for x, w in zip(head, widths)).rstrip())
    for s, row in zip(rows, table):
        print("  ".join(x.ljust(w) for x, w in zip(row, widths)).rstrip())
        if args.links:
            links = store.cohorts.links(s.id)
            closed = "" if s.status == "open" else " (closed: takes no answers)"
            join = route_link("participant", base, links.join_code)
            print(f"    join link, share with participants{closed}: {join}")
            trainer = route_link("trainer", base, links.trainer_code)
            print(f"    trainer link, keep to yourself: {trainer}")
    if args.links:
        print(
            "Anyone with a trainer link reads every participant's answers: keep them to yourself."
        )
    return 0


def cmd_cohort_close(args: argparse.Namespace) -> int:
    from ..errors import CoprodError

    try:
        c = open_store(args).cohorts.close(args.id)
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    print(
        f"Cohort {c.id} ({c.title}) is closed: no more joins or answers; everything stays "
        f"readable, and exportable with: coprod export portfolio --cohort {c.id} -o FOLDER"
    )
    return 0


def _participants(roster: list[ParticipantRow], asked: list[str]) -> list[int] | str:
    """Each --participant (an id, or a name matching exactly one participant) as an id; or what
    is wrong, naming it."""
    ids: list[int] = []
    known = ", ".join(f"{r.id} ({r.name})" for r in roster) or "none yet"
    for p in asked:
        if p.strip().isdigit():
            found = [r.id for r in roster if r.id == int(p)]
            how = "no participant with that id"
        else:
            found = [r.id for r in roster if r.name.casefold() == p.strip().casefold()]
            how = f"{len(found) or 'no'} participant{'s' if len(found) != 1 else ''} of that name"
        if len(found) != 1:
            return f"--participant {p!r}: {how}; the participants are: {known}"
        ids.append(found[0])
    return ids


def cmd_export_portfolio(args: argparse.Namespace) -> int:
    """Every participant's portfolio (or those asked for) to a folder, one file each."""
    from pathlib import Path

    from tqdm import tqdm

    from ..errors import CoprodError
    from ..reports.portfolio import export_portfolios

    out = Path(args.output)
    if out.exists() and not out.is_dir():
        print(f"coprod: {out} is a file: -o names the folder the portfolios go in", file=sys.stderr)
        return 2
    if not out.parent.is_dir():
        print(f"coprod: cannot write to {out}: {out.parent} does not exist", file=sys.stderr)
        return 2
    store = open_store(args)
    try:
        roster = store.cohorts.roster(args.cohort)  # NotFound: no such cohort
        ids = _participants(roster, args.participant) if args.participant else None
        if isinstance(ids, str):
            print(f"coprod: {ids}. Nothing was written.", file=sys.stderr)
            return 2
        total = len(ids) if ids is not None else len(roster)
        if not total:
            print(f"coprod: cohort {args.cohort} has no participants yet: nothing to export")
            return 0
        out.mkdir(exist_ok=True)
        with tqdm(total=total, unit="portfolio", file=sys.stderr) as bar:

            def progress(done: int, total: int, name: str) -> None:
                bar.update(done - bar.n)

            written = export_portfolios(store, args.cohort, out, args.format, ids, progress)
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"coprod: cannot write to {out}: {e.strerror or e}", file=sys.stderr)
        return 2
    what = "portfolio" if len(written) == 1 else "portfolios"
    where = written[0] if len(written) == 1 else out
    print(
        f"{len(written)} {what} of cohort {args.cohort} written to {where} ({args.format.upper()})."
    )
    return 0


def add_cohort(c: argparse.ArgumentParser) -> None:
    """`coprod cohort create|list|close`."""
    c.description = (
        "A cohort: one run of a course with a group of participants and a trainer, joined by "
        "a code. Each participant's portfolio: coprod export portfolio --cohort ID -o FOLDER."
    )
    cs = c.add_subparsers(dest="cohort_command", required=True, metavar="ACTION")
    cc = cs.add_parser(
        "create",
        help="start a cohort of a course and print its join and trainer codes",
        description=(
            "Start a cohort of a course as the course is now (a later change to its files is "
            "a new version, never mixed in), and print the join code to share with "
            "participants and the trainer code to keep."
        ),
        epilog='Example: coprod cohort create --course intro-coproduction --title "Spring 2026"',
    )
    cc.add_argument(
        "--course",
        required=True,
        metavar="PATH_OR_ID",
        help="a course folder (or its course.yaml), or the id of a shipped or installed course",
    )
    cc.add_argument("--title", required=True, help="the cohort's name, as participants see it")
    cc.add_argument(
        "--min",
        type=int,
        default=3,
        metavar="N",
        help="answers an exercise needs before the trainer sees them without names (at least 2)",
    )
    cc.add_argument("--url", default=DEFAULT_URL, help="server address for the links")
    cc.set_defaults(func=cmd_cohort_create)
    cl = cs.add_parser(
        "list",
        help="list cohorts, newest first",
        description="Every cohort: its id, title, course and version, status and participants.",
        epilog="Example: coprod cohort list --links",
    )
    cl.add_argument(
        "--links",
        action="store_true",
        help="print each cohort's two links: the join link to share and the trainer link to keep",
    )
    cl.add_argument("--url", default=DEFAULT_URL, help="server address for the links")
    cl.set_defaults(func=cmd_cohort_list)
    cx = cs.add_parser(
        "close",
        help="close a cohort",
        description="Close a cohort: no more joins or answers; everything stays readable.",
        epilog="Example: coprod cohort close 2",
    )
    cx.add_argument("id", type=int, metavar="ID", help="the cohort's id (see coprod cohort list)")
    cx.set_defaults(func=cmd_cohort_close)


def add_export_portfolio(ep: argparse.ArgumentParser) -> None:
    """`coprod export portfolio`, registered in the `export` group."""
    ep.description = (
        "Write each participant's portfolio (their answers, the trainer's feedback and a CPD "
        "record) to a folder, one HTML or PDF file each, named from the name and id. A wrong "
        "cohort or participant writes nothing."
    )
    ep.epilog = (
        "Examples: coprod export portfolio --cohort 2 --format pdf -o portfolios\n"
        '          coprod export portfolio --cohort 2 --participant "Ann Example" -o out'
    )
    ep.add_argument("--cohort", type=int, required=True, metavar="ID", help="the cohort's id")
    ep.add_argument(
        "--participant",
        action="append",
        metavar="P",
        help="only this participant: an id or an exact name (repeat for more; default: all)",
    )
    ep.add_argument(
        "--format", choices=("html", "pdf"), default="html", help="file format (default: html)"
    )
    ep.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="DIR",
        help="the folder the files go in (made if missing; its parent must exist)",
    )
    ep.set_defaults(func=cmd_export_portfolio)
