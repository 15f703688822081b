"""The JSON API (v1): catalog, metrics, series downloads and pair reports.

`/api/v1/compare/{a}-vs-{b}` answers exactly `report_to_dict(report)`: the JSON of
`pairwatch compare a b --json`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from pairwatch.services.report import report_to_dict
from pairwatch.web import exports, serialize
from pairwatch.web.deps import AsOfDep, MetricId, PairDep, SiteDep, WindowDep
from pairwatch.web.etag import conditional
from pairwatch.web.slugs import pair_slug
from pairwatch.web.views import window_value

router = APIRouter(prefix="/api/v1", tags=["api"])

CSV = "text/csv; charset=utf-8"


def _csv(text: str, filename: str) -> Response:
    """A CSV download."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(text, media_type=CSV, headers=headers)


@router.get("/catalog", summary="Every metric and curated pair")
def catalog(request: Request, site: SiteDep) -> Response:
    """The catalog: metric metadata and curated pairs with their texts."""
    tag = site.etag((), "api-catalog")
    return conditional(request, tag, lambda: JSONResponse(serialize.catalog_dict(site.catalog)))


@router.get("/metrics/{metric_id}", summary="A metric: metadata, latest value, changes")
def metric(request: Request, site: SiteDep, metric_id: MetricId) -> Response:
    """Metadata, the latest stored observation and the changes table (null without data)."""
    found = site.catalog.metric(metric_id)
    tag = site.etag((found.id,), "api-metric")
    return conditional(
        request,
        tag,
        lambda: JSONResponse(
            serialize.metric_detail(
                site.series(found.id), site.catalog, site.store.data_version(found.id)
            )
        ),
    )


@router.get("/metrics/{metric_id}/series.csv", summary="A metric's stored history as CSV")
def series_csv(request: Request, site: SiteDep, metric_id: MetricId) -> Response:
    """Columns date, close, adj; 409 when nothing is stored yet."""
    found = site.catalog.metric(metric_id)
    tag = site.etag((found.id,), "series.csv")
    return conditional(
        request,
        tag,
        lambda: _csv(exports.series_csv(site.leg(found.id)), f"{found.id}.csv"),
    )


@router.get("/metrics/{metric_id}/series.json", summary="A metric's stored history as JSON")
def series_json(request: Request, site: SiteDep, metric_id: MetricId) -> Response:
    """The observations as a list of {date, close, adj}; 409 when nothing is stored yet."""
    found = site.catalog.metric(metric_id)
    tag = site.etag((found.id,), "series.json")
    return conditional(request, tag, lambda: JSONResponse(exports.series_json(site.leg(found.id))))


@router.get("/compare/{slug}", summary="The pair report (STATISTICS.md JSON layout)")
def compare(
    request: Request, site: SiteDep, ids: PairDep, window: WindowDep, as_of: AsOfDep
) -> Response:
    """Every section of the report, exactly as `pairwatch compare a b --json` prints it."""
    a, b = ids
    tag = site.etag(site.report_ids(a, b), "api-compare", a, b, window, as_of)

    def build() -> Response:
        site.legs(a, b, as_of)
        return JSONResponse(report_to_dict(site.report(a, b, window, as_of)))

    return conditional(request, tag, build)


@router.get("/compare/{slug}/panel.csv", summary="The pair's aligned data as CSV")
def panel_csv(
    request: Request, site: SiteDep, ids: PairDep, window: WindowDep, as_of: AsOfDep
) -> Response:
    """Columns date, a_close, a_adj, b_close, b_adj over the window's panel rows."""
    a, b = ids
    tag = site.etag((a, b), "panel.csv", a, b, window, as_of)
    name = exports.download_name(pair_slug(a, b), window_value(window), as_of, "panel.csv")

    def build() -> Response:
        leg_a, leg_b = site.legs(a, b, as_of)
        return _csv(exports.panel_csv(leg_a, leg_b, window), name)

    return conditional(request, tag, build)


@router.get("/compare/{slug}/stats.csv", summary="The pair's statistics table as CSV")
def stats_csv(
    request: Request, site: SiteDep, ids: PairDep, window: WindowDep, as_of: AsOfDep
) -> Response:
    """Columns figure, a, b, pair: each leg's window figures and the pair figures."""
    a, b = ids
    tag = site.etag(site.report_ids(a, b), "stats.csv", a, b, window, as_of)
    name = exports.download_name(pair_slug(a, b), window_value(window), as_of, "stats.csv")

    def build() -> Response:
        site.legs(a, b, as_of)
        return _csv(exports.stats_csv(report_to_dict(site.report(a, b, window, as_of))), name)

    return conditional(request, tag, build)
