"""TEMPORARY tool: rewrite calls of the old flat Store names to the store's repositories.

    python scripts/rewrite_store_calls.py [--dry-run] PATH...

Reads ``OLD_NAMES`` from ``coprod_widgets.store.store`` (old name -> (repository, new name))
and, in every .py file under the given paths, rewrites

    store.journal_create(...)    ->  store.journal.create(...)
    self.store.create_round(...) ->  self.store.rounds.create(...)
    store._journal_fts = x       ->  store.journal.fts = x
    monkeypatch.setattr(store, "_insert", f)  ->  monkeypatch.setattr(store.db, "insert", f)

only where the receiver is a Store: an expression on the allow-list below (each one checked by
hand in the tree), or a short name (``s``, ``a``, ``again`` ...) that the same file assigns from
``Store(...)`` or from a ``.store``. On the allow-list, a method passed on uncalled
(``self.store.journal_save`` given to autosave) is rewritten too; on a short name only calls
are (``s.plan`` of a plan summary, in a file where ``s`` is also a store, is another object's
attribute: printed), and the old names that are attributes (``journal_fts``, ``_journal_fts``,
``_insert``, ``_dialect``).

A class that defines a method of an old name (a test's stand-in for the Store, such as a store
whose writes fail) is printed too: the calls now go to the repository, past the stand-in.

Everything else that uses an old name (``remote.save_rating(...)`` on a member port, whose
names do not change; ``release.answers``; a receiver it could not tell) is printed as
``file:line: receiver.name`` for a person to check, and so are two things it never rewrites:
``getattr(<store>, name)`` dispatch (``server/app.py``: the member API, now
``getattr(store.members, action)``). A Store given where a member port is taken
(``service=store``, ``SelfAssessmentApp(store, ...)``) becomes ``store.members``.

Delete this script, ``OLD_NAMES`` and ``Store.__getattr__`` once the tree is rewritten.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from coprod_widgets.store.store import OLD_NAMES  # noqa: E402

# Receivers that are a Store wherever they appear (checked in the tree, December 2026).
STORES = {
    "store",
    "self.store",
    "self._store",
    "app.store",
    "w.store",
    "world.store",
    "served_store",
    "_store(args)",
    "open_store(args)",
}
# Short names that are a Store only where the file says so (``s = Store(...)``, ``a, b =
# Store(...), Store(...)``, ``s = world.store``).
SHORT = {"s", "s2", "a", "b", "again", "fresh", "st", "other", "reader", "writer"}
REPOSITORIES = {repo for repo, _ in OLD_NAMES.values()}
ATTRIBUTES = {"journal_fts", "_journal_fts", "_insert", "_dialect"}  # old names used uncalled
# Callables whose first argument is a member port (``ports.MemberPort``); any ``service=``
# keyword is one too.
MEMBER_PORT_TAKERS = ("SelfAssessmentApp",)
MEMBER_ACTIONS = {"member_view", "save_rating", "save_comment", "save_profile", "submit"}


def short_stores(text: str) -> set[str]:
    """The short names this file binds to a Store (``s = Store(url)``, ``a, b = Store(u),
    Store(u)``, ``s = world.store``, ``with Store(url) as s``)."""
    found = set()
    for m in re.finditer(r"^\s*([\w\s,]+?)\s*=\s*(.+)$", text, re.M):
        targets = {x.strip() for x in m.group(1).split(",")}
        value = m.group(2).strip()
        if value.startswith("Store(") or re.fullmatch(r"([\w.]*\.)?\w*store(\(\w*\))?", value):
            found |= targets & SHORT
    for m in re.finditer(r"\bStore\([^\n]*\)\s+as\s+(\w+)", text):
        found |= {m.group(1)} & SHORT
    return found


def _offset(lines: list[str], lineno: int, col: int) -> int:
    """A character offset into the text from ast's (line, UTF-8 byte column)."""
    before = sum(len(x) for x in lines[: lineno - 1])
    return before + len(lines[lineno - 1].encode("utf-8")[:col].decode("utf-8"))


def rewrite(path: Path, dry_run: bool) -> tuple[int, list[str]]:
    text = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(text)
    except SyntaxError as e:
        return 0, [f"{path}:{e.lineno}: cannot parse: {e.msg}"]
    lines = text.splitlines(keepends=True)
    stores = STORES | short_stores(text)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    receivers = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    methods = {
        id(f)
        for c in ast.walk(tree)
        if isinstance(c, ast.ClassDef)
        for f in c.body
        if isinstance(f, ast.FunctionDef)
    }
    edits: list[tuple[int, int, str]] = []
    left: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in OLD_NAMES:
            recv = ast.unparse(node.value)
            is_call = id(node) in called
            # A repository itself (``store.actions.add``) is not the old ``actions`` method.
            is_repo = node.attr == "actions" and id(node) in receivers
            uncalled_ok = recv in STORES and not is_repo  # a bound method passed on
            if recv in stores and (is_call or node.attr in ATTRIBUTES or uncalled_ok):
                repo, new = OLD_NAMES[node.attr]
                assert node.end_lineno is not None and node.end_col_offset is not None
                end = _offset(lines, node.end_lineno, node.end_col_offset)
                start = end - len(node.attr)
                assert text[start:end] == node.attr, (path, node.lineno, text[start:end])
                edits.append((start, end, f"{repo}.{new}"))
            elif recv in stores and not is_repo:
                left.append(f"{path}:{node.lineno}: {recv}.{node.attr} (not called: a Store's?)")
            elif recv.rsplit(".", 1)[-1] in REPOSITORIES:
                pass  # already a repository's: store.rounds.answers(...)
            elif is_call or node.attr in ATTRIBUTES:
                hint = " (a member port: the name stays)" if node.attr in MEMBER_ACTIONS else ""
                left.append(f"{path}:{node.lineno}: {recv}.{node.attr}{hint}")
        elif (
            isinstance(node, ast.FunctionDef)
            and id(node) in methods
            and node.name in OLD_NAMES
            and node.name not in MEMBER_ACTIONS
        ):
            repo, new = OLD_NAMES[node.name]
            left.append(
                f"{path}:{node.lineno}: def {node.name} (a stand-in for the Store? calls now go "
                f"to store.{repo}.{new}: stand in for the repository instead)"
            )
        elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            fname = ast.unparse(node.func)
            args = node.args
            if (
                fname.endswith(("setattr", "getattr", "delattr"))
                and len(args) >= 2
                and ast.unparse(args[0]) in stores
            ):
                name = args[1]
                if isinstance(name, ast.Constant) and name.value in OLD_NAMES:
                    repo, new = OLD_NAMES[name.value]
                    a0, n0 = args[0], name
                    assert a0.end_lineno and a0.end_col_offset is not None
                    assert n0.end_lineno and n0.end_col_offset is not None
                    e0 = _offset(lines, a0.end_lineno, a0.end_col_offset)
                    edits.append((e0, e0, f".{repo}"))
                    s1 = _offset(lines, n0.lineno, n0.col_offset)
                    e1 = _offset(lines, n0.end_lineno, n0.end_col_offset)
                    edits.append((s1, e1, repr(new).replace("'", '"')))
                elif fname == "getattr":
                    left.append(
                        f"{path}:{node.lineno}: {ast.unparse(node)} (dispatch on a Store: name "
                        "the repository, e.g. getattr(store.members, action))"
                    )
            # A Store given where a member port is taken: its members are the port now.
            ports = [kw.value for kw in node.keywords if kw.arg == "service"]
            if fname.endswith(MEMBER_PORT_TAKERS) and args:
                ports.append(args[0])
            for value in ports:
                if ast.unparse(value) in stores:
                    assert value.end_lineno and value.end_col_offset is not None
                    e0 = _offset(lines, value.end_lineno, value.end_col_offset)
                    edits.append((e0, e0, ".members"))
    if edits and not dry_run:
        for start, end, new in sorted(edits, reverse=True):
            text = text[:start] + new + text[end:]
        path.write_text(text, encoding="utf-8")
    return len(edits), left


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--dry-run", action="store_true", help="write nothing; count and list")
    args = ap.parse_args(argv)
    total, files, left = 0, 0, []
    for root in args.paths:
        for path in sorted([root] if root.is_file() else root.rglob("*.py")):
            if "coprod_widgets/store/" in path.as_posix() or ".venv" in path.parts:
                continue  # the store itself defines the names
            n, rest = rewrite(path, args.dry_run)
            total += n
            files += bool(n)
            left += rest
    print(f"{'would rewrite' if args.dry_run else 'rewrote'} {total} uses in {files} files")
    if left:
        print(f"\n{len(left)} uses of an old name left as they are (check each by hand):")
        print("\n".join(left))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
