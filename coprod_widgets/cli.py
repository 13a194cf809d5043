"""`coprod ...`: serve, demo, validate, round."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _store(args):
    from .store import Store

    return Store(args.db)


def cmd_validate(args) -> int:
    from .content import ContentError
    from .content.frameworks import framework_summary, load_framework

    bad = 0
    for f in args.files:
        try:
            fw = load_framework(Path(f))
        except ContentError as e:
            bad += 1
            print(f"{f}: INVALID ({len(e.problems)} problem{'s' if len(e.problems) != 1 else ''})")
            for p in e.problems:
                print(f"  {p}")
            continue
        print(f"{f}: ok: {framework_summary(fw)}")
    return 1 if bad else 0


def cmd_round_create(args) -> int:
    from .content import FrameworkLibrary
    from .errors import CoprodError

    lib = FrameworkLibrary()
    try:
        fw = lib.get(args.framework)
    except KeyError as e:
        print(f"coprod: {e.args[0]}", file=sys.stderr)
        return 2
    roles = [r.strip() for r in (args.roles or "").split(",") if r.strip()]
    try:
        links = _store(args).create_round(
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
    print(f"Share with the team:   {base}/j/{links.member_code}")
    print(f"Keep for the results:  {base}/j/{links.facilitator_code}")
    return 0


def cmd_round_list(args) -> int:
    rows = _store(args).list_rounds()
    if not rows:
        print("No rounds yet. Create one with: coprod round create --team NAME --framework ID")
        return 0
    head = ("id", "team", "framework", "status", "answers", "in progress")
    table = [
        (
            str(s.round.id),
            s.round.team,
            f"{s.round.framework_id}@{s.round.framework_version}",
            s.round.status,
            str(s.submitted),
            str(s.in_progress),
        )
        for s in rows
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *table)]
    for row in (head, *table):
        print("  ".join(x.ljust(w) for x, w in zip(row, widths)).rstrip())
    return 0


def cmd_round_close(args) -> int:
    from .errors import CoprodError

    try:
        r = _store(args).close_round(args.id)
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    print(f"Round {r.id} ({r.team}) is closed.")
    return 0


def cmd_demo(args) -> int:
    from .demo import ensure_demo

    links = ensure_demo(_store(args))
    base = args.url.rstrip("/")
    print(f"Demo round {links.round.id}: {links.round.team}")
    print(f"Results (facilitator): {base}/j/{links.facilitator_code}")
    print(f"Answer as a member:    {base}/j/{links.member_code}")
    return 0


def cmd_serve(args) -> int:
    from .server.serve import serve

    serve(
        port=args.port,
        ip=args.ip,
        db=args.db,
        demo=args.demo,
        member_pool=args.pool,
        url=args.url,
        open_browser=args.open,
        fill_delay=args.fill_delay,
    )
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="coprod", description="Co-production workbooks.")
    p.add_argument(
        "--db", help="database URL (default: $COPROD_DB or a SQLite file in your data folder)"
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="serve the workbooks as a web app")
    s.add_argument("--port", type=int, default=8866)
    s.add_argument("--ip", default="127.0.0.1", help="address to listen on (0.0.0.0 for all)")
    s.add_argument("--url", help="the address people use to reach this server, for links")
    s.add_argument("--demo", action="store_true", help="add a demo team with answers")
    s.add_argument("--pool", type=int, default=4, help="pre-started kernels for member pages")
    s.add_argument("--open", action="store_true", help="open a browser")
    s.add_argument(
        "--fill-delay",
        type=float,
        default=10.0,
        help="seconds before a used pre-started kernel is replaced",
    )
    s.set_defaults(func=cmd_serve)

    d = sub.add_parser("demo", help="add a demo team with answers and print its links")
    d.add_argument("--url", default="http://127.0.0.1:8866")
    d.set_defaults(func=cmd_demo)

    v = sub.add_parser("validate", help="check framework files")
    v.add_argument("files", nargs="+")
    v.set_defaults(func=cmd_validate)

    r = sub.add_parser("round", help="create, list or close self-assessment rounds")
    rs = r.add_subparsers(dest="round_command", required=True)
    rc = rs.add_parser("create", help="open a round and print its two links")
    rc.add_argument("--team", required=True)
    rc.add_argument("--framework", required=True, help="framework id, e.g. nef-nesta-six")
    rc.add_argument(
        "--named", action="store_true", help="members give their names (default: anonymous)"
    )
    rc.add_argument("--min-answers", type=int, default=3, help="answers needed before results show")
    rc.add_argument("--roles", help="roles to choose from, comma-separated")
    rc.add_argument("--url", default="http://127.0.0.1:8866", help="server address for the links")
    rc.set_defaults(func=cmd_round_create)
    rl = rs.add_parser("list", help="list rounds")
    rl.set_defaults(func=cmd_round_list)
    rx = rs.add_parser("close", help="close a round")
    rx.add_argument("id", type=int)
    rx.set_defaults(func=cmd_round_close)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
