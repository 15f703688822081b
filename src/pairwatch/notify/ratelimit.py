"""A sliding-window rate limit per key (the sign-up form's client address).

In memory and per process: enough to stop a flood against one web worker; several
workers each allow the limit (put a shared limit in the reverse proxy for more).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """At most `limit` hits per `period` seconds for each key."""

    def __init__(
        self,
        limit: int,
        period: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.limit = limit
        self.period = period
        self._clock = clock
        self._max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Count one hit; None when allowed, else the seconds until the next is allowed."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.period:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(hits[0] + self.period - now, 0.0)
            hits.append(now)
            self._forget_idle(now)
            return None

    def _forget_idle(self, now: float) -> None:
        """Drop keys without recent hits once many are held (bounded memory)."""
        if len(self._hits) <= self._max_keys:
            return
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.period]:
            del self._hits[key]
