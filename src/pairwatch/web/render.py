"""Rendering a page template with the context every page shares."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from pairwatch.web.deps import get_site


def live_enabled(request: Request) -> bool:
    """True when the app serves live quotes (`install_live` put a state on it)."""
    return getattr(request.app.state, "live", None) is not None


def page(request: Request, template: str, view: Any, status_code: int = 200) -> Response:
    """Render `template` with `view` (the page's view model), its synthetic flag, and
    whether to load `static/live.js`."""
    site = get_site(request)
    context = {
        "view": view,
        "synthetic": getattr(view, "synthetic", False),
        "live": live_enabled(request),
    }
    return site.templates.TemplateResponse(request, template, context, status_code=status_code)
