"""Live fan-out: an event published in one process reaches the SSE clients of every other."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from pairwatch.config import Settings
from pairwatch.serve import PairwatchServer
from pairwatch.services.fanout import RedisFanout
from pairwatch.services.live import Event, LiveHub
from pairwatch.services.shared_cache import connect
from tests.scale.conftest import closed_port_url

QUOTE: Event = {"type": "quote", "generated_at": "2026-01-02T15:00:00+00:00", "metrics": {}}


def quote(n: int) -> Event:
    return {**QUOTE, "metrics": {"vix": {"value": float(n)}}}


@pytest.fixture
def fanouts(redis_url: str, namespace: str) -> Iterator[Callable[[LiveHub], RedisFanout]]:
    """Started fan-outs of given hubs on this test's own channel (closed afterwards)."""
    made: list[RedisFanout] = []

    def build(hub: LiveHub) -> RedisFanout:
        fanout = RedisFanout(hub, connect(redis_url), channel=f"{namespace}live")
        made.append(fanout)
        assert fanout.start(), "the fan-out did not subscribe"
        return fanout

    yield build
    for fanout in made:
        fanout.close()


async def drain(
    subscription_next: Callable[[float], Awaitable[Event | None]], wait: float
) -> list[Event]:
    """Every event that arrives until `wait` seconds pass without one."""
    got: list[Event] = []
    while (event := await subscription_next(wait)) is not None:
        got.append(event)
    return got


def test_an_event_reaches_the_other_hub_once_and_is_not_echoed(
    fanouts: Callable[[LiveHub], RedisFanout],
) -> None:
    one, two = LiveHub(), LiveHub()
    fan_one, fan_two = fanouts(one), fanouts(two)

    async def scenario() -> tuple[list[Event], list[Event]]:
        here, there = one.subscribe(), two.subscribe()
        one.publish(quote(1))
        first = await there.next_event(5.0)
        assert first == quote(1)
        return await drain(here.next_event, 0.5), await drain(there.next_event, 0.5)

    here, there = asyncio.run(scenario())
    assert here == [quote(1)]  # delivered locally once, never echoed back from Redis
    assert there == []  # exactly once on the other hub
    assert (fan_one.forwarded, fan_two.forwarded) == (0, 1)


def test_both_directions_and_shutdown_stays_local(
    fanouts: Callable[[LiveHub], RedisFanout],
) -> None:
    one, two = LiveHub(), LiveHub()
    fanouts(one), fanouts(two)

    async def scenario() -> tuple[Event | None, list[Event]]:
        here, there = one.subscribe(), two.subscribe()
        two.publish(quote(2))
        back = await here.next_event(5.0)
        one.close()  # this process shuts down: the other one's clients stay connected
        return back, await drain(there.next_event, 0.5)

    back, there = asyncio.run(scenario())
    assert back == quote(2)
    assert there == [quote(2)]


def test_own_and_malformed_messages_are_ignored() -> None:
    hub = LiveHub()
    fanout = RedisFanout(hub, connect(closed_port_url()))
    try:
        own = json.dumps({"origin": fanout.process_id, "event": quote(1)})
        other = json.dumps({"origin": "elsewhere", "event": quote(1)})
        closed = json.dumps({"origin": "elsewhere", "event": {"type": "closed"}})
        assert not fanout.receive(own)
        assert not fanout.receive("not json")
        assert not fanout.receive(closed)
        assert fanout.receive(other)
    finally:
        fanout.close()


def test_an_unreachable_redis_never_stops_the_local_hub(
    caplog: pytest.LogCaptureFixture,
) -> None:
    hub = LiveHub()
    fanout = RedisFanout(hub, connect(closed_port_url()))

    async def scenario() -> list[Event]:
        subscription = hub.subscribe()
        hub.publish(quote(1))
        hub.publish(quote(2))
        return await drain(subscription.next_event, 0.3)

    with caplog.at_level(logging.WARNING, logger="pairwatch.services.shared_cache"):
        assert not fanout.start(timeout=0.5)
        got = asyncio.run(scenario())
        fanout.close()
    assert got == [quote(1), quote(2)]
    assert fanout.outage.warnings == 1


def test_serve_joins_the_fan_out_only_with_a_redis_url(tmp_path: Path) -> None:
    plain = Settings(home=tmp_path / "a")
    shared = Settings(home=tmp_path / "b", redis_url=closed_port_url())
    for settings, demo, expected in (
        (plain, False, False),
        (shared, False, True),
        (shared, True, False),
    ):
        server = PairwatchServer("127.0.0.1", 8765, settings=settings, run_jobs=False, demo=demo)
        try:
            assert (server.fanout is not None) is expected
        finally:
            if server.fanout is not None:
                server.fanout.close()
            server.jobs.shutdown(wait=False)
            server.context.close()
