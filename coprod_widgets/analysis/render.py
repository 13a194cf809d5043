"""The body of each section of a round's results, as HTML: analysis.view puts them together
once, and the results page and the team report both show them.

Every piece of user text (team name, comments, names, roles) is escaped here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import cast

from ..model.actions import HELPED, STATUSES, Action
from ..model.aggregate import OTHER_ROLES_LABEL, RoleBreakdown, RoleGroup, RoundResults
from ..model.composition import Figure
from ..model.trends import Effect, comparable, trends, version_changes
from .charts import compare_radar_svg, distribution_svg, radar_svg, trend_svg
from .results import distribution_rows, rows_html, summary_rows


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def released_when(iso: str) -> str:
    """A snapshot's release time as people read it: "6 Dec 14:02 UTC"."""
    try:
        d = datetime.fromisoformat(iso).astimezone(UTC)
    except ValueError:
        return iso[:16]
    return f"{d.day} {d:%b} {d:%H:%M} UTC"


def _people(n: int) -> str:
    return f"{n} more {'person has' if n == 1 else 'people have'}"


def counts_html(results: RoundResults) -> str:
    r = results
    need = r.round.min_answers
    progress = f" {r.in_progress} more in progress." if r.in_progress else ""
    if not r.shown:
        return (
            f"<p><strong>{r.submitted} of {need}</strong> answers needed before any results "
            f"are shown.{progress}</p><p>Nothing else is shown until then, so that nobody's "
            f"answers can be picked out.</p>"
        )
    rel = r.release
    if rel is not None and not rel.live:
        held = ""
        if rel.held:
            held = (
                f"<p class='coprod-held'><strong>{rel.held} newer answer"
                f"{'s are' if rel.held != 1 else ' is'} held back</strong> until at least "
                f"{_people(rel.need_more or 1)} answered or changed answers.</p>"
            )
        return (
            f"<p class='coprod-snapshot'><strong>Results from {r.submitted} answers</strong>, "
            f"released {escape(released_when(rel.released_at))}.{progress}</p>{held}"
            "<p class='coprod-note'>Results move in steps: a new set is released only once at "
            f"least {need} people have answered or changed their answers since the last, "
            "so that comparing one set with another never shows what one person said. "
            "The results page, the team report and the ratings data hold the same set."
            "</p>"
        )
    named = (
        "<p class='coprod-note'>A named round: results follow every answer as it comes in.</p>"
        if rel is not None and rel.live
        else ""
    )
    return (
        f"<p><strong>{r.submitted}</strong> answers submitted (results are shown from {need})."
        f"{progress}</p>{named}"
    )


def talk_html(results: RoundResults) -> str:
    """The principles, widest difference of views first: the ones to talk about."""
    items = "".join(
        f"<li><strong>{escape(p.title)}</strong>: member scores from {_f(p.low)} to "
        f"{_f(p.high)} (spread {_f(p.spread)}), median {_f(p.median)}</li>"
        for p in results.to_talk_about
    )
    return (
        "<p>The principles are listed with the widest difference of views first: these are "
        f"the ones to talk about.</p><ol class='coprod-talk'>{items}</ol>"
    )


def _figure(f: Figure) -> str:
    return f"<figure>{f.svg}<figcaption>{f.caption}</figcaption></figure>"


def glance(results: RoundResults) -> tuple[str, tuple[Figure, ...]]:
    """The radar of medians with its table, and which principles too few rated."""
    fw = results.framework
    alt = "Radar chart of each principle's median rating, with the range of views. " + "; ".join(
        f"{p.title}: "
        + ("not shown, too few rated it" if p.held_back else f"median {_f(p.median)}")
        for p in results.principles
    )
    fig = Figure(
        radar_svg(results, alt),
        alt,
        f"Median of member scores per principle on the scale {fw.scale.minimum} to "
        f"{fw.scale.maximum}; the shaded area spans the lowest to the highest member score. "
        "The table gives the same figures.",
    )
    held = [p.title for p in results.principles if p.held_back]
    note = (
        f"<p class='coprod-note'>Fewer than {results.round.min_answers} people rated "
        f"{escape('; '.join(held))} (the others said they did not know). No figures are "
        "shown for it: they would show one or two people's own answers.</p>"
        if held
        else ""
    )
    body = (
        f"{note}<div class='coprod-figure'>{_figure(fig)}"
        + rows_html(summary_rows(results), "Results per principle")
        + "</div>"
    )
    return body, (fig,)


def spread(results: RoundResults) -> tuple[str, tuple[Figure, ...]]:
    """How many ratings fell on each point of the scale: a stacked bar chart and its table."""
    alt = "Stacked bar chart of how many ratings fell on each point of the scale, per principle."
    fig = Figure(
        distribution_svg(results, alt),
        alt,
        "Every statement rating, counted by scale point. The table gives the same counts.",
    )
    body = (
        f"<div class='coprod-figure'>{_figure(fig)}"
        + rows_html(distribution_rows(results), "Number of ratings on each point of the scale")
        + "</div>"
    )
    return body, (fig,)


def comments_html(results: RoundResults) -> str:
    """The comments per principle, with who wrote them only in a named round."""
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
            for p in results.framework.principles
            if p.id in by_p
        )
    else:
        blocks = "<p>No comments were written.</p>"
    anon = "Comments are shown without names." if results.round.anonymous else ""
    return f"<p class='coprod-note'>{anon}</p>{blocks}"


def roles_html(breakdown: RoleBreakdown) -> str:
    """Who got heard: answers per role, and per-principle medians for roles safe to show
    (the view holds the section back, and says why, when there are no groups)."""
    need = breakdown.min_answers

    def why(g: RoleGroup) -> str:
        if g.shown:
            return "shown below"
        if g.role == OTHER_ROLES_LABEL:
            return "not shown: several roles together"
        return "not shown on its own: the team's results are this role's"

    rows = "".join(
        f"<tr><th scope='row'>{escape(g.role)}</th>"
        + (
            f"<td>fewer than {need}</td><td>not shown</td>"
            if g.held
            else f"<td>{g.answers}</td><td>{why(g)}</td>"
        )
        + "</tr>"
        for g in breakdown.groups
    )
    parts = [
        "<table class='coprod-table'><caption>Submitted answers per role (a role with fewer "
        f"than {need} is counted with the other roles)</caption>"
        "<thead><tr><th scope='col'>Role</th><th scope='col'>Answers</th>"
        f"<th scope='col'>Results per role</th></tr></thead><tbody>{rows}</tbody></table>"
    ]
    if breakdown.note:
        parts.append(f"<p class='coprod-note'>{escape(breakdown.note)}</p>")
    shown = breakdown.shown
    if shown:
        titles = [p.title for p in shown[0].principles]
        head = "".join(f"<th scope='col'>{escape(g.role)} (median)</th>" for g in shown)
        body = "".join(
            f"<tr><th scope='row'>{escape(title)}</th>"
            + "".join(
                "<td>held back</td>"
                if g.principles[i].held_back
                else f"<td>{_f(g.principles[i].median)}</td>"
                for g in shown
            )
            + "</tr>"
            for i, title in enumerate(titles)
        )
        parts.append(
            "<table class='coprod-table'><caption>Median of member scores per principle, by "
            f"role (roles with at least {need} answers)</caption><thead><tr>"
            f"<th scope='col'>Principle</th>{head}</tr></thead><tbody>{body}</tbody></table>"
        )
    return "".join(parts)


def _change(x: float | None) -> str:
    if x is None:
        return "–"
    return "no change" if abs(x) < 0.05 else f"{x:+.1f}"


def trends_html(series: list[RoundResults]) -> tuple[str, tuple[Figure, ...]]:
    """Per principle across the rounds (two or more): a line chart and a table; the first round
    against the latest as a radar and a table."""
    shown = [r for r in series if r.shown]
    notes = "".join(f"<p class='coprod-note'>{escape(n)}</p>" for n in version_changes(series))
    ts = trends(series)
    parts = [notes]
    if len(shown) < 2:
        parts.append(
            "<p>Trends appear once at least two rounds have had enough answers to show results.</p>"
        )
        return "".join(parts), ()
    latest = series[-1].framework
    label = "Line chart of each principle's median across the rounds. " + "; ".join(
        f"{t.title}: " + ", ".join(f"round {p.round_id} {_f(p.median)}" for p in t.shown_points)
        for t in ts
    )
    head = "".join(
        f"<th scope='col'>Round {r.round.id}<br>{escape(r.round.created_at[:10])}</th>"
        for r in series
    )
    rows = []
    for t in ts:
        by_round = {p.round_id: p for p in t.points}
        cells = []
        for r in series:
            p = by_round.get(r.round.id)
            if p is None:
                cells.append("<td>not asked</td>")
            elif not p.shown:
                cells.append("<td>too few answers</td>")
            else:
                cells.append(f"<td>{_f(p.median)} <small>(spread {_f(p.spread)})</small></td>")
        rows.append(f"<tr><th scope='row'>{escape(t.title)}</th>{''.join(cells)}</tr>")
    line = Figure(
        trend_svg(ts, latest.scale.minimum, latest.scale.maximum, label),
        label,
        "Median of member scores per principle in each round with enough answers. "
        "A break in a line marks a change in that principle's statements.",
    )
    parts.append(
        f"<div class='coprod-figure'>{_figure(line)}"
        "<table class='coprod-table'><caption>Median (and spread) per principle in each round"
        f"</caption><thead><tr><th scope='col'>Principle</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    first, last = shown[0], shown[-1]
    firsts = {p.principle_id: p for p in first.principles}
    radar_label = (
        f"Radar chart comparing the first round ({first.round.created_at[:10]}) with the latest "
        f"({last.round.created_at[:10]}). "
        + "; ".join(
            f"{p.title}: {_f(firsts[p.principle_id].median) if p.principle_id in firsts else 'not asked'} "
            f"then, {_f(p.median)} now"
            for p in last.principles
        )
    )
    cmp_rows = "".join(
        f"<tr><th scope='row'>{escape(p.title)}</th>"
        f"<td>{_f(firsts[p.principle_id].median) if p.principle_id in firsts else 'not asked'}</td>"
        f"<td>{_f(p.median)}</td>"
        f"<td>{_change(p.median - cast(float, firsts[p.principle_id].median)) if p.principle_id in firsts and p.median is not None and firsts[p.principle_id].median is not None and comparable(first.framework, last.framework, p.principle_id) else 'not comparable'}</td></tr>"
        for p in last.principles
    )
    radar = Figure(
        compare_radar_svg(first, last, radar_label),
        radar_label,
        "Median per principle in the first and the latest round with enough answers.",
    )
    parts.append(
        f"<h3>First round against the latest</h3><div class='coprod-figure'>{_figure(radar)}"
        "<table class='coprod-table'><caption>First and latest round, median per principle"
        "</caption><thead><tr><th scope='col'>Principle</th><th scope='col'>First</th>"
        "<th scope='col'>Latest</th><th scope='col'>Change</th></tr></thead>"
        f"<tbody>{cmp_rows}</tbody></table></div>"
    )
    return "".join(parts), (line, radar)


def effects_html(effs: tuple[Effect, ...] | list[Effect]) -> str:
    """Beside each action (with who leads it and by when): its principle's median and spread
    in its round and the next."""
    rows = []
    for e in effs:
        a = e.action
        if e.compared:
            moved = (
                f"median {_f(e.before.median)} → {_f(e.after.median)} "  # type: ignore[union-attr]
                f"({_change(e.median_change)}); spread {_f(e.before.spread)} → "  # type: ignore[union-attr]
                f"{_f(e.after.spread)} ({_change(e.spread_change)})"  # type: ignore[union-attr]
            )
        else:
            moved = f"not compared: {escape(e.reason)}"
        rows.append(
            f"<tr><td>{escape(a.what)}{_who_when(a)}</td><td>{escape(e.title)}</td>"
            f"<td>{escape(STATUSES.get(a.status, a.status))}</td>"
            f"<td>{escape(HELPED.get(a.helped, a.helped))}{_note(a)}</td><td>{moved}</td></tr>"
        )
    return (
        "<table class='coprod-table'><caption>Each action, and its principle's median and "
        "spread in the round it was agreed on and the next round</caption><thead><tr>"
        "<th scope='col'>Action</th><th scope='col'>Principle</th><th scope='col'>Status</th>"
        "<th scope='col'>Did it help? (the team's view)</th><th scope='col'>What moved</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "<p class='coprod-note'>A change after an action does not prove the action caused it; "
        "it is a prompt for the team's conversation.</p>"
    )


def _note(a: Action) -> str:
    return f"<br><small>{escape(a.review_note)}</small>" if a.review_note else ""


def _who_when(a: Action) -> str:
    extra = ", ".join(
        x
        for x in (
            f"led by {escape(a.lead)}" if a.lead else "",
            f"by {escape(a.due)}" if a.due else "",
        )
        if x
    )
    return f" <small>({extra})</small>" if extra else ""


NO_ACTIONS = "No actions have been agreed on this round yet."


def actions_html(actions: tuple[Action, ...], framework_titles: dict[str, str]) -> str:
    """The actions agreed on a round, as a table (the page shows them as editors instead)."""
    if not actions:
        return f"<p>{NO_ACTIONS}</p>"
    rows = "".join(
        f"<tr><td>{escape(a.what)}</td>"
        f"<td>{escape(framework_titles.get(a.principle_id, a.principle_id))}</td>"
        f"<td>{escape(a.lead) or '–'}</td><td>{escape(a.due) or '–'}</td>"
        f"<td>{escape(STATUSES.get(a.status, a.status))}</td></tr>"
        for a in actions
    )
    return (
        "<table class='coprod-table'><caption>Actions agreed on this round's results</caption>"
        "<thead><tr><th scope='col'>What</th><th scope='col'>Principle</th>"
        "<th scope='col'>Who leads</th><th scope='col'>By when</th><th scope='col'>Status</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )
