"""Command-line start-up: `coprod --help` against `python -c pass`, each a fresh process.

Run: python -m bench cli [--quick]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .common import Figure, figure, median, medians


def coprod_command() -> list[str]:
    """The installed `coprod` script beside this Python, else the module."""
    script = Path(sys.executable).with_name("coprod")
    if script.is_file():
        return [str(script)]
    found = shutil.which("coprod")
    return [found] if found else [sys.executable, "-m", "coprod_widgets.cli"]


def run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def figures(quick: bool) -> list[Figure]:
    n = 3 if quick else 15
    times = medians(
        {
            "coprod --help": lambda: run([*coprod_command(), "--help"]),
            "python -c pass": lambda: run([sys.executable, "-c", "pass"]),
        },
        n,
    )
    return [
        figure(
            "cli",
            f"`coprod --help` start-up (median of {n})",
            median(times["coprod --help"]),
            median(times["python -c pass"]),
            "`python -c pass`",
            samples=times,
        )
    ]
