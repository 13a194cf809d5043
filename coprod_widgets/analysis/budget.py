"""A plan's budget as pandas tables and a chart: totals per stage and kind of cost, and overall.

Sums are taken in whole pence (integers), so the totals agree to the penny with the model's
hand-checkable arithmetic; pounds appear only when the table is shown. Lines that cannot be
added up (a number that is not a number, a missing rate) are never counted silently: they are
listed beside the totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

import pandas as pd

from ..model.plan import COST_KINDS, STAGES, BudgetLine, money, summarise
from .charts import Figure, _svg, _wrap
from .results import table_html

NO_STAGE = "No stage chosen"
ALL_STAGES = "All stages"
TOTAL = "Total"
KIND_COLOURS = {
    "payment": "#2166ac",
    "expenses": "#67a9cf",
    "venue": "#b2182b",
    "interpreting": "#ef8a62",
    "childcare": "#1b7837",
    "other": "#878787",
}
HATCHES = {"expenses": "//", "interpreting": "\\\\", "other": ".."}


def _stage_title(stage: str) -> str:
    return dict(STAGES).get(stage, NO_STAGE)


def lines_frame(lines: Iterable[BudgetLine]) -> pd.DataFrame:
    """One row per line, counted or not: stage, cost, what for, the sum, its total, a note."""
    rows = [
        {
            "Stage": _stage_title(line.stage),
            "Cost": line.kind_title,
            "What for": line.what,
            "Worked out as": line.sum_text,
            "pence": None if line.total is None else int(line.total * 100),
            "Note": "; ".join(line.problems) or line.note,
        }
        for line in lines
    ]
    df = pd.DataFrame(rows, columns=["Stage", "Cost", "What for", "Worked out as", "pence", "Note"])
    df["pence"] = df["pence"].astype("Int64")
    return df


def totals_frame(lines: Iterable[BudgetLine]) -> pd.DataFrame:
    """Totals in pounds: a row per stage (in the plan's order) and one for all stages; a column
    per kind of cost that has any line, and a Total column. Only lines that add up count."""
    counted = [line for line in lines if line.total is not None]
    if not counted:
        return pd.DataFrame({TOTAL: [0.0]}, index=pd.Index([ALL_STAGES], name="Stage"))
    df = pd.DataFrame(
        {
            "stage": [_stage_title(line.stage) for line in counted],
            "kind": [line.kind_title for line in counted],
            "pence": [int(line.total * 100) for line in counted],  # type: ignore[operator]
        }
    )
    table = df.pivot_table(
        index="stage", columns="kind", values="pence", aggfunc="sum", fill_value=0
    )
    stage_order = [t for _, t in STAGES] + [NO_STAGE]
    kind_order = [t for _, t in COST_KINDS]
    table = table.reindex(
        index=[s for s in stage_order if s in table.index],
        columns=[k for k in kind_order if k in table.columns],
    )
    table[TOTAL] = table.sum(axis=1)
    table.loc[ALL_STAGES] = table.sum(axis=0)
    table.index.name = "Stage"
    table.columns.name = None
    return (table.astype("int64") / 100).astype(float)


def totals_display(totals: pd.DataFrame) -> pd.DataFrame:
    """The totals as text in pounds, with the stage as a column: what the page shows."""
    shown = totals.map(money).reset_index()
    return shown


def budget_chart_svg(totals: pd.DataFrame, label: str) -> str:
    """Stacked horizontal bars: each stage's total, split by kind of cost."""
    stages = [s for s in totals.index if s != ALL_STAGES]
    kinds = [c for c in totals.columns if c != TOTAL]
    fig = Figure(figsize=(7.5, 0.6 * max(len(stages), 1) + 1.4))
    ax = fig.subplots()
    names = [_wrap(s, 22) for s in stages][::-1]
    left = [0.0] * len(stages)
    by_title = {t: k for k, t in COST_KINDS}
    for kind in kinds:
        values = [float(totals.loc[s, kind]) for s in stages][::-1]
        key = by_title.get(kind, "other")
        ax.barh(
            names,
            values,
            left=left,
            color=KIND_COLOURS.get(key, "#4d4d4d"),
            hatch=HATCHES.get(key),
            edgecolor="white",
            label=kind,
        )
        left = [a + b for a, b in zip(left, values)]
    ax.set_xlabel("pounds (£)")
    ax.spines[["top", "right"]].set_visible(False)
    if kinds:
        ax.legend(
            ncol=min(3, len(kinds)),
            loc="upper center",
            bbox_to_anchor=(0.5, -0.3),
            fontsize=8,
            frameon=False,
        )
    return _svg(fig, label)


def chart_label(totals: pd.DataFrame) -> str:
    """The chart's text alternative: every stage's total, then the overall total."""
    parts = [f"{s}: {money(totals.loc[s, TOTAL])}" for s in totals.index if s != ALL_STAGES]
    return (
        "Bar chart of the budget per stage, split by kind of cost. "
        + "; ".join(parts)
        + f". Total {money(totals.loc[ALL_STAGES, TOTAL])}."
    )


def budget_html(lines: Iterable[BudgetLine], *, with_lines: bool = False) -> str:
    """The totals table and chart, and every line left out of them with the reason.

    ``with_lines`` adds a table of every line (for reports, where the inputs are not shown).
    """
    lines = list(lines)
    summary = summarise(lines)
    parts: list[str] = []
    if with_lines and lines:
        frame = lines_frame(lines)
        frame["Total"] = ["" if pd.isna(p) else money(int(p) / 100) for p in frame.pop("pence")]
        frame = frame[["Stage", "Cost", "What for", "Worked out as", "Total", "Note"]]
        parts.append(
            "<div class='coprod-budget-lines'>" + table_html(frame, "Budget lines") + "</div>"
        )
    if not summary.counted:
        parts.append(
            "<p class='coprod-budget-total'>No line adds up yet: the total is "
            "<strong>£0.00</strong>.</p>"
        )
    else:
        totals = totals_frame(lines)
        parts.append(
            f"<p class='coprod-budget-total'>Total: <strong>{money(summary.total)}"
            f"</strong> from {len(summary.counted)} line"
            f"{'s' if len(summary.counted) != 1 else ''}.</p>"
        )
        parts.append(
            "<div class='coprod-figure'><figure>"
            + budget_chart_svg(totals, chart_label(totals))
            + "<figcaption>The budget per stage, split by kind of cost. The table gives the "
            "same figures.</figcaption></figure>"
            + table_html(totals_display(totals), "Budget totals per stage and kind of cost (£)")
            + "</div>"
        )
    if summary.left_out:
        items = "".join(
            f"<li>{escape(line.what or line.kind_title)} ({escape(line.stage_title)}): "
            f"{escape('; '.join(line.problems) or line.note)}</li>"
            for line in summary.left_out
        )
        n = len(summary.left_out)
        parts.append(
            "<div class='coprod-left-out' role='note'><p><strong>"
            f"{n} line{' is' if n == 1 else 's are'} left out of the totals</strong> until "
            f"{'it is' if n == 1 else 'they are'} put right:</p><ul>{items}</ul></div>"
        )
    return "<div class='coprod-budget'>" + "".join(parts) + "</div>"
