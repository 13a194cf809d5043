"""`coprod serve` and `coprod demo`: the web app, and a demo team to look at."""

from __future__ import annotations

import argparse

from .common import DEFAULT_URL, open_store


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo import ensure_demo, ensure_demo_cohort
    from ..registry import route_link

    store = open_store(args)
    links = ensure_demo(store)
    cohort = ensure_demo_cohort(store)
    base = args.url.rstrip("/")
    print(f"Demo round {links.round.id}: {links.round.team}")
    print(f"Results (facilitator): {route_link('facilitator', base, links.facilitator_code)}")
    print(f"Answer as a member:    {route_link('member', base, links.member_code)}")
    print(f"Demo cohort {cohort.cohort.id}: {cohort.cohort.title}")
    print(f"Trainer's page:        {route_link('trainer', base, cohort.trainer_code)}")
    print(f"Join as a participant: {route_link('participant', base, cohort.join_code)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ..server.serve import serve

    serve(
        port=args.port,
        ip=args.ip,
        hub=True if args.hub else None,
        hub_facilitators=args.hub_facilitators,
        db=args.db,
        demo=args.demo,
        member_pool=args.pool,
        expected_people=args.expected_people,
        other_pool=args.other_pool,
        url=args.url,
        open_browser=args.open,
        fill_delay=args.fill_delay,
        reap_after=args.reap_after,
        max_kernels=args.max_kernels,
        behind_proxy=args.behind_proxy,
        pages_per_minute=args.pages_per_minute,
        start_pages_per_hour=args.start_pages_per_hour,
    )
    return 0


def add_serve(s: argparse.ArgumentParser) -> None:
    """`coprod serve`."""
    s.description = (
        "Serve the workbooks as a web app: the member and results pages of each round, the "
        "start page, the planner and the journal, with pre-started kernels so a team in a "
        "meeting can open the member link at once. Stops with Ctrl+C."
    )
    s.epilog = (
        "Examples: coprod serve --demo --open (try it on this computer); "
        "coprod serve --ip 0.0.0.0 --url https://coprod.example.org --behind-proxy; "
        "as a JupyterHub service: coprod serve --db postgresql://... --url "
        "https://hub.example.org (deploy/README.md)"
    )
    s.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        help="database URL (default: $COPROD_DB or a SQLite file in your data folder); "
        "the same as coprod --db URL serve",
    )
    s.add_argument(
        "--port",
        type=int,
        default=None,
        help="port to listen on (default 8866; as a hub service, its URL's port)",
    )
    s.add_argument(
        "--ip",
        default=None,
        help="address to listen on (default 127.0.0.1; 0.0.0.0 for all; as a hub service, "
        "its URL's)",
    )
    s.add_argument(
        "--url",
        help="the address people use to reach this server, for links (as a hub service: the "
        "hub's public address, e.g. https://hub.example.org)",
    )
    s.add_argument(
        "--hub",
        action="store_true",
        help="run as a JupyterHub service: hub logins, under the service's prefix (implied "
        "when JupyterHub starts it as a service; see deploy/README.md)",
    )
    s.add_argument(
        "--hub-facilitators",
        default="coprod-facilitators",
        metavar="GROUP",
        help="as a hub service: the hub group whose members may start rounds (default "
        "coprod-facilitators; $COPROD_HUB_ADMINS adds user names)",
    )
    s.add_argument("--demo", action="store_true", help="add a demo team with answers")
    s.add_argument(
        "--expected-people",
        type=int,
        default=8,
        metavar="N",
        help="people likely to open the member link at the same moment (a team in a meeting): "
        "that many member pages are kept started (default 8)",
    )
    s.add_argument(
        "--pool",
        type=int,
        default=None,
        help="pre-started kernels for member pages (default: --expected-people)",
    )
    s.add_argument(
        "--other-pool",
        type=int,
        default=2,
        help="pre-started kernels each for the results, planner and journal pages (default 2)",
    )
    s.add_argument("--open", action="store_true", help="open a browser")
    s.add_argument(
        "--fill-delay",
        type=float,
        default=2.0,
        help="seconds before a used pre-started kernel is replaced, at the earliest; it waits "
        "too until no page is being opened",
    )
    s.add_argument(
        "--reap-after",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="shut down a page's kernel this long after its page lost its connection "
        "(closed, crashed, network gone; default 120)",
    )
    s.add_argument(
        "--max-kernels",
        type=int,
        default=None,
        help="most kernels running at once; beyond, a page is answered 'busy, try again in a "
        "minute' (default: this machine's memory / 150 MiB, between 8 and 200; 0: no cap)",
    )
    s.add_argument(
        "--behind-proxy",
        action="store_true",
        help="a reverse proxy is in front: trust its X-Forwarded-Proto (https: Secure cookies) "
        "and X-Forwarded-For (the visitor's address); implied by --url https://...",
    )
    s.add_argument(
        "--pages-per-minute",
        type=int,
        default=None,
        metavar="N",
        help="on a server others can reach: pages one address may open a minute (default: 30, "
        "or 3 per pre-started member page if more, for a team behind one office address; "
        "0: no limit)",
    )
    s.add_argument(
        "--start-pages-per-hour",
        type=int,
        default=10,
        metavar="N",
        help="on a server others can reach: start pages (new rounds) one address may open an "
        "hour (default 10; 0: no limit). The start page also needs the owner's link, printed "
        "at start ($COPROD_OWNER_KEY to choose its key)",
    )
    s.set_defaults(func=cmd_serve)


def add_demo(d: argparse.ArgumentParser) -> None:
    """`coprod demo`."""
    d.description = (
        "Add a demo team to the database, once: a closed first round with answers and agreed "
        "actions, and a second round that reviews them, so results, actions and a trend show "
        "at once. Then print the latest round's results and member links."
    )
    d.epilog = "Example: coprod demo, then coprod serve and open the results link."
    d.add_argument(
        "--url", default=DEFAULT_URL, help=f"server address for the links (default {DEFAULT_URL})"
    )
    d.set_defaults(func=cmd_demo)
