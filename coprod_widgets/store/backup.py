"""`coprod backup` and `coprod restore`: a SQLite database and the data folder's keys in one file.

A backup is a zip file, readable by its owner only, holding:

- ``coprod.sqlite``: a consistent copy of the database, taken with SQLite's online backup API
  in one step, so that people can keep writing while it runs (in WAL mode writers are not
  held up; the copy holds every transaction committed before it began, and none half-way);
- ``keys/<name>``: the data folder's key files (``import.key``, ``member-token``, any
  ``*.key``): without ``import.key`` a re-run import could not recognise the rows it made;
- ``manifest.json``: the schema version, the number of rows of each table and the sha256 and
  size of every other part.

A restore checks everything before it writes anything: every part against the manifest, SQLite's
``PRAGMA integrity_check``, the counts, and a schema version no newer than this coprod's (an older
one is migrated). It never replaces a database holding data, or a different key, without
``force``; what it replaces is kept beside it (``*.before-restore-<time>``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from ..errors import CoprodError
from .archive import (
    DB_PART,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    BackupReport,
    RestoreReport,
    _connect,
    _facts,
    _ro,
    _sha256,
    key_files,
    sqlite_path,
)
from .restore import restore

__all__ = [
    "BackupError",
    "BackupReport",
    "RestoreReport",
    "backup",
    "key_files",
    "restore",
    "sqlite_path",
]


def _key_warnings(copy: Path, data_dir: Path) -> tuple[str, ...]:
    """Whether the backup's database was keyed with an import key the backup does not hold."""
    from .imports import FINGERPRINT_SETTING, IMPORT_KEY, key_fingerprint, read_import_key

    con = sqlite3.connect(_ro(copy), uri=True)
    try:
        row = con.execute(
            "SELECT value FROM settings WHERE name = ?", (FINGERPRINT_SETTING,)
        ).fetchone()
    except sqlite3.DatabaseError:
        row = None  # a database from before the settings table: nothing recorded
    finally:
        con.close()
    if row is None:
        return ()
    path = data_dir / IMPORT_KEY
    try:
        key = read_import_key(path)
    except CoprodError as e:
        return (f"{e}: this backup cannot re-run imports without the right key",)
    if key is None:
        return (
            f"the database holds rows imported with an import key, and there is no {path}: "
            "this backup holds no key; re-running those imports after a restore will be refused",
        )
    if key_fingerprint(key) != row[0]:
        return (
            f"{path} is not the key the database's imported rows were keyed with: re-running "
            "those imports after a restore will be refused",
        )
    return ()


def _publish(tmp: Path, out: Path, force: bool) -> None:
    """Give the finished file ``tmp`` the name ``out``: never over an existing file unless
    ``force`` (a hard link fails if ``out`` exists, even if it appeared a moment ago)."""
    if force:
        os.replace(tmp, out)
        return
    try:
        os.link(tmp, out)
    except FileExistsError:
        raise BackupError(
            f"{out} already exists: nothing was written; give another file name, or add "
            "--force to replace it"
        ) from None
    except OSError:  # no hard links on this file system
        if out.exists():
            raise BackupError(
                f"{out} already exists: nothing was written; give another file name, or add "
                "--force to replace it"
            ) from None
        os.replace(tmp, out)
        return
    tmp.unlink()


def backup(
    url: str, out: Path, *, force: bool = False, data_dir: Path | None = None
) -> BackupReport:
    """Write the database at ``url`` and the data folder's keys into the one file ``out``."""
    from ..paths import user_dir

    db = sqlite_path(url, "backup")
    data_dir = user_dir() if data_dir is None else data_dir
    if not db.is_file():
        raise BackupError(f"{db}: there is no database there: nothing to back up")
    if out.is_dir():
        raise BackupError(f"{out} is a folder: give the backup's file name")
    if not out.parent.is_dir():
        raise BackupError(f"{out}: the folder {out.parent} does not exist")
    if out.exists() and not force:
        raise BackupError(
            f"{out} already exists: nothing was written; give another file name, or add "
            "--force to replace it"
        )
    if out.exists() and out.resolve() in {
        db.resolve(),
        *(k.resolve() for k in key_files(data_dir)),
    }:
        raise BackupError(f"{out} is the database or a key itself: give another file name")
    old_umask = os.umask(0o077)
    work = Path(tempfile.mkdtemp(prefix=".coprod-backup-", dir=out.parent))
    try:
        copy = work / DB_PART
        src = _connect(db)
        try:
            dst = sqlite3.connect(copy)
            try:
                # One step (pages=-1): a single read transaction, so the copy is one moment of
                # the database; WAL writers go on meanwhile.
                src.backup(dst, pages=-1)
                dst.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
            finally:
                dst.close()
        except sqlite3.DatabaseError as e:
            raise BackupError(f"{db}: cannot be copied ({e})") from None
        finally:
            src.close()
        version, counts = _facts(copy, f"{db}")
        parts: dict[str, dict[str, object]] = {
            DB_PART: {"sha256": _sha256(copy), "size": copy.stat().st_size}
        }
        keys: dict[str, bytes] = {}
        for k in key_files(data_dir):
            try:
                keys[f"keys/{k.name}"] = k.read_bytes()
            except OSError as e:
                raise BackupError(f"{k}: cannot be read ({e.strerror or e})") from None
        for name, data in keys.items():
            parts[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "schema_version": version,
            "database": str(db),
            "counts": counts,
            "parts": parts,
        }
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as f:
                with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                    zf.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
                    zf.write(copy, DB_PART)
                    for name, data in keys.items():
                        zf.writestr(name, data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o600)
            _publish(tmp, out, force)
        finally:
            tmp.unlink(missing_ok=True)
        return BackupReport(
            out,
            db,
            version,
            counts,
            tuple(n.split("/", 1)[1] for n in keys),
            out.stat().st_size,
            _key_warnings(copy, data_dir),
        )
    finally:
        os.umask(old_umask)
        shutil.rmtree(work, ignore_errors=True)
