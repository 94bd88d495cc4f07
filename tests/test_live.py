"""The live topic hub: typed events reach exactly the subscribers of their topic."""

from __future__ import annotations

import asyncio
import logging

import pytest

from portal import live
from portal.live import Event, Hub


async def settle(rounds: int = 5) -> None:
    """Let the tasks the hub scheduled for async callbacks run."""
    for _ in range(rounds):
        await asyncio.sleep(0)


def test_publish_reaches_only_the_subscribers_of_that_topic() -> None:
    hub = Hub()
    a1: list[Event] = []
    a2: list[Event] = []
    b: list[Event] = []
    hub.subscribe('citizen:a', a1.append)
    hub.subscribe('citizen:a', a2.append)
    hub.subscribe('citizen:b', b.append)

    event = Event('citizen:a', 'registry.updated', {'kind': 'address'})
    hub.publish(event)

    assert a1 == [event]
    assert a2 == [event]
    assert b == []
    hub.publish(Event('citizen:nobody', 'history.added'))  # a topic without subscribers is fine
    assert (len(a1), len(a2), len(b)) == (1, 1, 0)


def test_event_defaults_and_equality() -> None:
    assert Event('t', 'k').data == {}
    assert Event('t', 'k', {'x': 1}) == Event('t', 'k', {'x': 1})
    assert Event('t', 'k').data is not Event('t', 'k').data


def test_unsubscribe_removes_only_that_subscription() -> None:
    hub = Hub()
    first: list[Event] = []
    second: list[Event] = []
    sub1 = hub.subscribe('topic', first.append)
    hub.subscribe('topic', second.append)
    assert sub1.topic == 'topic'

    hub.unsubscribe(sub1)
    hub.publish(Event('topic', 'k'))
    assert first == []
    assert len(second) == 1
    assert hub.subscriber_count('topic') == 1

    hub.unsubscribe(sub1)  # twice is harmless
    assert hub.subscriber_count('topic') == 1


def test_the_same_callback_subscribed_twice_hears_twice_until_each_is_removed() -> None:
    hub = Hub()
    heard: list[Event] = []
    sub1 = hub.subscribe('topic', heard.append)
    sub2 = hub.subscribe('topic', heard.append)
    assert sub1 != sub2
    hub.publish(Event('topic', 'k'))
    assert len(heard) == 2
    hub.unsubscribe(sub1)
    hub.publish(Event('topic', 'k'))
    assert len(heard) == 3
    hub.unsubscribe(sub2)
    assert hub.subscriber_count() == 0


def test_a_failing_subscriber_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    hub = Hub()
    before: list[Event] = []
    after: list[Event] = []

    def broken(event: Event) -> None:
        raise RuntimeError('subscriber bug')

    hub.subscribe('topic', before.append)
    hub.subscribe('topic', broken)
    hub.subscribe('topic', after.append)
    with caplog.at_level(logging.ERROR, logger='portal.live'):
        hub.publish(Event('topic', 'registry.updated'))

    assert len(before) == 1
    assert len(after) == 1
    assert 'live subscriber failed on registry.updated' in caplog.text
    assert 'subscriber bug' in caplog.text


def test_a_subscriber_may_unsubscribe_itself_while_being_called() -> None:
    hub = Hub()
    heard: list[Event] = []
    others: list[Event] = []

    def once(event: Event) -> None:
        heard.append(event)
        hub.unsubscribe(sub)

    sub = hub.subscribe('topic', once)
    hub.subscribe('topic', others.append)
    hub.publish(Event('topic', 'k'))
    hub.publish(Event('topic', 'k'))
    assert len(heard) == 1
    assert len(others) == 2


async def test_async_callbacks_are_awaited() -> None:
    hub = Hub()
    heard: list[Event] = []
    finished: list[Event] = []

    async def slow(event: Event) -> None:
        heard.append(event)
        await asyncio.sleep(0)
        finished.append(event)

    hub.subscribe('topic', slow)
    event = Event('topic', 'k')
    hub.publish(event)
    await settle()
    assert heard == [event]
    assert finished == [event]


async def test_a_failing_async_subscriber_is_logged_and_others_still_hear(caplog: pytest.LogCaptureFixture) -> None:
    hub = Hub()
    heard: list[Event] = []

    async def broken(event: Event) -> None:
        await asyncio.sleep(0)
        raise RuntimeError('async subscriber bug')

    async def fine(event: Event) -> None:
        heard.append(event)

    hub.subscribe('topic', broken)
    hub.subscribe('topic', fine)
    with caplog.at_level(logging.ERROR, logger='portal.live'):
        hub.publish(Event('topic', 'k'))
        await settle()
    assert len(heard) == 1
    assert 'live subscriber failed' in caplog.text
    assert 'async subscriber bug' in caplog.text


def test_subscriber_count() -> None:
    hub = Hub()
    assert hub.subscriber_count() == 0
    assert hub.subscriber_count('a') == 0
    subs = [hub.subscribe('a', lambda e: None) for _ in range(3)]
    hub.subscribe('b', lambda e: None)
    assert hub.subscriber_count('a') == 3
    assert hub.subscriber_count('b') == 1
    assert hub.subscriber_count('c') == 0
    assert hub.subscriber_count() == 4
    for sub in subs:
        hub.unsubscribe(sub)
    assert hub.subscriber_count('a') == 0
    assert hub.subscriber_count() == 1


def test_reset_drops_every_subscription_and_the_bridge() -> None:
    hub = Hub()
    heard: list[Event] = []
    hub.subscribe('a', heard.append)
    hub.subscribe('b', heard.append)
    sent: list[Event] = []

    class Bridge:
        def send(self, event: Event) -> None:
            sent.append(event)

    hub.bridge = Bridge()
    hub.reset()
    assert hub.subscriber_count() == 0
    assert hub.bridge is None
    hub.publish(Event('a', 'k'))
    assert heard == []
    assert sent == []


def test_a_bridge_carries_events_and_delivers_them_back() -> None:
    hub = Hub()
    heard: list[Event] = []
    hub.subscribe('topic', heard.append)
    sent: list[Event] = []

    class Bridge:
        def send(self, event: Event) -> None:
            sent.append(event)

    hub.bridge = Bridge()
    event = Event('topic', 'k')
    hub.publish(event)
    assert sent == [event]
    assert heard == []  # nothing is delivered locally until the bridge brings it back
    hub.deliver(sent[0])
    assert heard == [event]


def test_module_publish_uses_the_global_hub() -> None:
    heard: list[Event] = []
    sub = live.hub.subscribe('test:module-publish', heard.append)
    try:
        live.publish(Event('test:module-publish', 'k'))
    finally:
        live.hub.unsubscribe(sub)
    assert len(heard) == 1
    assert live.hub.subscriber_count('test:module-publish') == 0
