"""Settings: every PAIRWATCH_* environment variable, read in one place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_USER_AGENT = "pairwatch/0.1 (+https://github.com/pairwatch/pairwatch; self-hosted)"


class Settings(BaseSettings):
    """Runtime configuration. Field `x` is read from `PAIRWATCH_X` unless noted."""

    model_config = SettingsConfigDict(env_prefix="PAIRWATCH_", extra="ignore")

    home: Path = Field(
        default_factory=lambda: Path(user_data_dir("pairwatch", appauthor=False)),
        description="Folder for the SQLite store and other local state.",
    )
    database_url: str | None = Field(
        default=None,
        description="Any SQLAlchemy URL; default: SQLite file pairwatch.sqlite under home.",
    )
    catalog_file: Path | None = Field(
        default=None, description="A user TOML catalog merged over the built-in one."
    )

    cboe_url: str = Field(
        default="https://cdn.cboe.com", description="CBOE index history CSV host."
    )
    cboe_quote_url: str = Field(
        default="https://cdn.cboe.com", description="CBOE delayed-quote JSON host."
    )
    fred_url: str = Field(
        default="https://fred.stlouisfed.org", description="FRED keyless fredgraph.csv host."
    )
    fred_api_url: str = Field(
        default="https://api.stlouisfed.org", description="FRED JSON API host (with a key)."
    )
    yahoo_url: str = Field(
        default="https://query1.finance.yahoo.com", description="Yahoo chart API v8 host."
    )
    coingecko_url: str = Field(
        default="https://api.coingecko.com", description="CoinGecko API host."
    )
    stooq_url: str = Field(default="https://stooq.com", description="Stooq CSV host.")

    fred_api_key: SecretStr | None = Field(
        default=None,
        validation_alias="FRED_API_KEY",
        description="FRED API key (env FRED_API_KEY); without it the keyless CSV is used.",
    )
    coingecko_api_key: SecretStr | None = Field(
        default=None, description="CoinGecko demo key, sent as x-cg-demo-api-key."
    )
    stooq_api_key: SecretStr | None = Field(
        default=None, description="Stooq download key; Stooq is off without one."
    )

    http_timeout: float = Field(default=20.0, description="Seconds per HTTP request.")
    http_retries: int = Field(default=3, description="Retries after the first try.")
    http_backoff: float = Field(default=1.0, description="First retry wait in seconds.")
    http_max_wait: float = Field(
        default=60.0, description="Longest wait honoured for a Retry-After header."
    )
    rate_limit_scale: float = Field(
        default=1.0,
        description="Multiplies every provider's minimum spacing between requests "
        "(0 turns rate limiting off, e.g. for a local mirror).",
    )
    user_agent: str = Field(default=DEFAULT_USER_AGENT, description="User-Agent sent to providers.")
    refresh_overlap_days: int = Field(
        default=10, description="Days re-requested before the last stored date."
    )

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL in use: the setting, or SQLite under `home`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'pairwatch.sqlite'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
