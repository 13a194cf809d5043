"""The benchmark command: `python -m bench` writes one table and one JSON of every figure beside
its baseline. Runs the cheapest part only and checks the shape, never a speed."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from bench.common import figure, met, table

ROOT = Path(__file__).resolve().parent.parent


def stamps() -> list[float | None]:
    files = (ROOT / "bench" / "results.json", ROOT / "bench" / "RESULTS.md")
    return [f.stat().st_mtime if f.exists() else None for f in files]


def test_the_cli_part_writes_its_figure_baseline_and_ratio(tmp_path):
    out = tmp_path / "results.json"
    before = stamps()
    r = subprocess.run(
        [sys.executable, "-m", "bench", "cli", "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert data["parts"] == ["cli"] and data["quick"] is True
    [f] = data["figures"]
    assert f["part"] == "cli" and "coprod --help" in f["metric"]
    assert f["ours"] > 0 and f["baseline"] > 0
    assert math.isclose(f["ratio"], f["ours"] / f["baseline"])
    assert f["against"] == "`python -c pass`" and f["ratio_is"] == "ours/baseline"
    assert len(f["samples"]["coprod --help"]) == len(f["samples"]["python -c pass"]) == 3
    md = out.with_suffix(".md").read_text()
    assert "| part | metric | ours | baseline | against | ratio | target | met |" in md
    row = next(line for line in md.splitlines() if line.startswith("| cli |"))
    assert f"{f['ratio']:.2f}×" in row and "`python -c pass`" in row
    assert "python -m bench" in md  # how to reproduce
    assert row in r.stdout  # printed too
    assert stamps() == before  # the repository's table and JSON left alone


def test_an_unknown_part_is_refused(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "bench", "nope", "--json", str(tmp_path / "r.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2 and "invalid choice: 'nope'" in r.stderr
    assert not (tmp_path / "r.json").exists()


def test_ratio_and_target():
    cost = figure("x", "m", 1.5, 1.0, "bare", target="<= 1.2")
    assert cost["ratio"] == 1.5 and cost["met"] is False
    speed = figure("x", "m", 1.0, 5.0, "nbconvert", ratio="baseline/ours", target=">= 4")
    assert speed["ratio"] == 5.0 and speed["met"] is True
    assert met(3.9, ">= 4") is False and met(1.0, None) is None


def test_a_failed_part_is_a_row_saying_so():
    text = table([{"part": "reports", "error": "BrowserMissing: no Chromium"}])
    assert "| reports | **failed**: BrowserMissing: no Chromium |" in text
