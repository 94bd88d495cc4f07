"""The live topic hub: the store publishes typed events after commit; subscribers of that topic hear them.

Publishing costs O(subscribers of the topic). Subscriptions are owned by a client (see
``portal.components.live``) and disappear with it. A bridge for several processes is set as
``hub.bridge``: events then go out through it and come back in through ``hub.deliver``.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

Callback = Callable[['Event'], Awaitable[None] | None]


@dataclass(frozen=True)
class Event:
    topic: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Subscription:
    topic: str
    callback: Callback
    id: int


class Bridge(Protocol):
    def send(self, event: Event) -> None: ...


class Hub:
    def __init__(self) -> None:
        self._topics: dict[str, dict[int, Subscription]] = {}
        self._ids = itertools.count()
        self._tasks: set[asyncio.Task[None]] = set()
        self.bridge: Bridge | None = None

    def subscribe(self, topic: str, callback: Callback) -> Subscription:
        sub = Subscription(topic=topic, callback=callback, id=next(self._ids))
        self._topics.setdefault(topic, {})[sub.id] = sub
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._topics.get(sub.topic)
        if subs is not None:
            subs.pop(sub.id, None)
            if not subs:
                del self._topics[sub.topic]

    def subscriber_count(self, topic: str | None = None) -> int:
        if topic is not None:
            return len(self._topics.get(topic, ()))
        return sum(len(s) for s in self._topics.values())

    def publish(self, event: Event) -> None:
        """Called by the store after a commit."""
        if self.bridge is not None:
            self.bridge.send(event)
        else:
            self.deliver(event)

    def deliver(self, event: Event) -> None:
        for sub in list(self._topics.get(event.topic, {}).values()):
            try:
                result = sub.callback(event)
            except Exception:
                log.exception('live subscriber failed on %s', event.kind)
                continue
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._tasks.add(task)
                task.add_done_callback(self._finished)

    def reset(self) -> None:
        self._topics.clear()
        self.bridge = None

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error('live subscriber failed', exc_info=task.exception())


hub = Hub()


def publish(event: Event) -> None:
    hub.publish(event)
