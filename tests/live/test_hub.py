"""LiveHub: fan-out to every client, thread-safe publishing, slow clients lose the oldest."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

from pairwatch.services.live import CLOSED, Event, LiveHub


def event(n: int) -> Event:
    return {"type": "quote", "n": n}


async def _first(subscription: AsyncIterator[Event], count: int) -> AsyncIterator[Event]:
    """The first `count` events of a subscription, by plain async iteration."""
    for _ in range(count):
        yield await anext(subscription)


def test_every_subscriber_gets_every_event() -> None:
    async def scenario() -> tuple[list[Event | None], list[Event]]:
        hub = LiveHub()
        first, second = hub.subscribe(), hub.subscribe()
        assert hub.subscriber_count == 2
        for n in range(3):
            hub.publish(event(n))
        got = [await first.next_event(1.0) for _ in range(3)]
        also = [e async for e in _first(second, 3)]
        return got, also

    got, also = asyncio.run(scenario())
    assert got == also == [event(0), event(1), event(2)]


def test_a_slow_client_loses_its_oldest_events_and_never_blocks() -> None:
    async def scenario() -> tuple[list[Event], int, list[Event]]:
        hub = LiveHub(queue_size=3)
        slow, fast = hub.subscribe(), hub.subscribe()
        seen: list[Event] = []
        for n in range(5):
            hub.publish(event(n))
            got = await fast.next_event(1.0)
            assert got is not None
            seen.append(got)
        await asyncio.sleep(0)
        kept = [slow.queue.get_nowait() for _ in range(slow.queue.qsize())]
        return kept, slow.dropped, seen

    kept, dropped, seen = asyncio.run(scenario())
    assert kept == [event(2), event(3), event(4)]
    assert dropped == 2
    assert seen == [event(n) for n in range(5)]


def test_publishing_from_another_thread_reaches_the_loop() -> None:
    async def scenario() -> Event | None:
        hub = LiveHub()
        subscription = hub.subscribe()
        worker = threading.Thread(target=hub.publish, args=(event(7),))
        worker.start()
        got = await subscription.next_event(2.0)
        worker.join()
        return got

    assert asyncio.run(scenario()) == event(7)


def test_waiting_times_out_with_none() -> None:
    async def scenario() -> Event | None:
        return await LiveHub().subscribe().next_event(0.01)

    assert asyncio.run(scenario()) is None


def test_closed_subscriptions_stop_receiving() -> None:
    async def scenario() -> int:
        hub = LiveHub()
        async with hub.subscribe():
            assert hub.subscriber_count == 1
        hub.publish(event(1))
        return hub.subscriber_count

    assert asyncio.run(scenario()) == 0


def test_a_subscriber_whose_loop_ended_is_dropped() -> None:
    hub = LiveHub()

    async def subscribe_and_leave() -> None:
        hub.subscribe()  # never closed: its loop ends with asyncio.run

    asyncio.run(subscribe_and_leave())
    assert hub.subscriber_count == 1
    hub.publish(event(1))
    assert hub.subscriber_count == 0


def test_closing_the_hub_ends_current_and_later_subscriptions() -> None:
    async def scenario() -> tuple[Event | None, Event | None]:
        hub = LiveHub()
        before = hub.subscribe()
        hub.close()
        after = hub.subscribe()
        return await before.next_event(1.0), await after.next_event(1.0)

    assert asyncio.run(scenario()) == (CLOSED, CLOSED)
