"""Domain nouns shared by every layer: metrics, pairs, observations, quotes."""

from pairwatch.domain.models import (
    PERIODS_PER_YEAR,
    AssetClass,
    ChangeKind,
    Frequency,
    Metric,
    MetricSeries,
    Observation,
    Pair,
    Quote,
    RiskRole,
    Source,
)

__all__ = [
    "PERIODS_PER_YEAR",
    "AssetClass",
    "ChangeKind",
    "Frequency",
    "Metric",
    "MetricSeries",
    "Observation",
    "Pair",
    "Quote",
    "RiskRole",
    "Source",
]
