"""environment.yml (for conda users) names every dependency pyproject.toml declares."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"playwright": "playwright-python", "psycopg[binary]": "psycopg"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;]", requirement, maxsplit=1)[0].strip().lower()


def test_environment_yml_names_every_dependency_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [_name(r) for r in project["dependencies"]]
    extras = project["optional-dependencies"]
    wanted += [_name(r) for k in ("postgres", "hub", "test") for r in extras[k]]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed: set[str] = set()
    for dep in env["dependencies"]:
        for r in dep["pip"] if isinstance(dep, dict) else [dep]:
            listed.add(_name(r))
    missing = [
        w
        for w in wanted
        if not w.startswith("coprod-widgets") and CONDA_NAMES.get(w, w) not in listed
    ]
    assert not missing, f"environment.yml lacks {missing}"
