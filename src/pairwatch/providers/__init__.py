"""Data providers behind one protocol, and the registry that builds them from settings."""

from pairwatch.providers.base import HistoryQuery, HttpRequest, HttpResponse, Provider
from pairwatch.providers.registry import build_fetcher, build_providers

__all__ = [
    "HistoryQuery",
    "HttpRequest",
    "HttpResponse",
    "Provider",
    "build_fetcher",
    "build_providers",
]
