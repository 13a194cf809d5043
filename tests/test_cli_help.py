"""The command line's help is current, and starting it is quick.

Every command's --help works and lists the subcommands the parser really has; the list in
``coprod_widgets/cli/__init__.py``'s docstring names exactly those commands (no stale ones, none
missing); every argument says what it is for; and importing the CLI and parsing any command's
arguments loads none of the heavy libraries (each command imports those inside its function).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import coprod_widgets.cli as cli
from coprod_widgets.cli import main, parser

HEAVY = (
    "pandas",
    "numpy",
    "matplotlib",
    "sqlalchemy",
    "nbconvert",
    "nbformat",
    "jsonschema",
    "ipywidgets",
    "voila",
    "jupyter_server",
    "tornado",
)

# Enough arguments for each command to parse (not to run).
ARGS = {
    "serve": [],
    "demo": [],
    "lab": [],
    "validate": ["x.yaml"],
    "round create": ["--team", "T", "--framework", "f"],
    "round next": ["1"],
    "round list": [],
    "round close": ["1"],
    "course validate": ["data/courses/intro-coproduction"],
    "course notebooks": ["intro-coproduction", "-o", "nb"],
    "cohort create": ["--course", "intro-coproduction", "--title", "T"],
    "cohort list": [],
    "cohort close": ["1"],
    "export team-report": ["--round", "1", "-o", "r.html"],
    "export ratings": ["--round", "1", "-o", "r.csv"],
    "export plan": ["--plan=abc", "-o", "p.html"],
    "export journal": ["--entry", "1", "-o", "j.md"],
    "export portfolio": ["--cohort", "1", "-o", "out"],
    "import responses": ["a.csv", "--round", "1"],
    "journal list": [],
    "journal show": ["1"],
    "journal validate": ["x.yaml"],
    "plan new": [],
    "plan list": [],
    "backup": ["b.zip"],
    "restore": ["b.zip"],
    "db copy": ["--from", "sqlite:///a.db", "--to", "sqlite:///b.db"],
}


def _children(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for a in p._actions:
        if isinstance(a, argparse._SubParsersAction):
            return dict(a.choices)
    return {}


def _commands(p: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, parser) of every command and command group, depth first."""
    yield path, p
    for name, child in _children(p).items():
        yield from _commands(child, (*path, name))


def _leaves() -> list[str]:
    return [" ".join(path) for path, p in _commands(parser()) if path and not _children(p)]


def _documented() -> list[str]:
    """The commands the package docstring lists, one per line: '    coprod round create   ...'."""
    return re.findall(r"^ {4}coprod ([a-z-]+(?: [a-z-]+)?) {2,}\S", cli.__doc__ or "", re.M)


def _help(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as e:
        main([*argv, "--help"])
    assert e.value.code == 0, argv
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "path", [" ".join(path) for path, _ in _commands(parser())], ids=lambda s: s or "coprod"
)
def test_every_help_exits_0_and_lists_every_subcommand(capsys, path):
    argv = path.split()
    text = _help(capsys, argv)
    assert text.startswith(f"usage: {' '.join(['coprod', *argv])}")
    p = dict(_commands(parser()))[tuple(argv)]
    for name in _children(p):
        assert re.search(rf"^\s+{re.escape(name)}\s", text, re.M), f"{path}: {name} not listed"


def test_the_docstring_names_exactly_the_commands_the_parser_has():
    documented = _documented()
    assert len(documented) == len(set(documented)), "a command is listed twice"
    assert sorted(documented) == sorted(_leaves())
    assert sorted(ARGS) == sorted(_leaves()), "a new command needs its line in ARGS above"


def test_every_command_and_argument_says_what_it_is_for():
    missing = []
    for path, p in _commands(parser()):
        where = " ".join(("coprod", *path))
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction):
                missing += [f"{where} {c.dest}: no help" for c in a._choices_actions if not c.help]
            elif not isinstance(a, argparse._HelpAction) and not a.help:
                missing.append(f"{where} {'/'.join(a.option_strings) or a.dest}: no help")
        if path and not _children(p) and not (p.description or p.epilog):
            missing.append(f"{where}: no description or example")
    assert missing == []


def test_top_level_help_names_every_command_and_an_example(capsys):
    text = _help(capsys, [])
    for name in _children(parser()):
        assert re.search(rf"^\s+{name}\s", text, re.M), name
    assert "coprod export team-report --round 1" in text


@pytest.mark.parametrize("command", sorted(ARGS))
def test_building_only_the_command_asked_for_parses_the_same(command):
    """main builds only the command in argv; the result is the full parser's, to the letter."""
    argv = ["--db", "sqlite:///x.db", *command.split(), *ARGS[command]]
    assert parser(argv).parse_args(argv) == parser().parse_args(argv)
    assert parser(argv).format_help() == parser().format_help()
    assert len(list(_commands(parser(argv)))) < len(list(_commands(parser())))


def _fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter; it prints a JSON document as its last line."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_and_parsing_every_command_loads_nothing_heavy():
    loaded = _fresh(
        f"""
        import json, sys
        import coprod_widgets.cli as cli
        p = cli.parser()
        for argv in {[[*k.split(), *v] for k, v in ARGS.items()]!r}:
            p.parse_args(argv)
        print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))))
        """
    )
    assert loaded == []


def test_top_level_help_imports_no_command_module():
    """`coprod --help` needs the names and one-line helps only: no command's module."""
    loaded = _fresh(
        """
        import json, sys
        from coprod_widgets.cli import parser
        parser(["--help"]).format_help()
        print(json.dumps(sorted(m for m in sys.modules if m.startswith("coprod_widgets"))))
        """
    )
    assert loaded == [
        "coprod_widgets",
        "coprod_widgets.cli",
        "coprod_widgets.cli.commands",
        "coprod_widgets.cli.common",
    ]


def test_the_check_sees_a_heavy_import():
    """The same check, shown failing: a module that imports one is caught."""
    loaded = _fresh(
        f"""
        import json, sys
        import coprod_widgets.cli, sqlalchemy
        print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))))
        """
    )
    assert loaded == ["sqlalchemy"]


def test_team_report_loads_nothing_before_it_needs_it(tmp_path):
    """A wrong file name is refused before the store, nbconvert or pandas is imported."""
    loaded = _fresh(
        f"""
        import json, sys
        from coprod_widgets.cli import main
        rc = main(["export", "team-report", "--round", "1", "-o", {str(tmp_path / "r.txt")!r}])
        heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))
        print(json.dumps({{"rc": rc, "heavy": heavy}}))
        """
    )
    assert loaded == {"rc": 2, "heavy": []}


def test_python_dash_m_runs_the_same_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "coprod_widgets.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("usage: coprod")
    for name in _children(parser()):
        assert name in done.stdout
