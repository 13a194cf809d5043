"""`coprod round create|next|list|close` and `coprod export team-report`."""

from __future__ import annotations

import argparse
import sys

from .common import DEFAULT_URL, REPORT_SUFFIXES, open_store, output_target, write_report


def cmd_round_create(args: argparse.Namespace) -> int:
    from ..content import FrameworkLibrary
    from ..errors import CoprodError
    from ..registry import route_link

    lib = FrameworkLibrary()
    try:
        fw = lib.get(args.framework)
    except KeyError as e:
        print(f"coprod: {e.args[0]}", file=sys.stderr)
        return 2
    roles = [r.strip() for r in (args.roles or "").split(",") if r.strip()]
    try:
        links = open_store(args).rounds.create(
            args.team, fw, anonymous=not args.named, min_answers=args.min_answers, roles=roles
        )
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    base = args.url.rstrip("/")
    r = links.round
    print(
        f"Round {r.id} created for {r.team} ({fw.title}, {fw.key}), "
        f"{'anonymous' if r.anonymous else 'named'}, results from {r.min_answers} answers."
    )
    print(f"Share with the team:   {route_link('member', base, links.member_code)}")
    print(f"Keep for the results:  {route_link('member', base, links.facilitator_code)}")
    return 0


def cmd_round_next(args: argparse.Namespace) -> int:
    """Open the next round of a team's series, with the same settings."""
    from ..content import FrameworkLibrary
    from ..errors import CoprodError
    from ..registry import route_link

    store = open_store(args)
    try:
        prev = store.rounds.get(args.id)
        fw = store.rounds.framework(prev.id)
        if args.latest_framework:
            try:
                fw = FrameworkLibrary().get(prev.framework_id)
            except KeyError as e:
                print(f"coprod: {e.args[0]}", file=sys.stderr)
                return 2
        links = store.rounds.open_next(prev.id, fw)
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    base = args.url.rstrip("/")
    r = links.round
    changed = "" if fw.version == prev.framework_version else f" (was {prev.framework_version})"
    print(
        f"Round {r.id} opened after round {prev.id} for {r.team}, framework {fw.key}{changed}; "
        f"{len(store.actions.for_round(prev.id))} action(s) to review."
    )
    print(f"Share with the team:   {route_link('member', base, links.member_code)}")
    print(f"Keep for the results:  {route_link('member', base, links.facilitator_code)}")
    if not prev.is_open:
        return 0
    if not args.close_previous:
        print(
            f"Round {prev.id} stays open (--keep-previous): anyone with its member link can still "
            f"answer it. Close it with: coprod round close {prev.id}"
        )
        return 0
    try:
        store.rounds.close(prev.id)
    except CoprodError as e:
        print(
            f"coprod: round {r.id} is open, but round {prev.id} could not be closed: {e}. "
            f"Close it with: coprod round close {prev.id}",
            file=sys.stderr,
        )
        return 2
    print(f"Round {prev.id} is closed: its member link takes no more answers.")
    return 0


def cmd_round_list(args: argparse.Namespace) -> int:
    """Every round with its answers; with --links, each round's two links too (for the server's
    owner: the way to get back a results link that was lost)."""
    from ..registry import route_link

    rows = open_store(args).rounds.all()
    if not rows:
        print("No rounds yet. Create one with: coprod round create --team NAME --framework ID")
        return 0
    head = ("id", "after", "team", "framework", "status", "answers", "in progress")
    table = [
        (
            str(s.round.id),
            str(s.round.previous_id or "-"),
            s.round.team,
            f"{s.round.framework_id}@{s.round.framework_version}",
            s.round.status,
            str(s.submitted),
            str(s.in_progress),
        )
        for s in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *table)]
    base = args.url.rstrip("/")
    print("  ".join(x.ljust(w) for x, w in zip(head, widths)).rstrip())
    for s, row in zip(rows, table):
        print("  ".join(x.ljust(w) for x, w in zip(row, widths)).rstrip())
        if args.links:
            closed = "" if s.round.is_open else " (closed: takes no answers)"
            print(
                f"    member link, share with the team{closed}: {route_link('member', base, s.member_code)}"
            )
            print(
                f"    results link, keep to yourself: {route_link('member', base, s.facilitator_code)}"
            )
    if args.links:
        print("Anyone with a results link sees that round's results: keep them to yourself.")
    return 0


def cmd_round_close(args: argparse.Namespace) -> int:
    from ..errors import CoprodError

    try:
        r = open_store(args).rounds.close(args.id)
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    print(f"Round {r.id} ({r.team}) is closed.")
    return 0


def cmd_export_team_report(args: argparse.Namespace) -> int:
    """One round's team report to HTML or PDF: all of the file, or nothing and a message."""

    target = output_target(args, REPORT_SUFFIXES)
    if target is None:
        return 2
    out, fmt = target
    if not write_report("team_report", {"round_id": args.round, "db": args.db}, fmt, out):
        return 2
    print(f"Team report for round {args.round} written to {out} ({fmt.upper()}).")
    return 0


def add_round(r: argparse.ArgumentParser) -> None:
    """`coprod round create|next|list|close`."""
    r.description = "A round: one team's self-assessment against a framework, with two links."
    rs = r.add_subparsers(dest="round_command", required=True)
    rc = rs.add_parser(
        "create",
        help="open a round and print its two links",
        description=(
            "Open a round for a team and print its member link (to share with the team) and "
            "its results link (to keep). Anonymous unless --named."
        ),
        epilog=(
            "Example: coprod round create --team Riverside --framework nef-nesta-six "
            "--roles Staff,Carer"
        ),
    )
    rc.add_argument("--team", required=True, help="the team's name, as its results show it")
    rc.add_argument("--framework", required=True, help="framework id, e.g. nef-nesta-six")
    rc.add_argument(
        "--named", action="store_true", help="members give their names (default: anonymous)"
    )
    rc.add_argument("--min-answers", type=int, default=3, help="answers needed before results show")
    rc.add_argument("--roles", help="roles to choose from, comma-separated")
    rc.add_argument("--url", default=DEFAULT_URL, help="server address for the links")
    rc.set_defaults(func=cmd_round_create)
    rn = rs.add_parser(
        "next",
        help="open the next round of a team after round ID",
        description=(
            "Open the next round of a team's series with round ID's settings, print its two "
            "links and how many actions there are to review, and close round ID."
        ),
        epilog="Example: coprod round next 3 --latest-framework",
    )
    rn.add_argument("id", type=int, metavar="ID", help="the round to follow")
    rn.add_argument(
        "--latest-framework",
        action="store_true",
        help="use the newest version of the framework (default: the same version as round ID)",
    )
    rn.add_argument("--url", default=DEFAULT_URL, help="server address for the links")
    keep = rn.add_mutually_exclusive_group()
    keep.add_argument(
        "--close-previous",
        dest="close_previous",
        action="store_true",
        default=True,
        help="close round ID once the next one is open (the default: left open, anyone with "
        "its member link could keep answering it, and those answers would not count)",
    )
    keep.add_argument(
        "--keep-previous",
        dest="close_previous",
        action="store_false",
        help="leave round ID open for answers",
    )
    rn.set_defaults(func=cmd_round_next)
    rl = rs.add_parser(
        "list",
        help="list rounds (with --links, each round's member and results links)",
        description=(
            "Every round: its id, the round it follows, team, framework, status, answers "
            "submitted and in progress."
        ),
        epilog="Example: coprod round list --links --url https://coprod.example.org",
    )
    rl.add_argument(
        "--links",
        action="store_true",
        help="print each round's two links: the member link to share and the results link to "
        "keep (for the server's owner, to give a facilitator back a lost results link)",
    )
    rl.add_argument("--url", default=DEFAULT_URL, help="server address for the links")
    rl.set_defaults(func=cmd_round_list)
    rx = rs.add_parser(
        "close",
        help="close a round",
        description="Close a round: its member link takes no more answers; results stay.",
        epilog="Example: coprod round close 3",
    )
    rx.add_argument("id", type=int, metavar="ID", help="the round's id (see coprod round list)")
    rx.set_defaults(func=cmd_round_close)


def add_export_team_report(et: argparse.ArgumentParser) -> None:
    """`coprod export team-report`, registered in the `export` group."""
    et.description = (
        "Write one round's team report (its results as the results page shows them) to an "
        "HTML or PDF file: all of the file, or nothing and a message."
    )
    et.epilog = "Example: coprod export team-report --round 1 -o riverside.pdf"
    et.add_argument("--round", type=int, required=True, metavar="ID", help="the round's id")
    et.add_argument(
        "--to", choices=("html", "pdf"), help="format (default: from the file name's suffix)"
    )
    et.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    et.set_defaults(func=cmd_export_team_report)
