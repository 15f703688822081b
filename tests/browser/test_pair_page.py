"""The pair page in Chromium: charts hold data, the window selector changes the figures,
the FAQ opens, the theme toggle switches and redraws."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from pairwatch.web.formatting import signed

from .conftest import (
    REDRAWN,
    NewContext,
    Served,
    charts,
    wait_for_charts,
    watch,
    without_charts,
)

PAIR = "/compare/iwm-vs-vix"
EXPECTED_CHARTS = [
    "chart-levels",
    "chart-relative",
    "chart-correlation",
    "chart-stability",
    "chart-backtest",
]
OBSERVATIONS = re.compile(r"^(\d[\d,]*) shared observations from (\S+) to (\S+)")
DECIMAL = re.compile(r"\d\.\d")


def statistics(page: Page) -> dict[str, str | int]:
    """The window statistics as the page shows them: heading, observations, correlation."""
    section = page.locator("#statistics")
    summary = section.locator("p.muted").first.inner_text()
    found = OBSERVATIONS.match(summary)
    assert found is not None, summary
    row = section.locator("tr", has=page.locator("th", has_text="Correlation (95% CI)"))
    correlation = row.locator("td").inner_text().split()[0]
    return {
        "title": section.locator("h2").inner_text(),
        "observations": int(found.group(1).replace(",", "")),
        "start": found.group(2),
        "end": found.group(3),
        "correlation": correlation,
        "current": page.locator("nav.windows a[aria-current='page']").inner_text(),
    }


def levels_points(page: Page) -> int:
    """How many points the levels chart's first trace holds (Plotly's state)."""
    by_id = {chart["id"]: chart for chart in charts(page)}
    points: int = by_id["chart-levels"]["traces"][0]["x"]
    return points


def test_pair_page_charts_hold_data_without_errors_or_foreign_requests(
    page: Page, served: Served
) -> None:
    seen = watch(page)
    page.goto(PAIR)
    wait_for_charts(page)

    drawn = page.evaluate("window.pairwatchCharts.ids")
    assert drawn == EXPECTED_CHARTS
    found = charts(page)
    assert [chart["id"] for chart in found] == EXPECTED_CHARTS
    observations = statistics(page)["observations"]
    for chart in found:
        assert chart["traces"], f"{chart['id']} has no traces"
        for trace in chart["traces"]:
            assert trace["x"] > 0, f"{chart['id']}: trace {trace['name']} has no points"
            assert trace["y"] == trace["x"], f"{chart['id']}: {trace['name']} x/y lengths"
    levels = found[0]["traces"]
    assert len(levels) == 2
    assert [trace["firstY"] for trace in levels] == [100.0, 100.0]
    # One point per shared observation of the window, as the statistics table counts them.
    assert levels[0]["x"] == observations
    report = served.get_json("/api/v1/compare/iwm-vs-vix?window=90")
    assert observations == report["stats"]["observations"]
    assert levels[0]["firstX"] == report["series"]["dates"][0]
    by_id = {chart["id"]: chart for chart in found}
    history = {
        "chart-stability": len(report["stability"]["series"]["dates"]),
        "chart-backtest": len(report["backtest"]["curves"]["dates"]),
    }
    for chart_id, points in history.items():
        assert [trace["x"] for trace in by_id[chart_id]["traces"]] == [points, points]
    # The static SVG preview made way for the interactive chart.
    assert page.locator("#chart-levels svg.static-chart").count() == 0
    assert page.locator("#chart-levels .main-svg").count() > 0

    seen.assert_clean()
    assert any(url.endswith("/api/v1/live/stream?ids=iwm%2Cvix") for url in seen.requested)


def test_window_selector_changes_the_figures(page: Page, served: Served) -> None:
    seen = watch(page)
    page.goto(f"{PAIR}?window=90")
    wait_for_charts(page)
    before = statistics(page)
    assert before["title"] == "90-day statistics"
    assert before["current"] == "90d"
    points_before = levels_points(page)
    assert points_before == before["observations"]

    with page.expect_navigation(url=re.compile(r"window=365$")):
        page.locator("nav.windows a", has_text=re.compile(r"^1y$")).click()
    wait_for_charts(page)
    after = statistics(page)

    report = served.get_json("/api/v1/compare/iwm-vs-vix?window=365")["stats"]
    assert after["title"] == "365-day statistics"
    assert after["current"] == "1y"
    assert after["observations"] != before["observations"]
    assert after["observations"] == report["observations"]
    assert after["correlation"] == signed(report["correlation"], 3)
    assert after["correlation"] != before["correlation"]
    assert (after["start"], after["end"]) == (report["start"], report["end"])
    assert levels_points(page) == report["observations"]
    expect(page.locator("#charts-title")).to_be_visible()
    seen.assert_clean()


def test_faq_details_open_on_click_and_hold_figures(page: Page) -> None:
    without_charts(page)
    seen = watch(page)
    page.goto(PAIR)
    items = page.locator("#faq details")
    count = items.count()
    assert count >= 5
    first = items.nth(0)
    assert first.evaluate("el => el.open") is True
    for index in range(1, count):
        item = items.nth(index)
        answer = item.locator("p")
        assert item.evaluate("el => el.open") is False
        expect(answer).to_be_hidden()
        item.locator("summary").click()
        expect(item).to_have_attribute("open", "")
        expect(answer).to_be_visible()
        text = answer.inner_text()
        assert DECIMAL.search(text), f"FAQ {index} has no figure: {text!r}"
    first.locator("summary").click()
    expect(first).not_to_have_attribute("open", "")
    seen.assert_clean()


def test_theme_toggle_switches_the_theme_and_redraws_the_charts(
    new_context: NewContext,
) -> None:
    page = new_context(color_scheme="light").new_page()
    seen = watch(page)
    page.goto(PAIR)
    wait_for_charts(page)
    root = page.locator("html")
    toggle = page.locator("button.theme-toggle")
    expect(toggle).to_be_visible()
    assert root.get_attribute("data-theme") is None
    light_font = charts(page)[0]["fontColor"]
    light_background = page.evaluate("getComputedStyle(document.body).backgroundColor")

    page.evaluate(REDRAWN)
    toggle.click()
    expect(root).to_have_attribute("data-theme", "dark")
    page.wait_for_function("() => window.redrawn === true")
    assert charts(page)[0]["fontColor"] != light_font
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light_background
    assert page.evaluate("localStorage.getItem('pairwatch-theme')") == "dark"

    page.reload()
    wait_for_charts(page)
    expect(root).to_have_attribute("data-theme", "dark")
    toggle.click()
    expect(root).to_have_attribute("data-theme", "light")
    seen.assert_clean()
