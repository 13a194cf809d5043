"""What every bench part shares: a figure beside its baseline, timing, the table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Figure = dict[str, Any]


def figure(
    part: str,
    metric: str,
    ours: float,
    baseline: float,
    against: str,
    *,
    unit: str = "s",
    ratio: str = "ours/baseline",
    target: str | None = None,
    samples: dict[str, list[float]] | None = None,
) -> Figure:
    """One measure beside its baseline from the same run, and their ratio.

    ratio "ours/baseline" (lower is better: a cost against a bare one) or "baseline/ours"
    (higher is better: how many times faster than the baseline)."""
    if ratio == "ours/baseline":
        value = ours / baseline if baseline else float("nan")
    else:
        value = baseline / ours if ours else float("nan")
    return {
        "part": part,
        "metric": metric,
        "unit": unit,
        "ours": ours,
        "baseline": baseline,
        "against": against,
        "ratio": value,
        "ratio_is": ratio,
        "target": target,
        "met": met(value, target),
        "samples": samples or {},
    }


def met(value: float, target: str | None) -> bool | None:
    """Whether a ratio meets its target (">= 4", "<= 1.2"); None without one."""
    if not target:
        return None
    op, _, num = target.partition(" ")
    bound = float(num)
    return value >= bound if op == ">=" else value <= bound if op == "<=" else None


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def medians(measures: dict[str, Callable[[], object]], n: int) -> dict[str, list[float]]:
    """Each measure run once to warm up, then n times interleaved (both sides see the same
    load on the machine); the samples, in seconds."""
    for fn in measures.values():
        fn()
    times: dict[str, list[float]] = {k: [] for k in measures}
    for _ in range(n):
        for name, fn in measures.items():
            times[name].append(timed(fn))
    return times


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def fmt(x: float, unit: str) -> str:
    if x != x:  # nan
        return "-"
    if unit == "s":
        return f"{x:.2f} s" if x >= 0.1 else f"{x * 1000:.1f} ms"
    if unit == "ms":
        return f"{x:.1f} ms"
    if unit == "MiB":
        return f"{x:.0f} MiB"
    return f"{x:g}" if isinstance(x, int) or x == int(x) else f"{x:.2f}"


def table(figures: list[Figure]) -> str:
    """The figures as one Markdown table."""
    lines = [
        "| part | metric | ours | baseline | against | ratio | target | met |",
        "|---|---|---:|---:|---|---:|---|---|",
    ]
    for f in figures:
        if "error" in f:
            error = " / ".join(x.strip() for x in str(f["error"]).splitlines() if x.strip())
            error = error.replace("|", "\\|")[:400]
            lines.append(f"| {f['part']} | **failed**: {error} | | | | | | |")
            continue
        r = f["ratio"]
        ratio = "-" if r != r else f"{r:.2f}×" if r >= 0.1 else f"{r:.4f}×"
        ratio += f" ({f['ratio_is']})" if r == r else ""
        ok = {True: "yes", False: "**no**", None: ""}[f["met"]]
        lines.append(
            f"| {f['part']} | {f['metric']} | {fmt(f['ours'], f['unit'])} | "
            f"{fmt(f['baseline'], f['unit'])} | {f['against']} | {ratio} | "
            f"{f['target'] or ''} | {ok} |"
        )
    return "\n".join(lines)
