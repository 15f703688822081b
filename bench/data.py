"""Benchmark inputs: the real IWM/VIX history when available, generated data otherwise.

- `iwm_vix(data_dir)`: IWM (Yahoo CSV) and VIX (CBOE CSV) read by the loaders of
  scripts/check_golden.py, or, without the files, a seeded pair of the same length.
- `universe(...)`: many metrics' adjusted and display levels on one calendar-day frame,
  NaN where a metric has no observation, for `scan_pairs`.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import numpy.typing as npt
import pandas as pd
from dateutil.relativedelta import MO  # type: ignore[import-untyped]
from pandas.tseries.holiday import (
    AbstractHolidayCalendar,
    EasterMonday,
    GoodFriday,
    Holiday,
    USFederalHolidayCalendar,
    USLaborDay,
    USMartinLutherKingJr,
    USMemorialDay,
    USPresidentsDay,
    USThanksgivingDay,
    nearest_workday,
    next_monday,
    next_monday_or_tuesday,
)
from pandas.tseries.offsets import DateOffset

from pairwatch.catalog import load_catalog
from pairwatch.domain import ChangeKind, MetricSeries

ROOT = Path(__file__).resolve().parents[1]
GOLDEN_SCRIPT = ROOT / "scripts" / "check_golden.py"
SEED = 20_251_003

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class PairData:
    """Two legs and the regime gauge for the full-report benchmark, and where they came from."""

    a: MetricSeries
    b: MetricSeries
    gauge: MetricSeries
    origin: str


@dataclass(frozen=True)
class Universe:
    """Adjusted and display levels (dates x metrics, NaN = no observation) and change kinds."""

    levels: pd.DataFrame
    display: pd.DataFrame
    kinds: dict[str, ChangeKind]
    description: str


def _golden_loaders() -> ModuleType:
    """scripts/check_golden.py as a module, for its Yahoo and CBOE CSV loaders."""
    spec = importlib.util.spec_from_file_location("check_golden", GOLDEN_SCRIPT)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {GOLDEN_SCRIPT}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generated_iwm_vix(days: int = 6400) -> tuple[MetricSeries, MetricSeries]:
    """A seeded IWM-like price and a mean-reverting VIX-like level on `days` weekdays."""
    catalog, rng = load_catalog(), np.random.default_rng(SEED)
    shocks = rng.standard_normal(days)
    log_vix = np.empty(days)
    log_vix[0] = np.log(18.0)
    noise = -0.7 * shocks + 0.71 * rng.standard_normal(days)
    for t in range(1, days):
        log_vix[t] = log_vix[t - 1] + 0.03 * (np.log(18.0) - log_vix[t - 1]) + 0.07 * noise[t]
    vix = np.exp(log_vix)
    adj = 45.0 * np.exp(np.cumsum(0.0003 + shocks * vix / 100.0 / np.sqrt(252.0)))
    dates = pd.bdate_range("2000-05-26", periods=days, name="date")
    iwm = pd.DataFrame({"close": adj * np.linspace(1.3, 1.0, days), "adj": adj}, index=dates)
    return (
        MetricSeries(catalog.metric("iwm"), iwm, synthetic=True),
        MetricSeries(catalog.metric("vix"), pd.DataFrame({"close": vix, "adj": vix}, dates)),
    )


def iwm_vix(data_dir: Path | None) -> PairData:
    """IWM and VIX (also the gauge) from `data_dir`'s CSVs, or generated if they are absent."""
    files = None if data_dir is None else (data_dir / "IWM.csv", data_dir / "VIX_History.csv")
    if files is None or not all(path.exists() for path in files):
        iwm, vix = _generated_iwm_vix()
        return PairData(iwm, vix, vix, "generated (seeded), 6,400 weekdays")
    loaders, catalog = _golden_loaders(), load_catalog()
    iwm = loaders.load_yahoo(files[0], catalog.metric("iwm"))
    vix = loaders.load_cboe(files[1], catalog.metric("vix"))
    return PairData(iwm, vix, vix, f"real: {files[0]} and {files[1]}")


# --- a universe of many metrics for scan_pairs ---


class _NyseCalendar(AbstractHolidayCalendar):
    """NYSE full-day closures (the federal holidays less Columbus and Veterans Day, plus
    Good Friday)."""

    rules = [  # noqa: RUF012 (pandas' own class attribute)
        Holiday("New Year's Day", month=1, day=1, observance=nearest_workday),
        USMartinLutherKingJr,
        USPresidentsDay,
        GoodFriday,
        USMemorialDay,
        Holiday("Juneteenth", month=6, day=19, observance=nearest_workday),
        Holiday("Independence Day", month=7, day=4, observance=nearest_workday),
        USLaborDay,
        USThanksgivingDay,
        Holiday("Christmas", month=12, day=25, observance=nearest_workday),
    ]


class _LondonCalendar(AbstractHolidayCalendar):
    """England's bank holidays, for a second exchange calendar."""

    rules = [  # noqa: RUF012 (pandas' own class attribute)
        Holiday("New Year's Day", month=1, day=1, observance=next_monday),
        GoodFriday,
        EasterMonday,
        Holiday("Early May", month=5, day=1, offset=DateOffset(weekday=MO(1))),
        Holiday("Spring", month=5, day=31, offset=DateOffset(weekday=MO(-1))),
        Holiday("Summer", month=8, day=31, offset=DateOffset(weekday=MO(-1))),
        Holiday("Christmas", month=12, day=25, observance=next_monday),
        Holiday("Boxing Day", month=12, day=26, observance=next_monday_or_tuesday),
    ]


def _calendars(dates: pd.DatetimeIndex) -> dict[str, BoolArray]:
    """Observed-day masks of the calendars the generated metrics follow."""
    weekdays = np.asarray(dates.day_of_week < 5)
    start, end = dates[0], dates[-1]
    closed = {
        name: dates.isin(calendar().holidays(start, end))
        for name, calendar in (
            ("nyse", _NyseCalendar),
            ("fred", USFederalHolidayCalendar),
            ("london", _LondonCalendar),
        )
    }
    return {
        "nyse": weekdays & ~closed["nyse"],
        "cboe": weekdays,
        "fred": weekdays & ~closed["fred"],
        "london": weekdays & ~closed["london"],
        "crypto": np.ones(len(dates), dtype=bool),
    }


# (calendar, change kind, count): 200 metrics in all.
_LAYOUT = (
    ("nyse", ChangeKind.LOG, 120),
    ("cboe", ChangeKind.LOG, 20),
    ("fred", ChangeKind.DIFF, 30),
    ("london", ChangeKind.LOG, 20),
    ("crypto", ChangeKind.LOG, 10),
)


def _paths(rng: np.random.Generator, days: int, kinds: list[ChangeKind]) -> FloatArray:
    """Factor-model levels (days x metrics): log metrics positive, diff ones around 3."""
    market = rng.normal(0.0, 0.01, days)
    loadings = rng.uniform(-1.0, 1.5, len(kinds))
    moves = market[:, None] * loadings + rng.normal(0.0, 0.01, (days, len(kinds)))
    is_log = np.array([kind == ChangeKind.LOG for kind in kinds])
    levels = np.where(is_log, 100.0 * np.exp(np.cumsum(moves, axis=0)), 0.0)
    rates = 3.0 + np.cumsum(5.0 * moves, axis=0)
    return np.asarray(np.where(is_log, levels, rates), dtype=np.float64)


def _glitches(rng: np.random.Generator, mask: BoolArray, columns: int, last: int) -> None:
    """Drop one to three random observations from the last `last` rows of a few columns."""
    rows = mask.shape[0]
    for column in rng.choice(mask.shape[1], columns, replace=False):
        mask[rng.choice(np.arange(rows - last, rows), rng.integers(1, 4)), column] = False


def universe(metrics: int = 200, trading_days: int = 300, *, gaps: bool = True) -> Universe:
    """`metrics` seeded metrics with about `trading_days` weekdays of history.

    gaps=True: five calendars (NYSE, CBOE, FRED, a London-like one, crypto every day)
    mixed as in `_LAYOUT`, and five NYSE metrics missing a few random recent prints.
    gaps=False: every metric observed on every weekday (one missing-value pattern).
    """
    rng = np.random.default_rng(SEED)
    dates = pd.date_range(end="2025-09-26", periods=trading_days * 7 // 5, freq="D", name="date")
    layout = _LAYOUT if gaps else (("cboe", ChangeKind.LOG, 150), ("cboe", ChangeKind.DIFF, 50))
    calendars, masks, kinds = _calendars(dates), [], []
    for calendar, kind, count in layout:
        masks += [calendars[calendar]] * count
        kinds += [kind] * count
    ids = [f"m{i:03d}" for i in range(metrics)]
    observed = np.column_stack(masks)[:, :metrics]
    if gaps:
        _glitches(rng, observed, 5, 90)
    adj = pd.DataFrame(_paths(rng, len(dates), kinds[:metrics]), index=dates, columns=ids)
    adj = adj.where(observed).dropna(how="all")
    display = adj * np.linspace(1.02, 1.0, len(adj))[:, None]
    text = "5 calendars + 5 metrics with missing prints" if gaps else "no gaps"
    description = f"{metrics} metrics, {len(adj)} dates, {text}"
    return Universe(adj, display, dict(zip(ids, kinds, strict=False)), description)
