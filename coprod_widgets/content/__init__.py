"""Load and validate the content under data/: frameworks, courses (and models, forms: see
their modules)."""

from .courses import CourseLibrary, load_course, validate_course
from .frameworks import FrameworkLibrary, load_framework
from .validation import ContentError, Problem

__all__ = [
    "ContentError",
    "CourseLibrary",
    "FrameworkLibrary",
    "Problem",
    "load_course",
    "load_framework",
    "validate_course",
]
