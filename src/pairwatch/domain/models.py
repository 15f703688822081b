"""Frozen data objects: what a metric is, one observation, one quote, one stored series."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd


class ChangeKind(StrEnum):
    """How a metric's changes are taken: log returns, or plain differences."""

    LOG = "log"
    DIFF = "diff"


class Frequency(StrEnum):
    """Native sampling of a metric."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


PERIODS_PER_YEAR: dict[Frequency, int] = {
    Frequency.DAILY: 252,
    Frequency.WEEKLY: 52,
    Frequency.MONTHLY: 12,
}


class RiskRole(StrEnum):
    """Whether a metric tends to rise when investors take risk (on) or shed it (off)."""

    RISK_ON = "risk-on"
    RISK_OFF = "risk-off"
    NEUTRAL = "neutral"


class AssetClass(StrEnum):
    """Broad family of a metric."""

    EQUITY = "equity"
    VOLATILITY = "volatility"
    CREDIT = "credit"
    RATES = "rates"
    FX = "fx"
    COMMODITY = "commodity"
    CRYPTO = "crypto"
    MACRO = "macro"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a metric's data comes from: a provider name and that provider's symbol."""

    provider: str
    symbol: str

    def __str__(self) -> str:
        return f"{self.provider}:{self.symbol}"


@dataclass(frozen=True, slots=True)
class Metric:
    """One catalog entry."""

    id: str
    name: str
    source: Source
    frequency: Frequency
    change: ChangeKind
    unit: str
    asset_class: AssetClass
    risk_role: RiskRole
    description: str
    fallback: Source | None = None
    quote: Source | None = None
    short_name: str = ""

    @property
    def label(self) -> str:
        """Short label for tables and charts (e.g. 'IWM')."""
        return self.short_name or self.id.upper()

    @property
    def sources(self) -> tuple[Source, ...]:
        """Primary source first, then the fallback if any."""
        return (self.source,) if self.fallback is None else (self.source, self.fallback)


@dataclass(frozen=True, slots=True)
class Pair:
    """A curated comparison of two metrics, with the reasoning a macro desk writes."""

    a: str
    b: str
    why: str
    reading: str
    title: str = ""
    gauge: str = "vix"

    @property
    def slug(self) -> str:
        """URL form, e.g. 'iwm-vs-vix'."""
        return f"{self.a}-vs-{self.b}"


@dataclass(frozen=True, slots=True)
class Observation:
    """One daily (or weekly) level: the displayed close and, for funds, the adjusted close."""

    date: dt.date
    close: float
    adj_close: float | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """A latest price from a provider's quote endpoint (not history)."""

    symbol: str
    price: float
    as_of: dt.datetime
    previous_close: float | None = None
    currency: str | None = None
    market_state: str | None = None


@dataclass(frozen=True)
class MetricSeries:
    """A metric's stored history as a frame.

    `levels` has a sorted, unique DatetimeIndex named "date" (midnight, no time zone) and
    float64 columns "close" (the displayed level) and "adj" (the level every change, return
    and volatility uses: the adjusted close for funds, the close otherwise).
    """

    metric: Metric
    levels: pd.DataFrame
    source: str = ""
    synthetic: bool = False
    sources: tuple[str, ...] = field(default_factory=tuple)

    @property
    def close(self) -> pd.Series:
        """Displayed levels."""
        return self.levels["close"]

    @property
    def adj(self) -> pd.Series:
        """Levels for returns."""
        return self.levels["adj"]

    @property
    def last_date(self) -> dt.date | None:
        """Date of the last observation, if any."""
        return None if self.levels.empty else self.levels.index[-1].date()
