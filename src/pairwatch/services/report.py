"""The pair report: every figure of STATISTICS.md for two metrics, as one plain object.

`build_report` runs the analytics on two metric series (and an optional regime gauge);
`report_to_dict` lays the result out exactly as STATISTICS.md's JSON, which the CLI's
`--json`, the JSON API and the golden check all share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import pandas as pd

from pairwatch.analytics.backtest import BacktestResult, backtest_to_dict, ratio_timing_backtest
from pairwatch.analytics.divergence import Divergence, divergence_days
from pairwatch.analytics.forecast import LegForecast, forecast_leg, forecast_to_dict
from pairwatch.analytics.hedge import HedgeResult, hedge
from pairwatch.analytics.leadlag import LeadLagResult, window_lead_lag
from pairwatch.analytics.panel import Window, build_panel, select_window, validate_window
from pairwatch.analytics.regimes import RegimesResult, RegimeStats, regimes
from pairwatch.analytics.rolling import ROLLING_CHANGES, window_fit
from pairwatch.analytics.scenarios import ScenariosResult, scenarios, scenarios_to_dict
from pairwatch.analytics.series import ChartSeries, chart_series, chart_series_to_dict
from pairwatch.analytics.signal import SignalResult, signal_reading, signal_to_dict
from pairwatch.analytics.stability import (
    StabilityResult,
    correlation_stability,
    stability_to_dict,
)
from pairwatch.analytics.stats import (
    ROLLING_CORRELATION_CHANGES,
    ChangesResult,
    LegStats,
    RatioStats,
    WindowStats,
    changes_table,
    window_stats,
)
from pairwatch.domain import AssetClass, ChangeKind, MetricSeries, RiskRole
from pairwatch.errors import InsufficientDataError, InvalidRequestError

T = TypeVar("T")

_OUT_OF_SAMPLE_UNIT = f"window days with {ROLLING_CHANGES} earlier panel changes"


@dataclass(frozen=True)
class PairChanges:
    """The changes table of both legs, each on its own series."""

    a: ChangesResult
    b: ChangesResult


@dataclass(frozen=True)
class PairReport:
    """Everything pairwatch knows about one pair over one window, as of one date.

    `window` is N calendar days or None for "max"; `as_of` is the cut-off the series were
    truncated to (None: all data); `end` is the last panel date. A section that could not
    be computed is None and `notes[section]` says why.
    """

    a: str
    b: str
    window: int | None
    as_of: dt.date | None
    end: dt.date
    notes: Mapping[str, str]
    changes: PairChanges
    stats: WindowStats | None
    lead_lag: LeadLagResult | None
    regimes: RegimesResult | None
    hedge: HedgeResult | None
    divergences: tuple[Divergence, ...] | None
    series: ChartSeries | None = None
    stability: StabilityResult | None = None
    scenarios: ScenariosResult | None = None
    signal: SignalResult | None = None
    backtest: BacktestResult | None = None
    forecasts: Mapping[str, LegForecast] | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)


VIX_IDS = frozenset({"vix", "vixcls"})


def truncate(series: MetricSeries, as_of: dt.date | None) -> MetricSeries:
    """The series as it stood on `as_of`: only observations dated on or before it."""
    if as_of is None:
        return series
    levels = series.levels.loc[series.levels.index <= pd.Timestamp(as_of)]
    return replace(series, levels=levels)


def _attempt(
    notes: dict[str, str],
    key: str,
    unit: str,
    compute: Callable[[], T],
    where: str = "window",
) -> T | None:
    """Run one section; on InsufficientDataError record why under notes[key], return None.

    `where` names what was counted: the window, or the whole shared history for the
    sections that use all of it.
    """
    try:
        return compute()
    except InsufficientDataError as err:
        notes[key] = f"needs {err.needed} {unit}, {where} has {err.have}"
        return None


def _rolling_note(notes: dict[str, str], window: Window, stats: WindowStats | None) -> None:
    """Explain a missing rolling_correlation when the window is too short for it."""
    if stats is not None and window.n < ROLLING_CORRELATION_CHANGES:
        notes["rolling_correlation"] = (
            f"needs {ROLLING_CORRELATION_CHANGES} changes, window has {window.n}"
        )


def _regimes(
    notes: dict[str, str], window: Window, gauge: MetricSeries | None
) -> RegimesResult | None:
    """Regimes over the panel, or None with a note when there is no gauge data."""
    if gauge is None or gauge.levels.empty:
        why = "no gauge series given" if gauge is None else f"gauge {gauge.metric.id!r} has no data"
        notes["regimes"] = why
        return None
    return regimes(window.panel, gauge.close, gauge.metric.id)


def _out_of_sample(
    notes: dict[str, str], window: Window
) -> tuple[HedgeResult | None, tuple[Divergence, ...] | None]:
    """Hedge and divergences, which share one rolling fit and one minimum-data rule."""
    fit = _attempt(notes, "hedge", _OUT_OF_SAMPLE_UNIT, lambda: window_fit(window, "hedge"))
    if fit is None:
        notes["divergences"] = notes["hedge"]
        return None, None
    return hedge(window, fit), divergence_days(window, fit)


def _check_request(a: MetricSeries, b: MetricSeries, window: int | None) -> None:
    """Reject a metric compared with itself or a window outside 5..36500."""
    if a.metric.id == b.metric.id:
        raise InvalidRequestError(f"cannot compare {a.metric.id!r} with itself: pick two metrics")
    validate_window(window)


def build_report(
    a: MetricSeries,
    b: MetricSeries,
    *,
    window: int | None = 90,
    gauge: MetricSeries | None = None,
    as_of: dt.date | None = None,
    vix: MetricSeries | None = None,
) -> PairReport:
    """Compute every section of the pair report for a over b.

    `as_of` first truncates a, b, the gauge and `vix` to dates on or before it. `vix` (the
    VIX close for today's signal reading) defaults to the gauge when the gauge is VIX.
    Raises InvalidRequestError (same metric twice, window outside 5..36500), NoDataError
    (a leg with no data) and InsufficientDataError (the legs share fewer than two dates).
    """
    _check_request(a, b, window)
    a, b = truncate(a, as_of), truncate(b, as_of)
    gauge = None if gauge is None else truncate(gauge, as_of)
    vix = _vix(gauge) if vix is None else truncate(vix, as_of)
    win = select_window(build_panel(a, b), window)
    changes = PairChanges(
        changes_table(a.close, a.metric.change), changes_table(b.close, b.metric.change)
    )
    notes: dict[str, str] = {}
    stats = _attempt(notes, "stats", "changes", lambda: window_stats(win))
    _rolling_note(notes, win, stats)
    lead_lag = _attempt(notes, "lead_lag", "changes", lambda: window_lead_lag(win))
    found_regimes = _regimes(notes, win, gauge)
    found_hedge, found = _out_of_sample(notes, win)
    return PairReport(
        a.metric.id,
        b.metric.id,
        win.days,
        as_of,
        win.end,
        notes,
        changes,
        stats,
        lead_lag,
        found_regimes,
        found_hedge,
        found,
        series=chart_series(win, a_unit=a.metric.unit, b_unit=b.metric.unit),
        stability=_attempt(
            notes, "stability", "changes", lambda: _stability(win, gauge), "shared history"
        ),
        scenarios=_attempt(notes, "scenarios", "changes", lambda: _scenarios(win, b, gauge)),
        signal=_signal(notes, a, b, vix),
        backtest=_backtest(notes, win, a, b),
    )


def _risk_leg(a: MetricSeries, b: MetricSeries) -> str | None:
    """'a' or 'b': the first leg whose catalog role is risk-on."""
    for name, series in (("a", a), ("b", b)):
        if series.metric.risk_role is RiskRole.RISK_ON:
            return name
    return None


def _backtest(
    notes: dict[str, str], win: Window, a: MetricSeries, b: MetricSeries
) -> BacktestResult | None:
    """The ratio-timing backtest over the whole panel, where it is defined."""
    leg = _risk_leg(a, b)
    if leg is None:
        notes["backtest"] = "needs a risk-on leg to trade"
        return None
    if not win.panel.both_log:
        notes["backtest"] = "needs two legs with log changes (a ratio)"
        return None
    return _attempt(
        notes,
        "backtest",
        "changes",
        lambda: ratio_timing_backtest(win.panel, leg),
        "shared history",
    )


def is_mean_reverting(series: MetricSeries) -> bool:
    """Levels that revert to a mean: volatility indices, yields, spreads, conditions."""
    return series.metric.asset_class is AssetClass.VOLATILITY or (
        series.metric.change is ChangeKind.DIFF
    )


def leg_forecast(series: MetricSeries, as_of: dt.date | None = None) -> LegForecast:
    """Volatility (and level, where it mean-reverts) forecasts of one leg's own rows."""
    series = truncate(series, as_of)
    return forecast_leg(series, mean_reverting=is_mean_reverting(series))


def _vix(gauge: MetricSeries | None) -> MetricSeries | None:
    """The gauge, when it is a VIX series."""
    return gauge if gauge is not None and gauge.metric.id in VIX_IDS else None


def _stability(win: Window, gauge: MetricSeries | None) -> StabilityResult:
    return correlation_stability(win.panel, None if gauge is None else gauge.close)


def _scenarios(win: Window, b: MetricSeries, gauge: MetricSeries | None) -> ScenariosResult:
    return scenarios(
        win,
        b_is_vol_index=b.metric.asset_class is AssetClass.VOLATILITY,
        b_is_gauge=gauge is not None and gauge.metric.id == b.metric.id,
        gauge=None if gauge is None else gauge.close,
        gauge_id="vix" if gauge is None else gauge.metric.id,
    )


def _signal(
    notes: dict[str, str], a: MetricSeries, b: MetricSeries, vix: MetricSeries | None
) -> SignalResult | None:
    """Today's reading from the risk-on leg's 20-day move and VIX, when both exist."""
    risk = next((s for s in (a, b) if s.metric.risk_role is RiskRole.RISK_ON), None)
    if risk is None:
        notes["signal"] = "needs a risk-on leg (equity, credit or crypto)"
        return None
    if vix is None or vix.levels.empty:
        notes["signal"] = "needs the VIX close (fetch vix)"
        return None
    return _attempt(
        notes,
        "signal",
        "changes",
        lambda: signal_reading(
            risk.adj,
            vix.close,
            risk_id=risk.metric.id,
            vix_id=vix.metric.id,
            kind=risk.metric.change,
        ),
        "history",
    )


# --- JSON layout (STATISTICS.md, "JSON layout"); key order follows the golden file ---


def _iso(day: dt.date) -> str:
    """ISO YYYY-MM-DD."""
    return day.isoformat()


def _changes_dict(row: ChangesResult) -> dict[str, Any]:
    """One leg of the [changes] table."""
    return {
        "last": row.last,
        "date": _iso(row.date),
        "1d": row.one_day,
        "1w": row.one_week,
        "1m": row.one_month,
        "3m": row.three_months,
        "1y": row.one_year,
        "ytd": row.ytd,
    }


def _leg_dict(leg: LegStats) -> dict[str, Any]:
    """One leg's [stats] figures."""
    return {
        "last": leg.last,
        "first": leg.first,
        "change": leg.change,
        "high": leg.high,
        "low": leg.low,
        "volatility": leg.volatility,
        "max_drawdown": leg.max_drawdown,
    }


def _ratio_dict(ratio: RatioStats) -> dict[str, Any]:
    """The [ratio] figures."""
    return {
        "last": ratio.last,
        "mean": ratio.mean,
        "std": ratio.std,
        "min": ratio.min,
        "max": ratio.max,
        "zscore": ratio.zscore,
        "percentile": ratio.percentile,
    }


def _stats_dict(stats: WindowStats) -> dict[str, Any]:
    """The [stats] section; ratio and relative_performance only when both legs are log."""
    ci = None if stats.correlation_ci is None else list(stats.correlation_ci)
    out: dict[str, Any] = {
        "window": "max" if stats.window is None else stats.window,
        "observations": stats.observations,
        "start": _iso(stats.start),
        "end": _iso(stats.end),
        "a": _leg_dict(stats.a),
        "b": _leg_dict(stats.b),
        "correlation": stats.correlation,
        "correlation_ci": ci,
        "spearman": stats.spearman,
        "beta": stats.beta,
        "beta_se": stats.beta_se,
        "r_squared": stats.r_squared,
        "rolling_correlation": stats.rolling_correlation,
    }
    if stats.ratio is not None:
        out["ratio"] = _ratio_dict(stats.ratio)
        out["relative_performance"] = stats.relative_performance
    return out


def _lead_lag_dict(result: LeadLagResult) -> dict[str, Any]:
    """The [lead_lag] section."""
    return {
        "lags": list(result.lags),
        "ccf": list(result.ccf),
        "best_lag": result.best_lag,
        "threshold": result.threshold,
        "significant": result.significant,
        "granger": {"a_leads_b": result.granger.a_leads_b, "b_leads_a": result.granger.b_leads_a},
    }


def _regime_dict(regime: RegimeStats) -> dict[str, Any]:
    """One regime's figures."""
    return {
        "days": regime.days,
        "correlation": regime.correlation,
        "beta": regime.beta,
        "a_mean": regime.a_mean,
        "b_mean": regime.b_mean,
    }


def _hedge_dict(result: HedgeResult) -> dict[str, Any]:
    """The [hedge] section."""
    return {
        "ratio": result.ratio,
        "effectiveness": result.effectiveness,
        "downside_capture": result.downside_capture,
    }


def _divergence_dict(day: Divergence) -> dict[str, Any]:
    """One divergence day."""
    return {
        "date": _iso(day.date),
        "a_change": day.a_change,
        "b_change": day.b_change,
        "expected_a_change": day.expected_a_change,
        "z": day.z,
    }


def _maybe(value: T | None, render: Callable[[T], Any]) -> Any:
    """render(value), or None for a missing section."""
    return None if value is None else render(value)


def report_to_dict(report: PairReport) -> dict[str, Any]:
    """The report as STATISTICS.md's JSON object: same keys, same order, None for missing."""
    regime_map = _maybe(
        report.regimes, lambda r: {n: _regime_dict(s) for n, s in r.by_name().items()}
    )
    return {
        "pair": {"a": report.a, "b": report.b},
        "notes": dict(report.notes),
        "changes": {"a": _changes_dict(report.changes.a), "b": _changes_dict(report.changes.b)},
        "stats": _maybe(report.stats, _stats_dict),
        "lead_lag": _maybe(report.lead_lag, _lead_lag_dict),
        "regimes": regime_map,
        "hedge": _maybe(report.hedge, _hedge_dict),
        "divergences": _maybe(report.divergences, lambda ds: [_divergence_dict(d) for d in ds]),
        "signal": _maybe(report.signal, signal_to_dict),
        "stability": _maybe(report.stability, stability_to_dict),
        "scenarios": _maybe(report.scenarios, scenarios_to_dict),
        "backtest": _maybe(report.backtest, backtest_to_dict),
        "forecasts": _maybe(
            report.forecasts, lambda f: {leg: forecast_to_dict(r) for leg, r in f.items()}
        ),
        **dict(report.extras),
        "series": _maybe(report.series, chart_series_to_dict),
    }


__all__ = [
    "PairChanges",
    "PairReport",
    "build_report",
    "is_mean_reverting",
    "leg_forecast",
    "report_to_dict",
    "truncate",
]
