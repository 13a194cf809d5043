"""What a backup file is and the checks both ``backup`` and ``restore`` make: the parts of the
file, the errors and reports, the SQLite file of a URL, a database's version and row counts."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import tempfile
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
