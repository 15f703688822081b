"""Sending mail: SMTP (plain, STARTTLS or TLS, AUTH when a user is set) or an outbox folder.

Only this module talks to SMTP servers. `SmtpMailer.send` delivers one message, retrying
temporary failures (4xx replies, refused or dropped connections, timeouts) with doubling
waits; a permanent failure (5xx) raises `MailError(permanent=True)` at once, so the caller
can record it and go on with the next address. Bad credentials or a server without
STARTTLS raise `MailConfigError`: no other address would fare better.

With no SMTP host configured, `OutboxMailer` writes each message as an .eml file to
HOME/outbox/ for the operator to read (or to hand to another mail system).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import smtplib
import ssl
import time
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import Protocol

from pairwatch.errors import ConfigError, PairwatchError
from pairwatch.notify.settings import NotifySettings

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


class MailError(PairwatchError):
    """A message was not accepted; `permanent` when retrying cannot help (a 5xx reply)."""

    def __init__(self, reason: str, *, permanent: bool, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.code = code


class MailConfigError(ConfigError):
    """The SMTP settings are wrong (credentials refused, STARTTLS missing, bad certificate)."""


class Mailer(Protocol):
    """Something that takes a finished message and delivers it (or raises MailError)."""

    @property
    def description(self) -> str:
        """Where mail goes, for logs and pages."""
        ...

    def send(self, message: EmailMessage) -> str:
        """Deliver one message; returns where it went."""
        ...

    def close(self) -> None:
        """Release any connection."""
        ...


def recipients(message: EmailMessage) -> list[str]:
    """Every address of the To, Cc and Bcc headers."""
    fields = [str(v) for name in ("To", "Cc", "Bcc") for v in message.get_all(name, [])]
    return [address for _, address in getaddresses(fields) if address]


def envelope_sender(settings: NotifySettings) -> str:
    """The bare address of PAIRWATCH_MAIL_FROM (the SMTP MAIL FROM)."""
    return parseaddr(settings.mail_from)[1] or settings.mail_from


def _code_error(code: int, text: bytes | str, where: str) -> MailError:
    """A MailError from an SMTP reply: 4xx temporary, 5xx (and anything else) permanent."""
    reply = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return MailError(f"{where}: {code} {reply}", permanent=not 400 <= code < 500, code=code)


def classify(exc: Exception) -> MailError:
    """The MailError of an smtplib or socket failure (MailConfigError is raised instead)."""
    if isinstance(exc, smtplib.SMTPAuthenticationError) and not 400 <= exc.smtp_code < 500:
        raise MailConfigError(f"the SMTP server refused the login: {exc.smtp_code} {exc!s}")
    if isinstance(exc, smtplib.SMTPNotSupportedError | ssl.SSLCertVerificationError):
        raise MailConfigError(f"SMTP TLS set-up failed: {exc}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return _code_error(code, text, "recipient refused")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _code_error(exc.smtp_code, exc.smtp_error, type(exc).__name__)
    return MailError(f"{type(exc).__name__}: {exc}", permanent=False)


class SmtpMailer:
    """Delivers through one SMTP server, reusing the connection between messages."""

    def __init__(
        self, settings: NotifySettings, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        if not settings.smtp_host:
            raise MailConfigError("SmtpMailer needs PAIRWATCH_SMTP_HOST")
        self.settings = settings
        self._host = settings.smtp_host
        self._sleep = sleep
        self._smtp: smtplib.SMTP | None = None

    @property
    def description(self) -> str:
        """'smtp host:port (tls mode)'."""
        return f"smtp {self._host}:{self.settings.port} ({self.settings.tls_mode})"

    def _connect(self) -> smtplib.SMTP:
        """A connected, secured and logged-in SMTP session."""
        settings, timeout = self.settings, self.settings.smtp_timeout
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if settings.tls_mode == "tls":
            smtp = smtplib.SMTP_SSL(self._host, settings.port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(self._host, settings.port, timeout=timeout)
        try:
            if settings.tls_mode == "starttls":
                smtp.ehlo()
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.smtp_user:
                password = settings.smtp_password
                smtp.login(settings.smtp_user, password.get_secret_value() if password else "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _deliver(self, message: EmailMessage, to: list[str]) -> None:
        """One try: connect if needed, then MAIL FROM / RCPT TO / DATA."""
        if self._smtp is None:
            self._smtp = self._connect()
        self._smtp.send_message(message, envelope_sender(self.settings), to)

    def _drop(self) -> None:
        """Forget the connection after a failure (the next try reconnects)."""
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def send(self, message: EmailMessage) -> str:
        """Deliver with retries on temporary failures; MailError when it cannot."""
        to = recipients(message)
        attempts = self.settings.smtp_attempts
        for attempt in range(1, attempts + 1):
            try:
                self._deliver(message, to)
                return self.description
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()
                error = classify(exc)
                if error.permanent or attempt == attempts:
                    raise error from exc
                wait = self.settings.smtp_backoff * 2 ** (attempt - 1)
                log.warning(
                    "mail to %s: %s; try %d of %d in %.1fs", to, error, attempt + 1, attempts, wait
                )
                self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        """QUIT the open connection, if any."""
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


class OutboxMailer:
    """Writes each message as an .eml file into a folder (no SMTP host configured)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def description(self) -> str:
        """'outbox <folder>'."""
        return f"outbox {self.folder}"

    def send(self, message: EmailMessage) -> str:
        """Write the message atomically; returns the file's path."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        who = _UNSAFE.sub("_", ",".join(recipients(message)))[:80]
        path = self.folder / f"{stamp}-{who}-{uuid.uuid4().hex[:8]}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(message.as_bytes())
        os.replace(partial, path)
        return str(path)

    def close(self) -> None:
        """Nothing to release."""


def build_mailer(settings: NotifySettings) -> Mailer:
    """SMTP when PAIRWATCH_SMTP_HOST is set, else the outbox folder under home."""
    if settings.smtp_host:
        return SmtpMailer(settings)
    return OutboxMailer(settings.outbox)
