"""Where the shipped content, the workbooks and the user's own files live."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    # A wheel carries data/ and workbooks/ inside the package; a source checkout has them beside it.
    inside = _HERE / f"_{name}"
    return inside if inside.is_dir() else _HERE.parent / name


def data_dir() -> Path:
    return _shipped("data")


def workbooks_dir() -> Path:
    """The notebooks `coprod serve` serves ($COPROD_WORKBOOKS to serve another folder)."""
    if os.environ.get("COPROD_WORKBOOKS"):
        return Path(os.environ["COPROD_WORKBOOKS"])
    return _shipped("workbooks")


def user_dir() -> Path:
    """The user's data directory (the default database and their own content files): made,
    or kept, readable by its owner only (0700), as it holds the database and the keys."""
    if os.environ.get("COPROD_HOME"):
        path = Path(os.environ["COPROD_HOME"])
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("coprod", appauthor=False))
    private_dir(path)
    return path


def private_dir(path: Path) -> None:
    """Make ``path`` (and missing parents) a folder only its owner can enter; an existing one
    of ours loses any group or other access. A folder we cannot make or change is left as it is
    (a read-only home: whoever writes into it reports the error)."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o077:
            path.chmod(st.st_mode & 0o700)
    except OSError:
        pass


def private_file(path: Path) -> None:
    """Make ``path`` an empty file only its owner can read and write, or take group and other
    access away from an existing one of ours."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        st = path.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o077:
            path.chmod(0o600)
    else:
        os.close(fd)


def secret_file(path: Path, make: Callable[[], str]) -> str:
    """The secret kept in ``path`` (0600), made with ``make()`` the first time; two processes
    making it at once agree on the first one written."""
    try:
        text = path.read_text(encoding="utf-8").strip()
        if text:
            private_file(path)
            return text
    except FileNotFoundError:
        pass
    private_dir(path.parent)
    value = make()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it a moment ago
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value + "\n")
    return value


def framework_dirs() -> list[Path]:
    """Shipped frameworks first, then the user's own (a file dropped there is picked up)."""
    return [data_dir() / "frameworks", user_dir() / "frameworks"]


def secret_key(name: str) -> bytes:
    """A 32-byte secret kept in the user's data folder as ``name`` (hex, 0600), made the first
    time it is needed (``resume.key``, ``results.key``)."""
    import secrets

    return bytes.fromhex(secret_file(user_dir() / name, lambda: secrets.token_hex(32)))
