"""Where the shipped content, the workbooks and the user's own files live."""

from __future__ import annotations

import os
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
    """The user's data directory (the default database and their own content files)."""
    if os.environ.get("COPROD_HOME"):
        return Path(os.environ["COPROD_HOME"])
    from platformdirs import user_data_dir

    return Path(user_data_dir("coprod", appauthor=False))


def framework_dirs() -> list[Path]:
    """Shipped frameworks first, then the user's own (a file dropped there is picked up)."""
    return [data_dir() / "frameworks", user_dir() / "frameworks"]
