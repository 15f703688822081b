"""The pairwatch exception tree: every error says what failed, where, and what to do."""

from __future__ import annotations


class PairwatchError(Exception):
    """Base class of every error pairwatch raises on purpose."""


class ConfigError(PairwatchError):
    """A setting or catalog file is wrong."""


class CatalogError(ConfigError):
    """A catalog entry is missing, duplicated or inconsistent."""


class UnknownMetricError(CatalogError):
    """A metric id that the catalog does not hold."""

    def __init__(self, metric_id: str, known: list[str] | None = None) -> None:
        hint = f" (known: {', '.join(sorted(known))})" if known else ""
        super().__init__(f"unknown metric {metric_id!r}{hint}")
        self.metric_id = metric_id


class ProviderError(PairwatchError):
    """A provider could not deliver data: network, HTTP status or a body we refuse."""

    def __init__(
        self,
        provider: str,
        symbol: str,
        url: str,
        reason: str,
        *,
        permanent: bool = False,
        status: int | None = None,
    ) -> None:
        super().__init__(f"{provider} {symbol}: {reason} [{url}]")
        self.provider = provider
        self.symbol = symbol
        self.url = url
        self.reason = reason
        self.permanent = permanent
        self.status = status


class DataError(ProviderError):
    """A provider answered, but the body failed validation (HTML, truncated, bad values)."""

    def __init__(self, provider: str, symbol: str, url: str, reason: str) -> None:
        super().__init__(provider, symbol, url, reason, permanent=True)


class StoreError(PairwatchError):
    """The local store could not be read or written."""


class NoDataError(PairwatchError):
    """A metric has no stored history yet."""

    def __init__(self, metric_id: str) -> None:
        super().__init__(
            f"no stored history for {metric_id!r}: run `pairwatch fetch {metric_id}` "
            "(or `pairwatch demo` for synthetic data)"
        )
        self.metric_id = metric_id


class InsufficientDataError(PairwatchError):
    """Too few observations for a statistic; the message names the need and the count."""

    def __init__(self, what: str, needed: int, have: int, context: str = "") -> None:
        where = f" {context}" if context else ""
        super().__init__(f"{what} needs {needed} changes; {have} available{where}")
        self.what = what
        self.needed = needed
        self.have = have


class InvalidRequestError(PairwatchError):
    """A user-supplied argument (window, date, pair) is out of range or malformed."""
