"""The live hub's bridge between processes: every event goes through one Redis pub/sub channel and comes back to the
local hub of every process (its own included), so a change committed in one process reaches the pages that another
process serves.

``send`` is called from synchronous store code right after a commit: it never waits, it queues the event for the
sender task. When Redis is away the events are delivered to this process's subscribers at once and logged as not
bridged (nobody here misses them); the listener reconnects with a growing pause and bridging resumes by itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import suppress
from typing import Any

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from portal.live import Event, Hub

log = logging.getLogger(__name__)

QUEUE_MAX = 10_000
FIRST_PAUSE = 0.5  # seconds before the first reconnection, doubled after each failure
LAST_PAUSE = 30.0
FLUSH_SECONDS = 2.0  # at shutdown, how long the queued events may take to go out
REPORT_EVERY = 10.0  # while Redis is away, how often the count of events not bridged is logged


class RedisBridge:
    def __init__(
        self,
        url: str,
        hub: Hub,
        *,
        channel: str = 'kabinet:live',
        first_pause: float = FIRST_PAUSE,
        last_pause: float = LAST_PAUSE,
    ) -> None:
        self.url = url
        self.hub = hub
        self.channel = channel
        self.first_pause = first_pause
        self.last_pause = last_pause
        self.not_bridged = 0  # events this process heard only locally (Redis away, or not JSON)
        self._queue: asyncio.Queue[tuple[str, Event]] = asyncio.Queue(QUEUE_MAX)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: redis.Redis | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = False  # our own subscription is up: what we publish comes back to us
        self._publish_after = 0.0  # monotonic time before which publishing is not tried (Redis was away)
        self._pause = first_pause
        self._outage = 0  # events not bridged since Redis went away
        self._reported_at = 0.0

    @property
    def listening(self) -> bool:
        return self._listening

    async def start(self) -> None:
        """Connect, subscribe, and become the hub's bridge."""
        self._loop = asyncio.get_running_loop()
        # no retries inside the client: a failed call is answered here (local delivery, the reconnection's pause)
        self._client = redis.from_url(
            self.url,
            socket_connect_timeout=2,
            socket_timeout=5,
            socket_keepalive=True,
            health_check_interval=15,
            retry=Retry(NoBackoff(), 0),
        )
        self._tasks = [
            asyncio.create_task(self._listen(), name='live bridge listener'),
            asyncio.create_task(self._send_queued(), name='live bridge sender'),
        ]
        self.hub.bridge = self
        log.info('live events are bridged through Redis channel %s', self.channel)

    async def stop(self) -> None:
        """Let the queued events go out (briefly), then disconnect; the hub delivers locally again."""
        if self.hub.bridge is self:
            self.hub.bridge = None
        with suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), FLUSH_SECONDS)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        while not self._queue.empty():  # what could not go out in time is still heard here
            _, event = self._queue.get_nowait()
            self._local_only(event, 'shutting down')
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self._listening = False

    def send(self, event: Event) -> None:
        """Queue an event for Redis (never blocks); called by the hub's ``publish``."""
        try:
            payload = json.dumps({'topic': event.topic, 'kind': event.kind, 'data': event.data}, ensure_ascii=False)
        except (TypeError, ValueError):
            log.error(
                'live event %s cannot be bridged: its data is not JSON; delivered in this process only', event.kind
            )
            self.not_bridged += 1
            self.hub.deliver(event)
            return
        loop = self._loop
        if loop is None or loop.is_closed():
            self.hub.deliver(event)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._enqueue(payload, event)
        else:  # published from another thread: the queue belongs to the loop
            loop.call_soon_threadsafe(self._enqueue, payload, event)

    def _enqueue(self, payload: str, event: Event) -> None:
        try:
            self._queue.put_nowait((payload, event))
        except asyncio.QueueFull:
            self._local_only(event, 'the queue to Redis is full')

    async def _send_queued(self) -> None:
        while True:
            payload, event = await self._queue.get()
            try:
                await self._publish(payload, event)
            except Exception:  # a fault of the bridge's own must not end it: later events still go out
                log.exception('live bridge failed to pass on %s', event.kind)
            finally:
                self._queue.task_done()

    async def _publish(self, payload: str, event: Event) -> None:
        heard_here = False
        if not self._listening:  # our subscription is down: what we publish would not come back to us
            self.hub.deliver(event)
            heard_here = True
        if time.monotonic() < self._publish_after or self._client is None:
            self._note_outage(event, 'Redis is unreachable')
            if not heard_here:
                self.hub.deliver(event)
            return
        try:
            await self._client.publish(self.channel, payload)
        except (RedisError, OSError) as exc:
            self._publish_after = time.monotonic() + self._pause
            self._note_outage(event, f'Redis is unreachable ({type(exc).__name__}: {exc})')
            if not heard_here:
                self.hub.deliver(event)
            return
        if self._outage:
            log.warning('live events are bridged again (%d were delivered in this process only)', self._outage)
            self._outage = 0

    async def _listen(self) -> None:
        """Subscribe and hand every event heard to the local hub; on a lost connection, reconnect after a pause that
        doubles up to ``last_pause``."""
        assert self._client is not None
        while True:
            pubsub = self._client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message['type'] == 'subscribe':
                        self._listening = True
                        self._publish_after = 0.0  # Redis is back: try publishing at once
                        if self._pause > self.first_pause:
                            log.warning('live bridge reconnected to Redis')
                        self._pause = self.first_pause
                    elif message['type'] == 'message':
                        self._receive(message['data'])
            except (RedisError, OSError) as exc:
                if self._listening or self._pause == self.first_pause:  # the first failure of an outage
                    log.warning('live bridge lost Redis (%s: %s); reconnecting', type(exc).__name__, exc)
            except Exception:
                log.exception('live bridge listener failed; reconnecting')
            finally:
                self._listening = False
                with suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(self._pause)
            self._pause = min(self._pause * 2, self.last_pause)

    def _receive(self, raw: bytes | str) -> None:
        try:
            message: Any = json.loads(raw)
            event = Event(str(message['topic']), str(message['kind']), dict(message.get('data') or {}))
        except (ValueError, TypeError, KeyError):
            log.warning('live bridge ignored a malformed message on %s', self.channel)
            return
        self.hub.deliver(event)

    def _local_only(self, event: Event, why: str) -> None:
        self._note_outage(event, why)
        self.hub.deliver(event)

    def _note_outage(self, event: Event, why: str) -> None:
        """Count an event heard only here; log the first of an outage and then a count every ``REPORT_EVERY`` s."""
        self.not_bridged += 1
        self._outage += 1
        now = time.monotonic()
        if self._outage == 1 or now - self._reported_at >= REPORT_EVERY:
            self._reported_at = now
            log.warning(
                'live event %s not bridged (%s): delivered in this process only (%d so far)',
                event.kind,
                why,
                self._outage,
            )
