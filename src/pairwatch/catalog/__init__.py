"""The catalog of metrics and curated pairs: built-in TOML plus an optional user file."""

from pairwatch.catalog.loader import Catalog, load_catalog

__all__ = ["Catalog", "load_catalog"]
