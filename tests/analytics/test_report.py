"""build_report and report_to_dict: sections, notes, layout, as_of and input errors."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from pairwatch.analytics.divergence import Divergence
from pairwatch.analytics.hedge import HedgeResult
from pairwatch.analytics.leadlag import LeadLagResult
from pairwatch.analytics.regimes import RegimesResult
from pairwatch.analytics.stats import ChangesResult, WindowStats
from pairwatch.domain import ChangeKind, Frequency, MetricSeries
from pairwatch.errors import InsufficientDataError, InvalidRequestError, NoDataError
from pairwatch.services.report import PairReport, build_report, report_to_dict, truncate
from tests.analytics.factories import business_days, log_pair, random_walk, series

LEG_KEYS = ["last", "first", "change", "high", "low", "volatility", "max_drawdown"]
STATS_KEYS = [
    "window",
    "observations",
    "start",
    "end",
    "a",
    "b",
    "correlation",
    "correlation_ci",
    "spearman",
    "beta",
    "beta_se",
    "r_squared",
    "rolling_correlation",
    "ratio",
    "relative_performance",
]


@pytest.fixture
def legs(rng: np.random.Generator) -> tuple[MetricSeries, MetricSeries, MetricSeries]:
    a, b = log_pair(rng, 400, start="2022-01-03")
    gauge_dates = pd.date_range("2021-06-01", "2023-12-29", freq="B")
    gauge = series(
        "vix", gauge_dates, np.clip(18 + np.cumsum(rng.normal(0, 1, len(gauge_dates))), 9, 80)
    )
    return a, b, gauge


@pytest.fixture
def report(legs: tuple[MetricSeries, MetricSeries, MetricSeries]) -> PairReport:
    a, b, gauge = legs
    return build_report(a, b, window=90, gauge=gauge)


def test_report_holds_result_objects(report: PairReport) -> None:
    assert (report.a, report.b, report.window, report.as_of) == ("aaa", "bbb", 90, None)
    assert isinstance(report.changes.a, ChangesResult)
    assert isinstance(report.stats, WindowStats)
    assert isinstance(report.lead_lag, LeadLagResult)
    assert isinstance(report.regimes, RegimesResult)
    assert isinstance(report.hedge, HedgeResult)
    assert report.divergences is not None
    assert all(isinstance(d, Divergence) for d in report.divergences)
    assert set(report.notes) <= {"signal", "backtest"}  # the legs have no risk-on role
    assert report.hedge.ratio == report.stats.beta
    assert report.end == report.stats.end


def test_dict_has_the_documented_keys_in_order(report: PairReport) -> None:
    out = report_to_dict(report)
    assert list(out)[:8] == [
        "pair",
        "notes",
        "changes",
        "stats",
        "lead_lag",
        "regimes",
        "hedge",
        "divergences",
    ]
    assert out["pair"] == {"a": "aaa", "b": "bbb"}
    assert list(out["changes"]["a"]) == ["last", "date", "1d", "1w", "1m", "3m", "1y", "ytd"]
    assert list(out["stats"]) == STATS_KEYS
    assert list(out["stats"]["a"]) == LEG_KEYS == list(out["stats"]["b"])
    assert list(out["stats"]["ratio"]) == [
        "last",
        "mean",
        "std",
        "min",
        "max",
        "zscore",
        "percentile",
    ]
    assert list(out["lead_lag"]) == [
        "lags",
        "ccf",
        "best_lag",
        "threshold",
        "significant",
        "granger",
    ]
    assert list(out["lead_lag"]["granger"]) == ["a_leads_b", "b_leads_a"]
    assert list(out["regimes"]) == ["calm", "normal", "elevated", "stress"]
    assert list(out["regimes"]["calm"]) == ["days", "correlation", "beta", "a_mean", "b_mean"]
    assert list(out["hedge"]) == ["ratio", "effectiveness", "downside_capture"]
    for day in out["divergences"]:
        assert list(day) == ["date", "a_change", "b_change", "expected_a_change", "z"]


def test_dict_is_plain_json_with_iso_dates(report: PairReport) -> None:
    out = report_to_dict(report)
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert out["stats"]["start"] == report.stats.start.isoformat()  # type: ignore[union-attr]
    assert out["stats"]["window"] == 90
    assert out["stats"]["correlation_ci"] == list(report.stats.correlation_ci)  # type: ignore[union-attr,arg-type]
    assert out["lead_lag"]["lags"] == list(range(-10, 11))


def test_max_window_is_written_as_max(legs: tuple[MetricSeries, ...]) -> None:
    a, b, _ = legs
    out = report_to_dict(build_report(a, b, window=None))
    assert out["stats"]["window"] == "max"
    assert out["stats"]["observations"] == 400


def test_diff_leg_drops_ratio_keys(rng: np.random.Generator) -> None:
    dates = business_days(200)
    rate = series("rate", dates, 4 + np.cumsum(rng.normal(0, 0.03, 200)), change=ChangeKind.DIFF)
    fund = series("fund", dates, random_walk(rng, 200))
    stats = report_to_dict(build_report(fund, rate, window=120))["stats"]
    assert "ratio" not in stats and "relative_performance" not in stats
    assert list(stats) == STATS_KEYS[:-2]


def test_regimes_without_gauge_are_null_with_a_note(legs: tuple[MetricSeries, ...]) -> None:
    a, b, _ = legs
    out = report_to_dict(build_report(a, b))
    assert out["regimes"] is None
    assert out["notes"]["regimes"] == "no gauge series given"
    assert set(out["notes"]) <= {"regimes", "signal", "backtest"}


def test_short_window_notes_say_what_is_needed_and_what_is_there(
    legs: tuple[MetricSeries, ...],
) -> None:
    a, b, gauge = legs
    out = report_to_dict(build_report(a, b, window=15, gauge=gauge))  # 11 rows, 10 changes
    assert out["stats"] is not None and out["stats"]["rolling_correlation"] is None
    assert out["lead_lag"] is None
    core = {k: v for k, v in out["notes"].items() if k not in ("signal", "backtest")}
    assert core == {
        "rolling_correlation": "needs 20 changes, window has 10",
        "lead_lag": "needs 30 changes, window has 10",
    }
    # 10 window days, each with far more than 60 earlier panel changes: enough
    assert out["hedge"] is not None and out["divergences"] is not None


def test_stats_note_below_ten_changes(legs: tuple[MetricSeries, ...]) -> None:
    a, b, gauge = legs
    out = report_to_dict(build_report(a, b, window=7, gauge=gauge))
    assert out["stats"] is None
    assert out["notes"]["stats"] == "needs 10 changes, window has 4"
    assert "rolling_correlation" not in out["notes"]


def test_hedge_note_counts_days_with_sixty_earlier_changes(rng: np.random.Generator) -> None:
    a, b = log_pair(rng, 66)
    out = report_to_dict(build_report(a, b, window=None))
    expected = "needs 10 window days with 60 earlier panel changes, window has 5"
    assert out["notes"]["hedge"] == expected == out["notes"]["divergences"]
    assert out["stats"] is not None and out["lead_lag"] is not None


def test_as_of_is_the_report_as_it_was_then(legs: tuple[MetricSeries, ...]) -> None:
    a, b, gauge = legs
    cutoff = dt.date(2023, 1, 31)
    then = build_report(a, b, window=90, gauge=gauge, as_of=cutoff)
    manual = build_report(
        truncate(a, cutoff), truncate(b, cutoff), window=90, gauge=truncate(gauge, cutoff)
    )
    assert then.as_of == cutoff and then.end <= cutoff
    assert report_to_dict(then) == report_to_dict(manual)
    assert then.changes.b.date <= cutoff
    assert report_to_dict(then) != report_to_dict(build_report(a, b, window=90, gauge=gauge))


def test_changes_table_uses_each_leg_own_last_date(rng: np.random.Generator) -> None:
    a = series("aaa", business_days(120), random_walk(rng, 120))
    b = series("bbb", business_days(150), random_walk(rng, 150))
    report = build_report(a, b, window=90)
    assert report.changes.a.date == report.end < report.changes.b.date
    assert report.changes.b.date == b.levels.index[-1].date()


def test_same_metric_twice_is_an_invalid_request(legs: tuple[MetricSeries, ...]) -> None:
    a, _, _ = legs
    with pytest.raises(InvalidRequestError):
        build_report(a, a)


@pytest.mark.parametrize("window", [4, 36501])
def test_window_out_of_range_is_an_invalid_request(
    legs: tuple[MetricSeries, ...], window: int
) -> None:
    a, b, _ = legs
    with pytest.raises(InvalidRequestError, match="5 to 36500"):
        build_report(a, b, window=window)


def test_leg_without_data_raises_no_data(legs: tuple[MetricSeries, ...]) -> None:
    a, b, _ = legs
    with pytest.raises(NoDataError, match="aaa"):
        build_report(a, b, as_of=dt.date(2000, 1, 1))


def test_no_overlap_raises_insufficient_data(rng: np.random.Generator) -> None:
    a = series("aaa", business_days(30, "2020-01-01"), random_walk(rng, 30))
    b = series("bbb", business_days(30, "2021-01-01"), random_walk(rng, 30))
    with pytest.raises(InsufficientDataError, match="aaa: 30 observations"):
        build_report(a, b)


def test_weekly_against_daily_annualises_with_52(rng: np.random.Generator) -> None:
    fridays = pd.date_range("2020-01-03", periods=120, freq="W-FRI")
    days = pd.bdate_range("2019-12-02", "2022-04-30")
    weekly = series("claims", fridays, random_walk(rng, 120, 0.05), frequency=Frequency.WEEKLY)
    daily = series("iwm", days, random_walk(rng, len(days)))
    report = build_report(daily, weekly, window=365)
    assert report.stats is not None
    sampled = daily.adj.reindex(fridays, method="ffill")
    window = sampled.loc[sampled.index > sampled.index[-1] - pd.Timedelta(days=365)]
    expected = np.log(window).diff().std() * np.sqrt(52)
    assert report.stats.a.volatility == pytest.approx(expected, rel=1e-12)
    assert report.stats.observations == len(window) == 53
