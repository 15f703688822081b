"""The objects every use case needs, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from pairwatch.catalog import Catalog, load_catalog
from pairwatch.config import Settings
from pairwatch.providers.base import Provider
from pairwatch.providers.http import Fetcher
from pairwatch.providers.registry import build_fetcher, build_providers
from pairwatch.services.sync import Syncer
from pairwatch.store import Store

DEMO_DATABASE = "demo.sqlite"


@dataclass
class Context:
    """Settings, catalog, store, providers and fetcher for one process."""

    settings: Settings
    demo: bool = False
    _closers: list[Fetcher | Store] = field(default_factory=list)

    @cached_property
    def catalog(self) -> Catalog:
        """The built-in catalog merged with the user's file."""
        return load_catalog(self.settings.catalog_file)

    @property
    def database_url(self) -> str:
        """The real store's URL, or the separate demo store's."""
        if self.demo:
            return f"sqlite:///{self.settings.home / DEMO_DATABASE}"
        return self.settings.resolved_database_url

    @cached_property
    def store(self) -> Store:
        """The store, migrated to the newest schema on first use."""
        store = Store(self.database_url)
        self._closers.append(store)
        return store

    @cached_property
    def providers(self) -> dict[str, Provider]:
        """Every provider configured from the settings."""
        return build_providers(self.settings)

    @cached_property
    def fetcher(self) -> Fetcher:
        """The shared fetch path."""
        fetcher = build_fetcher(self.settings, self.providers)
        self._closers.append(fetcher)
        return fetcher

    @cached_property
    def syncer(self) -> Syncer:
        """Refresh use case bound to this store and these providers."""
        return Syncer(
            self.store,
            self.providers,
            self.fetcher,
            overlap_days=self.settings.refresh_overlap_days,
            fallback_after_days=self.settings.fallback_after_days,
        )

    def close(self) -> None:
        """Release connections."""
        for closer in self._closers:
            closer.close()
        self._closers.clear()
