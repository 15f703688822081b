"""JSON bodies of the catalog and metric endpoints (the compare endpoint serves
`report_to_dict` unchanged)."""

from __future__ import annotations

from typing import Any

from pairwatch.analytics.stats import ChangesResult, changes_table
from pairwatch.catalog import Catalog
from pairwatch.domain import Metric, MetricSeries, Pair
from pairwatch.web.slugs import pair_slug


def metric_dict(metric: Metric) -> dict[str, Any]:
    """A catalog metric's fields."""
    return {
        "id": metric.id,
        "name": metric.name,
        "label": metric.label,
        "source": str(metric.source),
        "fallback": None if metric.fallback is None else str(metric.fallback),
        "quote": None if metric.quote is None else str(metric.quote),
        "frequency": metric.frequency.value,
        "change": metric.change.value,
        "unit": metric.unit,
        "asset_class": metric.asset_class.value,
        "risk_role": metric.risk_role.value,
        "description": metric.description,
    }


def pair_dict(pair: Pair) -> dict[str, Any]:
    """A curated pair's fields, with its slug."""
    return {
        "a": pair.a,
        "b": pair.b,
        "slug": pair_slug(pair.a, pair.b),
        "title": pair.title,
        "gauge": pair.gauge,
        "why": pair.why,
        "reading": pair.reading,
    }


def catalog_dict(catalog: Catalog) -> dict[str, Any]:
    """Every metric and curated pair."""
    return {
        "metrics": [metric_dict(m) for m in catalog],
        "pairs": [pair_dict(p) for p in catalog.pairs],
    }


def changes_dict(row: ChangesResult) -> dict[str, Any]:
    """A changes-table row with the keys of the compare JSON's [changes]."""
    return {
        "last": row.last,
        "date": row.date.isoformat(),
        "1d": row.one_day,
        "1w": row.one_week,
        "1m": row.one_month,
        "3m": row.three_months,
        "1y": row.one_year,
        "ytd": row.ytd,
    }


def metric_detail(series: MetricSeries, catalog: Catalog, data_version: int) -> dict[str, Any]:
    """A metric's metadata, latest observation and changes (null when nothing is stored)."""
    metric, levels = series.metric, series.levels
    detail: dict[str, Any] = {
        "metric": metric_dict(metric),
        "latest": None,
        "changes": None,
        "first_date": None,
        "observations": len(levels),
        "synthetic": series.synthetic,
        "sources": list(series.sources),
        "data_version": data_version,
        "pairs": [pair_slug(p.a, p.b) for p in catalog.pairs_with(metric.id)],
        "notes": {},
    }
    if levels.empty:
        detail["notes"]["data"] = f"no data yet: run pairwatch fetch {metric.id}"
        return detail
    detail["latest"] = {
        "date": levels.index[-1].date().isoformat(),
        "close": float(levels["close"].iloc[-1]),
        "adj": float(levels["adj"].iloc[-1]),
    }
    detail["changes"] = changes_dict(changes_table(series.close, metric.change))
    detail["first_date"] = levels.index[0].date().isoformat()
    return detail
