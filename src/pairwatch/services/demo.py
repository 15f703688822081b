"""Deterministic synthetic history for offline use. Always labelled synthetic; it lives in
its own store file (`demo.sqlite`) so it can never mix with real data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pairwatch.catalog import Catalog
from pairwatch.domain import AssetClass, ChangeKind, Frequency, Metric, Observation
from pairwatch.store import SYNTHETIC_SOURCE, Store

DEMO_SEED = 20_240_601
DEMO_START = dt.date(2015, 1, 2)
DEMO_END = dt.date(2025, 12, 31)


@dataclass(frozen=True, slots=True)
class _Shape:
    """How a synthetic metric loads on the market shock: start level, beta, idiosyncratic vol."""

    level: float
    beta: float
    idio: float


_SHAPES: dict[str, _Shape] = {
    "spy": _Shape(200.0, 1.0, 0.002),
    "iwm": _Shape(115.0, 1.2, 0.006),
    "qqq": _Shape(100.0, 1.15, 0.005),
    "hyg": _Shape(85.0, 0.35, 0.002),
    "lqd": _Shape(115.0, 0.1, 0.003),
    "tlt": _Shape(120.0, -0.3, 0.008),
    "gld": _Shape(115.0, 0.05, 0.008),
    "uup": _Shape(24.0, -0.15, 0.004),
    "kre": _Shape(40.0, 1.3, 0.012),
    "btc": _Shape(300.0, 1.5, 0.035),
    "eth": _Shape(10.0, 1.8, 0.045),
    "dollar": _Shape(110.0, -0.15, 0.003),
    "brent": _Shape(55.0, 0.6, 0.02),
    "dgs10": _Shape(2.2, 0.04, 0.045),
    "dgs2": _Shape(1.0, 0.03, 0.035),
    "t10y2y": _Shape(1.2, 0.01, 0.025),
    "hy-oas": _Shape(5.0, -0.12, 0.03),
    "ig-oas": _Shape(1.5, -0.03, 0.01),
    "nfci": _Shape(-0.4, -0.02, 0.02),
}


def _market(rng: np.random.Generator, days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """A market shock series and a mean-reverting VIX level that rises when it falls."""
    n = len(days)
    shocks = rng.standard_normal(n)
    log_vix = np.empty(n)
    log_vix[0] = np.log(16.0)
    for t in range(1, n):
        noise = -0.75 * shocks[t] + 0.66 * rng.standard_normal()
        log_vix[t] = log_vix[t - 1] + 0.025 * (np.log(17.0) - log_vix[t - 1]) + 0.065 * noise
    vix = np.exp(log_vix)
    daily_vol = np.concatenate([[vix[0]], vix[:-1]]) / 100.0 / np.sqrt(252.0)
    return shocks * daily_vol, vix


def _levels(
    metric: Metric, shape: _Shape, market: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    noise = rng.standard_normal(len(market)) * shape.idio
    if metric.change is ChangeKind.LOG:
        drift = 0.0002 + 0.5 * shape.idio**2
        returns = drift + shape.beta * market + noise
        return np.asarray(shape.level * np.exp(np.cumsum(returns)))
    steps = shape.beta * market * 100.0 + noise
    levels = np.empty(len(steps))
    level = shape.level
    for t, step in enumerate(steps):
        level += 0.004 * (shape.level - level) + step
        levels[t] = level
    return levels


def synthetic_history(catalog: Catalog, seed: int = DEMO_SEED) -> dict[str, list[Observation]]:
    """Synthetic observations for every catalog metric (same seed, same numbers)."""
    rng = np.random.default_rng(seed)
    every_day = pd.date_range(DEMO_START, DEMO_END, freq="D")
    market, vix = _market(rng, every_day)
    weekdays = every_day.day_of_week < 5
    out: dict[str, list[Observation]] = {}
    for metric in catalog:
        levels = _metric_levels(metric, market, vix, rng)
        mask = _calendar(metric, every_day, weekdays)
        out[metric.id] = [
            Observation(d.date(), float(v), float(v))
            for d, v in zip(every_day[mask], levels[mask], strict=True)
        ]
    return out


def _metric_levels(
    metric: Metric, market: np.ndarray, vix: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    if metric.asset_class is AssetClass.VOLATILITY:
        scale = {"vix9d": 0.97, "vix3m": 1.1, "vvix": 5.5, "skew": 7.5}.get(metric.id, 1.0)
        wobble = np.exp(rng.standard_normal(len(vix)) * 0.02)
        return vix * scale * wobble if metric.id not in ("vix", "vixcls") else vix.copy()
    shape = _SHAPES.get(metric.id, _Shape(100.0, 0.5, 0.01))
    return _levels(metric, shape, market, rng)


def _calendar(metric: Metric, days: pd.DatetimeIndex, weekdays: np.ndarray) -> np.ndarray:
    if metric.frequency is Frequency.WEEKLY:
        return np.asarray(days.day_of_week == 4)
    if metric.asset_class is AssetClass.CRYPTO:
        return np.ones(len(days), dtype=bool)
    return weekdays


def load_demo(store: Store, catalog: Catalog, seed: int = DEMO_SEED) -> int:
    """Write the synthetic history into `store` (a demo store); returns rows written."""
    total = 0
    for metric_id, rows in synthetic_history(catalog, seed).items():
        store.delete_metric(metric_id)
        total += store.upsert(metric_id, rows, SYNTHETIC_SOURCE, synthetic=True).added
    return total
