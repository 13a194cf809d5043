"""Typing 1,000 characters: how many store writes the one autosave makes, against a write per
keystroke (what every page did before it), in one run.

- evidence box: the member page (``SelfAssessmentApp``) over the members' API as a member's
  kernel reaches it; one write is one call of ``save_comment`` (one HTTP POST under
  `coprod serve`);
- journal stage: ``JournalApp`` on a real SQLite file; writes are the INSERT, UPDATE and DELETE
  statements the database runs (one keystroke used to be eight).

Both are driven inside a running asyncio loop, as a kernel runs them, with keystrokes at
``--rate`` a second. The baseline is the same page with the debounce off (``quiet=0``).

Run: python -m bench autosave [--quick], or python -m bench.bench_autosave [--chars 1000] [--rate 50]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from coprod_widgets.apps import autosave
from coprod_widgets.apps.assess import SelfAssessmentApp
from coprod_widgets.apps.journal import JournalApp
from coprod_widgets.content import FrameworkLibrary, load_framework
from coprod_widgets.content.models import FormLibrary, ModelLibrary
from coprod_widgets.store import Store

from .common import ROOT as REPO
from .common import Figure, figure, table

TEXT = "We met as equals and the agenda was set together. "


class Counting:
    """The members' API as a kernel sees it, counting the writes it is asked for."""

    def __init__(self, store: Store):
        self.store, self.writes = store, 0

    def __getattr__(self, name: str):
        method = getattr(self.store.members, name)
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
    links = store.rounds.create("Bench", fw)
    api = Counting(store)

    async def go() -> None:
        app = SelfAssessmentApp(api, links.member_code, f"bench-member-{debounce}-0001")
        app.autosave.debounce = True  # this loop turns as a kernel's does
        if not debounce:
            app.autosave.quiet = app.autosave.max_wait = 0.0
        await type_into(app.card(0).evidence, chars, rate)
        assert (
            store.rounds.answers(links.round.id)[-1].comments[fw.principles[0].id].startswith("We")
        )

    asyncio.run(go())
    return api.writes


def journal(store: Store, debounce: bool, chars: int, rate: float) -> tuple[int, int]:
    """(store calls, SQL statements that write)"""
    writes, calls = 0, 0

    def count(_conn, _cursor, statement, *_a) -> None:
        nonlocal writes
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes += 1

    libs: dict[str, Any] = {
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
            stages = app.editor.stages
            assert stages is not None  # a new entry shows its stages
            await type_into(stages.areas["description"], chars, rate)
        finally:
            sa.event.remove(store.engine, "before_cursor_execute", count)
        nonlocal calls
        calls = app.autosave.writes

    asyncio.run(go())
    return calls, writes


def figures(quick: bool, chars: int = 0, rate: float = 50.0) -> list[Figure]:
    chars = chars or (200 if quick else 1000)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        base, ours = (evidence(store, d, chars, rate) for d in (False, True))
        (bc, bs), (oc, os_) = (journal(store, d, chars, rate) for d in (False, True))
        store.close()
    what = f"typing {chars} characters at {rate:g}/s"
    against = "the same page, a write per keystroke (debounce off)"
    # <= 20 writes for 1,000 characters
    target = "<= 0.02" if chars == 1000 else None
    return [
        figure(
            "autosave",
            f"evidence box: store writes, {what}",
            ours,
            base,
            against,
            unit="writes",
            target=target,
        ),
        figure(
            "autosave",
            f"journal stage: store writes, {what}",
            oc,
            bc,
            against,
            unit="writes",
            target=target,
        ),
        figure("autosave", f"journal stage: SQL writes, {what}", os_, bs, against, unit="writes"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=50.0, help="keystrokes a second")
    args = ap.parse_args()
    print(table(figures(False, args.chars, args.rate)))


if __name__ == "__main__":
    main()
