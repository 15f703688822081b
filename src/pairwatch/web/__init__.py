"""The web app: server-rendered pages, the JSON API and the assets (`create_app`)."""

from pairwatch.web.app import create_app

__all__ = ["create_app"]
