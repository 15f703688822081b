"""Check the pair report for IWM vs VIX (90 days) against STATISTICS.md's golden file.

Reads the real data files (Yahoo's IWM.csv, CBOE's VIX_History.csv), builds the report
with VIX as the regime gauge, and compares every figure with the golden JSON: numbers
within 1e-9 relative (1e-12 absolute near zero), everything else exactly, keys in the same
order. Prints each mismatch; exits 1 if there is any.

    .venv/bin/python scripts/check_golden.py [--data DIR] [--golden FILE]

This is a development check, not part of the test suite: the suite must run on a clean
clone without the shared data.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from pairwatch.catalog import load_catalog
from pairwatch.domain import Metric, MetricSeries
from pairwatch.services.report import build_report, report_to_dict

SHARED = Path("/work/shared")
REL_TOL = 1e-9
ABS_TOL = 1e-12


def _series(metric: Metric, dates: pd.Series, close: pd.Series, adj: pd.Series) -> MetricSeries:
    """A MetricSeries from parsed columns, sorted by date."""
    index = pd.DatetimeIndex(dates, name="date")
    levels = pd.DataFrame({"close": close.to_numpy(float), "adj": adj.to_numpy(float)}, index=index)
    return MetricSeries(metric, levels.sort_index(), source=metric.source.provider)


def load_yahoo(path: Path, metric: Metric) -> MetricSeries:
    """Yahoo history CSV: Date (YYYY-MM-DD), Close = display level, Adj Close = adjusted."""
    frame = pd.read_csv(path)
    dates = pd.to_datetime(frame["Date"], format="%Y-%m-%d")
    return _series(metric, dates, frame["Close"], frame["Adj Close"])


def load_cboe(path: Path, metric: Metric) -> MetricSeries:
    """CBOE history CSV: DATE (MM/DD/YYYY) and CLOSE, the one level of an index."""
    frame = pd.read_csv(path)
    dates = pd.to_datetime(frame["DATE"], format="%m/%d/%Y")
    return _series(metric, dates, frame["CLOSE"], frame["CLOSE"])


def _close(got: Any, want: Any) -> bool:
    """Equal, with a float tolerance; bools and ints must match exactly (and in type)."""
    if isinstance(want, float) and isinstance(got, int | float) and not isinstance(got, bool):
        return math.isclose(got, want, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return type(got) is type(want) and bool(got == want)


def compare(got: Any, want: Any, path: str, problems: list[str]) -> int:
    """Compare got with want recursively; append mismatches; return the figures compared."""
    if isinstance(want, dict):
        # The golden keys must come first, in order; later sections may follow them.
        if not isinstance(got, dict) or list(got)[: len(want)] != list(want):
            keys = list(got) if isinstance(got, dict) else type(got).__name__
            problems.append(f"{path}: keys {keys} != {list(want)}")
            return 0
        return sum(compare(got[k], want[k], f"{path}.{k}", problems) for k in want)
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            problems.append(f"{path}: {got!r} != {want!r}")
            return 0
        return sum(
            compare(g, w, f"{path}[{i}]", problems)
            for i, (g, w) in enumerate(zip(got, want, strict=True))
        )
    if not _close(got, want):
        problems.append(f"{path}: got {got!r}, want {want!r}")
    return 1


def main(argv: list[str] | None = None) -> int:
    """Build the IWM/VIX 90-day report and compare it with the golden file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED / "data")
    parser.add_argument(
        "--golden", type=Path, default=SHARED / "docs" / "golden" / "iwm-vix-90.json"
    )
    args = parser.parse_args(argv)
    catalog = load_catalog()
    iwm = load_yahoo(args.data / "IWM.csv", catalog.metric("iwm"))
    vix = load_cboe(args.data / "VIX_History.csv", catalog.metric("vix"))
    got = report_to_dict(build_report(iwm, vix, window=90, gauge=vix))
    want = json.loads(args.golden.read_text("utf-8"))
    problems: list[str] = []
    figures = compare(got, want, "$", problems)
    for problem in problems:
        print(f"MISMATCH {problem}")
    print(f"{figures - len(problems)} of {figures} figures match; {len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
