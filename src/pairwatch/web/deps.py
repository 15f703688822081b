"""Request dependencies: the site, and the query parameters every page shares."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, cast

from fastapi import Depends, Path, Query, Request

from pairwatch.errors import InvalidRequestError
from pairwatch.web.site import Site
from pairwatch.web.slugs import split_slug
from pairwatch.web.views import DEFAULT_METRIC_WINDOW, DEFAULT_PAIR_WINDOW
from pairwatch.windows import parse_window

WINDOW_HELP = "Calendar days from 5 to 36500, or 'max' for the whole history."
ASOF_HELP = "Show the figures as they were on this date (YYYY-MM-DD)."


def get_site(request: Request) -> Site:
    """The site built by create_app."""
    return cast(Site, request.app.state.site)


SiteDep = Annotated[Site, Depends(get_site)]


def pair_window(
    window: Annotated[str, Query(description=WINDOW_HELP)] = str(DEFAULT_PAIR_WINDOW),
) -> int | None:
    """A pair's statistics window: days, or None for 'max' (default 90)."""
    return parse_window(window)


def metric_window(
    window: Annotated[str, Query(description=WINDOW_HELP)] = str(DEFAULT_METRIC_WINDOW),
) -> int | None:
    """A metric page's chart window (default 365 days)."""
    return parse_window(window)


def as_of_date(
    asof: Annotated[str | None, Query(description=ASOF_HELP)] = None,
) -> dt.date | None:
    """The asof date, or None; InvalidRequestError for anything but YYYY-MM-DD."""
    if asof is None or not asof.strip():
        return None
    try:
        return dt.date.fromisoformat(asof.strip())
    except ValueError as exc:
        raise InvalidRequestError(f"asof must be a date YYYY-MM-DD, got {asof!r}") from exc


def pair_ids(
    slug: Annotated[str, Path(description="Two metric ids joined by '-vs-', e.g. iwm-vs-vix.")],
    site: SiteDep,
) -> tuple[str, str]:
    """The two metric ids of a '/compare/{a}-vs-{b}' path."""
    return split_slug(slug, site.catalog)


MetricId = Annotated[str, Path(description="A catalog metric id, e.g. iwm or hy-oas.")]
WindowDep = Annotated[int | None, Depends(pair_window)]
MetricWindowDep = Annotated[int | None, Depends(metric_window)]
AsOfDep = Annotated[dt.date | None, Depends(as_of_date)]
PairDep = Annotated[tuple[str, str], Depends(pair_ids)]
