"""`coprod backup FILE` and `coprod restore FILE` (issue 11)."""

from __future__ import annotations

import argparse
import sys


def _db_url(args: argparse.Namespace) -> str:
    from ..store.store import default_url

    return args.db or default_url()


def cmd_backup(args: argparse.Namespace) -> int:
    """The database and the data folder's keys in one private file, while people keep writing."""
    from pathlib import Path

    from ..errors import CoprodError
    from ..store.backup import backup

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


def cmd_restore(args: argparse.Namespace) -> int:
    """A backup back into place, after every check; never over data without --force."""
    from pathlib import Path

    from ..errors import CoprodError
    from ..store.backup import restore

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


def add_backup(b: argparse.ArgumentParser) -> None:
    """`coprod backup FILE`."""
    b.description = (
        "Copy the SQLite database (a consistent copy, taken while others keep writing) and "
        "the data folder's keys (import.key: without it a re-run import cannot recognise "
        "its rows) into one zip file with a manifest of sha256 sums, readable by you only. "
        "An existing FILE is never replaced without --force. For PostgreSQL use pg_dump."
    )
    b.add_argument("file", metavar="FILE", help="the backup file to write, e.g. coprod-backup.zip")
    b.add_argument("--force", action="store_true", help="replace FILE if it exists")
    b.set_defaults(func=cmd_backup)


def add_restore(r: argparse.ArgumentParser) -> None:
    """`coprod restore FILE`."""
    r.description = (
        "Check a backup made by `coprod backup` (every part's sha256, SQLite's integrity "
        "check, a schema version this coprod can open; an older one is migrated), then "
        "put its database in place (the --db URL or the default) and its keys in the data "
        "folder. A database holding data, or a different key, is replaced only with "
        "--force, and kept beside it."
    )
    r.add_argument("file", metavar="FILE", help="a backup file made by `coprod backup`")
    r.add_argument(
        "--force", action="store_true", help="replace a database holding data, and other keys"
    )
    r.set_defaults(func=cmd_restore)
