"""Bind hub subscriptions to a NiceGUI client: the handler runs inside that client, and dies with it."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from nicegui import background_tasks, context

from portal.live import Event, hub


def subscribe(topic: str, handler: Callable[[Event], Awaitable[None] | None]) -> None:
    client = context.client

    def deliver(event: Event) -> None:
        if client.is_deleted:
            return
        with client:
            result = handler(event)
        if inspect.isawaitable(result):

            async def run() -> None:
                with client:
                    await result

            background_tasks.create(run(), name=f'live {event.kind}')

    sub = hub.subscribe(topic, deliver)
    client.on_delete(lambda: hub.unsubscribe(sub))


class FoldedReload:
    """A reload that may be asked for again while it runs (events, filter changes): the asks that arrive meanwhile
    are folded into one more run, so a burst of events costs two reads, not one per event."""

    def __init__(self, once: Callable[[], Awaitable[None]]) -> None:
        self.once = once
        self.busy = self.again = False

    async def __call__(self, *_: object) -> None:
        if self.busy:
            self.again = True
            return
        self.busy = True
        try:
            while True:
                self.again = False
                await self.once()
                if not self.again:
                    return
        finally:
            self.busy = False
