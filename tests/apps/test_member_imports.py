"""A member's page is a kernel per person: its imports must stay light (see store/remote.py)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "pandas", "matplotlib", "yaml", "voila", "jupyter_server")


def test_the_member_workbook_imports_none_of_the_heavy_packages():
    code = (
        "import sys\n"
        "from coprod_widgets.apps import assess\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
