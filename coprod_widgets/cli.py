"""`coprod ...`: serve, demo, validate, round."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _store(args):
    from .store import Store

    return Store(args.db)


def cmd_validate(args) -> int:
    """Check data files (frameworks, reflective models, export forms, ladders): every problem."""
    from .content import ContentError
    from .content.any import validate_file

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


def cmd_round_next(args) -> int:
    """Open the next round of a team's series, with the same settings."""
    from .content import FrameworkLibrary
    from .errors import CoprodError

    store = _store(args)
    try:
        prev = store.get_round(args.id)
        fw = store.framework_for(prev.id)
        if args.latest_framework:
            try:
                fw = FrameworkLibrary().get(prev.framework_id)
            except KeyError as e:
                print(f"coprod: {e.args[0]}", file=sys.stderr)
                return 2
        links = store.open_next_round(prev.id, fw)
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    base = args.url.rstrip("/")
    r = links.round
    changed = "" if fw.version == prev.framework_version else f" (was {prev.framework_version})"
    print(
        f"Round {r.id} opened after round {prev.id} for {r.team}, framework {fw.key}{changed}; "
        f"{len(store.actions(prev.id))} action(s) to review."
    )
    print(f"Share with the team:   {base}/j/{links.member_code}")
    print(f"Keep for the results:  {base}/j/{links.facilitator_code}")
    if not prev.is_open:
        return 0
    if not args.close_previous:
        print(
            f"Round {prev.id} stays open (--keep-previous): anyone with its member link can still "
            f"answer it. Close it with: coprod round close {prev.id}"
        )
        return 0
    try:
        store.close_round(prev.id)
    except CoprodError as e:
        print(
            f"coprod: round {r.id} is open, but round {prev.id} could not be closed: {e}. "
            f"Close it with: coprod round close {prev.id}",
            file=sys.stderr,
        )
        return 2
    print(f"Round {prev.id} is closed: its member link takes no more answers.")
    return 0


def cmd_round_list(args) -> int:
    """Every round with its answers; with --links, each round's two links too (for the server's
    owner: the way to get back a results link that was lost)."""
    rows = _store(args).list_rounds()
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
            print(f"    member link, share with the team{closed}: {base}/j/{s.member_code}")
            print(f"    results link, keep to yourself: {base}/j/{s.facilitator_code}")
    if args.links:
        print("Anyone with a results link sees that round's results: keep them to yourself.")
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


REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf"}


def _either(names: list[str]) -> str:
    """'a or b', 'a, b or c'."""
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def _output(args, suffixes: dict[str, str]) -> tuple[Path, str] | None:
    """Where an export goes and in which format (--to, else the file's suffix), or None after
    saying what is wrong: every export command checks these the same way before any work."""
    out = Path(args.output)
    fmt = args.to or suffixes.get(out.suffix.lower())
    if fmt is None:
        names = list(dict.fromkeys(suffixes.values()))
        print(
            f"coprod: say which format with {_either(['--to ' + n for n in names])} (or name the file "
            f"{_either(['.' + n for n in names])}, not {out.name!r})",
            file=sys.stderr,
        )
        return None
    if not out.parent.is_dir():
        print(
            f"coprod: cannot write {out}: the folder {out.parent} does not exist", file=sys.stderr
        )
        return None
    return out, fmt


def cmd_export_team_report(args) -> int:
    """One round's team report to HTML or PDF: all of the file, or nothing and a message."""
    from .errors import CoprodError

    target = _output(args, REPORT_SUFFIXES)
    if target is None:
        return 2
    out, fmt = target
    # nbformat's jsonschema imports rfc3987_syntax, which builds ~35 parsers on import (1-2 s;
    # python-jsonschema/jsonschema#1428) for IRI formats no notebook schema uses: not here.
    # None in sys.modules blocks an import (documented); typeshed wants a module there.
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    from .reports.export import export_report, write_file

    try:
        data = export_report("team_report", {"round_id": args.round, "db": args.db}, fmt)
        write_file(data, out)
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"coprod: cannot write {out}: {e.strerror or e}", file=sys.stderr)
        return 2
    print(f"Team report for round {args.round} written to {out} ({fmt.upper()}).")
    return 0


MAPPING_DOC = """\
mapping file (YAML), one line per column the headers do not make clear:
  "How much do we ask people?": assets-1        # a statement id
  "Anything to add about assets?": comment:assets
  "Submitted": timestamp
  "Your email": email      # never stored in an anonymous round
  "Your name": name        # stored in named rounds only
  "Team role": role        # one of the round's roles, or blank
  "Score": ignore
Columns it does not name are matched by their headers: a statement's text or id (also as
'Question [statement text]'), Timestamp, Email, Name, Role, 'Comments: <principle title>'."""


def _print_problems(head: str, e: Exception) -> None:
    """Every problem of a file on its own line (the first 100), then what to do."""
    from .model.exchange import ExchangeError

    if not isinstance(e, ExchangeError):
        print(f"coprod: {head}: {e}", file=sys.stderr)
        return
    n = len(e.problems)
    print(f"coprod: {head}: {n} problem{'s' if n != 1 else ''}:", file=sys.stderr)
    for p in e.problems[:100]:
        print(f"  {p}", file=sys.stderr)
    if n > 100:
        print(f"  ... and {n - 100} more", file=sys.stderr)
    if e.hint:
        print(e.hint, file=sys.stderr)


def cmd_import_responses(args) -> int:
    """A form tool's CSV into a round: every row checked first, nothing written on a problem."""
    from .errors import CoprodError

    path = Path(args.file)
    try:
        report = _store(args).import_responses_file(
            args.round,
            path,
            Path(args.mapping) if args.mapping else None,
            dry_run=args.dry_run,
        )
    except CoprodError as e:
        _print_problems(f"cannot import {path} into round {args.round}", e)
        print("Nothing was imported.", file=sys.stderr)
        return 2
    r, res, plan = report.round, report.result, report.plan
    n = len(plan.rows)
    if report.dry_run:
        print(
            f"{path}: {n} response{'s' if n != 1 else ''} checked for round {r.id} ({r.team}); "
            "all good, nothing written (--dry-run)."
        )
    else:
        print(
            f"Imported {n} response{'s' if n != 1 else ''} from {path} into round {r.id} "
            f"({r.team}): {res.added} added, {res.updated} updated, {res.unchanged} unchanged."
        )
    for note in plan.notes:
        print(f"  note: {note}")
    return 0


def cmd_export_ratings(args) -> int:
    """A round's ratings as tidy CSV or JSON, anonymised where the round is."""
    from .errors import CoprodError

    out = Path(args.output)
    try:
        store = _store(args)
        rep = store.export_ratings_file(args.round, out, args.to)
        rel = store.released(args.round)
    except CoprodError as e:
        print(f"coprod: cannot export round {args.round}: {e}", file=sys.stderr)
        return 2
    print(
        f"Ratings of round {args.round} written to {out} ({rep.format.upper()}): "
        f"{rep.respondents} respondents, {rep.ratings} ratings, {rep.comments} comments."
    )
    if not rel.live:
        from .analysis.render import released_when

        held = (
            f"; {rel.held} newer answer{'s' if rel.held != 1 else ''} held back until at least "
            f"{rel.need_more or 1} more "
            + ("person answers or changes" if rel.need_more <= 1 else "people answer or change")
            + " answers"
            if rel.held
            else ""
        )
        print(f"The results released {released_when(rel.released_at)}{held}.")
    if rep.held_back:
        print(
            f"Left out, as fewer than the round's minimum rated them: {'; '.join(rep.held_back)}."
        )
    return 0


def add_export_ratings(export_subparsers) -> None:
    """`coprod export ratings`, registered in the `export` group."""
    er = export_subparsers.add_parser(
        "ratings",
        help="a round's ratings as tidy CSV or JSON (anonymised where the round is)",
        description=(
            "One row per rating (CSV) or one object per respondent (JSON). Anonymous rounds: "
            "the answers of the results last released, as the results page shows them (a new "
            "set only once at least the minimum have answered or changed answers since), "
            "respondents numbered in a new random order each time, no names, emails or times, "
            "a role only where at least the round's minimum share it, comments not linked to "
            "anyone. Refused below the round's minimum number of answers. CSV cells that a "
            "spreadsheet would run as formulas start with '."
        ),
    )
    er.add_argument("--round", type=int, required=True, metavar="ID", help="the round's id")
    er.add_argument(
        "--to", choices=("csv", "json"), help="format (default: from the file name's suffix)"
    )
    er.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    er.set_defaults(func=cmd_export_ratings)


def add_import(sub) -> None:
    """`coprod import responses`."""
    i = sub.add_parser("import", help="import answers collected elsewhere")
    isub = i.add_subparsers(dest="import_command", required=True)
    ir = isub.add_parser(
        "responses",
        help="a form tool's CSV of ratings into a round",
        description=(
            "Import a CSV (a timestamp column, perhaps email, name and role columns, then one "
            "column per statement with values like 4, '4 - Often', 'Often', blank or "
            '"Don\'t know") as submitted answers. Every row is checked first: on any problem '
            "nothing is written. Importing the same file again adds nothing. Emails and names "
            "are never stored in an anonymous round."
        ),
        epilog=MAPPING_DOC,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ir.add_argument("file", metavar="FILE", help="the CSV file")
    ir.add_argument("--round", type=int, required=True, metavar="ID", help="the round's id")
    ir.add_argument(
        "--mapping", metavar="MAP.yaml", help="what the columns hold, where headers do not say"
    )
    ir.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    ir.set_defaults(func=cmd_import_responses)


# -- plans (the planner, issue 5) ---------------------------------------------------------


def cmd_plan_new(args) -> int:
    """Start a plan and print its private link."""
    from .errors import CoprodError
    from .model.plan import plan_link

    try:
        plan, code = _store(args).create_plan(args.title or "")
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    print(f"Plan {plan.id} started: {plan.title or 'Untitled plan'}")
    print("Its private link (anyone with it can read and change the plan):")
    print(f"  {plan_link(args.url, code)}")
    print(f"To export it: coprod export plan --plan={code} -o plan.html")
    return 0


def cmd_plan_list(args) -> int:
    rows = _store(args).list_plans()
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


def cmd_export_plan(args) -> int:
    """A plan as HTML or PDF, through the same report route as the team report."""
    from .errors import CoprodError

    target = _output(args, REPORT_SUFFIXES)
    if target is None:
        return 2
    out, fmt = target
    from .reports.export import export_report, write_file

    try:
        title = _store(args).plan_by_code(args.plan).title  # NotFound before any work
        data = export_report("plan_report", {"code": args.plan, "db": args.db}, fmt)
        write_file(data, out)
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"coprod: cannot write {out}: {e.strerror or e}", file=sys.stderr)
        return 2
    print(f"Plan {title or 'Untitled plan'!r} written to {out} ({fmt.upper()}).")
    return 0


def add_plan(sub) -> None:
    """`coprod plan new|list`."""
    pl = sub.add_parser("plan", help="start or list co-production plans")
    ps = pl.add_subparsers(dest="plan_command", required=True)
    pn = ps.add_parser("new", help="start a plan and print its private link")
    pn.add_argument("--title", default="", help="the plan's name")
    pn.add_argument("--url", default="http://127.0.0.1:8866", help="server address for the link")
    pn.set_defaults(func=cmd_plan_new)
    pls = ps.add_parser("list", help="list plans, most recently changed first")
    pls.set_defaults(func=cmd_plan_list)


def add_export_plan(export_subparsers) -> None:
    """`coprod export plan --plan CODE --to html|pdf -o FILE`."""
    ep = export_subparsers.add_parser("plan", help="a co-production plan as HTML or PDF")
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


# -- the reflective journal (issue 4) ---------------------------------------------------------

JOURNAL_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}


def _journal_owner(args) -> str | None:
    """Whose journal: the OS (or JupyterHub) user, or the served journal whose key is given
    (--key, or $COPROD_JOURNAL_KEY so it stays out of the shell's history). A whole private link
    is accepted as a key."""

    from .identity import journal_owner

    key = (getattr(args, "key", None) or os.environ.get("COPROD_JOURNAL_KEY") or "").strip()
    if "/" in key or "=" in key:
        key = key.rstrip("/").rsplit("/", 1)[-1].rsplit("=", 1)[-1]
    owner, _ = journal_owner(key or None)
    if not owner:
        print(
            "coprod: that journal key is not recognised: check the link you kept", file=sys.stderr
        )
        return None
    return owner


def cmd_journal_list(args) -> int:
    from .errors import CoprodError
    from .model.journal import cpd_hours

    owner = _journal_owner(args)
    if owner is None:
        return 2
    try:
        page = _store(args).journal_list(
            owner,
            args.search or "",
            tag=args.tag,
            model_id=args.model,
            date_from=args.date_from,
            date_to=args.date_to,
            limit=args.limit,
        )
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    t = page.totals
    if not t.entries:
        print("No entries match." if args.search or args.tag or args.model else "No entries yet.")
        return 0
    head = ("id", "date", "model", "status", "hours", "title")
    rows = [
        (str(i.id), i.entry_date, i.model_id, i.status, cpd_hours(i.minutes), i.display_title())
        for i in page.items
    ]
    widths = [max(len(x) for x in col) for col in zip(head, *rows)]
    for row in (head, *rows):
        print("  ".join(x.ljust(w) for x, w in zip(row, widths)).rstrip())
    print(
        f"{len(rows)} of {t.entries} entr{'ies' if t.entries != 1 else 'y'}; "
        f"{cpd_hours(t.minutes)} hours of CPD, {cpd_hours(t.participatory_minutes)} participatory."
    )
    return 0


def cmd_journal_show(args) -> int:
    from .errors import CoprodError
    from .reports.journal import prepare, to_markdown

    owner = _journal_owner(args)
    if owner is None:
        return 2
    try:
        prep = prepare(_store(args), owner, entry_ids=[args.id])
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    print(to_markdown(prep), end="")
    return 0


def cmd_journal_validate(args) -> int:
    """`coprod validate`, under the journal's name for those who look for it there."""
    return cmd_validate(args)


def cmd_export_journal(args) -> int:
    """Entries, or a topic's cycles, as written or in a regulator's form: checked first."""
    from .content.models import FormLibrary
    from .errors import CoprodError
    from .reports.journal import IdentifiersFound, OverLimit, export_journal

    target = _output(args, JOURNAL_SUFFIXES)
    if target is None:
        return 2
    out, fmt = target
    if not args.entry and args.topic is None:
        print(
            "coprod: say what to export with --entry ID (repeatable) or --topic ID", file=sys.stderr
        )
        return 2
    owner = _journal_owner(args)
    if owner is None:
        return 2
    form = None
    if args.form:
        try:
            form = FormLibrary().get(args.form)
        except KeyError as e:
            print(f"coprod: {e.args[0]}", file=sys.stderr)
            return 2
    try:
        done = export_journal(
            _store(args),
            owner,
            fmt,
            entry_ids=args.entry or (),
            topic_id=args.topic,
            form=form,
            ignore_identifiers=args.ignore_identifiers,
        )
    except IdentifiersFound as e:
        print(f"coprod: not exported: {e}:", file=sys.stderr)
        for f in e.findings:
            print(f"  {f.message()}", file=sys.stderr)
        print(
            "Nothing was written. Change the entry, or add --ignore-identifiers if you are sure.",
            file=sys.stderr,
        )
        return 2
    except OverLimit as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    except CoprodError as e:
        print(f"coprod: not exported: {e}", file=sys.stderr)
        return 2
    from .reports.export import write_file

    try:
        write_file(done.data, out)
    except OSError as e:
        print(f"coprod: cannot write {out}: {e.strerror or e}", file=sys.stderr)
        return 2
    what = form.title if form else "journal"
    n = len(done.prepared.entries)
    print(f"{what}: {n} entr{'ies' if n != 1 else 'y'} written to {out} ({fmt.upper()}).")
    for note in done.prepared.notes:
        print(f"  note: {note}")
    if done.prepared.findings:
        print(f"  warning: exported with {len(done.prepared.findings)} possible identifier(s).")
    return 0


def _journal_key_arg(p) -> None:
    p.add_argument(
        "--key",
        metavar="KEY",
        help="a served journal's private key or link (default: your own user's journal; "
        "or set COPROD_JOURNAL_KEY)",
    )


def add_journal(sub) -> None:
    """`coprod journal list|show|validate`: your own entries only."""
    j = sub.add_parser("journal", help="your reflective journal: list, show, validate models")
    js = j.add_subparsers(dest="journal_command", required=True)
    jl = js.add_parser("list", help="your entries, newest first")
    _journal_key_arg(jl)
    jl.add_argument("--search", metavar="WORDS", help="words from the title or text")
    jl.add_argument("--tag", metavar="TAG", help="framework-id/principle-id")
    jl.add_argument("--model", metavar="ID", help="a reflective model's id, e.g. gibbs")
    jl.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    jl.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    jl.add_argument("--limit", type=int, default=50)
    jl.set_defaults(func=cmd_journal_list)
    jsh = js.add_parser("show", help="one of your entries, as Markdown")
    jsh.add_argument("id", type=int)
    _journal_key_arg(jsh)
    jsh.set_defaults(func=cmd_journal_show)
    jv = js.add_parser("validate", help="check reflective model and export form files")
    jv.add_argument("files", nargs="+")
    jv.set_defaults(func=cmd_journal_validate)


def add_export_journal(export_subparsers) -> None:
    """`coprod export journal`, registered in the `export` group."""
    ej = export_subparsers.add_parser(
        "journal",
        help="journal entries or a topic's cycles, as written or in a regulator's form",
        description=(
            "Export your own entries (--entry, repeatable) or the cycles of a topic (--topic), "
            "as written or in a regulator's form (--form nmc-reflective-account, swe-cpd-record, "
            "hcpc-cpd-profile), to Markdown, HTML or PDF. Everything is checked first for email "
            "addresses, phone numbers, NHS numbers, postcodes and dates of birth: if any is "
            "found, nothing is written unless you add --ignore-identifiers. A form over its word "
            "limit is not written."
        ),
    )
    ej.add_argument("--entry", type=int, action="append", metavar="ID", help="an entry's id")
    ej.add_argument("--topic", type=int, metavar="ID", help="all cycles of a topic")
    ej.add_argument("--form", metavar="ID", help="an export form's id (default: as written)")
    ej.add_argument("--to", choices=("md", "html", "pdf"), help="default: from the file name")
    ej.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    ej.add_argument(
        "--ignore-identifiers",
        action="store_true",
        help="export even if something may identify a person",
    )
    _journal_key_arg(ej)
    ej.set_defaults(func=cmd_export_journal)


# -- backup and restore (issue 11) --------------------------------------------------------


def _db_url(args) -> str:
    from .store.store import default_url

    return args.db or default_url()


def cmd_backup(args) -> int:
    """The database and the data folder's keys in one private file, while people keep writing."""
    from .errors import CoprodError
    from .store.backup import backup

    out = Path(args.file)
    try:
        rep = backup(_db_url(args), out, force=args.force)
    except CoprodError as e:
        print(f"coprod: no backup made: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"coprod: no backup made: {out}: {e.strerror or e}", file=sys.stderr)
        return 2
    main = {k: rep.counts.get(k, 0) for k in ("rounds", "responses", "plans", "journal_entries")}
    print(
        f"Backup of {rep.database} written to {out} ({rep.size:,} bytes, readable by you only): "
        f"schema version {rep.schema_version}; "
        + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in main.items())
        + "."
    )
    if rep.keys:
        print(f"With the data folder's keys: {', '.join(rep.keys)}. Keep the file private.")
    else:
        print("The data folder has no key files yet (no import.key): only the database is in it.")
    for w in rep.warnings:
        print(f"coprod: warning: {out}: {w}", file=sys.stderr)
    return 0


def cmd_restore(args) -> int:
    """A backup back into place, after every check; never over data without --force."""
    from .errors import CoprodError
    from .store.backup import restore

    archive = Path(args.file)
    try:
        rep = restore(archive, _db_url(args), force=args.force)
    except CoprodError as e:
        print(f"coprod: not restored: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"coprod: not restored: {archive}: {e.strerror or e}", file=sys.stderr)
        return 2
    migrated = f", migrated to {rep.migrated_to}" if rep.migrated_to != rep.schema_version else ""
    print(
        f"Restored {rep.database} from {archive} (schema version {rep.schema_version}{migrated}): "
        f"{rep.counts.get('rounds', 0)} rounds, {rep.counts.get('responses', 0)} responses."
    )
    for k in rep.keys:
        print(f"  key restored: {k} (readable by you only)")
    for k in rep.kept:
        print(f"  what was there before is kept as {k}")
    return 0


def add_backup(sub) -> None:
    """`coprod backup FILE` and `coprod restore FILE`."""
    b = sub.add_parser(
        "backup",
        help="the database and the data folder's keys in one file, while people keep working",
        description=(
            "Copy the SQLite database (a consistent copy, taken while others keep writing) and "
            "the data folder's keys (import.key: without it a re-run import cannot recognise "
            "its rows) into one zip file with a manifest of sha256 sums, readable by you only. "
            "An existing FILE is never replaced without --force. For PostgreSQL use pg_dump."
        ),
    )
    b.add_argument("file", metavar="FILE", help="the backup file to write, e.g. coprod-backup.zip")
    b.add_argument("--force", action="store_true", help="replace FILE if it exists")
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser(
        "restore",
        help="put a backup's database and keys back, after checking it",
        description=(
            "Check a backup made by `coprod backup` (every part's sha256, SQLite's integrity "
            "check, a schema version this coprod can open; an older one is migrated), then "
            "put its database in place (the --db URL or the default) and its keys in the data "
            "folder. A database holding data, or a different key, is replaced only with "
            "--force, and kept beside it."
        ),
    )
    r.add_argument("file", metavar="FILE", help="a backup file made by `coprod backup`")
    r.add_argument(
        "--force", action="store_true", help="replace a database holding data, and other keys"
    )
    r.set_defaults(func=cmd_restore)


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

    d = sub.add_parser("demo", help="add a demo team with answers and print its links")
    d.add_argument("--url", default="http://127.0.0.1:8866")
    d.set_defaults(func=cmd_demo)

    v = sub.add_parser(
        "validate", help="check data files: frameworks, reflective models, export forms, ladders"
    )
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
    rn = rs.add_parser("next", help="open the next round of a team after round ID")
    rn.add_argument("id", type=int)
    rn.add_argument(
        "--latest-framework",
        action="store_true",
        help="use the newest version of the framework (default: the same version as round ID)",
    )
    rn.add_argument("--url", default="http://127.0.0.1:8866", help="server address for the links")
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
        "list", help="list rounds (with --links, each round's member and results links)"
    )
    rl.add_argument(
        "--links",
        action="store_true",
        help="print each round's two links: the member link to share and the results link to "
        "keep (for the server's owner, to give a facilitator back a lost results link)",
    )
    rl.add_argument("--url", default="http://127.0.0.1:8866", help="server address for the links")
    rl.set_defaults(func=cmd_round_list)
    rx = rs.add_parser("close", help="close a round")
    rx.add_argument("id", type=int)
    rx.set_defaults(func=cmd_round_close)

    e = sub.add_parser("export", help="export reports and data")
    es = e.add_subparsers(dest="export_command", required=True)
    et = es.add_parser("team-report", help="a round's team report as HTML or PDF")
    et.add_argument("--round", type=int, required=True, metavar="ID", help="the round's id")
    et.add_argument(
        "--to", choices=("html", "pdf"), help="format (default: from the file name's suffix)"
    )
    et.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    et.set_defaults(func=cmd_export_team_report)
    add_export_ratings(es)
    add_export_plan(es)
    add_export_journal(es)

    add_import(sub)
    add_journal(sub)
    add_plan(sub)
    add_backup(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    from .errors import CoprodError

    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except CoprodError as e:
        print(_no_password(f"coprod: {e}"), file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - a message, not a traceback (COPROD_DEBUG=1 for one)
        if os.environ.get("COPROD_DEBUG"):
            raise
        where = f" (database {args.db})" if getattr(args, "db", None) else ""
        print(
            _no_password(
                f"coprod: {type(e).__name__}{where}: {e}\n"
                "Nothing more was done. Run again with COPROD_DEBUG=1 to see where it failed."
            ),
            file=sys.stderr,
        )
        return 1


def _no_password(text: str) -> str:
    """An error message with the password of any database URL in it masked."""
    from .store.store import mask_db_urls

    return mask_db_urls(text)


if __name__ == "__main__":
    sys.exit(main())
