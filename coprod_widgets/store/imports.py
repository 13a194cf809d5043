"""Answers collected elsewhere (a form tool's CSV), written into a round. Part of the Store."""

from __future__ import annotations


class ImportMixin:
    pass
