"""Several processes: live events bridged through Redis pub/sub, NiceGUI's storage on Redis, and a citizen's page in
one app process following a change made through the API of another (PostgreSQL, Redis, Debian Chromium)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from portal.live import Event, Hub
from portal.live_redis import RedisBridge
from tests.browser_kit import CHROMIUM, CHROMIUM_ARGS, free_port, wait_until_up

REDIS_URL = os.environ.get('PORTAL_TEST_REDIS_URL', '')
POSTGRES_URL = os.environ.get('PORTAL_TEST_POSTGRES_URL', '')
REDIS_SERVER = shutil.which('redis-server')
ROOT = Path(__file__).resolve().parent.parent
LEYLA = '5ZK2M7R'

needs_redis = pytest.mark.skipif(not REDIS_URL, reason='the bridge tests need PORTAL_TEST_REDIS_URL (redis://…)')
needs_redis_server = pytest.mark.skipif(
    not REDIS_SERVER, reason='stopping and restarting Redis needs a redis-server of its own (Debian redis-server)'
)


async def until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError('the condition did not come true in time')
        await asyncio.sleep(0.01)


def channel() -> str:
    return f'kabinet-test-{uuid.uuid4().hex[:12]}:live'


# -- the bridge -----------------------------------------------------------------------------------------------------


@needs_redis
async def test_an_event_reaches_the_subscribers_of_every_process_once() -> None:
    """Two hubs with a bridge each stand for two processes: what one publishes both deliver, once."""
    name = channel()
    hub_a, hub_b = Hub(), Hub()
    a, b = RedisBridge(REDIS_URL, hub_a, channel=name), RedisBridge(REDIS_URL, hub_b, channel=name)
    await a.start()
    await b.start()
    try:
        await until(lambda: a.listening and b.listening)
        heard_a: list[Event] = []
        heard_b: list[Event] = []
        elsewhere: list[Event] = []
        hub_a.subscribe('citizen:1', heard_a.append)
        hub_b.subscribe('citizen:1', heard_b.append)
        hub_b.subscribe('citizen:2', elsewhere.append)

        event = Event('citizen:1', 'letter.updated', {'letter_id': str(uuid.uuid4()), 'status': 'received', 'n': 3})
        hub_a.publish(event)
        assert heard_a == []  # publish only queued it: the store's commit path never waits for Redis
        await until(lambda: heard_a and heard_b)
        hub_b.publish(Event('citizen:2', 'notices.changed'))
        await until(lambda: elsewhere)
        assert heard_a == [event] and heard_b == [event]  # its own process hears it back through Redis, once
        assert elsewhere == [Event('citizen:2', 'notices.changed')]
        assert a.not_bridged == b.not_bridged == 0
    finally:
        await a.stop()
        await b.stop()
    assert hub_a.bridge is None and hub_b.bridge is None


@needs_redis
async def test_an_event_published_from_a_worker_thread_is_bridged_too() -> None:
    hub = Hub()
    bridge = RedisBridge(REDIS_URL, hub, channel=channel())
    await bridge.start()
    try:
        await until(lambda: bridge.listening)
        heard: list[Event] = []
        hub.subscribe('citizen:1', heard.append)
        await asyncio.to_thread(hub.publish, Event('citizen:1', 'certificate.issued', {'code': 'ABCD'}))
        await until(lambda: heard)
        assert heard == [Event('citizen:1', 'certificate.issued', {'code': 'ABCD'})]
        assert bridge.not_bridged == 0
    finally:
        await bridge.stop()


@needs_redis
async def test_data_that_is_not_json_is_heard_here_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    hub = Hub()
    bridge = RedisBridge(REDIS_URL, hub, channel=channel())
    await bridge.start()
    try:
        heard: list[Event] = []
        hub.subscribe('poll:1', heard.append)
        event = Event('poll:1', 'poll.results', {'at': object()})
        with caplog.at_level(logging.ERROR, logger='portal.live_redis'):
            hub.publish(event)
        assert heard == [event]
        assert 'poll.results cannot be bridged: its data is not JSON' in caplog.text
        assert bridge.not_bridged == 1
    finally:
        await bridge.stop()


@needs_redis
async def test_a_malformed_message_on_the_channel_is_ignored(caplog: pytest.LogCaptureFixture) -> None:
    import redis.asyncio as redis

    name = channel()
    hub = Hub()
    bridge = RedisBridge(REDIS_URL, hub, channel=name)
    await bridge.start()
    client = redis.from_url(REDIS_URL)
    try:
        await until(lambda: bridge.listening)
        heard: list[Event] = []
        hub.subscribe('t', heard.append)
        with caplog.at_level(logging.WARNING, logger='portal.live_redis'):
            await client.publish(name, b'not json')
            await client.publish(name, b'{"kind": "no topic"}')
            await client.publish(name, b'{"topic": "t", "kind": "k", "data": {"x": 1}}')
            await until(lambda: heard)
        assert heard == [Event('t', 'k', {'x': 1})]
        assert caplog.text.count('malformed message') == 2
    finally:
        await client.aclose()
        await bridge.stop()


async def test_without_redis_events_are_heard_here_at_once_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    hub = Hub()
    bridge = RedisBridge(f'redis://127.0.0.1:{free_port()}/0', hub, channel=channel(), first_pause=0.05)
    heard: list[Event] = []
    hub.subscribe('citizen:1', heard.append)
    with caplog.at_level(logging.WARNING, logger='portal.live_redis'):
        await bridge.start()
        try:
            started = time.monotonic()
            for n in range(3):
                hub.publish(Event('citizen:1', 'letter.updated', {'n': n}))
            await until(lambda: len(heard) == 3, timeout=3)
            assert time.monotonic() - started < 2.5
        finally:
            await bridge.stop()
    assert [e.data['n'] for e in heard] == [0, 1, 2]
    assert bridge.not_bridged == 3
    assert 'letter.updated not bridged' in caplog.text


@needs_redis_server
async def test_the_bridge_survives_redis_going_away_and_coming_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    url = f'redis://127.0.0.1:{port}/0'
    name = channel()
    hub_a, hub_b = Hub(), Hub()
    a = RedisBridge(url, hub_a, channel=name, first_pause=0.05, last_pause=0.2)
    b = RedisBridge(url, hub_b, channel=name, first_pause=0.05, last_pause=0.2)
    heard_a: list[Event] = []
    heard_b: list[Event] = []
    hub_a.subscribe('citizen:1', heard_a.append)
    hub_b.subscribe('citizen:1', heard_b.append)
    server = _redis_server(port, tmp_path)
    try:
        await a.start()
        await b.start()
        await until(lambda: a.listening and b.listening)
        hub_a.publish(Event('citizen:1', 'k', {'n': 1}))
        await until(lambda: heard_a and heard_b)

        _stop(server)
        with caplog.at_level(logging.WARNING, logger='portal.live_redis'):
            hub_a.publish(Event('citizen:1', 'k', {'n': 2}))  # Redis is away: heard in A at once, and logged
            await until(lambda: len(heard_a) == 2)
            assert not b.listening or await _not_heard(heard_b, 2)
        assert 'not bridged' in caplog.text

        server = _redis_server(port, tmp_path)
        await until(lambda: a.listening and b.listening, timeout=10)
        hub_a.publish(Event('citizen:1', 'k', {'n': 3}))  # bridged again, without a restart of either side
        await until(lambda: len(heard_a) == 3 and len(heard_b) == 2)
        await asyncio.sleep(0.1)
        assert [e.data['n'] for e in heard_a] == [1, 2, 3]
        assert [e.data['n'] for e in heard_b] == [1, 3]  # B never heard of 2: it was only heard where it happened
        assert a.not_bridged == 1
    finally:
        await a.stop()
        await b.stop()
        _stop(server)


async def _not_heard(events: list[Event], n: int) -> bool:
    await asyncio.sleep(0.2)
    return all(e.data['n'] != n for e in events)


def _redis_server(port: int, folder: Path) -> subprocess.Popen[bytes]:
    assert REDIS_SERVER
    server = subprocess.Popen(
        [REDIS_SERVER, '--port', str(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(('127.0.0.1', port)) == 0:
                return server
        time.sleep(0.02)
    _stop(server)
    raise RuntimeError('redis-server did not start')


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- two app processes ----------------------------------------------------------------------------------------------


@dataclass
class Portals:
    a: str
    b: str
    key: str  # an MIA key with letters:read and letters:write


@pytest.fixture
def two_portals(tmp_path: Path) -> Iterator[Portals]:
    """`python main.py` twice, on one fresh PostgreSQL database and one Redis, the scheduler in neither. The database
    is migrated and given the demo data here first, so that the two processes start side by side."""
    if not (POSTGRES_URL and REDIS_URL):
        pytest.skip('the two-process test needs PORTAL_TEST_POSTGRES_URL and PORTAL_TEST_REDIS_URL')
    if not shutil.which(CHROMIUM):
        pytest.skip(f'the two-process test needs Debian chromium at {CHROMIUM}')
    tag = uuid.uuid4().hex[:12]
    database = f'kabinet_scale_{tag}'
    db_url = f'{POSTGRES_URL.rsplit("/", 1)[0]}/{database}'
    prefix = f'kabinet-test-{tag}'
    env = {
        **os.environ,
        'PORTAL_DB_URL': db_url,
        'PORTAL_REDIS_URL': REDIS_URL,
        'PORTAL_REDIS_PREFIX': prefix,
        'PORTAL_DEMO': '1',
        'PORTAL_SCHEDULER': '0',
        'PORTAL_FILES_DIR': str(tmp_path / 'files'),
        'PORTAL_MAILBOX_DIR': str(tmp_path / 'mailbox'),
        'PORTAL_SMS_LOG': str(tmp_path / 'sms.log'),
        'PORTAL_TALLY_KEY_FILE': str(tmp_path / 'tally.key'),
        'PYTHONUNBUFFERED': '1',
    }
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs = []
    asyncio.run(_admin(f'CREATE DATABASE {database}'))
    try:
        key = asyncio.run(_prepare(db_url))
        urls = {}
        for name in ('a', 'b'):
            port = free_port()
            log = (tmp_path / f'{name}.log').open('w')
            logs.append(log)
            processes[name] = subprocess.Popen(
                [sys.executable, 'main.py'],
                cwd=ROOT,
                env={**env, 'PORTAL_PORT': str(port)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            urls[name] = f'http://127.0.0.1:{port}'
        for name, process in processes.items():
            wait_until_up(urls[name], process, tmp_path / f'{name}.log', timeout=120)
        yield Portals(a=urls['a'], b=urls['b'], key=key)
    finally:
        for process in processes.values():
            _stop(process)
        for log in logs:
            log.close()
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS {database} WITH (FORCE)'))
        asyncio.run(_forget_redis_keys(f'{prefix}:*'))


@pytest.mark.browser
def test_a_change_made_through_process_b_shows_live_on_a_page_of_process_a(two_portals: Portals) -> None:
    from playwright.sync_api import expect, sync_playwright

    auth = {'Authorization': f'Bearer {two_portals.key}'}
    waiting = httpx.get(f'{two_portals.b}/api/v1/letters', params={'status': 'sent'}, headers=auth)
    assert waiting.status_code == 200, waiting.text
    letter = next(item for item in waiting.json()['items'] if item['fin'] == LEYLA)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        page.goto(f'{two_portals.a}/login')
        page.get_by_label('FİN').first.fill(LEYLA)
        page.get_by_label('Şifrə').fill('Kabinet-2026')
        page.get_by_role('button', name='Daxil ol').click()
        page.wait_for_url('**/cabinet')

        # the login lives in app.storage.user, on Redis: process B knows this browser too
        other = context.new_page()
        other.goto(f'{two_portals.b}/letters/{letter["id"]}')
        expect(other.locator('.q-badge', has_text='göndərildi')).to_be_visible(timeout=10_000)
        assert '/login' not in other.url
        other.close()

        page.goto(f'{two_portals.a}/letters/{letter["id"]}')
        expect(page.locator('.q-badge', has_text='göndərildi')).to_be_visible(timeout=10_000)
        page.evaluate('window.__kabinet_marker = "same page"')

        changed = httpx.post(
            f'{two_portals.b}/api/v1/letters/{letter["id"]}/status', headers=auth, json={'status': 'received'}
        )
        assert changed.status_code == 200, changed.text
        expect(page.locator('.q-badge', has_text='qəbul edildi')).to_be_visible(timeout=5000)
        assert page.evaluate('window.__kabinet_marker') == 'same page', 'the page was reloaded'
        browser.close()


async def _prepare(db_url: str) -> str:
    """Migrate, seed the demo data and make an MIA key for the API, the way the store does it."""
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    from portal import db
    from portal.store.apikeys import create_api_key
    from portal.store.demo import seed_demo

    EXECUTOR_CACHE.clear()  # Tortoise caches SQL per connection name, whatever the dialect the last test used
    await db.open_db(db_url)
    try:
        now = datetime.now(UTC)
        assert await seed_demo(now=now)
        _, key = await create_api_key(organisation_code='MIA', scopes=['letters:read', 'letters:write'], now=now)
    finally:
        await db.close_db()
        EXECUTOR_CACHE.clear()
    return key


async def _admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _forget_redis_keys(pattern: str) -> None:
    import redis.asyncio as redis

    client = redis.from_url(REDIS_URL)
    try:
        keys = [k async for k in client.scan_iter(match=pattern)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


def test_the_portal_exports_nicegui_storage_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from portal.config import Settings, export_nicegui_storage

    monkeypatch.delenv('NICEGUI_REDIS_URL', raising=False)
    monkeypatch.delenv('NICEGUI_REDIS_KEY_PREFIX', raising=False)
    export_nicegui_storage(Settings(demo=True))
    assert 'NICEGUI_REDIS_URL' not in os.environ
    export_nicegui_storage(Settings(demo=True, redis_url='redis://cache:6379/2', redis_prefix='kabinet-az'))
    assert os.environ['NICEGUI_REDIS_URL'] == 'redis://cache:6379/2'
    assert os.environ['NICEGUI_REDIS_KEY_PREFIX'] == 'kabinet-az:nicegui:'
