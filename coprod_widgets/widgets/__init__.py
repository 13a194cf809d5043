"""Reusable ipywidgets views, bound to model objects. No store access, no IO."""

from .action import ActionEditor, ActionReview
from .principle import PrincipleCard
from .rating import StatementRating
from .scale import scale_legend_html
from .status import FieldNote, Notice, SaveStatus
from .stepper import Stepper

__all__ = [
    "ActionEditor",
    "ActionReview",
    "FieldNote",
    "Notice",
    "PrincipleCard",
    "SaveStatus",
    "StatementRating",
    "Stepper",
    "scale_legend_html",
]
