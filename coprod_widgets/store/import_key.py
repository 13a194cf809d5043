"""The import key: it hashes the rows imported into an anonymous round, so that importing the
same file again updates them instead of adding them twice.

A file in the user's data folder (``import.key``, readable by its owner only), kept out of the
database on purpose; the database keeps only its fingerprint, and refuses an import with
another key. ``coprod backup`` keeps the key with the database.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
import threading
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa

from ..errors import InvalidInput
from . import schema as t

IMPORT_KEY = "import.key"
FINGERPRINT_SETTING = "import-key-fingerprint"
_FINGERPRINT_TEXT = b"coprod: fingerprint of an import key, v1"
_pending: dict[str, bytes] = {}  # a new key, by path, until an import is committed with it
_pending_lock = threading.Lock()


def import_key_path() -> Path:
    from ..paths import user_dir

    return user_dir() / IMPORT_KEY


def read_import_key(path: Path | None = None) -> bytes | None:
    """The data folder's import key, or None when there is none yet."""
    path = import_key_path() if path is None else path
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else "not a key"
        raise InvalidInput(f"{path}: the import key cannot be read ({why})") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise InvalidInput(
            f"{path}: is not an import key (expected 64 hexadecimal characters): put back the "
            "import.key that goes with this database"
        )
    from ..paths import private_file

    private_file(path)  # one copied in, or from an older version, loses group and other access
    return key


def key_fingerprint(key: bytes) -> str:
    """What the database keeps of the key: an HMAC of a fixed text, which tells whether a key
    is the same without giving the key away."""
    return hmac.new(key, _FINGERPRINT_TEXT, hashlib.sha256).hexdigest()


def import_secret() -> bytes:
    """The key that hashes an anonymous round's imported rows: a file in the user's data folder
    (``import.key``, readable by its owner only). It is kept out of the database on purpose;
    importing the same file again needs the same key (``coprod backup`` keeps it with the
    database). Without the file, a new key is made and held in memory: it is written only when
    an import with it is committed (see ``_KeyOnCommit``)."""
    path = import_key_path()
    key = read_import_key(path)
    if key is not None:
        return key
    with _pending_lock:
        return _pending.setdefault(str(path), secrets.token_bytes(32))


def check_import_key(conn: sa.Connection, key: bytes) -> bool:
    """Refuse a key other than the one this database's imports were keyed with: with another
    key every row imported before would be added again. True when the database has no
    fingerprint yet (nothing imported into an anonymous round, or a database from before v5)."""
    stored = conn.execute(
        sa.select(t.settings.c.value).where(t.settings.c.name == FINGERPRINT_SETTING)
    ).scalar()
    if stored is None:
        return True
    if hmac.compare_digest(str(stored), key_fingerprint(key)):
        return False
    path = import_key_path()
    what = (
        f"there is no {path}"
        if not path.exists()
        else f"{path} is not the import key they were keyed with"
    )
    raise InvalidInput(
        f"this database holds rows imported with another import key, and {what} (was the "
        "database restored or copied without its import.key?). Importing now would add every "
        "row again instead of updating it. Put back the import.key that goes with this "
        "database: `coprod restore` puts it back from a backup made with `coprod backup`"
    )


class _KeyOnCommit:
    """Entered before an import's transaction and left after it: checks the key against the
    database's fingerprint (and records it the first time), writes a new key file only at the
    end of the transaction, and removes that file again if the commit fails."""

    def __init__(self, key: bytes | None):
        self.key = key
        self.created: Path | None = None

    def __enter__(self) -> _KeyOnCommit:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None and self.created is not None:
            self.created.unlink(missing_ok=True)

    def check(self, conn: sa.Connection, ts: str) -> None:
        if self.key is not None and check_import_key(conn, self.key):
            try:
                conn.execute(
                    t.settings.insert().values(
                        name=FINGERPRINT_SETTING, value=key_fingerprint(self.key), updated_at=ts
                    )
                )
            except sa.exc.IntegrityError:  # another first import committed a moment ago
                raise InvalidInput(
                    "another import was committed into this database at the same moment: "
                    "nothing was imported; run the import again"
                ) from None

    def save(self) -> None:
        """Write the key file if there is none (0600, whole or not at all)."""
        if self.key is None:
            return
        path = import_key_path()
        existing = read_import_key(path)
        if existing is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{IMPORT_KEY}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "w") as f:
                    f.write(self.key.hex() + "\n")
                    f.flush()
                    os.fsync(f.fileno())
                _link_new(tmp, path)  # never replaces a key another import made meanwhile
                self.created = path
            except FileExistsError:
                existing = read_import_key(path)
            finally:
                Path(tmp).unlink(missing_ok=True)
            with _pending_lock:
                _pending.pop(str(path), None)
        if existing is not None and existing != self.key:
            raise InvalidInput(
                f"{path} was made by another import at the same moment: nothing was imported; "
                "run the import again"
            )


def _link_new(tmp: str, path: Path) -> None:
    """Give the whole file ``tmp`` the name ``path``, which must not exist (FileExistsError)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: create exclusively, then copy
        data = Path(tmp).read_bytes()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
