"""Load and validate `metrics.toml` and `pairs.toml` (and a user file merged over them)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pairwatch.domain import (
    AssetClass,
    ChangeKind,
    Frequency,
    Metric,
    Pair,
    RiskRole,
    Source,
)
from pairwatch.errors import CatalogError, UnknownMetricError

KNOWN_PROVIDERS = frozenset({"cboe", "fred", "yahoo", "coingecko", "stooq", "import"})


@dataclass(frozen=True)
class Catalog:
    """All metrics by id and all curated pairs, in file order."""

    metrics: Mapping[str, Metric]
    pairs: tuple[Pair, ...]

    def metric(self, metric_id: str) -> Metric:
        """The metric with this id (case-insensitive); UnknownMetricError otherwise."""
        found = self.metrics.get(metric_id.lower())
        if found is None:
            raise UnknownMetricError(metric_id, list(self.metrics))
        return found

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.metrics.values())

    def pair(self, a: str, b: str) -> Pair | None:
        """The curated pair a/b (either order), if there is one."""
        for pair in self.pairs:
            if {pair.a, pair.b} == {a.lower(), b.lower()}:
                return pair
        return None

    def pairs_with(self, metric_id: str) -> tuple[Pair, ...]:
        """Curated pairs that include `metric_id`."""
        return tuple(p for p in self.pairs if metric_id in (p.a, p.b))


def _source(text: object, where: str) -> Source:
    if not isinstance(text, str) or ":" not in text:
        raise CatalogError(f"{where}: expected 'provider:SYMBOL', got {text!r}")
    provider, symbol = text.split(":", 1)
    if provider not in KNOWN_PROVIDERS:
        raise CatalogError(f"{where}: unknown provider {provider!r}")
    return Source(provider, symbol)


def _metric(raw: Mapping[str, Any], origin: str) -> Metric:
    mid = raw.get("id")
    where = f"{origin}: metric {mid!r}"
    if not isinstance(mid, str) or not mid.strip():
        raise CatalogError(f"{where}: missing or empty field 'id'")
    try:
        return Metric(
            id=str(mid).lower(),
            name=str(raw["name"]),
            short_name=str(raw.get("short_name", "")),
            source=_source(raw["source"], where),
            fallback=_source(raw["fallback"], where) if "fallback" in raw else None,
            quote=_source(raw["quote"], where) if "quote" in raw else None,
            frequency=Frequency(raw.get("frequency", "daily")),
            change=ChangeKind(raw["change"]),
            unit=str(raw["unit"]),
            asset_class=AssetClass(raw["asset_class"]),
            risk_role=RiskRole(raw["risk_role"]),
            description=" ".join(str(raw["description"]).split()),
        )
    except KeyError as exc:
        raise CatalogError(f"{where}: missing field {exc.args[0]!r}") from exc
    except ValueError as exc:
        raise CatalogError(f"{where}: {exc}") from exc


def _pair(raw: Mapping[str, Any], origin: str) -> Pair:
    where = f"{origin}: pair {raw.get('a')!r}/{raw.get('b')!r}"
    try:
        return Pair(
            a=str(raw["a"]).lower(),
            b=str(raw["b"]).lower(),
            title=str(raw.get("title", "")),
            why=" ".join(str(raw["why"]).split()),
            reading=" ".join(str(raw["reading"]).split()),
            gauge=str(raw.get("gauge", "vix")).lower(),
        )
    except KeyError as exc:
        raise CatalogError(f"{where}: missing field {exc.args[0]!r}") from exc


def _read_toml(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{origin}: {exc}") from exc


def _builtin(name: str) -> dict[str, Any]:
    text = resources.files("pairwatch.catalog").joinpath(name).read_text("utf-8")
    return _read_toml(text, name)


def load_catalog(user_file: Path | None = None) -> Catalog:
    """The built-in catalog, with a user file's metrics and pairs added or replacing by id."""
    metrics: dict[str, Metric] = {}
    pairs: dict[frozenset[str], Pair] = {}
    layers = [("metrics.toml", _builtin("metrics.toml")), ("pairs.toml", _builtin("pairs.toml"))]
    if user_file is not None:
        try:
            text = user_file.read_text("utf-8")
        except OSError as exc:
            raise CatalogError(f"cannot read catalog file {user_file}: {exc}") from exc
        layers.append((str(user_file), _read_toml(text, str(user_file))))
    for origin, data in layers:
        for raw in data.get("metric", []):
            metric = _metric(raw, origin)
            metrics[metric.id] = metric
        for raw in data.get("pair", []):
            pair = _pair(raw, origin)
            pairs[frozenset((pair.a, pair.b))] = pair
    catalog = Catalog(metrics=metrics, pairs=tuple(pairs.values()))
    _check_pairs(catalog)
    return catalog


def _check_pairs(catalog: Catalog) -> None:
    for pair in catalog.pairs:
        for leg in (pair.a, pair.b, pair.gauge):
            if leg not in catalog.metrics:
                raise CatalogError(f"pair {pair.slug}: unknown metric {leg!r}")
        if pair.a == pair.b:
            raise CatalogError(f"pair {pair.slug}: a metric cannot be compared with itself")
