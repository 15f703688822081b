"""Route tests of the server-rendered pages over the demo store."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest

from pairwatch.catalog import load_catalog
from pairwatch.services.compare import compare_pair
from pairwatch.services.report import report_to_dict
from pairwatch.store import Store
from tests.web.conftest import CHART_DATA, TestClient, tags

CATALOG = load_catalog()
PAIR_SECTIONS = (
    "overview",
    "charts",
    "why",
    "analysis",
    "statistics",
    "changes",
    "explore",
    "scenarios",
    "faq",
    "related",
    "digest",
    "sources",
)


def chart_data(html: str) -> dict[str, Any]:
    """The JSON payload the page embeds for its charts."""
    found = CHART_DATA.search(html)
    assert found is not None, "page has no chart-data script"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.fixture(scope="module")
def iwm_vix(client: TestClient) -> str:
    """The IWM vs VIX page at the default 90-day window."""
    response = client.get("/compare/iwm-vs-vix")
    assert response.status_code == 200
    return response.text


@pytest.fixture(scope="module")
def iwm_vix_report(demo_file: Any) -> dict[str, Any]:
    """The same report computed directly by the service."""
    store = Store(f"sqlite:///{demo_file}")
    try:
        return report_to_dict(compare_pair(store, CATALOG, "iwm", "vix", 90))
    finally:
        store.close()


# --- home, search, picker ---------------------------------------------------------------


def test_home_lists_every_curated_pair_with_values_and_sparklines(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    for pair in CATALOG.pairs:
        assert f'href="/compare/{pair.slug}"' in html
    assert html.count('<svg class="spark"') == 2 * len(CATALOG.pairs)
    assert "SYNTHETIC DATA" in html
    assert '<form class="picker" action="/compare" method="get"' in html
    assert 'action="/search"' in html


def test_home_card_shows_the_last_close_and_day_change(
    client: TestClient, iwm_vix_report: dict[str, Any]
) -> None:
    html = client.get("/").text
    iwm = iwm_vix_report["changes"]["a"]
    card = html[html.index('href="/compare/iwm-vs-vix"') :][:3000]
    assert f"{iwm['last']:,.2f}" in card
    assert f"{iwm['1d']:+.2%}" in card


def test_picker_redirects_to_the_pair_page(client: TestClient) -> None:
    response = client.get("/compare?a=IWM&b=spy&window=365", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/compare/iwm-vs-spy?window=365"


@pytest.mark.parametrize(
    ("query", "status"),
    [("a=iwm", 422), ("a=iwm&b=iwm", 422), ("a=iwm&b=nope", 404), ("", 422)],
)
def test_picker_rejects_bad_choices(client: TestClient, query: str, status: int) -> None:
    response = client.get(f"/compare?{query}", follow_redirects=False)
    assert response.status_code == status
    assert "text/html" in response.headers["content-type"]


def test_search_finds_metrics_and_pairs(client: TestClient) -> None:
    html = client.get("/search?q=junk").text
    assert 'href="/metrics/hy-oas"' in html
    assert 'href="/compare/iwm-vs-hy-oas"' in html
    assert "IWM vs HY OAS" in html


def test_search_without_matches_says_so(client: TestClient) -> None:
    html = client.get("/search?q=zzzzqqq").text
    assert "Comparisons (0)" in html
    assert "No metric matches" in html


# --- the pair page ----------------------------------------------------------------------


def test_pair_page_sections_come_in_order(iwm_vix: str) -> None:
    positions = [iwm_vix.index(f'<section id="{name}"') for name in PAIR_SECTIONS]
    assert positions == sorted(positions)


def test_pair_page_header_shows_both_legs(iwm_vix: str, iwm_vix_report: dict[str, Any]) -> None:
    header = iwm_vix[iwm_vix.index('id="overview"') : iwm_vix.index('id="charts"')]
    for leg in ("a", "b"):
        row = iwm_vix_report["changes"][leg]
        assert f"{row['last']:,.2f}" in header
        assert f"{row['1d']:+.2%}" in header
    assert "end of day" in header
    assert 'as of <span data-live-asof="iwm">2025-12-31</span>' in header
    assert "source: synthetic demo data" in header


def test_pair_header_is_marked_for_live_updates(iwm_vix: str, client: TestClient) -> None:
    assert 'data-live-ids="iwm,vix"' in iwm_vix
    for field in ("value", "change", "asof", "badge"):
        assert f'data-live-{field}="vix"' in iwm_vix
    historical = client.get("/compare/iwm-vs-vix?asof=2024-06-28").text
    assert "data-live-" not in historical
    assert 'data-live-ids="iwm"' in client.get("/metrics/iwm").text
    home = client.get("/").text
    assert 'data-live-ids="iwm,vix,spy,' in home
    assert home.count('data-live-value="vix"') == sum(
        1 for p in CATALOG.pairs for leg in (p.a, p.b) if leg == "vix"
    )


def test_pair_page_statistics_match_the_report(
    iwm_vix: str, iwm_vix_report: dict[str, Any]
) -> None:
    stats = iwm_vix_report["stats"]
    section = iwm_vix[iwm_vix.index('id="statistics"') : iwm_vix.index('id="changes"')]
    assert "90-day statistics" in section
    assert f"{stats['correlation']:+.3f}" in section
    low, high = stats["correlation_ci"]
    assert f"[{low:+.3f}, {high:+.3f}]" in section
    assert f"{stats['beta']:+.4f}" in section
    assert f"± {stats['beta_se']:.4f}" in section
    assert f"{stats['ratio']['zscore']:+.2f}" in section
    assert f"{stats['a']['volatility']:.1%}" in section
    assert 'class="num' in section


def test_pair_page_analysis_and_scenarios_have_real_figures(
    iwm_vix: str, iwm_vix_report: dict[str, Any]
) -> None:
    analysis = iwm_vix[iwm_vix.index('id="analysis"') : iwm_vix.index('id="statistics"')]
    for name, row in iwm_vix_report["regimes"].items():
        assert f"{row['correlation']:+.3f}" in analysis, name
    assert f"{iwm_vix_report['hedge']['effectiveness']:.1%}" in analysis
    scenarios = iwm_vix[iwm_vix.index('id="scenarios"') : iwm_vix.index('id="faq"')]
    assert "+10 pts" in scenarios
    assert "COVID crash" in scenarios
    assert "GARCH(1,1)" in scenarios
    assert 'id="chart-backtest"' in scenarios


def test_pair_page_explains_why_and_reads_today(
    iwm_vix: str, iwm_vix_report: dict[str, Any]
) -> None:
    pair = CATALOG.pair("iwm", "vix")
    assert pair is not None
    why = iwm_vix[iwm_vix.index('id="why"') : iwm_vix.index('id="analysis"')]
    assert pair.why[:60] in why
    assert pair.reading[:60] in why
    assert iwm_vix_report["signal"]["label"] in why


def test_pair_page_faq_answers_carry_their_figures(
    iwm_vix: str, iwm_vix_report: dict[str, Any]
) -> None:
    faq = iwm_vix[iwm_vix.index('id="faq"') : iwm_vix.index('id="related"')]
    answers = re.findall(r"<details[^>]*>\s*<summary>(.*?)</summary>\s*<p>(.*?)</p>", faq, re.S)
    assert len(answers) >= 4
    for question, answer in answers:
        assert re.search(r"\d", answer), question
    assert f"{iwm_vix_report['stats']['correlation']:+.2f}" in faq


def test_pair_page_related_comparisons_show_their_correlation(iwm_vix: str, demo_file: Any) -> None:
    related = iwm_vix[iwm_vix.index('id="related"') : iwm_vix.index('id="digest"')]
    store = Store(f"sqlite:///{demo_file}")
    try:
        spy = compare_pair(store, CATALOG, "spy", "vix", 90, forecasts=False)
    finally:
        store.close()
    assert spy.stats is not None and spy.stats.correlation is not None
    assert 'href="/compare/spy-vs-vix"' in related
    assert f"{spy.stats.correlation:+.2f}" in related
    assert 'href="/compare/iwm-vs-vix"' not in related


def test_pair_page_has_the_digest_form_and_attribution(iwm_vix: str) -> None:
    digest = iwm_vix[iwm_vix.index('id="digest"') : iwm_vix.index('id="sources"')]
    assert '<form class="digest" action="/subscribe" method="post">' in digest
    assert 'name="email"' in digest
    assert re.search(r'type="hidden" name="csrf_token" value="[^"]{10,}"', digest)
    sources = iwm_vix[iwm_vix.index('id="sources"') :]
    assert "Synthetic demo data" in sources
    assert "Not financial advice" in sources


def test_chart_data_is_the_reports_series(iwm_vix: str, iwm_vix_report: dict[str, Any]) -> None:
    data = chart_data(iwm_vix)
    series, stats = iwm_vix_report["series"], iwm_vix_report["stats"]
    assert data["dates"] == series["dates"]
    assert len(data["dates"]) == stats["observations"]
    assert data["dates"][0] == stats["start"] and data["dates"][-1] == stats["end"]
    assert data["levels"]["a"][0] == pytest.approx(100.0)
    assert data["levels"]["axes"] == "shared"
    assert data["relative"]["kind"] == "ratio"
    assert data["relative"]["mean"] == pytest.approx(stats["ratio"]["mean"], rel=1e-6)
    assert data["relative"]["values"][-1] == pytest.approx(stats["ratio"]["last"], rel=1e-6)
    r20 = data["correlation"]["r20"][-1]
    assert r20 == pytest.approx(stats["rolling_correlation"], rel=1e-6)
    assert len(data["stability"]["values"]) == len(data["stability"]["dates"]) > 1000
    assert data["backtest"]["strategy"][0] == pytest.approx(1.0)


def test_pair_page_draws_a_static_chart_without_javascript(iwm_vix: str) -> None:
    charts = iwm_vix[iwm_vix.index('id="charts"') : iwm_vix.index('id="why"')]
    assert charts.count("<polyline") == 2


@pytest.mark.parametrize(
    ("window", "heading"),
    [("30", "30-day statistics"), ("365", "365-day statistics"), ("max", "Whole-history")],
)
def test_window_selector_changes_the_figures(client: TestClient, window: str, heading: str) -> None:
    html = client.get(f"/compare/iwm-vs-vix?window={window}").text
    assert heading in html
    assert f'href="/compare/iwm-vs-vix?window={window}" aria-current="page"' in html
    default = chart_data(client.get("/compare/iwm-vs-vix").text)
    assert len(chart_data(html)["dates"]) != len(default["dates"])


def test_window_links_cover_every_choice(iwm_vix: str) -> None:
    for days in ("30", "91", "182", "365", "1826", "max"):
        assert f'href="/compare/iwm-vs-vix?window={days}"' in iwm_vix
    assert 'href="/compare/iwm-vs-vix" aria-current="page"' in iwm_vix


def test_asof_shows_the_page_as_it_was(client: TestClient) -> None:
    html = client.get("/compare/iwm-vs-vix?asof=2020-03-20").text
    assert "Historical view" in html
    assert '<span class="badge historical">as of 2020-03-20</span>' in html
    data = chart_data(html)
    assert data["dates"][-1] <= "2020-03-20"
    assert 'href="/compare/iwm-vs-vix?window=30&amp;asof=2020-03-20"' in html


def test_legs_ending_on_different_days_say_why(client: TestClient) -> None:
    # 2025-12-28 is a Sunday: bitcoin has a close, VIX's last is Friday's.
    html = client.get("/compare/btc-vs-vix?asof=2025-12-28").text
    assert "Pair statistics run to 2025-12-26" in html
    assert "BTC trades every day" in html


def test_weekly_leg_sets_the_pair_dates(client: TestClient) -> None:
    html = client.get("/compare/nfci-vs-spy").text
    assert "NFCI is weekly" in html


def test_ids_with_hyphens_resolve(client: TestClient) -> None:
    for slug in ("hy-oas-vs-ig-oas", "iwm-vs-hy-oas", "hyg-vs-hy-oas"):
        response = client.get(f"/compare/{slug}")
        assert response.status_code == 200, slug
        assert "HY OAS" in response.text


def test_spread_pair_draws_a_spread_on_level_axes(client: TestClient) -> None:
    data = chart_data(client.get("/compare/hy-oas-vs-ig-oas").text)
    assert data["relative"]["kind"] == "spread"
    assert data["a"]["mode"] == data["b"]["mode"] == "level"
    assert data["levels"]["axes"] == "shared"
    mixed = chart_data(client.get("/compare/iwm-vs-hy-oas").text)
    assert mixed["relative"] is None
    assert mixed["levels"]["axes"] == "dual"


def test_reversed_pair_keeps_the_curated_text(client: TestClient) -> None:
    html = client.get("/compare/vix-vs-iwm").text
    assert "Curated as" in html
    assert 'href="/compare/iwm-vs-vix"' in html


def test_uncurated_pair_still_has_every_section(client: TestClient) -> None:
    html = client.get("/compare/gld-vs-btc").text
    assert "not one of the curated comparisons" in html
    positions = [html.index(f'<section id="{name}"') for name in PAIR_SECTIONS]
    assert positions == sorted(positions)


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("window=abc", "window must be"),
        ("window=0", "window must be from 5"),
        ("window=4", "window must be from 5"),
        ("window=99999", "window must be from 5"),
        ("asof=yesterday", "asof must be a date"),
        ("asof=2021-02-30", "asof must be a date"),
        ("asof=2000-01-01", "before the data"),
    ],
)
def test_bad_parameters_answer_422_with_the_reason(
    client: TestClient, query: str, says: str
) -> None:
    for path in ("/compare/iwm-vs-vix", "/embed/iwm-vs-vix"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422, (path, query)
        assert "text/html" in response.headers["content-type"]
        assert says in response.text
        assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "path",
    [
        "/compare/foo-vs-vix",
        "/compare/iwm-vs-foo",
        "/compare/iwmvix",
        "/embed/foo-vs-vix",
        "/metrics/foo",
        "/no/such/page",
    ],
)
def test_unknown_pages_answer_an_html_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Not found" in response.text


def test_a_metric_with_itself_is_a_422(client: TestClient) -> None:
    response = client.get("/compare/iwm-vs-iwm")
    assert response.status_code == 422
    assert "with itself" in response.text


# --- metric and embed pages -------------------------------------------------------------


def test_metric_page_shows_chart_changes_risk_and_comparisons(client: TestClient) -> None:
    response = client.get("/metrics/iwm")
    assert response.status_code == 200
    html = response.text
    data = chart_data(html)
    assert data["metric"]["id"] == "iwm"
    assert "2024-12-31" < data["dates"][0] <= "2025-01-02"
    assert "Volatility, last year (annualised)" in html
    assert "Max drawdown, whole history" in html
    for pair in CATALOG.pairs_with("iwm"):
        assert f'href="/compare/{pair.slug}"' in html
    assert 'href="/api/v1/metrics/iwm/series.csv"' in html
    assert "iShares Russell 2000 ETF" in html


def test_metric_page_window(client: TestClient) -> None:
    data = chart_data(client.get("/metrics/vix?window=max").text)
    assert data["dates"][0] == "2015-01-02"
    assert client.get("/metrics/vix?window=abc").status_code == 422


def test_embed_page_is_a_minimal_chart_with_attribution(client: TestClient) -> None:
    response = client.get("/embed/iwm-vs-vix?window=365")
    assert response.status_code == 200
    html = response.text
    assert 'id="chart-levels"' in html and 'id="chart-relative"' in html
    assert '<header class="topbar">' not in html
    assert "Synthetic demo data" in html
    assert 'href="/compare/iwm-vs-vix?window=365" target="_top"' in html
    assert len(chart_data(html)["dates"]) > 200


# --- assets, docs, headers --------------------------------------------------------------

PAGES = (
    "/",
    "/search?q=vix",
    "/compare/iwm-vs-vix",
    "/compare/hy-oas-vs-ig-oas?window=max",
    "/metrics/btc",
    "/embed/iwm-vs-vix",
    "/docs",
    "/compare/foo-vs-vix",
)


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_other_hosts(client: TestClient, path: str) -> None:
    html = client.get(path).text
    for tag, attrs in tags(html):
        for name in ("src", "href"):
            url = attrs.get(name)
            if tag in ("script", "link", "img", "iframe") and url:
                assert url.startswith("/") and not url.startswith("//"), (tag, url)


def test_plotly_is_served_from_the_installed_package(client: TestClient) -> None:
    html = client.get("/compare/iwm-vs-vix").text
    scripts = [a["src"] for t, a in tags(html) if t == "script" and a.get("src")]
    plotly = next(s for s in scripts if s and "plotly" in s)
    response = client.get(plotly)
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert len(response.content) > 1_000_000
    assert "immutable" in response.headers["cache-control"]
    for src in scripts:
        assert src and client.get(src).status_code == 200


def test_stylesheets_and_icons_are_served(client: TestClient) -> None:
    html = client.get("/").text
    for tag, attrs in tags(html):
        if tag == "link" and attrs.get("href"):
            assert client.get(str(attrs["href"])).status_code == 200


def test_pages_send_a_same_origin_content_security_policy(client: TestClient) -> None:
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy


def test_api_docs_page_is_offline_and_lists_the_endpoints(client: TestClient) -> None:
    html = client.get("/docs").text
    assert 'href="/openapi.json"' in html
    assert "/api/v1/compare/{slug}" in html
    assert "swagger" not in html.lower()
    schema = client.get("/openapi.json").json()
    assert "/api/v1/compare/{slug}/panel.csv" in schema["paths"]
    assert client.get("/redoc").status_code == 404


def test_stale_badge_after_four_quiet_days(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = client.app.state.site  # type: ignore[attr-defined]
    monkeypatch.setattr(site, "today", lambda: dt.date(2026, 1, 4))
    assert "end of day" in client.get("/compare/iwm-vs-vix").text
    monkeypatch.setattr(site, "today", lambda: dt.date(2026, 1, 6))
    html = client.get("/compare/iwm-vs-vix").text
    assert "stale since 2025-12-31" in html
    # NFCI is weekly: its last Friday (2025-12-26) is 11 days old, past the 10-day limit.
    assert "stale since 2025-12-26" in client.get("/metrics/nfci").text


def test_home_carries_the_digest_form_with_pair_choices(client: TestClient) -> None:
    page = client.get("/").text
    assert 'action="/subscribe" method="post"' in page
    assert 'name="csrf_token"' in page and 'name="email"' in page
    assert page.count('name="pairs"') >= 15
    assert 'value="iwm-vs-vix" checked' in page
