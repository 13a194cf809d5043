"""A named round with answers and an HTML payload in its comments, for the report tests."""

from __future__ import annotations

import pytest

from .report_helpers import XSS, fill


@pytest.fixture
def named(store, small_framework):
    """A named round with three answers and a comment carrying an HTML payload."""
    links = store.rounds.create(
        "Ward <script>alert('team')</script> 7", small_framework, anonymous=False, roles=["Nurse"]
    )
    fill(
        store,
        links,
        small_framework,
        names=("Ann Example", "Bo Example", "Cy Example"),
        role="Nurse",
        comment=f"Listen more {XSS}",
    )
    return links
