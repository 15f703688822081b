"""A thread-safe, bounded least-recently-used map with compute-once misses.

It sits below every layer (it imports nothing of ours), so the store's series cache, the
forecast cache and the web's report cache all use this one implementation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """A thread-safe, bounded least-recently-used map with compute-once misses."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError(f"cache maxsize must be at least 1, got {maxsize}")
        self.maxsize = maxsize
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[K, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items

    def get(self, key: K) -> V | None:
        """The cached value (marked as recently used), or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: K, value: V) -> None:
        """Store a value, evicting the least recently used entry beyond maxsize."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The cached value, or compute() stored under key; one computation per key at once."""
        found = self._lookup(key)
        if found is not None:
            return found
        with self._key_lock(key):
            found = self._lookup(key, count=False)
            if found is not None:
                return found
            try:
                value = compute()
                self.put(key, value)
            finally:
                with self._lock:
                    self._pending.pop(key, None)
            return value

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._items.clear()

    def _lookup(self, key: K, *, count: bool = True) -> V | None:
        """get() that also counts hits and misses."""
        value = self.get(key)
        if count:
            with self._lock:
                if value is None:
                    self.misses += 1
                else:
                    self.hits += 1
        return value

    def _key_lock(self, key: K) -> threading.Lock:
        """The lock serialising computations of one key."""
        with self._lock:
            return self._pending.setdefault(key, threading.Lock())
