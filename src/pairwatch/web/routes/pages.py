"""Server-rendered pages: home, search, pair, metric, embed and the API docs page.

Each route parses its parameters (dependencies in deps.py), checks the ETag, makes one
view call and renders one template.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from pairwatch.web import views
from pairwatch.web.deps import AsOfDep, MetricId, MetricWindowDep, PairDep, SiteDep, WindowDep
from pairwatch.web.etag import conditional
from pairwatch.web.render import page

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/")
def home(request: Request, site: SiteDep) -> Response:
    """Curated comparisons as cards, the picker and the search box."""
    ids = {m for p in site.catalog.pairs for m in (p.a, p.b)}
    tag = site.etag(ids, "home", site.today(), quotes=True)
    return conditional(request, tag, lambda: page(request, "home.html", views.home_view(site)))


@router.get("/search")
def search(
    request: Request, site: SiteDep, q: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """Metrics and pairs matching the query."""
    tag = site.etag((), "search", q)
    return conditional(
        request, tag, lambda: page(request, "search.html", views.search_view(site, q))
    )


@router.get("/compare")
def picker(
    site: SiteDep,
    a: str | None = None,
    b: str | None = None,
    window: str | None = None,
) -> Response:
    """The picker's GET form: redirect to /compare/{a}-vs-{b}."""
    return RedirectResponse(views.picker_target(site, a, b, window), status_code=303)


@router.get("/compare/{slug}")
def compare(
    request: Request, site: SiteDep, ids: PairDep, window: WindowDep, as_of: AsOfDep
) -> Response:
    """The pair page."""
    a, b = ids
    tag = views.compare_etag(site, a, b, window, as_of)
    return conditional(
        request,
        tag,
        lambda: page(request, "compare.html", views.compare_view(site, a, b, window, as_of)),
    )


@router.get("/embed/{slug}")
def embed(
    request: Request, site: SiteDep, ids: PairDep, window: WindowDep, as_of: AsOfDep
) -> Response:
    """The pair's charts alone, for an iframe."""
    a, b = ids
    tag = site.etag(site.report_ids(a, b), "embed", a, b, window, as_of)
    return conditional(
        request,
        tag,
        lambda: page(request, "embed.html", views.embed_view(site, a, b, window, as_of)),
    )


@router.get("/metrics/{metric_id}")
def metric(
    request: Request, site: SiteDep, metric_id: MetricId, window: MetricWindowDep
) -> Response:
    """A metric's page."""
    found = site.catalog.metric(metric_id)
    tag = site.etag((found.id,), "metric", window, site.today(), quotes=True)
    return conditional(
        request,
        tag,
        lambda: page(request, "metric.html", views.metric_view(site, found.id, window)),
    )


@router.get("/docs")
def docs(request: Request, site: SiteDep) -> Response:
    """The API reference, rendered from the OpenAPI schema (no CDN assets)."""
    tag = site.etag((), "docs")
    schema = request.app.openapi()
    return conditional(request, tag, lambda: page(request, "docs.html", schema))
