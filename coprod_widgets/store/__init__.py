"""Persistence: one Store facade over SQLAlchemy (imported lazily: member pages never load it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import RoundLinks, RoundSummary, Store

__all__ = ["RoundLinks", "RoundSummary", "Store"]


def __getattr__(name: str):
    if name in __all__:
        from . import store

        return getattr(store, name)
    raise AttributeError(name)
