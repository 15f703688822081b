"""Live values in Chromium: every page with live fields connects to the event stream, and
a quote refreshed by the scheduler reaches an open pair page without a reload."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from pairwatch.domain import Quote
from pairwatch.services.live import last_close

from .conftest import NOW, Served, watch, without_charts

PRICE = 123.45
# live.js has either applied a first payload or given up on the stream.
SETTLED = """() => {
  const root = document.querySelector('[data-live-ids]');
  return root !== null && (root.hasAttribute('data-live-updated')
    || root.getAttribute('data-live-mode') === 'polling');
}"""


def test_a_live_quote_change_reaches_an_open_page(page: Page, served: Served) -> None:
    close = last_close(served.store, "iwm")
    assert close is not None
    without_charts(page)
    seen = watch(page)
    page.goto("/compare/iwm-vs-vix")
    legs = page.locator(".pair-header [data-live-ids]")
    expect(legs).to_have_attribute("data-live-mode", "stream")
    # The stream's first event (the current values) has arrived: the page is subscribed.
    expect(legs).to_have_attribute("data-live-updated", re.compile(r"^\d{4}-"))
    value = page.locator('[data-live-value="iwm"]')
    change = page.locator('[data-live-change="iwm"]')
    badge = page.locator('[data-live-badge="iwm"]')
    expect(value).to_have_text(f"{close.close:,.2f}")
    expect(badge).to_have_text("end of day")
    vix_before = page.locator('[data-live-value="vix"]').inner_text()

    taken = NOW - dt.timedelta(minutes=1)
    served.store.save_quote("iwm", Quote("IWM", PRICE, taken, close.close), "yahoo:IWM")
    try:
        # What the quote job does after a refresh: publish the entries that changed.
        event = served.server.jobs.refresher.publish(["iwm"])
        assert event is not None and event["metrics"]["iwm"]["value"] == PRICE
        expect(value).to_have_text("123.45")
        expect(change).to_have_text(f"{PRICE / close.close - 1:+.2%}")
        tone = "up" if close.close < PRICE else "down"
        expect(change).to_have_class(re.compile(rf"\b{tone}\b"))
        expect(badge).to_have_text("live (delayed 15 min)")
        expect(page.locator('[data-live-asof="iwm"]')).to_have_text("2026-01-02 10:59 EST")
        expect(page.locator('[data-live-value="vix"]')).to_have_text(vix_before)
        seen.assert_clean()
    finally:
        # Leave the shared store as other tests expect it: a quote older than the last
        # close is never shown.
        stale = dt.datetime.combine(close.date - dt.timedelta(days=1), dt.time(20), dt.UTC)
        served.store.save_quote("iwm", Quote("IWM", close.close, stale, None), "yahoo:IWM")


@pytest.mark.parametrize("path", ["/", "/metrics/vix"], ids=["home", "metric"])
def test_live_fields_get_the_current_values_from_the_stream(page: Page, path: str) -> None:
    without_charts(page)
    seen = watch(page)
    page.goto(path)
    page.wait_for_function(SETTLED)
    seen.assert_clean()  # a refused stream shows here as the console's error for its URL
    live = page.locator("[data-live-ids]")
    expect(live).to_have_attribute("data-live-mode", "stream")
    expect(live).to_have_attribute("data-live-updated", re.compile(r"^\d{4}-"))
    assert page.evaluate("window.pairwatchLive.state()") == {"mode": "stream", "updates": 1}
