"""Benchmarks for issue #3 ("Speed"): the full pair report and the all-pairs scan.

    .venv/bin/python bench/run.py [--data ../shared/data] [--repeat 7] [--baseline-repeat 3]
                                  [--only report|scan]

Prints Markdown tables of medians (and ratios measured in the same run) for
docs/benchmarks.md. Run by hand; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from baseline import pandas_scan
from data import ROOT, PairData, Universe, iwm_vix, universe
from sections import PARENTS, section_times

from pairwatch.analytics.panel import build_panel
from pairwatch.analytics.scan import ScanResult, scan_pairs
from pairwatch.services.report import build_report

REPORT_TARGET_MS = 150.0
TOTAL = "build_report total (timed without the wrappers)"
SCAN_TARGET_RATIO = 200.0
WINDOWS: tuple[int | None, ...] = (None, 90)

T = TypeVar("T")


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    """Median wall time of `repeat` calls, after one untimed warm-up call."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _label(window: int | None) -> str:
    """'max' or '90 days'."""
    return "max" if window is None else f"{window} days"


# --- the full report ---


def _report_columns(pair: PairData, repeat: int) -> dict[int | None, dict[str, float]]:
    """Per window: median ms of each section, the rest and the total."""
    columns: dict[int | None, dict[str, float]] = {}
    for window in WINDOWS:
        run = partial(build_report, pair.a, pair.b, window=window, gauge=pair.gauge)
        sections, outside = section_times(run, repeat)
        column = {**sections, "(outside the analytics calls)": outside}
        column[TOTAL] = median_seconds(run, repeat)
        columns[window] = {name: 1e3 * seconds for name, seconds in column.items()}
    return columns


def _ordered(names: list[str], first: dict[str, float]) -> list[str]:
    """Top-level sections by time, slowest first, each followed by its "of which" rows."""
    top = sorted(
        (n for n in names if n not in PARENTS and n != TOTAL),
        key=lambda n: -first[n],
    )
    inside = {name: [n for n in names if PARENTS.get(n) == name] for name in top}
    return [row for name in top for row in [name, *inside[name]]] + [TOTAL]


def report_benchmark(pair: PairData, repeat: int) -> str:
    """Median build_report time per window, and the split between its sections."""
    columns = _report_columns(pair, repeat)
    names = _ordered(list(columns[None]), columns[None])
    rows = [[name] + [f"{columns[w].get(name, 0.0):.2f}" for w in WINDOWS] for name in names]
    rows[-1] = [f"**{cell}**" for cell in rows[-1]]
    panel_rows = len(build_panel(pair.a, pair.b).levels)
    title = (
        f"Full report iwm/vix with vix gauge, {panel_rows} panel rows ({pair.origin}); "
        f"median of {repeat} runs, ms; target < {REPORT_TARGET_MS:.0f} ms"
    )
    header = ["section (analytics call in build_report)"] + [f"window={_label(w)}" for w in WINDOWS]
    return f"### {title}\n\n" + table(header, rows)


# --- the all-pairs scan ---


def _max_difference(scan: ScanResult, base: pd.DataFrame) -> float:
    """Largest relative difference between scan_pairs and the pandas loop (NaN must agree)."""
    got = scan.to_frame()
    worst = 0.0
    for column in ("correlation", "beta_ab", "beta_ba", "zscore"):
        mine, theirs = got[column].to_numpy(), base[column].to_numpy()
        if not np.array_equal(np.isnan(mine), np.isnan(theirs)):
            return math.inf
        ok = ~np.isnan(mine)
        scale = np.maximum(np.abs(theirs[ok]), 1e-12)
        worst = max(worst, float(np.max(np.abs(mine[ok] - theirs[ok]) / scale, initial=0.0)))
    return worst


def median_and_result(run: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Median wall time of `repeat` calls (no warm-up: for slow runs) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(times), result


def _scan_rows(data: Universe, repeat: int, baseline_repeat: int, name: str) -> list[list[str]]:
    """Baseline and scan_pairs on one universe: medians, ratio, agreement."""
    slow, base = median_and_result(
        lambda: pandas_scan(data.levels, data.display, data.kinds, 90), baseline_repeat
    )
    fast, scanned = median_and_result(
        lambda: scan_pairs(data.levels, data.kinds, 90, display=data.display), repeat + 1
    )
    agree = _max_difference(scanned, base)
    return [
        [f"pandas loop, {name}", f"{slow:.2f}", "1", f"{baseline_repeat} runs"],
        [
            f"scan_pairs, {name}",
            f"{fast:.4f}",
            f"**{slow / fast:.0f}x**",
            f"{repeat + 1} runs; max rel. diff vs loop {agree:.1e}",
        ],
    ]


def scan_benchmark(repeat: int, baseline_repeat: int) -> str:
    """19,900 pairs of 200 metrics over 90 days, with and without gaps."""
    rows: list[list[str]] = []
    descriptions = []
    for gaps, name in ((True, "with gaps"), (False, "no gaps")):
        data = universe(gaps=gaps)
        descriptions.append(f"{name}: {data.description}")
        rows += _scan_rows(data, repeat, baseline_repeat, name)
        print(f"  done: {name}", file=sys.stderr)
    title = (
        "Window statistics (correlation, beta both ways, ratio z-score) of all 19,900 pairs "
        f"of 200 metrics, 90 days; target >= {SCAN_TARGET_RATIO:.0f}x"
    )
    notes = "\n".join(f"- {line}" for line in descriptions)
    header = ["case", "median s", "ratio vs baseline", "notes"]
    return f"### {title}\n\n{notes}\n\n" + table(header, rows)


def machine() -> str:
    """Date, CPU count, load, library versions and BLAS threads, for the results page."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{dt.date.today().isoformat()}; {os.cpu_count()} cores ({platform.machine()}), "
        f"load average {load} at start; Python {platform.python_version()}, "
        f"numpy {np.__version__}, pandas {pd.__version__}; "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the result tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--baseline-repeat", type=int, default=3)
    parser.add_argument("--only", choices=["report", "scan"])
    args = parser.parse_args(argv)
    print(f"Machine: {machine()}\n")
    if args.only != "scan":
        print(report_benchmark(iwm_vix(args.data), args.repeat) + "\n", flush=True)
    if args.only != "report":
        print(scan_benchmark(args.repeat, args.baseline_repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
