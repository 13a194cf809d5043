"""`coprod restore`: a backup's database and keys put back, after every check (see ``backup``).

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
import zlib
from pathlib import Path
from typing import Any

from .archive import (
    _BOOKKEEPING,
    _CHUNK,
    DB_PART,
    FORMAT,
    FORMAT_VERSION,
    KEY_PART,
    MANIFEST,
    BackupError,
    RestoreReport,
    _code_version,
    _connect,
    _count,
    _facts,
    _sqlite_copy,
    _stamp,
    _write_private,
    sqlite_path,
)


def _manifest(zf: zipfile.ZipFile, archive: Path) -> dict[str, Any]:
    names = zf.namelist()
    if MANIFEST not in names:
        raise BackupError(f"{archive}: has no {MANIFEST}: not a coprod backup")
    try:
        m = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise BackupError(f"{archive}: part {MANIFEST} is damaged ({e})") from None
    except (UnicodeDecodeError, ValueError) as e:
        raise BackupError(f"{archive}: part {MANIFEST} is not valid JSON ({e})") from None
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise BackupError(f"{archive}: part {MANIFEST} is not a coprod backup's manifest")
    if m.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{archive}: backup format {m.get('format_version')!r}, this coprod reads "
            f"{FORMAT_VERSION}: use the coprod that made it"
        )
    parts, counts, version = m.get("parts"), m.get("counts"), m.get("schema_version")
    if (
        not isinstance(parts, dict)
        or not isinstance(counts, dict)
        or not isinstance(version, int)
        or DB_PART not in parts
        or not all(
            isinstance(p, dict)
            and isinstance(p.get("sha256"), str)
            and isinstance(p.get("size"), int)
            for p in parts.values()
        )
    ):
        raise BackupError(
            f"{archive}: part {MANIFEST} lacks the schema version, the counts, or a sha256 and "
            f"size for each part (and {DB_PART} among them)"
        )
    for name in parts:
        if name != DB_PART and not KEY_PART.match(name):
            raise BackupError(f"{archive}: part {name!r} in the manifest is not one a backup has")
        if name not in names:
            raise BackupError(f"{archive}: part {name} is in the manifest but not in the file")
    for name in names:
        if name != MANIFEST and name not in parts:
            raise BackupError(f"{archive}: part {name!r} is not in the manifest: refused")
    if len(set(names)) != len(names):
        raise BackupError(f"{archive}: a part appears twice: refused")
    return m


def _extract(zf: zipfile.ZipFile, archive: Path, name: str, want: dict[str, Any], to: Path) -> None:
    """One part to ``to``, checked against its size and sha256 in the manifest."""
    h = hashlib.sha256()
    size = 0
    try:
        with zf.open(name) as src, to.open("wb") as dst:
            while chunk := src.read(_CHUNK):
                size += len(chunk)
                if size > want["size"]:
                    break
                h.update(chunk)
                dst.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
        raise BackupError(
            f"{archive}: part {name} is damaged ({e}): nothing was restored"
        ) from None
    if size != want["size"] or h.hexdigest() != want["sha256"]:
        raise BackupError(
            f"{archive}: part {name} does not match its sha256 and size in the manifest (the "
            "backup is damaged or was changed): nothing was restored"
        )


def _data_rows(db: Path) -> dict[str, int]:
    """Rows per table of an existing database, leaving out bookkeeping (version, settings)."""
    if not db.exists() or db.stat().st_size == 0:
        return {}
    con = _connect(db)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        out = {}
        for name in tables:
            if name in _BOOKKEEPING or name.startswith("journal_fts"):
                continue
            n = _count(con, name)
            if n:
                out[name] = n
        return out
    except sqlite3.DatabaseError as e:
        raise BackupError(
            f"{db}: the database there cannot be read ({e}): move it away, or add --force to "
            "replace it"
        ) from None
    finally:
        con.close()


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {t}" for t, n in sorted(counts.items()))


def restore(
    archive: Path, url: str, *, force: bool = False, data_dir: Path | None = None
) -> RestoreReport:
    """Put a backup's database at ``url`` and its keys in the data folder, after every check."""
    from ..paths import user_dir

    db = sqlite_path(url, "restore")
    data_dir = user_dir() if data_dir is None else data_dir
    if not archive.is_file():
        what = "is a folder" if archive.is_dir() else "does not exist"
        raise BackupError(f"{archive}: {what}: give a backup file made by `coprod backup`")
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise BackupError(f"{archive}: not a coprod backup (not a zip file)") from None
    except OSError as e:
        raise BackupError(f"{archive}: cannot be read ({e.strerror or e})") from None
    old_umask = os.umask(0o077)
    db.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".coprod-restore-", dir=db.parent))
    kept: list[Path] = []
    try:
        with zf:
            m = _manifest(zf, archive)
            copy = work / DB_PART
            _extract(zf, archive, DB_PART, m["parts"][DB_PART], copy)
            keys: dict[str, Path] = {}
            for name, want in m["parts"].items():
                if name != DB_PART:
                    to = work / f"key-{len(keys)}"
                    _extract(zf, archive, name, want, to)
                    keys[name.split("/", 1)[1]] = to
        version, counts = _facts(copy, f"{archive}: part {DB_PART}")
        if version > _code_version():
            raise BackupError(
                f"{archive}: the database is at schema version {version}, newer than this "
                f"coprod ({_code_version()}): upgrade coprod to restore it; nothing was restored"
            )
        if version != m["schema_version"] or counts != m["counts"]:
            raise BackupError(
                f"{archive}: part {DB_PART} does not hold what the manifest says (schema version "
                f"or rows per table differ): nothing was restored"
            )
        # What would be replaced: refused without force, kept beside it with force.
        existing = _data_rows(db)
        if existing and not force:
            raise BackupError(
                f"{db}: this database already holds data ({_counted(existing)}): nothing was "
                f"restored from {archive}; add --force to replace it (it is kept beside it as "
                f"{db.name}.before-restore-<time>)"
            )
        changed_keys = []
        for name, tmp in keys.items():
            here = data_dir / name
            if here.exists() and here.read_bytes() != tmp.read_bytes():
                changed_keys.append(here)
        if changed_keys and not force:
            raise BackupError(
                f"{', '.join(map(str, changed_keys))}: the data folder already holds a different "
                f"key than the backup {archive}: nothing was restored; add --force to replace it "
                "(the one there now is kept beside it as <name>.before-restore-<time>)"
            )
        stamp = _stamp()
        if existing:
            aside = db.with_name(f"{db.name}.before-restore-{stamp}")
            _sqlite_copy(db, aside)
            kept.append(aside)
        made = not db.exists()
        if made:
            os.close(os.open(db, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            _sqlite_copy(copy, db)
        except BaseException:
            if made:  # an empty file left behind would look like a database
                db.unlink(missing_ok=True)
            raise
        from .db import make_engine
        from .migrations import migrate

        engine = make_engine(f"sqlite:///{db}")
        try:
            migrated = migrate(engine)
        finally:
            engine.dispose()
        data_dir.mkdir(parents=True, exist_ok=True)
        restored = []
        for name, tmp in keys.items():
            here = data_dir / name
            if here in changed_keys:
                aside = here.with_name(f"{name}.before-restore-{stamp}")
                os.replace(here, aside)
                kept.append(aside)
            _write_private(here, tmp.read_bytes())
            restored.append(here)
        return RestoreReport(archive, db, version, migrated, counts, tuple(restored), tuple(kept))
    finally:
        os.umask(old_umask)
        shutil.rmtree(work, ignore_errors=True)
