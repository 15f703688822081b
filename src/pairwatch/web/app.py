"""`create_app`: the FastAPI application serving the pages, the JSON API and the assets.

Every asset is served by the app itself (no CDN): the stylesheet and scripts from
`web/static/`, Plotly's bundle straight from the installed plotly package, and the API
reference at `/docs` is a server-rendered page over `/openapi.json` instead of
FastAPI's CDN-loaded Swagger UI.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pairwatch import __version__
from pairwatch.config import Settings
from pairwatch.services.cache import ReportCache
from pairwatch.services.context import Context
from pairwatch.web.errors import install_error_handlers
from pairwatch.web.formatting import FILTERS
from pairwatch.web.routes import api, pages, subscriptions
from pairwatch.web.site import Site

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
PLOTLY_URL = "/static/vendor/plotly.min.js"
ASSET_MAX_AGE = "public, max-age=604800, immutable"

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware adding the security headers (CSP: same-origin assets only)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def plotly_bundle() -> Path | None:
    """plotly.min.js inside the installed plotly package (found without importing it)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


def plotly_version() -> str:
    """The installed plotly package's version, for the bundle's cache-busting query."""
    try:
        return importlib.metadata.version("plotly")
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def code_version() -> str:
    """pairwatch's version plus a hash of the templates and static files."""
    digest = hashlib.sha256()
    for root in (TEMPLATES_DIR, STATIC_DIR):
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(HERE).as_posix().encode("utf-8"))
                digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def build_templates(version: str) -> Jinja2Templates:
    """The Jinja2 environment: autoescaping, strict undefined, filters and asset URLs."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals["version"] = __version__
    env.globals["static"] = lambda path: f"/static/{path}?v={version}"
    env.globals["plotly_src"] = f"{PLOTLY_URL}?v={plotly_version()}"
    return Jinja2Templates(env=env)


def _plotly_route(app: FastAPI) -> None:
    """Serve Plotly's bundle from the installed package."""
    bundle = plotly_bundle()

    def plotly_js() -> FileResponse:
        if bundle is None:
            raise HTTPException(404, "plotly is not installed")
        headers = {"Cache-Control": ASSET_MAX_AGE}
        return FileResponse(bundle, media_type="text/javascript", headers=headers)

    app.add_api_route(PLOTLY_URL, plotly_js, methods=["GET"], include_in_schema=False)


def build_report_cache(ctx: Context) -> ReportCache:
    """The report cache: in-process, over Redis shared by every worker when configured."""
    url = ctx.settings.redis_url
    if not url:
        return ReportCache()
    from pairwatch.services.shared_cache import RedisReportStore

    return ReportCache(shared=RedisReportStore.from_url(url, ctx.database_url))


def create_app(settings: Settings | None = None, *, context: Context | None = None) -> FastAPI:
    """The web app over `context` (or a new Context from `settings`, closed at shutdown)."""
    owned = context is None
    ctx = context if context is not None else Context(settings or Settings())
    version = code_version()
    site = Site(ctx, build_templates(version), version, reports=build_report_cache(ctx))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        site.reports.close()
        if owned:
            ctx.close()

    app = FastAPI(
        title="pairwatch",
        version=__version__,
        description="Any two market or macro metrics side by side: JSON API.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.site = site
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    _plotly_route(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(subscriptions.router)
    return app
