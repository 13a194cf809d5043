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
import re
import shutil
import sqlite3
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from ..errors import CoprodError

FORMAT = "coprod-backup"
FORMAT_VERSION = 1
DB_PART = "coprod.sqlite"
MANIFEST = "manifest.json"
KEY_PART = re.compile(r"^keys/([A-Za-z0-9][A-Za-z0-9._-]{0,99})$")
KEY_FILES = ("import.key", "member-token")  # and any other *.key in the data folder
_CHUNK = 1 << 20
# Tables whose rows are not "data" when deciding whether a database may be replaced.
_BOOKKEEPING = {"schema_version", "settings"}


class BackupError(CoprodError):
    """A backup or restore refused: the message names the file and what was wrong."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    database: Path
    schema_version: int
    counts: dict[str, int]
    keys: tuple[str, ...]
    size: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RestoreReport:
    archive: Path
    database: Path
    schema_version: int  # as in the backup
    migrated_to: int
    counts: dict[str, int]
    keys: tuple[Path, ...]
    kept: tuple[Path, ...] = field(default=())  # what was replaced, kept beside it


def _code_version() -> int:
    from .migrations import MIGRATIONS

    return len(MIGRATIONS)


def sqlite_path(url: str, doing: str) -> Path:
    """The file of a SQLite URL; anything else is refused with the tool to use instead."""
    u = sa.make_url(url)
    if u.get_backend_name() == "postgresql":
        tool = "pg_dump" if doing == "backup" else "pg_restore (or psql for a plain dump)"
        raise BackupError(
            f"{u.render_as_string(hide_password=True)} is a PostgreSQL database: coprod {doing} "
            f"handles SQLite files only; use {tool}, and keep the data folder's import.key "
            "with the dump (`coprod backup` would put it in the same file)"
        )
    if u.get_backend_name() != "sqlite":
        raise BackupError(
            f"{u.render_as_string(hide_password=True)}: coprod {doing} handles SQLite files "
            f"only, not {u.get_backend_name()}: use that database's own tools"
        )
    if not u.database or u.database == ":memory:" or u.database.startswith("file:"):
        raise BackupError(f"{url}: coprod {doing} needs a SQLite database in a file")
    return Path(u.database).expanduser()


def key_files(data_dir: Path) -> list[Path]:
    """The data folder's key files: import.key, member-token and any other *.key."""
    if not data_dir.is_dir():
        return []
    return sorted(
        p
        for p in data_dir.iterdir()
        if (p.name in KEY_FILES or p.name.endswith(".key"))
        and p.is_file()
        and KEY_PART.match(f"keys/{p.name}")
    )


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, timeout=15)
    con.execute("PRAGMA busy_timeout=15000")
    return con


def _ro(path: Path) -> str:
    """A read-only SQLite URI for a file, whatever characters its path holds."""
    return path.resolve().as_uri() + "?mode=ro"


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


def _count(con: sqlite3.Connection, table: str) -> int:
    """Rows of a table named by sqlite_master (a restored file's names are not trusted: quoted)."""
    quoted = '"' + table.replace('"', '""') + '"'
    return int(con.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])  # noqa: S608


def _facts(path: Path, where: str) -> tuple[int, dict[str, int]]:
    """A database file's schema version and rows per table, after SQLite's integrity check;
    BackupError naming ``where`` when it is not a sound SQLite database."""
    try:
        con = sqlite3.connect(_ro(path), uri=True)
        try:
            problems = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
            if problems != ["ok"]:
                raise BackupError(
                    f"{where}: the database fails SQLite's integrity check: "
                    f"{'; '.join(map(str, problems[:5]))}"
                )
            tables = [
                r[0]
                for r in con.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            counts = {name: _count(con, name) for name in tables}
            version = 0
            if "schema_version" in tables:
                version = int(con.execute("SELECT max(version) FROM schema_version").fetchone()[0])
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{where}: not a sound SQLite database ({e})") from None
    return version, counts


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


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


# -- restore ----------------------------------------------------------------------------------


def _manifest(zf: zipfile.ZipFile, archive: Path) -> dict:
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


def _extract(zf: zipfile.ZipFile, archive: Path, name: str, want: dict, to: Path) -> None:
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
        from .migrations import migrate
        from .store import make_engine

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


def _sqlite_copy(src_path: Path, dst_path: Path) -> None:
    """Copy one SQLite database over another through SQLite itself (locks, WAL and all), so a
    database open elsewhere is replaced in one transaction rather than under its feet."""
    src = sqlite3.connect(_ro(src_path), uri=True)
    try:
        dst = _connect(dst_path)
        try:
            src.backup(dst, pages=-1)
        finally:
            dst.close()
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{dst_path}: cannot be written ({e}): nothing was restored") from None
    finally:
        src.close()


def _write_private(path: Path, data: bytes) -> None:
    """A whole file, readable by its owner only, in place of any file of that name."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
