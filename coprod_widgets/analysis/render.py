"""A round's results as one HTML fragment: the page shows it and reports can reuse it.

Every piece of user text (team name, comments, names, roles) is escaped here.
"""

from __future__ import annotations

from html import escape

from ..model.aggregate import RoundResults
from .charts import distribution_svg, radar_svg
from .results import distribution_frame, summary_frame, table_html


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def counts_html(results: RoundResults) -> str:
    r = results
    need = r.round.min_answers
    progress = f" {r.in_progress} more in progress." if r.in_progress else ""
    if not r.shown:
        return (
            f"<section class='coprod-counts'><h2>Answers so far</h2>"
            f"<p><strong>{r.submitted} of {need}</strong> answers needed before any results "
            f"are shown.{progress}</p><p>Nothing else is shown until then, so that nobody's "
            f"answers can be picked out.</p></section>"
        )
    return (
        f"<section class='coprod-counts'><h2>Answers so far</h2><p><strong>{r.submitted}"
        f"</strong> answers submitted (results are shown from {need}).{progress}</p></section>"
    )


def results_html(results: RoundResults) -> str:
    """Counts, and at or above the minimum: what to talk about, charts with tables, comments."""
    parts = [counts_html(results)]
    if not results.shown:
        return "<div class='coprod-results'>" + "".join(parts) + "</div>"
    fw = results.framework
    talk = results.to_talk_about
    items = "".join(
        f"<li><strong>{escape(p.title)}</strong>: member scores from {_f(p.low)} to "
        f"{_f(p.high)} (spread {_f(p.spread)}), median {_f(p.median)}</li>"
        for p in talk
    )
    parts.append(
        "<section><h2>Where views differ most</h2><p>The principles are listed with the "
        "widest difference of views first: these are the ones to talk about.</p>"
        f"<ol class='coprod-talk'>{items}</ol></section>"
    )
    radar_label = (
        "Radar chart of each principle's median rating, with the range of views. "
        + "; ".join(f"{p.title}: median {_f(p.median)}" for p in results.principles)
    )
    parts.append(
        "<section><h2>The principles at a glance</h2><div class='coprod-figure'>"
        f"<figure>{radar_svg(results, radar_label)}<figcaption>Median of member scores per "
        f"principle on the scale {fw.scale.minimum} to {fw.scale.maximum}; the shaded area "
        "spans the lowest to the highest member score. The table gives the same figures."
        "</figcaption></figure>"
        + table_html(summary_frame(results), "Results per principle")
        + "</div></section>"
    )
    dist_label = (
        "Stacked bar chart of how many ratings fell on each point of the scale, per principle."
    )
    parts.append(
        "<section><h2>How the ratings spread</h2><div class='coprod-figure'>"
        f"<figure>{distribution_svg(results, dist_label)}<figcaption>Every statement rating, "
        "counted by scale point. The table gives the same counts.</figcaption></figure>"
        + table_html(distribution_frame(results), "Number of ratings on each point of the scale")
        + "</div></section>"
    )
    by_p: dict[str, list[str]] = {}
    for c in results.comments:
        who = ""
        if c.name or c.role:
            who = (
                " <span class='coprod-who'>("
                + escape(", ".join(x for x in (c.name, c.role) if x))
                + ")</span>"
            )
        by_p.setdefault(c.principle_id, []).append(f"<li>{escape(c.text)}{who}</li>")
    if by_p:
        blocks = "".join(
            f"<h3>{escape(p.title)}</h3><ul class='coprod-comments'>{''.join(by_p[p.id])}</ul>"
            for p in fw.principles
            if p.id in by_p
        )
    else:
        blocks = "<p>No comments were written.</p>"
    anon = " Comments are shown without names." if results.round.anonymous else ""
    parts.append(
        f"<section><h2>What people said</h2><p class='coprod-note'>{anon.strip()}</p>{blocks}</section>"
    )
    return "<div class='coprod-results'>" + "".join(parts) + "</div>"
