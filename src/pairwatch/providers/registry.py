"""Build every provider and the shared fetcher from the settings."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import SecretStr

from pairwatch.config import Settings
from pairwatch.providers.base import Provider
from pairwatch.providers.cboe import CboeProvider
from pairwatch.providers.coingecko import CoinGeckoProvider
from pairwatch.providers.fred import FredProvider
from pairwatch.providers.http import Fetcher, RetryPolicy
from pairwatch.providers.stooq import StooqProvider
from pairwatch.providers.yahoo import YahooProvider


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def build_providers(settings: Settings) -> dict[str, Provider]:
    """One instance per provider, keyed by the catalog's provider name."""
    providers: list[Provider] = [
        CboeProvider(settings.cboe_url, settings.cboe_quote_url),
        FredProvider(settings.fred_url, settings.fred_api_url, _secret(settings.fred_api_key)),
        YahooProvider(settings.yahoo_url),
        CoinGeckoProvider(settings.coingecko_url, _secret(settings.coingecko_api_key)),
        StooqProvider(settings.stooq_url, _secret(settings.stooq_api_key)),
    ]
    return {p.name: p for p in providers}


def _hosts(settings: Settings, name: str) -> list[str]:
    urls = {
        "cboe": [settings.cboe_url, settings.cboe_quote_url],
        "fred": [settings.fred_url, settings.fred_api_url],
        "yahoo": [settings.yahoo_url],
        "coingecko": [settings.coingecko_url],
        "stooq": [settings.stooq_url],
    }[name]
    return [urlsplit(u).netloc for u in urls]


def build_fetcher(settings: Settings, providers: dict[str, Provider]) -> Fetcher:
    """The shared fetch path, with each provider's rate limit on its hosts."""
    fetcher = Fetcher(
        timeout=settings.http_timeout,
        user_agent=settings.user_agent,
        policy=RetryPolicy(settings.http_retries, settings.http_backoff, settings.http_max_wait),
    )
    intervals: dict[str, float] = {}
    for name, provider in providers.items():
        interval = float(getattr(provider, "min_interval", 0.0)) * settings.rate_limit_scale
        for host in _hosts(settings, name):
            intervals[host] = max(interval, intervals.get(host, 0.0))
    for host, interval in intervals.items():
        fetcher.set_host_interval(host, interval)
    return fetcher
