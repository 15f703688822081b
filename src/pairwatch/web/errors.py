"""Error answers: pairwatch errors mapped to HTTP statuses, as HTML pages or JSON.

UnknownMetricError and UnknownPairError -> 404; InvalidRequestError and
InsufficientDataError -> 422; NoDataError -> 409 (the metric exists, its data is not
loaded yet). Paths under /api/ answer JSON `{"error": {"status", "type", "message"}}`;
every other path renders `error.html` with the same message.
"""

from __future__ import annotations

from typing import cast

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pairwatch.errors import (
    InsufficientDataError,
    InvalidRequestError,
    NoDataError,
    PairwatchError,
    UnknownMetricError,
)
from pairwatch.web.site import Site
from pairwatch.web.slugs import UnknownPairError

API_PREFIX = "/api/"
STATUSES: tuple[tuple[type[PairwatchError], int], ...] = (
    (UnknownMetricError, 404),
    (UnknownPairError, 404),
    (InvalidRequestError, 422),
    (InsufficientDataError, 422),
    (NoDataError, 409),
)
TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    409: "No data yet",
    422: "Invalid request",
    500: "Server error",
}
NO_STORE = {"Cache-Control": "no-store"}


def status_of(exc: PairwatchError) -> int:
    """The HTTP status of a pairwatch error (500 for errors of the server's own)."""
    for kind, status in STATUSES:
        if isinstance(exc, kind):
            return status
    return 500


def error_response(request: Request, status: int, message: str, kind: str) -> Response:
    """JSON for the API, the error page for everything else."""
    if request.url.path.startswith(API_PREFIX):
        body = {"error": {"status": status, "type": kind, "message": message}}
        return JSONResponse(body, status_code=status, headers=NO_STORE)
    site = cast(Site, request.app.state.site)
    context = {"status": status, "title": TITLES.get(status, "Error"), "message": message}
    return site.templates.TemplateResponse(
        request, "error.html", context, status_code=status, headers=NO_STORE
    )


async def pairwatch_error(request: Request, exc: Exception) -> Response:
    """A PairwatchError raised by a route."""
    assert isinstance(exc, PairwatchError)
    return error_response(request, status_of(exc), str(exc), type(exc).__name__)


async def http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors: unknown paths (404), wrong methods (405)."""
    assert isinstance(exc, StarletteHTTPException)
    message = "no such page" if exc.status_code == 404 else str(exc.detail)
    response = error_response(request, exc.status_code, message, "HTTPException")
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's request validation errors, explained in one line."""
    assert isinstance(exc, RequestValidationError)
    parts = [
        f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', 'invalid')}"
        for err in exc.errors()
    ]
    return error_response(request, 422, "; ".join(parts) or "invalid request", "ValidationError")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on the app."""
    app.add_exception_handler(PairwatchError, pairwatch_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
