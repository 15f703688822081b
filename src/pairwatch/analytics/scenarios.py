"""Scenarios: what A would do if B moved, and what the pair did in past stress episodes.

(a) The shock table moves B by -2 .. +3 standard deviations of its window changes (and by
natural units: +5 and +10 points for a volatility index, -10% for any other log leg) and
reads A's expected move off the OLS line of A's changes on B's, with a 90% prediction
interval; when B is the regime gauge it also reads it off the line fitted in the regime
the shocked level would land in. (b) The stress replay measures each leg, and the pair's
correlation, over fixed historical episodes and the gauge's largest 20-day rise.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from pairwatch.analytics.panel import Panel, Window, day, require_nobs
from pairwatch.analytics.regimes import (
    NO_REGIME,
    REGIME_MIN_DAYS,
    REGIME_NAMES,
    classify,
    gauge_asof,
)
from pairwatch.analytics.stats import (
    STATS_MIN_CHANGES,
    FloatArray,
    correlation,
    max_drawdown,
    total_change,
)
from pairwatch.domain import ChangeKind

SHOCK_SDS = (-2.0, -1.0, 1.0, 2.0, 3.0)
VOL_INDEX_POINTS = (5.0, 10.0)
PRICE_DROP = -0.10
CONFIDENCE = 0.90

EPISODE_MIN_ROWS = 5
EPISODE_MIN_CHANGES = 5
SPIKE_ROWS = 20
SPIKE_KEY = "largest_gauge_rise"

# (key, name, first day, last day), both days inclusive.
STRESS_EPISODES: tuple[tuple[str, str, dt.date, dt.date], ...] = (
    ("gfc", "Global financial crisis", dt.date(2008, 9, 1), dt.date(2008, 11, 30)),
    ("us_downgrade", "US downgrade", dt.date(2011, 7, 22), dt.date(2011, 8, 31)),
    ("china_deval", "China devaluation", dt.date(2015, 8, 10), dt.date(2015, 8, 31)),
    ("volmageddon", "Volmageddon", dt.date(2018, 1, 26), dt.date(2018, 2, 9)),
    ("covid", "COVID crash", dt.date(2020, 2, 19), dt.date(2020, 3, 23)),
    ("bear_2022", "2022 bear market", dt.date(2022, 1, 3), dt.date(2022, 10, 12)),
)


# --- (a) the shock table ------------------------------------------------------------


@dataclass(frozen=True)
class LineFit:
    """OLS of y on x with intercept, with what a prediction interval needs.

    `scale` is s = sqrt(SSR / (n - 2)); `x_mean` and `sxx` = sum((x - mean x)^2) give the
    distance term of the standard error of prediction.
    """

    alpha: float
    beta: float
    scale: float
    nobs: int
    x_mean: float
    sxx: float


@dataclass(frozen=True)
class Move:
    """A's projected move: the expected change and its prediction interval.

    change/lower/upper are in A's change units (log change or difference); the percent
    fields are exp(x) - 1 for a log leg and None for a diff leg.
    """

    change: float
    lower: float
    upper: float
    percent: float | None
    percent_lower: float | None
    percent_upper: float | None


@dataclass(frozen=True)
class Shock:
    """One row of the shock table.

    `kind` is "sd" (size in standard deviations of B's window changes), "points" (size in
    B's display units) or "percent" (size as a fraction, -0.10 for a 10% drop).
    `b_change` is B's move in change units, `b_percent` exp(b_change) - 1 for a log B,
    `b_level` B's display level after the move. `a` comes from the whole window's fit;
    `regime`, `regime_days` and `regime_a` from the regime the shocked gauge lands in
    (None unless B is the gauge; `regime_a` None when that regime has under 20 days).
    """

    label: str
    kind: str
    size: float
    b_change: float
    b_percent: float | None
    b_level: float
    a: Move | None
    regime: str | None
    regime_days: int | None
    regime_a: Move | None


@dataclass(frozen=True)
class ShockTable:
    """The window's fit of A's changes on B's and A's projected move under each shock.

    alpha and beta are None when B did not move in the window. `gauge_level` is the
    gauge's level at the window end when B is the gauge, else None.
    """

    start: dt.date
    end: dt.date
    nobs: int
    confidence: float
    alpha: float | None
    beta: float | None
    b_sd: float
    b_last: float
    gauge_level: float | None
    shocks: tuple[Shock, ...]


def fit_line(y: FloatArray, x: FloatArray) -> LineFit | None:
    """OLS of y on x with intercept; None when x is constant or there are under 3 points."""
    xc = x - x.mean()
    sxx = float(np.dot(xc, xc))
    if len(x) < 3 or sxx == 0.0:
        return None
    slope = float(np.dot(xc, y - y.mean())) / sxx
    alpha = float(y.mean()) - slope * float(x.mean())
    resid = y - alpha - slope * x
    scale = math.sqrt(float(np.dot(resid, resid)) / (len(x) - 2))
    return LineFit(alpha, slope, scale, len(x), float(x.mean()), sxx)


def prediction(
    fit: LineFit, x0: float, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """(expected, lower, upper): alpha + beta x0 and its OLS prediction interval.

    The interval is expected -/+ t(n - 2) x s x sqrt(1 + 1/n + (x0 - mean x)^2 / Sxx): the
    spread of a new observation, not just of the fitted line.
    """
    expected = fit.alpha + fit.beta * x0
    distance = (x0 - fit.x_mean) ** 2 / fit.sxx
    se = fit.scale * math.sqrt(1.0 + 1.0 / fit.nobs + distance)
    half = float(sps.t.ppf(0.5 + confidence / 2.0, fit.nobs - 2)) * se
    return expected, expected - half, expected + half


def _percent(change: float, kind: ChangeKind) -> float | None:
    """exp(change) - 1 for a log leg (a simple return), None for a diff leg."""
    return math.expm1(change) if kind == ChangeKind.LOG else None


def project(fit: LineFit | None, shock: float, a_kind: ChangeKind) -> Move | None:
    """A's expected move and 90% interval for B's change `shock`; None without a fit."""
    if fit is None:
        return None
    mid, lo, hi = prediction(fit, shock)
    pct = (_percent(mid, a_kind), _percent(lo, a_kind), _percent(hi, a_kind))
    return Move(mid, lo, hi, *pct)


def shocked_level(level: float, shock: float, kind: ChangeKind) -> float:
    """A level after a change: level x exp(shock) for log, level + shock for diff."""
    return level * math.exp(shock) if kind == ChangeKind.LOG else level + shock


def _shock_specs(
    b_sd: float, b_last: float, kind: ChangeKind, vol_index: bool
) -> list[tuple[str, str, float, float]]:
    """(label, kind, size, B's change) of every shock applied to B."""
    specs = [(f"{k:+g} sd", "sd", k, k * b_sd) for k in SHOCK_SDS]
    if vol_index:
        points = [
            (p, math.log((b_last + p) / b_last) if kind == ChangeKind.LOG else p)
            for p in VOL_INDEX_POINTS
        ]
        specs += [(f"{p:+g} pts", "points", p, move) for p, move in points]
    elif kind == ChangeKind.LOG:
        specs.append((f"{100 * PRICE_DROP:+g}%", "percent", PRICE_DROP, math.log(1.0 + PRICE_DROP)))
    return specs


@dataclass(frozen=True)
class _RegimeFits:
    """The gauge's level at the window end, and each regime's day count and fit."""

    level: float
    days: tuple[int, ...]
    fits: tuple[LineFit | None, ...]


def _regime_fits(panel: Panel, gauge: pd.Series) -> _RegimeFits:
    """Fits of A on B over each regime's change days (the gauge as of the earlier row)."""
    labels = classify(gauge_asof(gauge, panel.levels.index[:-1]))
    ra = panel.changes["a"].to_numpy(np.float64)
    rb = panel.changes["b"].to_numpy(np.float64)
    days = tuple(int(np.count_nonzero(labels == k)) for k in range(len(REGIME_NAMES)))
    fits = tuple(
        fit_line(ra[labels == k], rb[labels == k]) if days[k] >= REGIME_MIN_DAYS else None
        for k in range(len(REGIME_NAMES))
    )
    level = float(gauge_asof(gauge, panel.levels.index[-1:])[0])
    return _RegimeFits(level, days, fits)


@dataclass(frozen=True)
class _GaugeLink:
    """How a shock to B moves the gauge: 1:1 when B is the gauge, else the window's slope
    of the gauge's log changes on B's changes."""

    slope: float
    kind: ChangeKind


def _gauge_link(window: Window, gauge: pd.Series, b_is_gauge: bool) -> _GaugeLink | None:
    """The gauge's response to B over the window (None when it cannot be fitted)."""
    if b_is_gauge:
        return _GaugeLink(1.0, window.panel.b_kind)
    dates = window.levels.index
    levels = gauge_asof(gauge, dates)
    if not np.all(np.isfinite(levels)) or np.any(levels <= 0):
        return None
    fit = fit_line(np.diff(np.log(levels)), window.changes["b"].to_numpy(np.float64))
    return None if fit is None else _GaugeLink(fit.beta, ChangeKind.LOG)


def _in_regime(
    regimes: _RegimeFits | None, link: _GaugeLink | None, shock: float, panel: Panel
) -> tuple[str | None, int | None, Move | None]:
    """Regime name, its days and A's projected move there, for a shock to B."""
    if regimes is None or link is None or not math.isfinite(regimes.level):
        return None, None, None
    level = shocked_level(regimes.level, link.slope * shock, link.kind)
    k = int(classify(np.array([level]))[0])
    if k == NO_REGIME:
        return None, None, None
    return REGIME_NAMES[k], regimes.days[k], project(regimes.fits[k], shock, panel.a_kind)


def _shock_row(
    spec: tuple[str, str, float, float],
    fit: LineFit | None,
    regimes: _RegimeFits | None,
    link: _GaugeLink | None,
    b_last: float,
    panel: Panel,
) -> Shock:
    """One shock table row from its spec and the fits."""
    label, kind, size, move = spec
    regime, days, regime_a = _in_regime(regimes, link, move, panel)
    return Shock(
        label=label,
        kind=kind,
        size=size,
        b_change=move,
        b_percent=_percent(move, panel.b_kind),
        b_level=shocked_level(b_last, move, panel.b_kind),
        a=project(fit, move, panel.a_kind),
        regime=regime,
        regime_days=days,
        regime_a=regime_a,
    )


def shock_table(
    window: Window,
    *,
    b_is_vol_index: bool = False,
    b_is_gauge: bool = False,
    gauge: pd.Series | None = None,
) -> ShockTable:
    """A's projected move under shocks to B, from the window's OLS of rA on rB.

    `b_is_vol_index` (VIX, VIX9D, VVIX, ...) adds +5 and +10 point shocks at B's last
    level; otherwise a log B gets a -10% shock. Each shock is also projected with the fit
    of the regime it lands in: when B is the gauge (`b_is_gauge`; its close series `gauge`,
    or B's own display levels) the shock moves the gauge one for one; otherwise the gauge
    (`gauge`) moves by the window's slope of its log changes on B's changes (a -2 sd SPY day
    lifts VIX by that slope). Without a gauge those columns are None.
    Needs 10 window changes (InsufficientDataError).
    """
    require_nobs(window.n, STATS_MIN_CHANGES, "scenarios")
    panel = window.panel
    ra, rb = window.changes["a"].to_numpy(np.float64), window.changes["b"].to_numpy(np.float64)
    fit = fit_line(ra, rb)
    b_sd = float(np.std(rb, ddof=1))
    b_last = float(window.levels["b_close"].iloc[-1])
    source = panel.levels["b_close"] if gauge is None and b_is_gauge else gauge
    regimes = None if source is None else _regime_fits(panel, source)
    link = None if source is None else _gauge_link(window, source, b_is_gauge)
    specs = _shock_specs(b_sd, b_last, panel.b_kind, b_is_vol_index)
    return ShockTable(
        start=window.start,
        end=window.end,
        nobs=window.n,
        confidence=CONFIDENCE,
        alpha=None if fit is None else fit.alpha,
        beta=None if fit is None else fit.beta,
        b_sd=b_sd,
        b_last=b_last,
        gauge_level=None if regimes is None else _finite(regimes.level),
        shocks=tuple(_shock_row(spec, fit, regimes, link, b_last, panel) for spec in specs),
    )


def _finite(value: float) -> float | None:
    """The value, or None for NaN (a gauge with no history yet)."""
    return value if math.isfinite(value) else None


# --- (b) historical stress episodes ------------------------------------------------


@dataclass(frozen=True)
class EpisodeLeg:
    """One leg over an episode, on adjusted levels.

    log: `change` = last / first - 1, `max_drawdown` = worst fall from a running peak and
    `max_rise` = largest rise from a running trough, as fractions; diff: the same in units.
    """

    change: float
    max_drawdown: float
    max_rise: float


@dataclass(frozen=True)
class StressEpisode:
    """One historical episode replayed on the panel.

    `covered` is False when the panel has under 5 rows in [start, end]; then `first`,
    `last`, `a`, `b` and `correlation` are None. `first`/`last` are the panel rows used.
    `correlation` needs 5 changes inside the episode. `gauge_rise` is set only for the
    gauge's largest 20-row rise.
    """

    key: str
    name: str
    start: dt.date
    end: dt.date
    covered: bool
    rows: int
    first: dt.date | None
    last: dt.date | None
    a: EpisodeLeg | None
    b: EpisodeLeg | None
    correlation: float | None
    gauge_rise: float | None = None


def max_rise(levels: FloatArray, kind: ChangeKind) -> float:
    """Largest rise from a running trough: log as a fraction of the trough, diff in units."""
    trough = np.minimum.accumulate(levels)
    rise = levels / trough - 1.0 if kind == ChangeKind.LOG else levels - trough
    return float(rise.max())


def episode_leg(levels: FloatArray, kind: ChangeKind) -> EpisodeLeg:
    """A leg's change, worst fall and largest rise over an episode's adjusted levels."""
    change = total_change(float(levels[0]), float(levels[-1]), kind)
    return EpisodeLeg(change, max_drawdown(levels, kind), max_rise(levels, kind))


def _episode_correlation(changes: pd.DataFrame) -> float | None:
    """Correlation of the episode's changes; None with under 5 of them."""
    if len(changes) < EPISODE_MIN_CHANGES:
        return None
    return correlation(changes["a"].to_numpy(np.float64), changes["b"].to_numpy(np.float64))


def replay_episode(
    panel: Panel, key: str, name: str, start: dt.date, end: dt.date
) -> StressEpisode:
    """The pair over the panel rows dated start..end (inclusive), if there are 5 of them."""
    index = panel.levels.index
    lo = int(index.searchsorted(pd.Timestamp(start), side="left"))
    hi = int(index.searchsorted(pd.Timestamp(end), side="right"))
    rows = hi - lo
    if rows < EPISODE_MIN_ROWS:
        return StressEpisode(key, name, start, end, False, rows, None, None, None, None, None)
    levels = panel.levels.iloc[lo:hi]
    return StressEpisode(
        key=key,
        name=name,
        start=start,
        end=end,
        covered=True,
        rows=rows,
        first=day(index[lo]),
        last=day(index[hi - 1]),
        a=episode_leg(levels["a_adj"].to_numpy(np.float64), panel.a_kind),
        b=episode_leg(levels["b_adj"].to_numpy(np.float64), panel.b_kind),
        correlation=_episode_correlation(panel.changes.iloc[lo : hi - 1]),
    )


def largest_rise(
    gauge: pd.Series, start: dt.date, end: dt.date
) -> tuple[dt.date, dt.date, float] | None:
    """First date, last date and size (in points) of the gauge's largest 20-row rise.

    Only the gauge's non-missing rows dated start..end count; the earliest of equal rises
    wins. None when there are not 21 such rows.
    """
    dates = gauge.index
    inside = gauge.loc[(dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))].dropna()
    values = inside.to_numpy(np.float64)
    if len(values) <= SPIKE_ROWS:
        return None
    rises = values[SPIKE_ROWS:] - values[:-SPIKE_ROWS]
    pos = int(np.argmax(rises))
    return day(inside.index[pos]), day(inside.index[pos + SPIKE_ROWS]), float(rises[pos])


def _spike_episode(panel: Panel, gauge: pd.Series, gauge_id: str) -> StressEpisode | None:
    """The gauge's largest 20-row rise inside the panel's dates, replayed on the panel."""
    index = panel.levels.index
    found = largest_rise(gauge, day(index[0]), day(index[-1]))
    if found is None:
        return None
    start, end, rise = found
    name = f"Largest {gauge_id.upper()} {SPIKE_ROWS}-day rise"
    return replace(replay_episode(panel, SPIKE_KEY, name, start, end), gauge_rise=rise)


def stress_episodes(
    panel: Panel, gauge: pd.Series | None = None, gauge_id: str = "vix"
) -> tuple[StressEpisode, ...]:
    """Every fixed episode (covered or not), then the gauge's largest 20-day rise.

    The rise episode is the 20-trading-day stretch (21 gauge rows, on the gauge's own
    calendar, inside the panel's date range) over which the gauge rose most in points; it
    is left out when there is no gauge or under 21 gauge rows in that range.
    """
    fixed = tuple(replay_episode(panel, *spec) for spec in STRESS_EPISODES)
    spike = None if gauge is None else _spike_episode(panel, gauge, gauge_id)
    return fixed if spike is None else (*fixed, spike)


@dataclass(frozen=True)
class ScenariosResult:
    """The shock table of a window and the stress replay of its panel."""

    shocks: ShockTable
    episodes: tuple[StressEpisode, ...]


def scenarios(
    window: Window,
    *,
    b_is_vol_index: bool = False,
    b_is_gauge: bool = False,
    gauge: pd.Series | None = None,
    gauge_id: str = "vix",
) -> ScenariosResult:
    """The shock table (see `shock_table`) and the stress replay (see `stress_episodes`).

    `gauge` is the regime gauge's close series: it serves the regime columns when B is the
    gauge, and finds the largest gauge rise for the replay.
    """
    table = shock_table(window, b_is_vol_index=b_is_vol_index, b_is_gauge=b_is_gauge, gauge=gauge)
    return ScenariosResult(table, stress_episodes(window.panel, gauge, gauge_id))


# --- JSON ----------------------------------------------------------------------------


def _iso(value: dt.date | None) -> str | None:
    """ISO date or None."""
    return None if value is None else value.isoformat()


def _move_dict(move: Move | None) -> dict[str, Any] | None:
    """A projected move, or None."""
    if move is None:
        return None
    return {
        "change": move.change,
        "lower": move.lower,
        "upper": move.upper,
        "percent": move.percent,
        "percent_lower": move.percent_lower,
        "percent_upper": move.percent_upper,
    }


def _shock_dict(shock: Shock) -> dict[str, Any]:
    """One shock table row."""
    return {
        "label": shock.label,
        "kind": shock.kind,
        "size": shock.size,
        "b_change": shock.b_change,
        "b_percent": shock.b_percent,
        "b_level": shock.b_level,
        "a": _move_dict(shock.a),
        "regime": shock.regime,
        "regime_days": shock.regime_days,
        "regime_a": _move_dict(shock.regime_a),
    }


def shock_table_to_dict(table: ShockTable) -> dict[str, Any]:
    """The shock table as JSON."""
    return {
        "start": table.start.isoformat(),
        "end": table.end.isoformat(),
        "nobs": table.nobs,
        "confidence": table.confidence,
        "alpha": table.alpha,
        "beta": table.beta,
        "b_sd": table.b_sd,
        "b_last": table.b_last,
        "gauge_level": table.gauge_level,
        "shocks": [_shock_dict(s) for s in table.shocks],
    }


def _leg_dict(leg: EpisodeLeg | None) -> dict[str, Any] | None:
    """One leg over an episode, or None."""
    if leg is None:
        return None
    return {"change": leg.change, "max_drawdown": leg.max_drawdown, "max_rise": leg.max_rise}


def episode_to_dict(episode: StressEpisode) -> dict[str, Any]:
    """One replayed episode as JSON."""
    return {
        "key": episode.key,
        "name": episode.name,
        "start": episode.start.isoformat(),
        "end": episode.end.isoformat(),
        "covered": episode.covered,
        "rows": episode.rows,
        "first": _iso(episode.first),
        "last": _iso(episode.last),
        "a": _leg_dict(episode.a),
        "b": _leg_dict(episode.b),
        "correlation": episode.correlation,
        "gauge_rise": episode.gauge_rise,
    }


def scenarios_to_dict(result: ScenariosResult) -> dict[str, Any]:
    """The scenarios section as JSON: {"shocks": {...}, "episodes": [...]}."""
    return {
        "shocks": shock_table_to_dict(result.shocks),
        "episodes": [episode_to_dict(e) for e in result.episodes],
    }
