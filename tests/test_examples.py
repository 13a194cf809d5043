"""The data API's examples (workbooks/examples/) run headless against a demo store, and show
the results page's numbers, only where a round's minimum is met."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from coprod_widgets.analysis.results import summary_rows
from coprod_widgets.analysis.view import prepare
from coprod_widgets.content import FrameworkLibrary
from coprod_widgets.demo import DEMO_TEAM, ensure_demo
from coprod_widgets.identity import journal_key_owner

EXAMPLES = Path(__file__).resolve().parent.parent / "workbooks" / "examples"
KEY = "example-journal-key-000001"


def run(name: str, monkeypatch, db: str, *, as_html: bool = False, **params: object) -> str:
    """The example executed in a kernel on ``db`` with ``params``: its last output, as text (or
    as the HTML table a notebook shows, every column in it)."""
    monkeypatch.setenv("COPROD_DB", db)  # the kernel inherits it, as under `coprod lab`
    nb = nbformat.read(EXAMPLES / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source += "\n" + "\n".join(f"{k} = {v!r}" for k, v in params.items())
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outs if o.output_type == "error"], json.dumps(outs)[:2000]
    return outs[-1]["data"]["text/html" if as_html else "text/plain"]


@pytest.fixture
def demo(store):
    """The demo team's two rounds, a second team with enough answers and a third with too few."""
    links = ensure_demo(store)
    fw = FrameworkLibrary().get("nef-nesta-six")
    for team, people, value in (("Ward 9", 3, 4), ("Hillside (too few)", 2, 1)):
        other = store.rounds.create(team, fw, anonymous=True)
        for i in range(people):
            me = f"tok-example-{team[:4]}-{i:03d}"
            for s in fw.statements:
                store.members.save_rating(other.member_code, me, s.id, value)
            store.members.submit(other.member_code, me)
    owner = journal_key_owner(KEY)
    store.journal.create(
        owner, title="Pay", entry_date="2026-03-01", tags=["nef-nesta-six/mutuality"]
    )
    store.journal.create(
        owner, title="Again", entry_date="2026-05-01", tags=["nef-nesta-six/mutuality"]
    )
    store.journal.create(
        owner, title="Old", entry_date="2025-05-01", tags=["nef-nesta-six/networks"]
    )
    return links


def test_every_example_is_run_here():
    tested = {"re_derive_results", "compare_teams", "follow_a_principle", "journal_by_principle"}
    assert {p.stem for p in EXAMPLES.glob("*.ipynb")} == tested


def test_results_derived_again_are_the_pages(monkeypatch, store, demo):
    text = run("re_derive_results", monkeypatch, store.url, round_id=demo.round.id)
    for row in summary_rows(prepare(store, demo.round.id).results):
        line = next(ln for ln in text.splitlines() if ln.startswith(row["Principle"]))
        # people, median, mean, spread: the page's, to the last decimal it shows
        cells = line[len(row["Principle"]) :].split()
        assert [float(c) for c in cells] == [
            row["People"],
            row["Median"],
            row["Mean"],
            row["Spread (SD)"],
        ], line


def test_teams_compared_only_where_their_minimum_is_met(monkeypatch, store, demo):
    text = run("compare_teams", monkeypatch, store.url)
    assert "Ward 9" in text and "Riverside" in text  # DEMO_TEAM, shown shortened in a column
    assert "Hillside" not in text
    assert DEMO_TEAM.startswith("Riverside")


def test_a_principle_followed_with_its_actions(monkeypatch, store, demo):
    html = run(
        "follow_a_principle", monkeypatch, store.url, as_html=True, round_id=demo.facilitator_code
    )
    assert "Agree a payment policy" in html and "<td>done</td>" in html
    assert "standing slot" not in html  # another principle's action
    rows = html.split("<tbody>")[1].split("<tr>")[1:]  # round 1, then round 2
    assert len(rows) == 2
    for row, r in zip(rows, (1, 2)):
        page = next(
            p for p in prepare(store, r).results.principles if p.principle_id == "mutuality"
        )
        assert f"<td>{page.median:.6f}</td>" in row and f"<td>{page.spread:.6f}</td>" in row


def test_my_reflections_per_principle_in_a_year(monkeypatch, store, demo):
    text = run("journal_by_principle", monkeypatch, store.url, key=KEY, year=2026)
    assert "nef-nesta-six/mutuality    2" in text
    assert "networks" not in text  # 2025's, and another year
    other = run("journal_by_principle", monkeypatch, store.url, key=None, year=2026)
    assert "mutuality" not in other  # this computer's user's journal is not the key's
