"""Load and validate the content under data/: frameworks (and later models, courses, forms)."""

from .frameworks import FrameworkLibrary, load_framework, validate_framework_file
from .validation import ContentError, Problem

__all__ = [
    "ContentError",
    "FrameworkLibrary",
    "Problem",
    "load_framework",
    "validate_framework_file",
]
