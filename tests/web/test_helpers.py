"""Unit tests of the web helpers and the report cache."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest

from pairwatch.catalog import load_catalog
from pairwatch.domain import ChangeKind
from pairwatch.errors import UnknownMetricError
from pairwatch.services.cache import LruCache, ReportCache, compare_cached, report_key
from pairwatch.store import Store
from pairwatch.web import formatting as fmt
from pairwatch.web.attribution import attribution_line
from pairwatch.web.csrf import CsrfSigner
from pairwatch.web.etag import etag_matches, make_etag
from pairwatch.web.faq import PairText, fallback_faq, faq, strength
from pairwatch.web.freshness import is_stale, statistics_end_note
from pairwatch.web.slugs import UnknownPairError, split_slug
from pairwatch.web.sparkline import lines, sparkline
from pairwatch.web.views import page_query, window_links

CATALOG = load_catalog()


# --- formatting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "unit", "text"),
    [
        (0.01234, ChangeKind.LOG, "USD", "+1.23%"),
        (-0.5, "log", "USD", "-50.00%"),
        (0.045, ChangeKind.DIFF, "percent", "+0.045 pp"),
        (-0.2, ChangeKind.DIFF, "standard deviations", "-0.200 sd"),
        (0.0, ChangeKind.DIFF, "index", "+0.000"),
        (None, ChangeKind.LOG, "USD", "—"),
        (float("nan"), ChangeKind.LOG, "USD", "—"),
    ],
)
def test_change_is_signed_with_its_unit(value: Any, kind: Any, unit: str, text: str) -> None:
    assert fmt.change(value, kind, unit) == text


def test_levels_and_figures() -> None:
    assert fmt.level(104512.345) == "104,512.35"
    assert fmt.level(0.012345) == "0.0123"
    assert fmt.signed(-0.6481) == "-0.648"
    assert fmt.pvalue(0.0004) == "<0.001"
    assert fmt.pvalue(0.41234) == "0.412"
    assert fmt.spread(0.2386, "log") == "23.9%"
    assert fmt.tone(-1e-9) == "down" and fmt.tone(None) == "na" and fmt.tone(0.0) == "flat"
    assert fmt.figure(True) == "yes" and fmt.figure(2868) == "2,868"
    assert fmt.figure(1234.5) == "1,234.5" and fmt.figure(0.01234) == "0.0123"


# --- slugs, windows, etags --------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "pair"),
    [
        ("iwm-vs-vix", ("iwm", "vix")),
        ("IWM-vs-VIX", ("iwm", "vix")),
        ("hy-oas-vs-ig-oas", ("hy-oas", "ig-oas")),
        ("iwm-vs-hy-oas", ("iwm", "hy-oas")),
        ("hy-oas-vs-iwm", ("hy-oas", "iwm")),
    ],
)
def test_split_slug_tries_every_split(slug: str, pair: tuple[str, str]) -> None:
    assert split_slug(slug, CATALOG) == pair


def test_split_slug_names_the_unknown_id() -> None:
    with pytest.raises(UnknownMetricError, match="'nope'"):
        split_slug("iwm-vs-nope", CATALOG)
    with pytest.raises(UnknownPairError, match="not a comparison"):
        split_slug("iwm", CATALOG)


def test_window_links_keep_asof_and_mark_the_current_one() -> None:
    links = window_links("/compare/a-vs-b", 90, dt.date(2024, 1, 31), 90)
    assert [link.label for link in links] == ["90d", "1m", "3m", "6m", "1y", "5y", "max"]
    assert links[0].current and links[0].href == "/compare/a-vs-b?asof=2024-01-31"
    assert links[-1].href == "/compare/a-vs-b?window=max&asof=2024-01-31"
    assert page_query(365, None, 365) == ""


def test_etag_matching() -> None:
    tag = make_etag("x", 1)
    assert tag == make_etag("x", 1) != make_etag("x", 2)
    assert tag.startswith('W/"')
    assert etag_matches(tag, tag)
    assert etag_matches(tag.removeprefix("W/"), tag)
    assert etag_matches(f'"a", {tag}', tag)
    assert etag_matches("*", tag)
    assert not etag_matches(None, tag) and not etag_matches('"other"', tag)


def test_csrf_tokens_are_signed_per_form() -> None:
    signer = CsrfSigner("secret")
    token = signer.token()
    assert token == CsrfSigner("secret").token()
    assert signer.valid(token)
    assert not signer.valid(token, form="other")
    assert not CsrfSigner("another").valid(token)
    assert not signer.valid("forged")


# --- sparklines -------------------------------------------------------------------------


def test_sparkline_scales_into_the_box() -> None:
    spark = sparkline([float(v) for v in range(200)], width=100, height=20)
    assert spark is not None
    points = [tuple(map(float, p.split(","))) for p in spark.points[0].split()]
    assert len(points) == 90
    assert points[0] == (0.0, 18.5) and points[-1] == (100.0, 1.5)
    assert spark.low == 110.0 and spark.high == 199.0


def test_lines_share_a_scale_and_skip_gaps() -> None:
    drawn = lines([[1.0, None, 3.0], [2.0, 2.0, 2.0]], 10, 10)
    assert drawn is not None
    assert drawn.points[0] == "0.0,8.5 10.0,1.5"
    assert drawn.points[1] == "0.0,5.0 5.0,5.0 10.0,5.0"
    assert lines([[None]], 10, 10) is None
    flat = sparkline([5.0, 5.0])
    assert flat is not None and flat.points[0] == "0.0,16.0 120.0,16.0"


# --- freshness --------------------------------------------------------------------------


def test_staleness_depends_on_frequency() -> None:
    spy, nfci = CATALOG.metric("spy"), CATALOG.metric("nfci")
    last = dt.date(2025, 12, 26)
    assert not is_stale(spy, last, dt.date(2025, 12, 30))
    assert is_stale(spy, last, dt.date(2025, 12, 31))
    assert not is_stale(nfci, last, dt.date(2026, 1, 5))
    assert is_stale(nfci, last, dt.date(2026, 1, 6))


def test_end_note_explains_each_kind_of_gap() -> None:
    btc, vix, nfci, spy = (CATALOG.metric(m) for m in ("btc", "vix", "nfci", "spy"))
    sun, fri, wed = dt.date(2025, 12, 28), dt.date(2025, 12, 26), dt.date(2025, 12, 31)
    assert statistics_end_note(btc, vix, wed, wed, wed) is None
    crypto = statistics_end_note(btc, vix, sun, fri, fri)
    assert crypto is not None and "BTC trades every day" in crypto and "2025-12-26" in crypto
    weekly = statistics_end_note(nfci, spy, fri, wed, fri)
    assert weekly is not None and "NFCI is weekly" in weekly
    lag = statistics_end_note(spy, vix, wed, fri, fri)
    assert lag is not None and "VIX has no observation after 2025-12-26" in lag


# --- attribution ------------------------------------------------------------------------


def test_attribution_per_provider() -> None:
    hy, btc, vix = CATALOG.metric("hy-oas"), CATALOG.metric("btc"), CATALOG.metric("vix")
    ice = attribution_line(hy, "fred:BAMLH0A0HYM2")
    assert ice.text.startswith("Source: ICE Data Indices, LLC, retrieved from FRED")
    assert ice.url == "https://fred.stlouisfed.org/series/BAMLH0A0HYM2"
    assert "FRED" in attribution_line(CATALOG.metric("dgs10"), "fred:DGS10").text
    assert attribution_line(btc, "coingecko:bitcoin").text == "Data provided by CoinGecko"
    assert "Yahoo Finance" in attribution_line(btc, "yahoo:BTC-USD").text
    assert "Cboe" in attribution_line(vix, "cboe:VIX").text
    assert "Synthetic" in attribution_line(vix, "synthetic:demo").text
    assert "my.csv" in attribution_line(vix, "import:my.csv").text


# --- FAQ --------------------------------------------------------------------------------


def _report() -> dict[str, Any]:
    """A small hand-made report dict with the core sections."""
    return {
        "notes": {},
        "stats": {
            "window": 90,
            "observations": 64,
            "start": "2025-10-03",
            "end": "2025-12-31",
            "correlation": -0.6282,
            "correlation_ci": [-0.758, -0.4505],
            "spearman": -0.618,
            "beta": -0.1136,
            "beta_se": 0.018,
            "r_squared": 0.3946,
        },
        "lead_lag": {
            "lags": list(range(-10, 11)),
            "ccf": [0.0] * 10 + [-0.6282] + [0.1] + [0.0] * 9,
            "best_lag": 0,
            "threshold": 0.3828,
            "significant": True,
            "granger": {"a_leads_b": 0.9, "b_leads_a": 0.03},
        },
        "regimes": {
            "calm": {"days": 1027, "correlation": -0.64},
            "normal": {"days": 1025, "correlation": -0.65},
            "elevated": {"days": 728, "correlation": -0.71},
            "stress": {"days": 88, "correlation": -0.80},
        },
        "hedge": {"ratio": -0.1136, "effectiveness": 0.348, "downside_capture": 0.889},
        "divergences": [
            {
                "date": "2025-10-13",
                "a_change": 0.0389,
                "b_change": -0.0878,
                "expected_a_change": 0.008,
                "z": 2.86,
            },
            {
                "date": "2025-12-01",
                "a_change": 0.0319,
                "b_change": 0.0305,
                "expected_a_change": -0.0019,
                "z": 3.44,
            },
        ],
    }


def test_fallback_faq_quotes_every_figure() -> None:
    text = PairText(CATALOG.metric("iwm"), CATALOG.metric("vix"), "VIX")
    items = fallback_faq(_report(), text)
    assert len(items) == 5
    relation, lead, regimes, divergence, hedge = (item.answer for item in items)
    assert "strong correlation of -0.63 (95% CI -0.76 to -0.45" in relation
    assert "+1.00% move in VIX came with a -0.11% move in IWM" in relation
    assert "lag +0 (on the same day): r = -0.63" in lead
    assert "Only VIX's past helps predict IWM at the 0.05 level" in lead
    assert "in stress markets (VIX 30 or above) r = -0.80 over 88 days" in regimes
    assert "tighter in stress than in calm markets" in regimes
    assert "there were 2 divergence days" in divergence
    assert "The largest, on 2025-12-01" in divergence and "(z = +3.4)" in divergence
    assert "The most recent" not in divergence
    assert "removed 35% of IWM's variance" in hedge and "89% of the time" in hedge


def test_faq_explains_missing_sections() -> None:
    text = PairText(CATALOG.metric("iwm"), CATALOG.metric("vix"), "VIX")
    data = {"notes": {"lead_lag": "needs 30 changes, window has 12"}, "lead_lag": None}
    answers = [item.answer for item in fallback_faq(data, text)]
    assert "needs 30 changes, window has 12" in answers[1]


def test_faq_prefers_the_narrative_section() -> None:
    text = PairText(CATALOG.metric("iwm"), CATALOG.metric("vix"), "VIX")
    data = {**_report(), "narrative": {"faq": [{"question": "Q?", "answer": "A 1."}]}}
    assert [(i.question, i.answer) for i in faq(data, text)] == [("Q?", "A 1.")]


def test_strength_words() -> None:
    assert [strength(r) for r in (0.05, -0.2, 0.4, -0.6, 0.9)] == [
        "negligible",
        "weak",
        "moderate",
        "strong",
        "very strong",
    ]


# --- the caches -------------------------------------------------------------------------


def test_lru_evicts_the_least_recently_used() -> None:
    lru: LruCache[str, int] = LruCache(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1
    lru.put("c", 3)
    assert "b" not in lru and "a" in lru and "c" in lru
    with pytest.raises(ValueError, match="at least 1"):
        LruCache(0)


def test_concurrent_misses_compute_once() -> None:
    lru: LruCache[str, int] = LruCache(4)
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(lru.get_or_compute("k", slow)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [42] * 8
    assert len(calls) == 1


def test_report_cache_keys_on_data_versions(demo_store: Store) -> None:
    cache = ReportCache(maxsize=8)
    first = compare_cached(demo_store, CATALOG, cache, "iwm", "vix", 90, forecasts=False)
    again = compare_cached(demo_store, CATALOG, cache, "IWM", "vix", 90, forecasts=False)
    assert again is first
    other = compare_cached(demo_store, CATALOG, cache, "iwm", "vix", 30, forecasts=False)
    assert other is not first
    key = report_key(demo_store, CATALOG, "iwm", "vix", 90)
    assert key.gauge == "vix" and len(key.versions) == 4
    demo_store.delete_metric("vix")
    assert report_key(demo_store, CATALOG, "iwm", "vix", 90) != key
