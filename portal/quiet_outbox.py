"""NiceGUI's per-tab outbox, woken only when it has something to send.

NiceGUI (3.18) gives every connected tab an outbox loop that waits for work with a 1 s timeout, so an idle tab's loop
wakes once a second all the same. Each wake-up is a task, a timer and a timeout exception whose traceback ties frames
into cycles that only the cycle collector frees. With 2,000 tabs open that is 2,000 wake-ups a second for nothing: CPU,
and enough surviving objects to start a full collection, which stops the process for seconds (docs/performance.md).

The loop below is NiceGUI's own, except that it waits for work without the timeout. Nothing needs it: everything that
gives the outbox work sets its event, and so does ``Outbox.stop``. ``UPSTREAM_LOOP_SHA256`` is the hash of the loop it
was copied from; a test fails when NiceGUI's loop changes, so that the copy is looked at again.
"""

from __future__ import annotations

import asyncio

from nicegui import core
from nicegui.dependencies import JsComponent
from nicegui.outbox import Deleted, Outbox, deleted

UPSTREAM_LOOP_SHA256 = 'efb7d8934c322314ea07ef57f5558569fca7194e93c755c7bc7c8d36dca16d1a'
_UPSTREAM_LOOP = Outbox.loop


async def _loop(self: Outbox) -> None:
    """Send updates and messages to the tab's browser, waiting for them in between."""
    self._enqueue_event = asyncio.Event()
    self._enqueue_event.set()

    while not self._should_stop:
        try:
            await self._enqueue_event.wait()  # the only change: NiceGUI waits here with a timeout of 1 s

            client = self.client
            if not client or not client.has_socket_connection:
                await asyncio.sleep(0.1)
                continue

            self._enqueue_event.clear()

            coros = []
            if self.updates:
                data = {
                    element_id: None if element is deleted else element._to_dict()  # type: ignore[union-attr]
                    for element_id, element in self.updates.items()
                }
                js_components = [
                    component
                    for element in self.updates.values()
                    if not isinstance(element, Deleted)
                    and isinstance((component := element.component), JsComponent)
                    and component.name not in self._loaded_components
                ]
                if js_components:
                    components = [{'key': c.key, 'tag': c.tag} for c in js_components]
                    coros.append(self._emit((client.id, 'load_js_components', {'components': components})))
                    self._loaded_components.update(c.name for c in js_components)
                coros.append(self._emit((client.id, 'update', data)))
                self.updates.clear()

            if self.messages:
                for message in self.messages:
                    coros.append(self._emit(message))
                self.messages.clear()

            for coro in coros:
                try:
                    await coro
                except Exception as e:
                    core.app.handle_exception(e)
        except asyncio.CancelledError:
            break
        except Exception as e:
            core.app.handle_exception(e)
            await asyncio.sleep(0.1)


def install() -> None:
    """Every outbox created from now on runs the loop above."""
    Outbox.loop = _loop  # type: ignore[method-assign]
