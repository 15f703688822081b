"""Settings: every PAIRWATCH_* environment variable, read in one place.

`Settings` configures data, providers and the store; `NotifySettings` the digest's mail,
links, signing key and webhook policy.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from pairwatch.errors import ConfigError

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
    fallback_after_days: float = Field(
        default=3.0,
        ge=0.0,
        description="Days a metric's source must fail on end (no success) before its "
        "fallback source may replace the stored history.",
    )

    redis_url: str | None = Field(
        default=None,
        description="Redis URL (e.g. redis://127.0.0.1:6379/0) for several processes: a "
        "report cache shared by the web workers and live updates fanned out from the "
        "scheduler to every worker; default: everything in-process. Needs pairwatch[team].",
    )

    @property
    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL in use: the setting, or SQLite under `home`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'pairwatch.sqlite'}"


TlsMode = Literal["none", "starttls", "tls"]
SECRET_FILE = "secret_key"
OUTBOX = "outbox"
PORTS: dict[str, int] = {"tls": 465, "starttls": 587, "none": 25}
TLS_BY_PORT: dict[int, TlsMode] = {465: "tls", 587: "starttls"}


class NotifySettings(BaseSettings):
    """SMTP, sender, public links, signing key and webhook policy."""

    model_config = SettingsConfigDict(env_prefix="PAIRWATCH_", extra="ignore")

    home: Path = Field(
        default_factory=lambda: Path(user_data_dir("pairwatch", appauthor=False)),
        description="Folder for local state: the outbox and the generated secret key.",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server; without one, mails go to HOME/outbox/*.eml."
    )
    smtp_port: int | None = Field(
        default=None, description="SMTP port; default 465 for tls, 587 for starttls, else 25."
    )
    smtp_user: str | None = Field(default=None, description="SMTP AUTH user (AUTH when set).")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP AUTH password.")
    smtp_tls: TlsMode | None = Field(
        default=None,
        description="none, starttls or tls; default tls on port 465, starttls on 587, none else.",
    )
    smtp_timeout: float = Field(default=30.0, description="Seconds per SMTP operation.")
    smtp_attempts: int = Field(
        default=4, ge=1, description="Tries per message on temporary SMTP failures."
    )
    smtp_backoff: float = Field(
        default=2.0, ge=0.0, description="First wait between SMTP tries; doubles each time."
    )
    mail_from: str = Field(
        default="pairwatch <pairwatch@localhost>", description="From address of every mail."
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public URL of the site for links in mails (https in production).",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Key signing links, form tokens and webhooks; default: generated once "
        "and kept in HOME/secret_key.",
    )
    allow_private_webhooks: bool = Field(
        default=False,
        description="Allow webhook targets on loopback, private or link-local addresses.",
    )
    webhook_timeout: float = Field(default=10.0, description="Seconds per webhook request.")
    webhook_attempts: int = Field(
        default=3, ge=1, description="Tries per webhook on network errors and 5xx answers."
    )
    webhook_backoff: float = Field(
        default=1.0, ge=0.0, description="First wait between webhook tries; doubles each time."
    )
    confirm_hours: int = Field(
        default=72, ge=1, description="Hours a confirmation link stays valid."
    )
    digest_time: str = Field(
        default="18:15",
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="When `pairwatch serve` sends the daily digest (HH:MM, New York, "
        "weekdays), after the US close and the providers' publication.",
    )
    signup_rate: int = Field(
        default=5, ge=1, description="Sign-ups accepted per client address per minute."
    )

    @property
    def tls_mode(self) -> TlsMode:
        """The TLS mode in use: the setting, else by port (465 tls, 587 starttls)."""
        if self.smtp_tls is not None:
            return self.smtp_tls
        return TLS_BY_PORT.get(self.smtp_port or 0, "none")

    @property
    def port(self) -> int:
        """The SMTP port in use: the setting, else the usual port of the TLS mode."""
        return self.smtp_port if self.smtp_port is not None else PORTS[self.tls_mode]

    @property
    def outbox(self) -> Path:
        """Where mails are written when no SMTP host is set."""
        return self.home / OUTBOX

    @property
    def site_url(self) -> str:
        """The base URL without a trailing slash."""
        return self.base_url.rstrip("/")

    def secret(self) -> str:
        """The signing key: the setting, or the key file under home (created once)."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        return stored_secret(self.home / SECRET_FILE)


def stored_secret(path: Path) -> str:
    """The key kept in `path`, created (mode 0600) by the first process that needs it.

    The key is written to a private temporary file that is then hard-linked into place,
    so a concurrent reader sees either no file or the whole key, and two processes
    racing to create it both end up with the winner's key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race: use its key
        finally:
            temporary.unlink()
    key = path.read_text("ascii").strip()
    if len(key) < 32:
        raise ConfigError(
            f"the secret key in {path} is {len(key)} characters; it needs 32 or more "
            "(delete the file to generate a new one, or set PAIRWATCH_SECRET_KEY)"
        )
    return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
