"""`coprod journal list|show|validate` and `coprod export journal`: your reflective journal (issue 4)."""

from __future__ import annotations

import argparse
import os
import sys

from .common import open_store, output_target
from .validate import cmd_validate

JOURNAL_SUFFIXES = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}


def _journal_owner(args: argparse.Namespace) -> str | None:
    """Whose journal: the OS (or JupyterHub) user, or the served journal whose key is given
    (--key, or $COPROD_JOURNAL_KEY so it stays out of the shell's history). A whole private link
    is accepted as a key."""

    from ..identity import journal_owner

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


def cmd_journal_list(args: argparse.Namespace) -> int:
    from ..errors import CoprodError
    from ..model.journal import cpd_hours

    owner = _journal_owner(args)
    if owner is None:
        return 2
    try:
        page = open_store(args).journal.find(
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


def cmd_journal_show(args: argparse.Namespace) -> int:
    from ..errors import CoprodError
    from ..reports.journal import prepare, to_markdown

    owner = _journal_owner(args)
    if owner is None:
        return 2
    try:
        prep = prepare(open_store(args), owner, entry_ids=[args.id])
    except CoprodError as e:
        print(f"coprod: {e}", file=sys.stderr)
        return 2
    print(to_markdown(prep), end="")
    return 0


def cmd_journal_validate(args: argparse.Namespace) -> int:
    """`coprod validate`, under the journal's name for those who look for it there."""
    return cmd_validate(args)


def cmd_export_journal(args: argparse.Namespace) -> int:
    """Entries, or a topic's cycles, as written or in a regulator's form: checked first."""
    from ..content.models import FormLibrary
    from ..errors import CoprodError
    from ..reports.journal import IdentifiersFound, OverLimit, export_journal

    target = output_target(args, JOURNAL_SUFFIXES)
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
            open_store(args),
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
    from ..reports.export import write_file

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


def _journal_key_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--key",
        metavar="KEY",
        help="a served journal's private key or link (default: your own user's journal; "
        "or set COPROD_JOURNAL_KEY)",
    )


def add_journal(j: argparse.ArgumentParser) -> None:
    """`coprod journal list|show|validate`: your own entries only."""
    j.description = (
        "Your own journal: your OS (or JupyterHub) user's, or a served journal's with --key. "
        "To export entries: coprod export journal."
    )
    js = j.add_subparsers(dest="journal_command", required=True)
    jl = js.add_parser(
        "list",
        help="your entries, newest first",
        epilog='Example: coprod journal list --search "care plan" --from 2026-01-01',
    )
    _journal_key_arg(jl)
    jl.add_argument("--search", metavar="WORDS", help="words from the title or text")
    jl.add_argument("--tag", metavar="TAG", help="framework-id/principle-id")
    jl.add_argument("--model", metavar="ID", help="a reflective model's id, e.g. gibbs")
    jl.add_argument(
        "--from", dest="date_from", metavar="YYYY-MM-DD", help="entries dated on or after"
    )
    jl.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="entries dated on or before")
    jl.add_argument("--limit", type=int, default=50, help="most entries listed (default 50)")
    jl.set_defaults(func=cmd_journal_list)
    jsh = js.add_parser(
        "show",
        help="one of your entries, as Markdown",
        epilog="Example: coprod journal show 12",
    )
    jsh.add_argument("id", type=int, metavar="ID", help="the entry's id (see coprod journal list)")
    _journal_key_arg(jsh)
    jsh.set_defaults(func=cmd_journal_show)
    jv = js.add_parser(
        "validate",
        help="check reflective model and export form files",
        description="The same as coprod validate: every problem of every file, with its line.",
    )
    jv.add_argument("files", nargs="+", metavar="FILE", help="YAML files to check")
    jv.set_defaults(func=cmd_journal_validate)


def add_export_journal(ej: argparse.ArgumentParser) -> None:
    """`coprod export journal`, registered in the `export` group."""
    ej.description = (
        "Export your own entries (--entry, repeatable) or the cycles of a topic (--topic), "
        "as written or in a regulator's form (--form nmc-reflective-account, swe-cpd-record, "
        "hcpc-cpd-profile), to Markdown, HTML or PDF. Everything is checked first for email "
        "addresses, phone numbers, NHS numbers, postcodes and dates of birth: if any is "
        "found, nothing is written unless you add --ignore-identifiers. A form over its word "
        "limit is not written."
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
