"""Typing 1,000 characters: how many store writes the one autosave makes, against a write per
keystroke (what every page did before it), in one run.

- evidence box: the member page (``SelfAssessmentApp``) over the members' API as a member's
  kernel reaches it; one write is one call of ``save_comment`` (one HTTP POST under
  `coprod serve`);
- journal stage: ``JournalApp`` on a real SQLite file; writes are the INSERT, UPDATE and DELETE
  statements the database runs (one keystroke used to be eight).

Both are driven inside a running asyncio loop, as a kernel runs them, with keystrokes at
``--rate`` a second. The baseline is the same page with the debounce off (``quiet=0``).

Run: python bench/bench_autosave.py [--chars 1000] [--rate 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from coprod_widgets.apps import autosave  # noqa: E402
from coprod_widgets.apps.assess import SelfAssessmentApp  # noqa: E402
from coprod_widgets.apps.journal import JournalApp  # noqa: E402
from coprod_widgets.content import FrameworkLibrary, load_framework  # noqa: E402
from coprod_widgets.content.models import FormLibrary, ModelLibrary  # noqa: E402
from coprod_widgets.store import Store  # noqa: E402

TEXT = "We met as equals and the agenda was set together. "


class Counting:
    """The members' API as a kernel sees it, counting the writes it is asked for."""

    def __init__(self, store: Store):
        self.store, self.writes = store, 0

    def __getattr__(self, name: str):
        method = getattr(self.store, name)
        if name.startswith("save_") or name == "submit":

            def counted(*a, **kw):
                self.writes += 1
                return method(*a, **kw)

            return counted
        return method


async def type_into(widget, chars: int, rate: float) -> None:
    text = ""
    for i in range(chars):
        text += TEXT[i % len(TEXT)]
        widget.value = text
        await asyncio.sleep(1 / rate)
    await asyncio.sleep(autosave.MAX_WAIT + 1.0)  # the last pause: everything written


def evidence(store: Store, debounce: bool, chars: int, rate: float) -> int:
    fw = load_framework(REPO / "data" / "frameworks" / "nef-nesta-six.yaml")
    links = store.create_round("Bench", fw)
    api = Counting(store)

    async def go() -> None:
        app = SelfAssessmentApp(api, links.member_code, f"bench-member-{debounce}-0001")
        app.autosave.debounce = True  # this loop turns as a kernel's does
        if not debounce:
            app.autosave.quiet = app.autosave.max_wait = 0.0
        await type_into(app.card(0).evidence, chars, rate)
        assert store.answers(links.round.id)[-1].comments[fw.principles[0].id].startswith("We")

    asyncio.run(go())
    return api.writes


def journal(store: Store, debounce: bool, chars: int, rate: float) -> tuple[int, int]:
    """(store calls, SQL statements that write)"""
    writes, calls = 0, 0

    def count(_conn, _cursor, statement, *_a) -> None:
        nonlocal writes
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes += 1

    libs = {
        "models": ModelLibrary([REPO / "data" / "reflective_models"]),
        "forms": FormLibrary([REPO / "data" / "export_forms"]),
        "frameworks": FrameworkLibrary([REPO / "data" / "frameworks"]),
    }

    async def go() -> None:
        app = JournalApp(store, f"user:bench-{debounce}", **libs)
        app.autosave.debounce = True  # this loop turns as a kernel's does
        if not debounce:
            app.autosave.quiet = app.autosave.max_wait = 0.0
        app.new_entry("gibbs")
        sa.event.listen(store.engine, "before_cursor_execute", count)
        try:
            await type_into(app.editor.stages.areas["description"], chars, rate)
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", count)
        nonlocal calls
        calls = app.autosave.writes

    asyncio.run(go())
    return calls, writes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=50.0, help="keystrokes a second")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        base, ours = (evidence(store, d, args.chars, args.rate) for d in (False, True))
        rows.append({"what": "evidence box", "ours": ours, "baseline": base})
        (bc, bs), (oc, os_) = (journal(store, d, args.chars, args.rate) for d in (False, True))
        rows.append({"what": "journal stage", "ours": oc, "baseline": bc})
        rows.append({"what": "  SQL writes", "ours": os_, "baseline": bs, "target": None})
        store.close()
    print(
        f"typing {args.chars} characters at {args.rate:g} a second: store writes "
        "(baseline: a write per keystroke)"
    )
    print(f"{'metric':<16}{'ours':>8}{'baseline':>10}{'ratio':>9}{'target':>10}")
    for r in rows:
        ratio = r["baseline"] / max(r["ours"], 1)
        if "target" in r:
            print(f"{r['what']:<16}{r['ours']:>8}{r['baseline']:>10}{ratio:>8.0f}x")
            continue
        ok = "ok" if r["ours"] <= 20 else "MISSED"
        print(f"{r['what']:<16}{r['ours']:>8}{r['baseline']:>10}{ratio:>8.0f}x{'<= 20':>8} {ok}")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
