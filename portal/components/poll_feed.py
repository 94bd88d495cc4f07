"""One live results feed per poll in this process, shared by every open results page of that poll.

The first page of a poll subscribes to ``poll:{id}`` for all of them, and the last one to close drops the
subscription. Events fold into at most one read per poll per second: the first event after a quiet second is read at
once, events arriving during a read or within the second after it fold into one more read. Each reading (the poll and
its results, read once) is handed to every open page of the poll, inside that page's client; a page that fails or is
gone never keeps the reading from the others. So a refresh costs one read per poll, not one per viewer, and however
many votes arrive, a poll's pages are refreshed at most once a second.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from nicegui import background_tasks, context, core
from nicegui.client import Client

from portal.live import Event, hub
from portal.store.participation import voting
from portal.store.participation.voting import PollView, Results

log = logging.getLogger(__name__)

INTERVAL = 1.0  # seconds, at least, between the starts of two reads of one poll
SENDING_MAX = 1.0  # seconds the collector stays paused for one hand-out, at most
CHUNK = 50  # pages given a reading before their updates may go out


@dataclass(frozen=True)
class Reading:
    poll: PollView
    results: Results
    # what the pages make of this reading (texts in a language, chart data), worked out by the first page that needs
    # it and reused by the others: a refresh then costs each page only its own element updates
    shared: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)
    # what the pages left to be sent for all of them at once (see ``Broadcast``), sent as the hand-out goes on
    broadcasts: list[Broadcast] = field(default_factory=list, compare=False, repr=False)


class Broadcast:
    """One socket.io event for many pages: encoded once, then written to each page's socket, instead of each page's
    own element updates (built, encoded and sent page by page). The pages' script applies it (see ``poll_board``).
    The payload may still grow while pages are added (a text in one more language): each send takes it as it is."""

    def __init__(self, event: str, payload: dict[str, Any]) -> None:
        self.event, self.payload = event, payload
        self._clients: list[str] = []

    def add(self, client: Client) -> None:
        self._clients.append(client.id)

    async def send(self) -> None:
        if self._clients:
            clients, self._clients = self._clients, []
            await core.sio.emit(self.event, self.payload, room=clients)


Apply = Callable[[Reading], None]


def join(poll_id: UUID, apply: Apply) -> None:
    """Hand each new reading of this poll to ``apply``, inside the current client, until that client is deleted."""
    feeds.join(poll_id, context.client, apply)


async def read(poll_id: UUID) -> Reading:
    return Reading(await voting.get_poll(poll_id=poll_id), await voting.results(poll_id=poll_id, now=datetime.now(UTC)))


@dataclass(eq=False)
class _Viewer:
    client: Client
    apply: Apply


class PollFeed:
    """The viewers of one poll, its hub subscription and its reader."""

    def __init__(self, poll_id: UUID, *, on_empty: Callable[[PollFeed], None]) -> None:
        self.poll_id = poll_id
        self.viewers: dict[int, _Viewer] = {}
        self.reads = 0
        self._on_empty = on_empty
        self._keys = itertools.count()
        self._asked = False
        self._last_read = float('-inf')
        self._reader: asyncio.Task[None] | None = None
        self._subscription = hub.subscribe(f'poll:{poll_id}', self._heard)

    def add(self, client: Client, apply: Apply) -> None:
        key = next(self._keys)
        self.viewers[key] = _Viewer(client, apply)
        client.on_delete(lambda: self._leave(key))

    def _leave(self, key: int) -> None:
        if self.viewers.pop(key, None) is not None and not self.viewers:
            hub.unsubscribe(self._subscription)
            self._on_empty(self)

    def _heard(self, _event: Event) -> None:
        self._asked = True
        if self._reader is None or self._reader.done():
            self._reader = background_tasks.create(self._read_while_asked(), name=f'poll feed {self.poll_id}')

    async def _read_while_asked(self) -> None:
        loop = asyncio.get_running_loop()
        while self._asked and self.viewers:
            wait = self._last_read + INTERVAL - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)  # what is heard meanwhile folds into this one read
            if not self.viewers:
                return
            self._asked = False
            self._last_read = loop.time()
            self.reads += 1
            try:
                reading = await read(self.poll_id)
            except Exception:
                log.exception('reading the results of a poll for its pages failed')
                continue
            await self._hand_out_quietly(reading)

    async def _hand_out_quietly(self, reading: Reading) -> None:
        """Hand out the reading with the garbage collector paused until the pages' outboxes have sent it.

        A refresh of a thousand pages allocates a few hundred thousand short-lived objects (element updates, socket
        packets, tasks). Collections meanwhile cost time and promote many of those objects to the oldest generation,
        which then soon needs a full collection: with a thousand connected clients, most of a second during which no
        page hears anything. Paused for the burst, they are freed by reference counting as soon as they are sent."""
        pause = gc.isenabled()
        if pause:
            gc.disable()
        try:
            await self._hand_out(reading)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + SENDING_MAX
            clients, sent = [v.client for v in self.viewers.values()], 0
            while loop.time() < deadline:
                # the outboxes send in about the order they were given the reading: each is looked at until it sent
                while sent < len(clients) and not _sending(clients[sent]):
                    sent += 1
                if sent == len(clients):
                    break
                await asyncio.sleep(0.005)
            for _ in range(3):  # the socket packets of the last updates are written a few loop turns later
                await asyncio.sleep(0)
        finally:
            if pause:
                gc.enable()

    async def _hand_out(self, reading: Reading) -> None:
        for n, (key, viewer) in enumerate(list(self.viewers.items()), start=1):
            if viewer.client.is_deleted:
                self._leave(key)
                continue
            try:
                with viewer.client:
                    viewer.apply(reading)
            except Exception:
                log.exception('a results page failed to show a new reading')
            if n % CHUNK == 0:  # the pages given it so far send it meanwhile, instead of all after the last one
                await _send(reading)
                await asyncio.sleep(0)
        await _send(reading)


class PollFeeds:
    """The feeds of this process, one per poll that has an open page."""

    def __init__(self) -> None:
        self._feeds: dict[UUID, PollFeed] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def join(self, poll_id: UUID, client: Client, apply: Apply) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (a restarted server, a new test) starts with no feeds
            self._loop, self._feeds = loop, {}
        feed = self._feeds.get(poll_id)
        if feed is None:
            feed = self._feeds[poll_id] = PollFeed(poll_id, on_empty=self._drop)
        feed.add(client, apply)

    def get(self, poll_id: UUID) -> PollFeed | None:
        return self._feeds.get(poll_id)

    def _drop(self, feed: PollFeed) -> None:
        if self._feeds.get(feed.poll_id) is feed:
            del self._feeds[feed.poll_id]


feeds = PollFeeds()


async def _send(reading: Reading) -> None:
    for broadcast in reading.broadcasts:
        try:
            await broadcast.send()
        except Exception:
            log.exception('sending a reading to the results pages failed')


def _sending(client: Client) -> bool:
    """Whether the client's outbox still holds element updates it will send."""
    return client.has_socket_connection and not client.is_deleted and bool(client.outbox.updates)
