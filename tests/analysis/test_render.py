"""The results fragment: which snapshot an anonymous round shows, and what is held back."""

from __future__ import annotations

from dataclasses import replace

from coprod_widgets.analysis.render import counts_html
from coprod_widgets.model.aggregate import aggregate
from coprod_widgets.model.release import Release
from coprod_widgets.model.rounds import Answer, Rating, Round


def results(fw, **kw):
    rnd = Round(1, "T", fw.id, fw.version, min_answers=3, **kw)
    answers = [Answer(ratings={"p1-a": Rating(3)}, status="submitted") for _ in range(3)]
    return aggregate(rnd, fw, answers)


def test_an_anonymous_round_says_which_snapshot_is_shown_and_what_is_held_back(small_framework):
    """Results of an anonymous round are a released snapshot (the old warning that live results
    could show one person's answers is gone with live results)."""
    res = results(small_framework, anonymous=True)
    rel = Release(
        res_answers(),
        sequence=2,
        released_at="2026-12-06T14:02:31.000+00:00",
        submitted_now=5,
        held=2,
        need_more=1,
    )
    html = counts_html(replace(res, release=rel))
    assert "Results from 3 answers</strong>, released 6 Dec 14:02 UTC" in html
    assert "2 newer answers are held back</strong> until at least 1 more person has" in html
    assert "could show what one person said" not in html
    quiet = counts_html(replace(res, release=replace(rel, held=0)))
    assert "held back" not in quiet and "Results from 3 answers" in quiet


def test_a_named_round_says_its_results_are_live(small_framework):
    res = results(small_framework, anonymous=False)
    rel = Release(res_answers(), live=True, submitted_now=3)
    html = counts_html(replace(res, release=rel))
    assert "follow every answer" in html and "released" not in html


def res_answers():
    return tuple(Answer(ratings={"p1-a": Rating(3)}, status="submitted") for _ in range(3))


# -- the prepared view: which sections, in what order, and why one is held back ------------


def test_the_view_holds_back_what_it_cannot_show_and_says_why(small_framework):
    from coprod_widgets.model.composition import (
        FIRST_ROUND_REVIEW,
        FIRST_ROUND_TRENDS,
        NO_ROLES,
        ORDER,
        compose,
    )

    rnd = Round(1, "T", small_framework.id, small_framework.version, min_answers=3)
    two = [Answer(ratings={"p1-a": Rating(3)}, status="submitted") for _ in range(2)]
    below = compose(rnd, small_framework, [aggregate(rnd, small_framework, two)], [], [], [])
    assert [s.key for s in below.sections] == list(ORDER)
    # below the minimum: the counts say why nothing else of the results is shown
    assert [s.key for s in below.present()] == ["counts", "roles", "review", "actions", "trends"]
    why = {s.key: s.why for s in below.present() if not s.shown}
    assert why == {"roles": NO_ROLES, "review": FIRST_ROUND_REVIEW, "trends": FIRST_ROUND_TRENDS}

    with_roles = replace(rnd, roles=("Nurse", "Carer"))
    res = aggregate(with_roles, small_framework, two)
    view = compose(with_roles, small_framework, [res], [], [], [])
    assert "once the round has enough answers" in view.section("roles").why


def test_plain_tables_read_as_pandas_writes_them():
    """rows_html (no pandas on the results page or in a cold report) shows each cell as
    DataFrame.to_html does: floats to the decimals their column needs, gaps empty, text escaped."""
    import html
    import re

    import pandas as pd

    from coprod_widgets.analysis.results import rows_html, table_html

    rows = [
        {"Principle": "A <b>&", "People": 4, "Median": 3.0, "Mean": 2.25, "Low": None, "x": "–"},
        {
            "Principle": "B",
            "People": "fewer than 3",
            "Median": 4.0,
            "Mean": None,
            "Low": 1.5,
            "x": 2,
        },
        {"Principle": "C", "People": 12, "Median": None, "Mean": 3.1, "Low": 2.0, "x": 0},
    ]

    def cells(h: str) -> list[str]:
        return [
            html.unescape(c.strip())
            for c in re.findall(r"<t[dh](?:\s[^>]*)?>(.*?)</t[dh]>", h, re.S)
        ]

    ours = rows_html(rows, "Results")
    assert cells(ours) == cells(table_html(pd.DataFrame(rows), "Results"))
    assert "3.0" in cells(ours) and "2.25" in cells(ours) and "3.10" in cells(ours)
    assert "<b>" not in ours and "<caption>Results</caption>" in ours
