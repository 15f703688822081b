"""Jinja2 rendering of mails (plain text + HTML + inline PNGs) and of the small pages.

Every mail is multipart/alternative with a text/plain part first and a text/html part
second; when the HTML shows sparklines, it becomes multipart/related holding the PNGs,
each referenced from the HTML as `cid:`. The digest also carries the RFC 2369/8058
unsubscribe headers. HTML comes from the templates only (autoescaped).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from pairwatch.notify.charts import sparkline
from pairwatch.notify.digest import Digest, PairDigest

DASH = "—"
NOT_ADVICE = "Not financial advice: figures describe the past and predict nothing."
_DIFF_SUFFIX = {"percent": " pp", "percentage points": " pp", "standard deviations": " sd"}


def _missing(value: float | None) -> bool:
    """True for None, NaN and infinities."""
    return value is None or not math.isfinite(value)


def level(value: float | None) -> str:
    """A level: thousands separators, 2 decimals (4 below 1 in absolute value)."""
    if value is None or _missing(value):
        return DASH
    return f"{value:,.{2 if abs(value) >= 1 else 4}f}"


def change(value: float | None, kind: str, unit: str = "") -> str:
    """A signed change: '+1.23%' for log metrics, '+0.045 pp' for diff metrics."""
    if value is None or _missing(value):
        return DASH
    if kind == "log":
        return f"{value:+.2%}"
    return f"{value:+.3f}{_DIFF_SUFFIX.get(unit, '')}"


def panel_change(value: float | None, kind: str, unit: str = "") -> str:
    """A panel change (a log change for log legs) shown as a price change or a difference."""
    if value is None or _missing(value):
        return DASH
    return change(math.expm1(value) if kind == "log" else value, kind, unit)


def signed(value: float | None, digits: int = 2) -> str:
    """A signed figure such as a correlation, beta or z-score."""
    if value is None or _missing(value):
        return DASH
    return f"{value:+.{digits}f}"


def day(value: dt.date) -> str:
    """'Wed 31 Dec 2025'."""
    return value.strftime("%a %d %b %Y")


def _environment() -> Environment:
    """The Jinja2 environment: HTML autoescaped, strict, with the number filters."""
    env = Environment(
        loader=PackageLoader("pairwatch.notify", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        level=level, change=change, panel_change=panel_change, signed=signed, day=day
    )
    env.globals["not_advice"] = NOT_ADVICE
    return env


ENV = _environment()


def render(name: str, **context: Any) -> str:
    """A template rendered with `context`."""
    return ENV.get_template(name).render(**context)


@dataclass(frozen=True)
class Image:
    """An inline PNG: its Content-ID (without brackets) and bytes."""

    cid: str
    data: bytes


@dataclass(frozen=True)
class Links:
    """The URLs one mail links to."""

    site: str
    unsubscribe: str = ""
    preferences: str = ""

    def compare(self, slug: str) -> str:
        """The pair page of a slug."""
        return f"{self.site}/compare/{slug}"

    def metric(self, metric_id: str) -> str:
        """A metric page."""
        return f"{self.site}/metrics/{metric_id}"


@dataclass(frozen=True)
class Envelope:
    """Who a mail is from and to, and its Message-ID."""

    sender: str
    to: str
    message_id: str = field(default="")

    def with_id(self) -> Envelope:
        """This envelope with a fresh Message-ID on the sender's domain when none is set."""
        if self.message_id:
            return self
        return Envelope(self.sender, self.to, new_message_id(self.sender))


def new_message_id(sender: str) -> str:
    """A unique '<...@domain>' Message-ID on the sender's domain."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "pairwatch.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"  # short enough never to be folded


def compose(
    envelope: Envelope,
    subject: str,
    text: str,
    html: str,
    images: Sequence[Image] = (),
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """A multipart/alternative mail (text, then HTML with its related images)."""
    envelope = envelope.with_id()
    message = EmailMessage()
    message["From"] = envelope.sender
    message["To"] = envelope.to
    message["Subject"] = subject
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = envelope.message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    html_part = message.get_body(("html",))
    if html_part is None:  # pragma: no cover - add_alternative just made it
        raise ValueError("the message has no HTML part")
    for image in images:
        html_part.add_related(image.data, "image", "png", cid=f"<{image.cid}>")
    return message


def unsubscribe_headers(links: Links) -> dict[str, str]:
    """List-Unsubscribe (the signed URL) and List-Unsubscribe-Post (RFC 8058 one-click)."""
    return {
        "List-Unsubscribe": f"<{links.unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def pair_images(pairs: Sequence[PairDigest]) -> list[tuple[str, Image]]:
    """A sparkline per pair that has a line: (slug, image) in pair order."""
    found: list[tuple[str, Image]] = []
    for number, pair in enumerate(pairs, start=1):
        png = sparkline(pair.line)
        if png is not None:
            found.append((pair.slug, Image(f"spark{number}.{pair.slug}@pairwatch", png)))
    return found


def digest_subject(digest: Digest) -> str:
    """'pairwatch digest Wed 31 Dec 2025: IWM +1.23%, VIX -2.10%'."""
    subject = f"pairwatch digest {day(digest.as_of)}"
    if digest.pairs:
        first = digest.pairs[0]
        moves = ", ".join(
            f"{leg.label} {change(leg.one_day, leg.kind, leg.unit)}" for leg in (first.a, first.b)
        )
        subject = f"{subject}: {moves}"
    return f"[SYNTHETIC] {subject}" if digest.synthetic else subject


def digest_text(digest: Digest, links: Links) -> str:
    """The plain-text part of a digest."""
    return render("email/digest.txt", digest=digest, links=links)


def digest_html(digest: Digest, links: Links, images: Mapping[str, str]) -> str:
    """The HTML part of a digest; `images` maps a pair slug to its sparkline's src."""
    return render("email/digest.html", digest=digest, links=links, images=images)


def digest_message(digest: Digest, envelope: Envelope, links: Links) -> EmailMessage:
    """The digest mail of one reader, with the unsubscribe headers and sparklines."""
    images = pair_images(digest.pairs)
    return compose(
        envelope,
        digest_subject(digest),
        digest_text(digest, links),
        digest_html(digest, links, {slug: f"cid:{image.cid}" for slug, image in images}),
        [image for _, image in images],
        {**unsubscribe_headers(links), "List-Id": "pairwatch daily digest <digest.pairwatch>"},
    )


def digest_page(digest: Digest, links: Links) -> str:
    """The digest's HTML as a standalone file, sparklines inlined as data: URLs."""
    images = {
        slug: "data:image/png;base64," + base64.b64encode(image.data).decode("ascii")
        for slug, image in pair_images(digest.pairs)
    }
    return digest_html(digest, links, images)


def confirm_message(envelope: Envelope, link: str, hours: int, site: str) -> EmailMessage:
    """The double opt-in mail: one signed link that confirms the sign-up."""
    context = {"link": link, "hours": hours, "site": site}
    return compose(
        envelope,
        "Confirm your pairwatch digest subscription",
        render("email/confirm.txt", **context),
        render("email/confirm.html", **context),
        headers={"Auto-Submitted": "auto-generated"},
    )


def notice_message(envelope: Envelope, links: Links) -> EmailMessage:
    """The mail a confirmed reader gets when someone signs their address up again."""
    context = {"links": links}
    return compose(
        envelope,
        "You are already subscribed to the pairwatch digest",
        render("email/already.txt", **context),
        render("email/already.html", **context),
        headers={**unsubscribe_headers(links), "Auto-Submitted": "auto-generated"},
    )


def alert_message(
    envelope: Envelope, subject: str, firing: Mapping[str, Any], links: Links
) -> EmailMessage:
    """An alert mail with the figures that triggered it."""
    context = {"firing": firing, "links": links}
    return compose(
        envelope,
        subject,
        render("email/alert.txt", **context),
        render("email/alert.html", **context),
        headers={**unsubscribe_headers(links), "Auto-Submitted": "auto-generated"},
    )


def page(name: str, **context: Any) -> str:
    """One of the sign-up pages (templates/pages/)."""
    return render(f"pages/{name}", **context)
