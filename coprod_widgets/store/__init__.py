"""Persistence: ``Store(url)`` composes one repository per concern over one database
(imported lazily: member pages never load SQLAlchemy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import RoundLinks, RoundSummary, Store

__all__ = ["RoundLinks", "RoundSummary", "Store"]


def __getattr__(name: str) -> type:
    if name in __all__:
        from . import store

        cls: type = getattr(store, name)
        return cls
    raise AttributeError(name)
