"""Phone and desktop layouts: no horizontal page scroll, screenshots for the artifacts."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from .conftest import (
    DESKTOP,
    MOBILE,
    REDRAWN,
    NewContext,
    screenshot,
    wait_for_charts,
    watch,
    without_charts,
)

VIEWPORTS = [("desktop-1280x900", DESKTOP), ("mobile-375x812", MOBILE)]
PAGES = {"home": "/", "pair": "/compare/iwm-vs-vix", "metric": "/metrics/vix"}

# Elements reaching past the viewport's right edge that are not inside a box that scrolls
# or clips them: what makes the page itself scroll sideways.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const clips = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) {
        return true;
      }
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5 && !clips(el)) {
      wide.push(name(el) + ' right=' + Math.round(box.right));
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wide: wide.slice(0, 12),
  };
}"""

# Words (runs of non-space characters) in table cells that the browser laid out over more
# than one line, as their pieces ("c / al / m", "2025- / 10-13"). A word without digits
# broken after its own hyphens ("Nasdaq- / 100" is "Nasdaq-100") is fine; figures and dates
# must never break.
BROKEN_WORDS = """() => {
  const line = (node, i) => {
    const range = document.createRange();
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    const box = Array.from(range.getClientRects()).find((b) => b.width > 0);
    return box ? Math.round(box.top) : null;
  };
  const broken = [];
  for (const cell of document.querySelectorAll('table.data th, table.data td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/\\S+/g)) {
        const pieces = [''];
        let top = null;
        for (let i = 0; i < match[0].length; i++) {
          const here = line(node, match.index + i);
          if (here !== null && top !== null && here !== top) {
            pieces.push('');
          }
          if (here !== null) {
            top = here;
          }
          pieces[pieces.length - 1] += match[0][i];
        }
        const atHyphens = pieces.slice(0, -1).every((piece) => piece.endsWith('-'));
        if (pieces.length > 1 && (/\\d/.test(match[0]) || !atHyphens)) {
          broken.push(pieces.join(' / '));
        }
      }
    }
  }
  return broken;
}"""


def overflow(page: Page) -> dict[str, Any]:
    """The page's scroll width, the viewport's width and the elements sticking out."""
    found: dict[str, Any] = page.evaluate(OVERFLOW)
    return found


@pytest.mark.parametrize("name", ["home", "metric"])
def test_mobile_pages_have_no_horizontal_scroll(new_context: NewContext, name: str) -> None:
    page = new_context(viewport=MOBILE, is_mobile=True, has_touch=True).new_page()
    page.goto(PAGES[name])
    wait_for_charts(page)
    found = overflow(page)
    screenshot(page, f"test_mobile_layout-{name}-mobile-375x812-light")
    assert found["innerWidth"] == MOBILE["width"]
    assert found["scrollWidth"] <= found["innerWidth"], found


@pytest.mark.parametrize(
    ("viewport_name", "viewport"), VIEWPORTS, ids=[name for name, _ in VIEWPORTS]
)
def test_pair_page_fits_the_viewport_in_light_and_dark(
    new_context: NewContext, viewport_name: str, viewport: dict[str, int]
) -> None:
    """Full-page screenshots in both colour schemes; the switch to dark redraws the charts."""
    mobile = viewport is MOBILE
    page = new_context(
        viewport=viewport, color_scheme="light", is_mobile=mobile, has_touch=mobile
    ).new_page()
    seen = watch(page)
    page.goto(PAGES["pair"])
    wait_for_charts(page)
    backgrounds = []
    for scheme in ("light", "dark"):
        if scheme == "dark":
            page.evaluate(REDRAWN)
            page.emulate_media(color_scheme="dark")
            page.wait_for_function("() => window.redrawn === true")
        assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
        backgrounds.append(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        path = screenshot(page, f"test_pair_page-{viewport_name}-{scheme}")
        assert path.stat().st_size > 10_000
        found = overflow(page)
        assert found["innerWidth"] == viewport["width"]
        assert found["scrollWidth"] <= found["innerWidth"], (scheme, found)
    assert backgrounds[0] != backgrounds[1]
    seen.assert_clean()


@pytest.mark.parametrize(
    ("viewport_name", "viewport"), VIEWPORTS, ids=[name for name, _ in VIEWPORTS]
)
def test_pair_page_tables_keep_words_and_figures_whole(
    new_context: NewContext, viewport_name: str, viewport: dict[str, int]
) -> None:
    """Wide tables scroll in their own box; their labels, dates and figures stay readable."""
    mobile = viewport is MOBILE
    page = new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile).new_page()
    without_charts(page)
    page.goto(PAGES["pair"])
    broken: list[str] = page.evaluate(BROKEN_WORDS)
    assert broken == [], f"{len(broken)} words broken over lines, e.g. {broken[:12]}"
