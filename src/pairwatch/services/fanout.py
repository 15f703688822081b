"""Live updates across processes: every LiveHub of a deployment sees every event.

A team deployment runs one `pairwatch serve` with the scheduler and several
`pairwatch serve --no-jobs` web workers; each has its own `LiveHub` and SSE clients.
`RedisFanout` joins them through one Redis channel: events published on the local hub are
also published to the channel (tagged with this process's id), and a background thread
forwards the events of OTHER processes into the local hub (never back to Redis, and never
an event of its own: no echo).

Messages are JSON: `{"origin": process id, "event": event}`. A Redis outage never stops
the local hub: failures are logged once, publishing resumes when Redis answers again,
and the subscriber reconnects after `RETRY_AFTER`.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from typing import TYPE_CHECKING, Any

from pairwatch.services.live import Event, LiveHub
from pairwatch.services.shared_cache import RETRY_AFTER, Outage, connect

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)

DEFAULT_CHANNEL = "pairwatch:live"
POLL_SECONDS = 0.2
START_TIMEOUT = 5.0
LOCAL_ONLY = frozenset({"closed"})  # each process ends its own streams


def process_id() -> str:
    """A name unique to this fan-out: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class RedisFanout:
    """Bridges one process's LiveHub and a Redis pub/sub channel (start(), then close())."""

    def __init__(
        self,
        hub: LiveHub,
        client: redis.Redis,
        *,
        channel: str = DEFAULT_CHANNEL,
        retry_after: float = RETRY_AFTER,
    ) -> None:
        self.hub = hub
        self.client = client
        self.channel = channel
        self.retry_after = retry_after
        self.process_id = process_id()
        self.outage = Outage("live fan-out", retry_after)
        self.forwarded = 0
        self.subscribed = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_url(cls, hub: LiveHub, url: str, *, channel: str = DEFAULT_CHANNEL) -> RedisFanout:
        """A fan-out of `hub` through the Redis at `url`."""
        return cls(hub, connect(url), channel=channel)

    def start(self, timeout: float = START_TIMEOUT) -> bool:
        """Relay the hub's events and start listening; True once subscribed within timeout.

        False means Redis did not answer in time: the process still serves its own hub,
        and the listener keeps retrying in the background.
        """
        if self._thread is not None:
            return self.subscribed.is_set()
        self.hub.add_relay(self.send)
        self._thread = threading.Thread(target=self._listen, name="pairwatch-fanout", daemon=True)
        self._thread.start()
        return self.subscribed.wait(timeout)

    def close(self) -> None:
        """Stop relaying and listening, and close the Redis connections."""
        self.hub.remove_relay(self.send)
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=POLL_SECONDS + self.retry_after + 5.0)
        try:
            self.client.close()
        except Exception:  # closing must never fail a shutdown
            log.debug("closing the Redis client failed", exc_info=True)

    def send(self, event: Event) -> None:
        """Publish a local event to the channel (the hub's relay; never raises)."""
        if event.get("type") in LOCAL_ONLY or not self.outage.available():
            return
        try:
            message = json.dumps({"origin": self.process_id, "event": event}, default=str)
        except (TypeError, ValueError):
            log.warning("live event cannot be fanned out: %r", event, exc_info=True)
            return
        try:
            self.client.publish(self.channel, message)
        except Exception as exc:  # any Redis or socket error: the local hub still works
            self.outage.failed(exc)
            return
        self.outage.succeeded()

    def receive(self, data: bytes | str) -> bool:
        """Forward one channel message into the local hub; False for own or bad messages."""
        try:
            message: Any = json.loads(data)
        except ValueError:
            log.warning("ignoring a malformed live message on %s", self.channel)
            return False
        if not isinstance(message, dict) or message.get("origin") == self.process_id:
            return False
        event = message.get("event")
        if not isinstance(event, dict) or event.get("type") in LOCAL_ONLY:
            return False
        self.hub.publish(event, relay=False)
        self.forwarded += 1
        return True

    def _listen(self) -> None:
        """The background thread: subscribe, forward messages, reconnect after failures."""
        while not self._stop.is_set():
            try:
                self._subscribe_and_forward()
            except Exception as exc:  # any Redis or socket error: retry after a pause
                self.subscribed.clear()
                self.outage.failed(exc)
                self._stop.wait(self.retry_after)

    def _subscribe_and_forward(self) -> None:
        """One subscription's life: wait for the confirmation, then forward until stopped."""
        pubsub = self.client.pubsub()  # type: ignore[no-untyped-call]
        try:
            pubsub.subscribe(self.channel)
            while not self._stop.is_set():
                message = pubsub.get_message(timeout=POLL_SECONDS)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    self.outage.succeeded()
                    self.subscribed.set()
                elif message["type"] == "message":
                    self.receive(message["data"])
        finally:
            pubsub.close()


__all__ = ["DEFAULT_CHANNEL", "RedisFanout", "process_id"]
