"""Digest sign-up, confirmation, one-click unsubscribe and preferences (issue #5).

Mount with `app.include_router(router)`. The routes build their `Notifier` on first use
from the app's `site.context` when there is one (else from the environment); tests and
other apps can call `install(app, notifier)` first.

Page forms that post to /subscribe include the anti-forgery token:

    <input type="hidden" name="csrf_token" value="{{ csrf_token(request) }}">

with `csrf_token` from this module registered as a template global (or its value passed
in the view). The token is an itsdangerous-signed timestamp under the secret key, valid
for a week, so cached pages keep working; a POST whose Origin (or Sec-Fetch-Site) shows
another site is refused as well.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, BackgroundTasks, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse

from pairwatch.catalog import Catalog
from pairwatch.config import Settings
from pairwatch.errors import InvalidRequestError
from pairwatch.notify.alerts import AlertBook, add_alert
from pairwatch.notify.conditions import FORMS
from pairwatch.notify.digest import PAIR_SEPARATOR
from pairwatch.notify.mailer import MailConfigError, MailError
from pairwatch.notify.notifier import Notifier
from pairwatch.notify.ratelimit import RateLimiter
from pairwatch.notify.render import page
from pairwatch.notify.settings import NotifySettings
from pairwatch.notify.signup import change_pairs, confirm, sign_up, subscriber_of, unsubscribe
from pairwatch.notify.subscriptions import Subscriber
from pairwatch.notify.tokens import PREFERENCES, UNSUBSCRIBE, TokenError
from pairwatch.services.context import Context

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_build_lock = threading.Lock()

TokenQuery = Annotated[str, Query(max_length=2000)]
FormText = Annotated[str, Form(max_length=400)]
FormList = Annotated[list[str], Form()]


@dataclass
class NotifyWeb:
    """The router's state on `app.state.notify`: the notifier and the sign-up limit."""

    notifier: Notifier
    limiter: RateLimiter


def install(app: FastAPI, notifier: Notifier) -> NotifyWeb:
    """Give the routes of `app` this notifier (instead of one built on first use)."""
    state = NotifyWeb(notifier, RateLimiter(notifier.settings.signup_rate, 60.0))
    app.state.notify = state
    return state


def _context_of(app: Any) -> Context:
    """The web app's context (`app.state.site.context`), else one from the environment."""
    context = getattr(getattr(app.state, "site", None), "context", None)
    return context if isinstance(context, Context) else Context(Settings())


def notify_state(request: Request) -> NotifyWeb:
    """The router's state, built on first use."""
    state = getattr(request.app.state, "notify", None)
    if isinstance(state, NotifyWeb):
        return state
    with _build_lock:
        state = getattr(request.app.state, "notify", None)
        if not isinstance(state, NotifyWeb):
            context = _context_of(request.app)
            notifier = Notifier(NotifySettings(), context.store, context.catalog)
            state = install(request.app, notifier)
    return state


def csrf_token(request: Request) -> str:
    """The hidden `csrf_token` value for a form posting to /subscribe."""
    return notify_state(request).notifier.tokens.csrf()


def _same_origin(request: Request, settings: NotifySettings) -> bool:
    """False when the browser says the POST comes from another site."""
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    netloc = urlsplit(origin).netloc
    return netloc in (request.headers.get("host", ""), urlsplit(settings.site_url).netloc)


def _web_csrf_valid(request: Request, token: str) -> bool:
    """The page-form token of the web app's own signer (`site.csrf`), when it has one."""
    signer = getattr(getattr(request.app.state, "site", None), "csrf", None)
    valid = getattr(signer, "valid", None)
    return bool(valid(token)) if callable(valid) else False


def csrf_ok(request: Request, notifier: Notifier, token: str) -> bool:
    """A same-site POST carrying a token signed by us (or by the web app's signer)."""
    if not token or not _same_origin(request, notifier.settings):
        return False
    return notifier.tokens.csrf_valid(token) or _web_csrf_valid(request, token)


def _page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page; its links and form actions are site-relative (the CSP allows 'self' only)."""
    body = page(name, site="", **context)
    return HTMLResponse(body, status_code=status, headers=NO_STORE)


def _message(
    status: int, title: str, text: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """A short page saying what went wrong."""
    response = _page("message.html", status, title=title, text=text, back=None)
    response.headers.update(headers or {})
    return response


def _token_error(exc: TokenError) -> HTMLResponse:
    """400 for a forged or altered link, 410 for an expired one."""
    if exc.expired:
        text = "This link has expired. Sign up again from any pair page for a new one."
        return _message(410, "Link expired", text)
    return _message(400, "Link not valid", f"{exc}. Check that the whole link was copied.")


def _client(request: Request) -> str:
    """The client address the sign-up limit counts against."""
    return request.client.host if request.client else "unknown"


def _deliver(notifier: Notifier, message: EmailMessage) -> None:
    """Send a sign-up mail after the response (the page never depends on it)."""
    try:
        where = notifier.send(message)
        log.info("sign-up mail %s sent via %s", message["Message-ID"], where)
    except (MailError, MailConfigError) as exc:
        log.warning("sign-up mail %s not sent: %s", message["Message-ID"], exc)


@router.post("/subscribe")
def subscribe(
    request: Request,
    background: BackgroundTasks,
    email: FormText = "",
    csrf_token: FormText = "",
    pairs: FormList | None = None,
    pair: FormList | None = None,
) -> HTMLResponse:
    """Start a double opt-in sign-up; the answer is the same whatever the address's state."""
    state = notify_state(request)
    notifier = state.notifier
    wait = state.limiter.hit(_client(request))
    if wait is not None:
        text = "Too many sign-ups from your address. Try again in a minute."
        return _message(429, "Slow down", text, {"Retry-After": str(int(wait) + 1)})
    if not csrf_ok(request, notifier, csrf_token):
        text = "The form has expired or was sent from another site. Reload the page and retry."
        return _message(403, "Form expired", text)
    try:
        message = sign_up(notifier, email, [*(pairs or ()), *(pair or ())])
    except InvalidRequestError as exc:
        return _message(422, "Check the form", str(exc))
    if message is not None:
        background.add_task(_deliver, notifier, message)
    hours = notifier.settings.confirm_hours
    return _page("subscribed.html", hours=hours, outbox=notifier.uses_outbox)


@router.get("/confirm")
def confirm_page(request: Request, token: TokenQuery = "") -> HTMLResponse:
    """Opening the emailed link confirms the subscription."""
    notifier = notify_state(request).notifier
    try:
        subscriber = confirm(notifier, token)
    except TokenError as exc:
        return _token_error(exc)
    preferences = notifier.tokens.subscriber(PREFERENCES, subscriber.id)
    return _page(
        "confirmed.html",
        email=subscriber.email,
        pairs=subscriber.pairs,
        preferences=f"/preferences?token={quote(preferences)}",
    )


def _unsubscribe_action(token: str) -> str:
    """The unsubscribe button's form action (site-relative)."""
    return f"/unsubscribe?token={quote(token)}"


@router.get("/unsubscribe")
def unsubscribe_page(request: Request, token: TokenQuery = "") -> HTMLResponse:
    """A page with one button (a GET never unsubscribes: link scanners open links)."""
    notifier = notify_state(request).notifier
    try:
        notifier.tokens.read_subscriber(UNSUBSCRIBE, token)
    except TokenError as exc:
        return _token_error(exc)
    return _page("unsubscribe.html", action=_unsubscribe_action(token))


@router.post("/unsubscribe")
def unsubscribe_now(request: Request, token: TokenQuery = "") -> HTMLResponse:
    """RFC 8058 one-click: the signed URL is the proof, no form token; answers 200."""
    notifier = notify_state(request).notifier
    try:
        unsubscribe(notifier, token)
    except TokenError as exc:
        return _token_error(exc)
    return _page("unsubscribed.html")


def _options(catalog: Catalog, chosen: tuple[str, ...]) -> list[dict[str, Any]]:
    """Checkbox options: the curated pairs, then any other pair the reader chose."""
    titles = {
        p.slug: f"{p.title or p.slug} ({p.a.upper()} vs {p.b.upper()})" for p in catalog.pairs
    }
    for slug in chosen:
        titles.setdefault(slug, slug.replace(PAIR_SEPARATOR, " vs ").upper())
    return [{"slug": s, "title": t, "chosen": s in chosen} for s, t in titles.items()]


def _preferences(
    notifier: Notifier,
    subscriber: Subscriber,
    token: str,
    *,
    saved: bool = False,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The preferences page of one reader."""
    alerts = AlertBook(notifier.store.engine).all(subscriber_id=subscriber.id)
    return _page(
        "preferences.html",
        status,
        email=subscriber.email,
        options=_options(notifier.catalog, subscriber.pairs),
        alerts=alerts,
        forms=FORMS,
        action=f"/preferences?token={quote(token)}",
        saved=saved,
        error=error,
    )


@router.get("/preferences")
def preferences_page(request: Request, token: TokenQuery = "") -> HTMLResponse:
    """The reader's pairs and alerts (the signed link in every mail)."""
    notifier = notify_state(request).notifier
    try:
        subscriber = subscriber_of(notifier, token)
    except TokenError as exc:
        return _token_error(exc)
    return _preferences(notifier, subscriber, token)


def _apply(notifier: Notifier, subscriber: Subscriber, token: str, form: dict[str, Any]) -> None:
    """One preferences change: the pairs, or adding or removing an alert."""
    action = form["action"]
    if action == "pairs":
        change_pairs(notifier, token, form["pairs"])
    elif action == "add-alert":
        add_alert(
            notifier,
            form["pair"],
            form["when"],
            email=subscriber.email,
            subscriber_id=subscriber.id,
        )
    elif action == "remove-alert":
        AlertBook(notifier.store.engine).remove(int(form["alert_id"]), subscriber.id)
    else:
        raise InvalidRequestError(f"unknown action {action!r}")


@router.post("/preferences")
def preferences_save(
    request: Request,
    token: TokenQuery = "",
    action: FormText = "pairs",
    pairs: FormList | None = None,
    pair: FormText = "",
    when: FormText = "",
    alert_id: Annotated[int, Form()] = 0,
) -> HTMLResponse:
    """Save the pairs, or add or remove an alert (email alerts to this reader only)."""
    notifier = notify_state(request).notifier
    try:
        subscriber = subscriber_of(notifier, token)
    except TokenError as exc:
        return _token_error(exc)
    form = {
        "action": action,
        "pairs": pairs or [],
        "pair": pair,
        "when": when,
        "alert_id": alert_id,
    }
    try:
        _apply(notifier, subscriber, token, form)
    except InvalidRequestError as exc:
        return _preferences(notifier, subscriber, token, error=str(exc), status=422)
    return _preferences(notifier, subscriber_of(notifier, token), token, saved=True)
