"""scan_pairs: every pair's figures against build_report's [stats] on the same series."""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from pairwatch.analytics.scan import ScanResult, missing_patterns, pair_ends, scan_pairs
from pairwatch.domain import ChangeKind, MetricSeries
from pairwatch.errors import InsufficientDataError, InvalidRequestError
from pairwatch.services.report import build_report
from tests.analytics.factories import random_walk, series

LOG, DIFF = ChangeKind.LOG, ChangeKind.DIFF
REL, ABS = 1e-9, 1e-12


def _universe(rng: np.random.Generator, gaps: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Adjusted and display levels of 9 metrics (6 log, 3 diff) over 300 calendar days.

    With gaps: weekday metrics skip weekends and two calendars of holidays, one metric
    trades every day (crypto), one misses random days, one stops 20 days early, one
    starts late (its pairs have too few window changes) and one never meets it.
    """
    dates = pd.date_range("2024-01-01", periods=300, freq="D")
    kinds = [LOG] * 6 + [DIFF] * 3
    adj = {
        f"m{i}": random_walk(rng, len(dates))
        if kind == LOG
        else np.cumsum(rng.normal(0, 0.05, 300))
        for i, kind in enumerate(kinds)
    }
    levels = pd.DataFrame(adj, index=dates)
    display = levels * np.linspace(0.97, 1.0, len(dates))[:, None]
    if gaps:
        levels = levels.mask(_missing(rng, dates))
    return levels, display.mask(levels.isna())


def _missing(rng: np.random.Generator, dates: pd.DatetimeIndex) -> npt.NDArray[np.bool_]:
    """The gap layout described in `_universe`, True where a metric has no observation."""
    weekend = np.asarray(dates.day_of_week >= 5)
    holidays = np.isin(np.arange(len(dates)), [250, 262, 275])
    other_holidays = np.isin(np.arange(len(dates)), [255, 281])
    missing = np.repeat(weekend[:, None], 9, axis=1)
    missing[:, [0, 1, 6]] |= holidays[:, None]
    missing[:, [2, 7]] |= other_holidays[:, None]
    missing[:, 3] = False  # crypto: every calendar day
    missing[rng.choice(np.arange(200, 300), 8, replace=False), 4] = True
    missing[-20:, 5] = True
    missing[:285, 8] = True  # starts late: about 10 weekdays of history
    return missing


def _series(levels: pd.DataFrame, display: pd.DataFrame, metric_id: str) -> MetricSeries:
    """One column as a MetricSeries on its own observed dates."""
    seen = levels[metric_id].notna()
    kind = LOG if int(metric_id[1:]) < 6 else DIFF
    return series(
        metric_id,
        pd.DatetimeIndex(levels.index[seen]),
        display[metric_id][seen].to_numpy(),
        levels[metric_id][seen].to_numpy(),
        change=kind,
    )


def _kinds(levels: pd.DataFrame) -> dict[str, ChangeKind]:
    """m0..m5 log, m6..m8 diff."""
    return {c: LOG if int(c[1:]) < 6 else DIFF for c in levels.columns}


def _close(got: float | None, want: float | None) -> bool:
    """Both None, or equal within STATISTICS.md's tolerance."""
    if got is None or want is None:
        return got is want
    return math.isclose(got, want, rel_tol=REL, abs_tol=ABS)


def _check_pair(
    result: ScanResult, levels: pd.DataFrame, display: pd.DataFrame, a: str, b: str
) -> None:
    """The scanned figures of a/b equal build_report(a, b).stats, both betas included."""
    one, two = _series(levels, display, a), _series(levels, display, b)
    got = result.pair(a, b)
    if got.nobs == 0:
        with pytest.raises(InsufficientDataError):
            build_report(one, two, window=result.window)
        return
    stats = build_report(one, two, window=result.window).stats
    if stats is None:
        assert got.nobs < 10
        assert (got.correlation, got.beta, got.beta_ba, got.zscore) == (None,) * 4
        return
    assert got.nobs == stats.nobs
    assert _close(got.correlation, stats.correlation)
    assert _close(got.beta, stats.beta)
    assert _close(got.zscore, None if stats.ratio is None else stats.ratio.zscore)
    assert got.beta_ba == result.pair(b, a).beta


@pytest.fixture
def gappy(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _universe(rng, gaps=True)


@pytest.fixture
def full(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _universe(rng, gaps=False)


def test_every_pair_matches_build_report_with_gaps(
    gappy: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    levels, display = gappy
    result = scan_pairs(levels, _kinds(levels), 90, display=display)
    assert len(missing_patterns(levels.notna().to_numpy())) == 6
    counts = result.to_frame()["nobs"]
    assert (counts == 0).any() and counts.between(1, 9).any() and (counts >= 10).sum() > 20
    for a, b in combinations(levels.columns, 2):
        _check_pair(result, levels, display, a, b)


def test_beta_of_b_on_a_matches_the_reversed_report(
    gappy: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    levels, display = gappy
    result = scan_pairs(levels, _kinds(levels), 90, display=display)
    for a, b in [("m1", "m0"), ("m4", "m2"), ("m7", "m3"), ("m6", "m5")]:
        _check_pair(result, levels, display, a, b)


def test_gaps_change_a_pairs_changes_not_just_its_rows(
    gappy: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    levels, display = gappy
    result = scan_pairs(levels, _kinds(levels), 90, display=display)
    # Dropping the gappy rows but keeping each metric's own changes would give this instead.
    own = levels[["m0", "m4"]].apply(np.log).diff().dropna()
    recent = own.loc[own.index > own.index[-1] - pd.Timedelta(days=90)]
    naive = recent["m0"].corr(recent["m4"])
    scanned = result.pair("m0", "m4").correlation
    assert scanned is not None and not math.isclose(scanned, naive, rel_tol=1e-6)


def test_without_gaps_there_is_one_group_and_every_pair_matches(
    full: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    levels, display = full
    assert len(missing_patterns(levels.notna().to_numpy())) == 1
    result = scan_pairs(levels, _kinds(levels), 90, display=display)
    for a, b in [("m0", "m1"), ("m2", "m6"), ("m7", "m8"), ("m5", "m3")]:
        _check_pair(result, levels, display, a, b)


def test_whole_history_window_matches(gappy: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    levels, display = gappy
    result = scan_pairs(levels, _kinds(levels), None, display=display)
    assert result.window is None
    for a, b in [("m0", "m3"), ("m4", "m5"), ("m1", "m7"), ("m8", "m2")]:
        _check_pair(result, levels, display, a, b)


def test_zscore_only_when_both_legs_are_log(gappy: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    levels, display = gappy
    result = scan_pairs(levels, _kinds(levels), 90, display=display)
    assert result.pair("m0", "m1").zscore is not None
    assert result.pair("m0", "m6").zscore is None and result.pair("m6", "m0").zscore is None
    assert result.pair("m6", "m7").zscore is None
    assert result.pair("m6", "m7").correlation is not None


def test_too_few_changes_give_none_and_the_count(gappy: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    levels, display = gappy
    result = scan_pairs(levels, _kinds(levels), 90, display=display)
    late = result.pair("m8", "m0")
    assert 0 < late.nobs < 10
    assert (late.correlation, late.beta, late.beta_ba, late.zscore) == (None,) * 4
    report = build_report(_series(levels, display, "m8"), _series(levels, display, "m0"))
    assert (
        report.stats is None
        and report.notes["stats"] == f"needs 10 changes, window has {late.nobs}"
    )


def test_pairs_that_never_meet_have_no_changes(rng: np.random.Generator) -> None:
    dates = pd.date_range("2024-01-01", periods=60, freq="D")
    weekdays = np.asarray(dates.day_of_week < 5)
    levels = pd.DataFrame({"m0": random_walk(rng, 60), "m1": random_walk(rng, 60)}, index=dates)
    levels = levels.mask(np.column_stack([~weekdays, weekdays]))
    result = scan_pairs(levels, {"m0": LOG, "m1": LOG})
    assert result.pair("m0", "m1").nobs == 0 and result.pair("m0", "m1").correlation is None
    with pytest.raises(InsufficientDataError):
        build_report(_series(levels, levels, "m0"), _series(levels, levels, "m1"))


def test_betas_multiply_to_r_squared_and_correlation_is_symmetric(
    gappy: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    levels, display = gappy
    result = scan_pairs(levels, _kinds(levels), 90, display=display)
    defined = ~np.isnan(result.correlation)
    assert defined.sum() > 40
    np.testing.assert_array_equal(result.correlation, result.correlation.T)
    product = (result.beta * result.beta.T)[defined]
    np.testing.assert_allclose(product, result.correlation[defined] ** 2, rtol=1e-12)
    np.testing.assert_array_equal(result.nobs, result.nobs.T)


def test_frame_has_one_row_per_unordered_pair(gappy: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    levels, display = gappy
    result = scan_pairs(levels, _kinds(levels), 90, display=display)
    frame = result.to_frame()
    assert len(frame) == 36
    assert list(frame.columns) == ["a", "b", "nobs", "correlation", "beta_ab", "beta_ba", "zscore"]
    row = frame[(frame["a"] == "m2") & (frame["b"] == "m4")]
    assert row["beta_ab"].tolist() == [result.pair("m2", "m4").beta]
    assert row["beta_ba"].tolist() == [result.pair("m4", "m2").beta]


def test_results_are_read_only(gappy: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    levels, display = gappy
    result = scan_pairs(levels, _kinds(levels), 90, display=display)
    with pytest.raises(ValueError, match="read-only"):
        result.correlation[0, 1] = 0.0


def test_display_defaults_to_levels(full: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    levels, _ = full
    result = scan_pairs(levels, _kinds(levels), 30)
    q = (levels["m0"] / levels["m1"]).loc[lambda s: s.index > s.index[-1] - pd.Timedelta(days=30)]
    want = (q.iloc[-1] - q.mean()) / q.std()
    assert _close(result.pair("m0", "m1").zscore, want)


def _two(full: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Levels and display of m0 and m1 only."""
    levels, display = full
    return levels[["m0", "m1"]], display[["m0", "m1"]]


def test_every_metric_needs_a_change_kind(full: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    levels, _ = _two(full)
    with pytest.raises(InvalidRequestError, match="no change kind given for m1"):
        scan_pairs(levels, {"m0": LOG})


def test_log_metrics_must_be_positive(full: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    levels, _ = _two(full)
    with pytest.raises(InvalidRequestError, match="levels > 0: m0"):
        scan_pairs(levels.assign(m0=-levels["m0"]), {"m0": LOG, "m1": LOG})


def test_display_must_match_levels(full: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    levels, display = _two(full)
    kinds = {"m0": LOG, "m1": LOG}
    with pytest.raises(InvalidRequestError, match="same dates and columns"):
        scan_pairs(levels, kinds, display=display[["m0"]])
    holed = display.copy()
    holed.iloc[5, 0] = np.nan
    with pytest.raises(InvalidRequestError, match="missing on the same cells"):
        scan_pairs(levels, kinds, display=holed)


def test_dates_must_be_a_sorted_datetime_index(full: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    levels, _ = _two(full)
    kinds = {"m0": LOG, "m1": LOG}
    with pytest.raises(InvalidRequestError, match="DatetimeIndex"):
        scan_pairs(levels.reset_index(drop=True), kinds)
    with pytest.raises(InvalidRequestError, match="sorted and unique"):
        scan_pairs(levels.iloc[::-1], kinds)


def test_window_must_be_in_range(full: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    levels, _ = full
    with pytest.raises(InvalidRequestError, match="from 5 to 36500"):
        scan_pairs(levels, _kinds(levels), 4)


def test_unknown_metric_names_the_scanned_ones(full: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    levels, _ = full
    result = scan_pairs(levels[["m0", "m1"]], _kinds(levels))
    with pytest.raises(InvalidRequestError, match="'zz' was not scanned"):
        result.pair("zz", "m0")


def test_pair_ends_match_a_brute_force_search(rng: np.random.Generator) -> None:
    observed = rng.random((40, 6)) < 0.3
    observed[:, 5] = False
    left, right = np.triu_indices(6, k=1)
    want = [
        max((t for t in range(40) if observed[t, i] and observed[t, j]), default=-1)
        for i, j in zip(left, right, strict=True)
    ]
    assert pair_ends(observed).tolist() == want


def test_a_metric_that_stopped_long_ago_uses_its_own_window(rng: np.random.Generator) -> None:
    dates = pd.bdate_range("2023-01-02", periods=400)
    levels = pd.DataFrame({f"m{i}": random_walk(rng, 400) for i in range(4)}, index=dates)
    levels.loc[dates[-150:], "m2"] = np.nan
    levels.loc[dates[::7], "m3"] = np.nan
    result = scan_pairs(levels, _kinds(levels), 30)
    for a, b in [("m2", "m0"), ("m3", "m2"), ("m1", "m3")]:
        _check_pair(result, levels, levels, a, b)


def test_one_metric_or_no_dates_give_empty_results() -> None:
    empty = pd.DataFrame({"m0": []}, index=pd.DatetimeIndex([]), dtype=float)
    assert scan_pairs(empty, {"m0": LOG}).to_frame().empty
    two = pd.DataFrame({"m0": [], "m1": []}, index=pd.DatetimeIndex([]), dtype=float)
    assert scan_pairs(two, _kinds(two)).pair("m0", "m1").nobs == 0
