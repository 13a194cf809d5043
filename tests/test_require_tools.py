"""CI cannot pass with browser or PDF tests skipped: COPROD_REQUIRE_TOOLS=1 fails a skip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(tmp_path: Path, require: bool) -> subprocess.CompletedProcess[str]:
    test = REPO / "tests" / f"test_tmp_skip_{os.getpid()}.py"
    test.write_text("import pytest\n\ndef test_x():\n    pytest.skip('no Chromium')\n")
    env = {**os.environ, "COPROD_REQUIRE_TOOLS": "1" if require else "0"}
    try:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(test)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        test.unlink()


def test_a_skip_fails_when_tools_are_required(tmp_path):
    run = _run(tmp_path, require=True)
    assert run.returncode == 1
    assert "may not be skipped here" in run.stdout and "no Chromium" in run.stdout


def test_a_skip_is_listed_elsewhere(tmp_path):
    run = _run(tmp_path, require=False)
    assert run.returncode == 0
    assert "SKIPPED" in run.stdout and "no Chromium" in run.stdout
