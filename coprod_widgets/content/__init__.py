"""Load and validate the content under data/: frameworks (and later models, courses, forms)."""

from .frameworks import FrameworkLibrary, load_framework
from .validation import ContentError, Problem

__all__ = [
    "ContentError",
    "FrameworkLibrary",
    "Problem",
    "load_framework",
]
