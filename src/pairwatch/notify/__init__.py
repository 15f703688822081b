"""The daily digest and alerts: subscriptions, rendering, SMTP, webhooks.

Only this package talks to SMTP servers and webhooks. Entry points: `send_digests` and
`preview_digest` (the `pairwatch digest` command), `check_alerts` (after each data
refresh), and the web router in `pairwatch.web.routes.subscriptions`.
"""

from pairwatch.notify.alerts import add_alert, check_alerts
from pairwatch.notify.delivery import DigestRun, preview_digest, send_daily_digest, send_digests
from pairwatch.notify.digest import Digest, DigestBuilder, build_digest
from pairwatch.notify.notifier import Notifier
from pairwatch.notify.settings import NotifySettings

__all__ = [
    "Digest",
    "DigestBuilder",
    "DigestRun",
    "Notifier",
    "NotifySettings",
    "add_alert",
    "build_digest",
    "check_alerts",
    "preview_digest",
    "send_daily_digest",
    "send_digests",
]
