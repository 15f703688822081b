"""The embeddable chart page draws its charts with data and credits its sources."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from pairwatch.web.attribution import attribution_line

from .conftest import Served, charts, screenshot, wait_for_charts, watch


def test_embed_page_draws_its_chart_with_attribution(page: Page, served: Served) -> None:
    seen = watch(page)
    page.goto("/embed/iwm-vs-vix")
    wait_for_charts(page)

    assert page.evaluate("window.pairwatchCharts.ids") == ["chart-levels", "chart-relative"]
    report = served.get_json("/api/v1/compare/iwm-vs-vix?window=90")
    points = report["stats"]["observations"]
    for chart in charts(page):
        assert chart["traces"], chart["id"]
        assert all(trace["x"] == points for trace in chart["traces"]), chart
    levels = charts(page)[0]["traces"]
    assert [trace["firstY"] for trace in levels] == [100.0, 100.0]

    attribution = page.locator("p.attribution")
    expect(attribution).to_be_visible()
    text = attribution.inner_text()
    for metric_id in ("iwm", "vix"):
        metric = served.catalog.metric(metric_id)
        source = served.get_json(f"/api/v1/metrics/{metric_id}")["sources"][0]
        assert f"{metric.label}: {attribution_line(metric, source).text}" in text
    assert "Not financial advice" in text
    link = attribution.locator("a")
    expect(link).to_have_attribute("href", "/compare/iwm-vs-vix")
    expect(link).to_have_attribute("target", "_top")
    screenshot(page, "test_embed-desktop-1280x900-light")
    seen.assert_clean()
