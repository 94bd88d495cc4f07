"""A process may stand still for seconds (the cycle collector with thousands of tabs connected, a busy database):
a page being built meanwhile comes late instead of as an error page, and connected tabs are not dropped."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import re
from pathlib import Path

from nicegui import app, core, ui
from nicegui.testing import User

from portal import quiet_outbox
from portal.config import get_settings
from portal.pages.route import PAGE_TIMEOUT_SECONDS, page

NICEGUI_DEFAULT_SECONDS = 3.0
PORTAL = Path(__file__).resolve().parent.parent / 'portal'


async def test_a_page_that_takes_longer_than_niceguis_default_is_served_not_refused(user: User) -> None:
    @page('/test/slow')
    async def slow() -> None:
        await asyncio.sleep(NICEGUI_DEFAULT_SECONDS + 0.5)
        ui.label('Hazırdır').mark('late')

    await user.open('/test/slow')
    await user.should_see(marker='late')
    assert PAGE_TIMEOUT_SECONDS > NICEGUI_DEFAULT_SECONDS


def test_every_page_of_the_portal_is_declared_with_the_portals_timeout() -> None:
    direct = [
        f'{path.relative_to(PORTAL.parent)}:{n}'
        for path in PORTAL.rglob('*.py')
        if path.name != 'route.py'
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r'\bui\.page\(', line)
    ]
    assert direct == [], f'pages declared with NiceGUI 3 s default, not portal.pages.route.page: {direct}'


async def test_tabs_are_pinged_and_kept_by_the_portals_reconnect_time_not_niceguis_3_s(user: User) -> None:
    await user.open('/login')
    seconds = get_settings().reconnect_seconds
    assert seconds >= 10 and app.config.reconnect_timeout == seconds
    # a tab is dropped when its answer to a ping is later than this: a pause of the process must fit in it
    assert core.sio.eio.ping_timeout == 0.4 * seconds >= 4


async def test_an_idle_tabs_outbox_sleeps_until_it_has_something_to_send(user: User) -> None:
    await user.open('/login')
    await user.should_see(marker='fin')
    await asyncio.sleep(1.5)  # NiceGUI's own loop would have woken and waited again, with a task for the waiting
    waiting = [t for t in asyncio.all_tasks() if getattr(t.get_coro(), '__qualname__', '') == 'Event.wait']
    assert waiting == []
    user.find(marker='tab-sima').click()  # work for the outbox: the form built for the chosen tab
    await user.should_see(marker='sima-fin')
    assert user.client is not None
    outbox = user.client.outbox
    assert outbox.updates  # queued by the click; the loop wakes and sends them
    for _ in range(100):
        if not outbox.updates:
            break
        await asyncio.sleep(0.01)
    assert not outbox.updates


def test_the_outbox_loop_is_a_copy_of_the_nicegui_loop_it_was_reviewed_against() -> None:
    source = inspect.getsource(quiet_outbox._UPSTREAM_LOOP)
    assert hashlib.sha256(source.encode()).hexdigest() == quiet_outbox.UPSTREAM_LOOP_SHA256, (
        "NiceGUI's outbox loop changed: compare it with portal/quiet_outbox.py, then update the hash"
    )
