"""The store's shape: repositories composed by ``Store``, each held to its port; no import back
from the composition root; rooms under 400 lines; a round's answers in one query per table."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from coprod_widgets.store import ports
from coprod_widgets.store.remote import RemoteMemberStore

REPO = Path(__file__).resolve().parents[2]
STORE_DIR = REPO / "coprod_widgets" / "store"
PORTS = {
    "rounds": ports.RoundsPort,
    "members": ports.MembersPort,
    "actions": ports.ActionsPort,
    "plans": ports.PlansPort,
    "imports": ports.ImportsPort,
    "journal": ports.JournalPort,
    "cohorts": ports.CohortsPort,
}


def _signature(obj: object, name: str) -> list[str]:
    attr = inspect.getattr_static(obj, name)
    if isinstance(attr, property):
        return ["property"]
    return list(inspect.signature(attr).parameters)


@pytest.mark.parametrize("part", sorted(PORTS))
def test_each_repository_has_every_method_of_its_port_with_the_same_parameters(store, part):
    port, repo = PORTS[part], type(getattr(store, part))
    promised = {n for n in dir(port) if not n.startswith("_") and n not in dir(object)}
    promised -= {n for n in dir(ports.Protocol)}
    assert promised, part
    for name in sorted(promised):
        assert hasattr(repo, name), f"{repo.__name__} lacks {name} of {port.__name__}"
        assert _signature(repo, name) == _signature(port, name), (part, name)


def test_the_member_port_is_the_same_locally_and_over_http(store):
    for action in ports.MEMBER_ACTIONS:
        local = _signature(type(store.members), action)
        assert (
            local == _signature(RemoteMemberStore, action) == _signature(ports.MemberPort, action)
        )


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            out.append("." * node.level + (node.module or ""))
    return out


def test_no_part_of_the_store_imports_the_composition_root_or_a_higher_floor():
    for path in sorted(STORE_DIR.glob("*.py")):
        if path.name in ("store.py", "__init__.py"):
            continue
        for mod in _imports(path):
            assert mod not in (".store", "coprod_widgets.store.store"), f"{path.name} imports {mod}"
            assert not mod.startswith(("..identity", "..apps", "..widgets", "..analysis")), (
                f"{path.name} imports {mod}, above the store"
            )


def test_every_room_of_the_store_reads_in_one_sitting():
    long = {
        p.name: n for p in STORE_DIR.glob("*.py") if (n := len(p.read_text().splitlines())) > 400
    }
    assert not long, long


def test_the_store_package_imports_without_a_circle():
    # Each module on its own, in a fresh interpreter: a circle shows as an ImportError.
    names = sorted(p.stem for p in STORE_DIR.glob("*.py") if p.stem != "__init__")
    loop = "for n in NAMES: importlib.import_module('coprod_widgets.store.' + n)"
    code = "import importlib\n" + loop.replace("NAMES", repr(names))
    for name in names:
        one = f"import coprod_widgets.store.{name}"
        subprocess.run([sys.executable, "-c", one], check=True, cwd=REPO)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_a_rounds_answers_are_read_with_one_query_per_table(store, framework):
    links = store.rounds.create("Big", framework, anonymous=False)
    sids = [s.id for p in framework.principles for s in p.statements][:5]
    for i in range(30):
        me = f"tok-member-{i:04d}-abcdef"
        store.members.save_profile(links.member_code, me, name=f"P{i}")
        for sid in sids:
            store.members.save_rating(links.member_code, me, sid, 1 + i % 5)
        store.members.save_comment(links.member_code, me, framework.principles[0].id, f"c{i}")
        store.members.submit(links.member_code, me)
    seen: list[str] = []

    def query(conn, cursor, statement, *args):  # a BEGIN that holds one snapshot is no query
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", query)
    answers = store.rounds.answers(links.round.id)
    assert len(seen) == 3, seen  # responses, ratings, comments: not one per answer
    assert len(answers) == 30 and all(len(a.ratings) == 5 and a.comments for a in answers)
    seen.clear()
    release = store.rounds.released(links.round.id)
    assert release.live and len(release.answers) == 30
    assert len(seen) <= 4, seen  # the round itself, then its answers
