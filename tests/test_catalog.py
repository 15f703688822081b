"""The built-in catalog and the user catalog file merged over it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from pairwatch.catalog import Catalog, load_catalog
from pairwatch.domain import ChangeKind, Frequency
from pairwatch.errors import CatalogError

REQUIRED_METRICS = [
    "vix",
    "vix9d",
    "vix3m",
    "vvix",
    "skew",
    "iwm",
    "spy",
    "qqq",
    "hyg",
    "lqd",
    "tlt",
    "gld",
    "uup",
    "kre",
    "vixcls",
    "dgs10",
    "dgs2",
    "t10y2y",
    "hy-oas",
    "ig-oas",
    "dollar",
    "brent",
    "nfci",
    "btc",
    "eth",
]

REQUIRED_PAIRS = [
    ("iwm", "vix"),
    ("spy", "vix"),
    ("qqq", "vix"),
    ("hyg", "vix"),
    ("iwm", "spy"),
    ("iwm", "hy-oas"),
    ("btc", "vix"),
    ("gld", "uup"),
    ("tlt", "spy"),
    ("vix", "vix3m"),
    ("kre", "spy"),
    ("hyg", "lqd"),
    ("dgs10", "spy"),
    ("vvix", "vix"),
    ("brent", "dollar"),
]

# Yields, spreads, the curve and zero-centred indices: their changes are differences.
YIELD_AND_SPREAD_METRICS = ("dgs10", "dgs2", "t10y2y", "hy-oas", "ig-oas", "nfci")

DOCS = Path(__file__).resolve().parents[1] / "docs" / "catalog.md"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"(])")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


METRIC_TOML = """
[[metric]]
id = "{id}"
name = "A test metric"
source = "{source}"
frequency = "daily"
change = "log"
unit = "USD"
asset_class = "equity"
risk_role = "risk-on"
description = "Only used in tests."
"""

PAIR_TOML = """
[[pair]]
a = "{a}"
b = "{b}"
title = "{title}"
why = \"\"\"One. Two. Three.\"\"\"
reading = \"\"\"Rising means one thing.\"\"\"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "user-catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- built-in catalog -----------------------------------------------------------------


def test_builtin_catalog_loads(catalog: Catalog) -> None:
    assert len(catalog.metrics) >= 25
    assert len(catalog.pairs) >= 20


@pytest.mark.parametrize("metric_id", REQUIRED_METRICS)
def test_required_metric_exists(catalog: Catalog, metric_id: str) -> None:
    assert catalog.metric(metric_id).id == metric_id


@pytest.mark.parametrize(
    ("metric_id", "source"),
    [
        ("hy-oas", "fred:BAMLH0A0HYM2"),
        ("ig-oas", "fred:BAMLC0A0CM"),
        ("dollar", "fred:DTWEXBGS"),
        ("brent", "fred:DCOILBRENTEU"),
    ],
)
def test_fred_sources(catalog: Catalog, metric_id: str, source: str) -> None:
    assert str(catalog.metric(metric_id).source) == source


def test_nfci_is_weekly(catalog: Catalog) -> None:
    assert catalog.metric("nfci").frequency is Frequency.WEEKLY


@pytest.mark.parametrize("metric_id", YIELD_AND_SPREAD_METRICS)
def test_yields_and_spreads_use_diff(catalog: Catalog, metric_id: str) -> None:
    assert catalog.metric(metric_id).change is ChangeKind.DIFF


def test_every_percent_unit_uses_diff(catalog: Catalog) -> None:
    rate_like = [
        m for m in catalog if m.unit in ("percent", "percentage points", "standard deviations")
    ]
    assert rate_like
    assert [m.id for m in rate_like if m.change is not ChangeKind.DIFF] == []


@pytest.mark.parametrize(("a", "b"), REQUIRED_PAIRS, ids=[f"{a}/{b}" for a, b in REQUIRED_PAIRS])
def test_required_pair_exists_in_order(catalog: Catalog, a: str, b: str) -> None:
    pair = catalog.pair(a, b)
    assert pair is not None
    assert (pair.a, pair.b) == (a, b)


def test_pairs_are_unique_and_distinct(catalog: Catalog) -> None:
    keys = [frozenset((p.a, p.b)) for p in catalog.pairs]
    assert len(keys) == len(set(keys))
    assert all(len(k) == 2 for k in keys)


def test_every_pair_is_explained(catalog: Catalog) -> None:
    for pair in catalog.pairs:
        assert pair.title, pair.slug
        assert 3 <= len(sentences(pair.why)) <= 5, (pair.slug, sentences(pair.why))
        assert 1 <= len(sentences(pair.reading)) <= 3, (pair.slug, sentences(pair.reading))
        assert "placeholder" not in (pair.why + pair.reading).lower(), pair.slug


def test_diff_pairs_are_not_read_as_ratios(catalog: Catalog) -> None:
    for pair in catalog.pairs:
        legs = (catalog.metric(pair.a), catalog.metric(pair.b))
        if any(m.change is ChangeKind.DIFF for m in legs):
            assert f"{legs[0].label}/{legs[1].label} ratio" not in pair.reading, pair.slug
            assert "no ratio" in pair.reading.lower(), pair.slug


def test_pair_gauges_exist(catalog: Catalog) -> None:
    for pair in catalog.pairs:
        assert pair.gauge in catalog.metrics, pair.slug


# --- user catalog file ----------------------------------------------------------------


def test_user_file_adds_metric_and_replaces_pair(tmp_path: Path) -> None:
    text = (
        METRIC_TOML.format(id="xle", source="yahoo:XLE")
        + PAIR_TOML.format(a="xle", b="brent", title="Energy stocks vs crude")
        + PAIR_TOML.format(a="iwm", b="vix", title="House view")
    )
    builtin = load_catalog()
    merged = load_catalog(write(tmp_path, text))

    assert str(merged.metric("xle").source) == "yahoo:XLE"
    assert len(merged.metrics) == len(builtin.metrics) + 1
    assert merged.pair("xle", "brent") is not None

    replaced = merged.pair("iwm", "vix")
    assert replaced is not None
    assert replaced.title == "House view"
    assert replaced.why == "One. Two. Three."
    assert len(merged.pairs) == len(builtin.pairs) + 1


def test_user_file_replaces_metric_by_id(tmp_path: Path) -> None:
    merged = load_catalog(write(tmp_path, METRIC_TOML.format(id="IWM", source="stooq:iwm.us")))
    assert str(merged.metric("iwm").source) == "stooq:iwm.us"
    assert merged.metric("iwm").fallback is None
    assert len(merged.metrics) == len(load_catalog().metrics)


def test_unknown_provider_names_the_entry(tmp_path: Path) -> None:
    path = write(tmp_path, METRIC_TOML.format(id="xle", source="yahooo:XLE"))
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    message = str(info.value)
    assert "'xle'" in message
    assert "yahooo" in message
    assert str(path) in message


def test_pair_with_unknown_metric_names_the_entry(tmp_path: Path) -> None:
    path = write(tmp_path, PAIR_TOML.format(a="iwm", b="nosuch", title="Broken"))
    with pytest.raises(CatalogError, match=r"iwm-vs-nosuch.*'nosuch'"):
        load_catalog(path)


def test_pair_with_unknown_gauge_names_the_entry(tmp_path: Path) -> None:
    text = PAIR_TOML.format(a="iwm", b="qqq", title="Broken") + 'gauge = "nosuch"\n'
    with pytest.raises(CatalogError, match=r"iwm-vs-qqq.*'nosuch'"):
        load_catalog(write(tmp_path, text))


def test_metric_paired_with_itself_names_the_entry(tmp_path: Path) -> None:
    path = write(tmp_path, PAIR_TOML.format(a="spy", b="spy", title="Broken"))
    with pytest.raises(CatalogError, match=r"spy-vs-spy.*itself"):
        load_catalog(path)


def test_missing_field_names_the_entry(tmp_path: Path) -> None:
    text = METRIC_TOML.format(id="xle", source="yahoo:XLE").replace('unit = "USD"\n', "")
    with pytest.raises(CatalogError, match=r"'xle'.*missing field 'unit'"):
        load_catalog(write(tmp_path, text))


# --- documentation --------------------------------------------------------------------


def test_docs_worked_example_loads(tmp_path: Path) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    example = docs.split("### Worked example", 1)[1]
    block = re.search(r"```toml\n(.*?)```", example, re.DOTALL)
    assert block is not None
    tomllib.loads(block.group(1))
    merged = load_catalog(write(tmp_path, block.group(1)))
    assert "xle" in merged.metrics
    assert merged.pair("xle", "brent") is not None
    iwm_vix = merged.pair("iwm", "vix")
    assert iwm_vix is not None
    assert iwm_vix.title.endswith("(house view)")
