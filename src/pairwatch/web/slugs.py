"""Pair slugs such as 'iwm-vs-vix' or 'hy-oas-vs-ig-oas' (metric ids may contain '-')."""

from __future__ import annotations

from pairwatch.catalog import Catalog
from pairwatch.errors import PairwatchError, UnknownMetricError

SEPARATOR = "-vs-"


class UnknownPairError(PairwatchError):
    """A comparison URL that names no two metrics of the catalog."""

    def __init__(self, slug: str) -> None:
        super().__init__(
            f"{slug!r} is not a comparison: use two metric ids joined by '{SEPARATOR}', "
            "e.g. iwm-vs-vix"
        )
        self.slug = slug


def pair_slug(a: str, b: str) -> str:
    """The URL form of a comparison."""
    return f"{a}{SEPARATOR}{b}"


def split_slug(slug: str, catalog: Catalog) -> tuple[str, str]:
    """The two metric ids of a slug, trying every split at '-vs-' against the catalog.

    Raises UnknownPairError when the slug has no '-vs-', UnknownMetricError naming the
    first unknown id when no split gives two known metrics.
    """
    parts = slug.lower().split(SEPARATOR)
    if len(parts) < 2:
        raise UnknownPairError(slug)
    splits = [(SEPARATOR.join(parts[:i]), SEPARATOR.join(parts[i:])) for i in range(1, len(parts))]
    for a, b in splits:
        if a in catalog.metrics and b in catalog.metrics:
            return a, b
    a, b = splits[0]
    unknown = a if a not in catalog.metrics else b
    raise UnknownMetricError(unknown, list(catalog.metrics))
