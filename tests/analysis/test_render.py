"""The results fragment: what it says about live results in an anonymous round."""

from __future__ import annotations

from dataclasses import replace

from coprod_widgets.analysis.render import counts_html
from coprod_widgets.model.aggregate import aggregate
from coprod_widgets.model.rounds import Answer, Rating, Round


def results(fw, **kw):
    rnd = Round(1, "T", fw.id, fw.version, min_answers=3, **kw)
    answers = [Answer(ratings={"p1-a": Rating(3)}, status="submitted") for _ in range(3)]
    return aggregate(rnd, fw, answers)


def test_an_open_anonymous_round_warns_that_results_change_as_answers_come(small_framework):
    open_anon = counts_html(results(small_framework, anonymous=True))
    assert "could show what one person said" in open_anon
    closed = results(small_framework, anonymous=True)
    closed = replace(closed, round=replace(closed.round, status="closed"))
    assert "could show what one person said" not in counts_html(closed)
    assert "could show" not in counts_html(results(small_framework, anonymous=False))
