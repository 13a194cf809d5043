"""Plans for a co-production activity, saved field by field. Part of the Store."""

from __future__ import annotations


class PlansMixin:
    pass
