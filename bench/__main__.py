"""`python -m bench [PART ...] [--quick] [--json PATH]`: one table and one JSON of every figure
beside its baseline from the same run, with the ratio and the target where there is one."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from .common import ROOT, Figure, table

PARTS = {  # name: (module, what it measures)
    "pages": ("bench_pages", "page time and kernel memory per workbook against a bare page"),
    "burst": ("bench_burst", "8 member pages at once against one alone"),
    "reap": ("bench_reap", "kernels left after 200 dropped page views"),
    "reports": ("bench_reports", "team report and journal exports against nbconvert --execute"),
    "journal": ("bench_journal", "journal search and opening on 10,000 entries"),
    "aggregate": ("bench_aggregate", "1,000,000 ratings aggregated against pandas"),
    "cli": ("bench_cli", "`coprod --help` against `python -c pass`"),
    "autosave": ("bench_autosave", "store writes while typing against one per keystroke"),
    "portfolios": (
        "bench_portfolios",
        "30 portfolios to PDF against nbconvert webpdf per portfolio",
    ),
    "trainer": ("bench_trainer", "the trainer's course page against the team results page"),
    "pg": ("bench_pg", "PostgreSQL against SQLite: journal search, 50 members saving at once"),
}
HERE = Path(__file__).resolve().parent


def parse(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        epilog="parts: " + "; ".join(f"{k}: {v[1]}" for k, v in PARTS.items()),
    )
    ap.add_argument("parts", nargs="*", choices=[[], *PARTS], metavar="PART", help="default: all")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, smaller data")
    ap.add_argument(
        "--json",
        type=Path,
        default=HERE / "results.json",
        metavar="PATH",
        help="where the JSON goes (the Markdown table beside it, .md; "
        "default bench/results.json and bench/RESULTS.md)",
    )
    return ap.parse_args(argv)


def markdown_path(json_path: Path) -> Path:
    default = HERE / "results.json"
    if json_path.resolve() == default:
        return HERE / "RESULTS.md"
    return json_path.with_suffix(".md")


def run_part(name: str, quick: bool) -> list[Figure]:
    module = importlib.import_module(f".{PARTS[name][0]}", __package__)
    try:
        return list(module.figures(quick))
    except Exception as e:  # noqa: BLE001 - a broken part is a row in the table, and exit 1
        traceback.print_exc()
        return [{"part": name, "error": f"{type(e).__name__}: {e}"}]


def write(args: argparse.Namespace, parts: list[str], figures: list[Figure], took: float) -> str:
    """The table and the JSON as they stand (after each part, so a stopped run keeps its figures)."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    done = sorted({f["part"] for f in figures}, key=parts.index)
    head = (
        f"Run {when} on {machine}; load average {load:.1f} at the end; "
        f"{'--quick; ' if args.quick else ''}parts: {' '.join(done)} (of {' '.join(parts)}); "
        f"took {took:.0f} s."
    )
    text = f"{head}\n\n{table(figures)}\n"
    meta = {"when": when, "machine": machine, "load": load, "quick": args.quick, "parts": done}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({**meta, "figures": figures}, indent=1) + "\n")
    markdown_path(args.json).write_text(
        "# Benchmarks\n\n"
        "Every figure beside its baseline, measured in the same run "
        "(ratio: ours/baseline for a cost, lower is better; baseline/ours for a speed-up, "
        "higher is better). Reproduce from the repository root with `python -m bench` "
        "(all parts, several minutes), `python -m bench reports cli` (some parts: "
        f"{', '.join(PARTS)}), `--quick` (fewer repetitions), `--json PATH` "
        "(the JSON there and this table beside it).\n\n" + text
    )
    return text


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    parts = args.parts or list(PARTS)
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    figures: list[Figure] = []
    for name in parts:
        t0 = time.perf_counter()
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        figures += run_part(name, args.quick)
        print(f"bench: {name} took {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
        text = write(args, parts, figures, time.perf_counter() - started)
    print(text)
    print(f"bench: wrote {args.json} and {markdown_path(args.json)}", file=sys.stderr)
    return 1 if any("error" in f for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
