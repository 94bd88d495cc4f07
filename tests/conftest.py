"""Fixtures: a fresh database per test (SQLite always, PostgreSQL when PORTAL_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import asyncio
import importlib
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from nicegui.testing.general_fixtures import get_path_to_main_file
from nicegui.testing.user import User
from nicegui.testing.user_simulation import user_simulation
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.connection import connections

from portal import db, live

POSTGRES_URL = os.environ.get('PORTAL_TEST_POSTGRES_URL', '')

# settings read by tests/ui_main.py and anything that calls get_settings()
os.environ.setdefault('PORTAL_DEMO', '1')
os.environ.setdefault('PORTAL_SCHEDULER', '0')


# the API tests' clock and client (fixtures ``clock`` and ``http``); the browser tests' ``portal``
pytest_plugins = ['tests.api_kit', 'tests.browser_kit']


@pytest.fixture(scope='session')
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test session; each test gets a copy."""
    path = tmp_path_factory.mktemp('template') / 'kabinet.sqlite3'
    asyncio.run(db.migrate(f'sqlite://{path}'))
    return path


@pytest.fixture(scope='session')
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for this session, migrated once."""
    if not POSTGRES_URL:
        pytest.skip('PostgreSQL tests need PORTAL_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)')
    import asyncpg

    name = f'kabinet_test_{uuid.uuid4().hex[:12]}'
    base = POSTGRES_URL.rsplit('/', 1)[0]

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(POSTGRES_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    _run_apart(admin(f'CREATE DATABASE {name}'))
    url = f'{base}/{name}'
    _run_apart(db.migrate(url))
    yield url
    _run_apart(admin(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))


def _run_apart(coro: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine on its own loop in a worker thread (the fixture may be requested inside a running loop)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coro).result()


async def _open(url: str) -> None:
    live.hub.reset()
    # Tortoise caches insert/delete SQL per connection name, not per dialect: the suite switches dialects
    EXECUTOR_CACHE.clear()
    await Tortoise.init(config=db.tortoise_config(url), _enable_global_fallback=True)


async def _close() -> None:
    await Tortoise.close_connections()
    live.hub.reset()


@pytest.fixture(autouse=True)
def attachment_folder(tmp_path: Path) -> Iterator[Path]:
    """Attachment files of each test go to its own folder."""
    from portal.store.letters import files

    folder = tmp_path / 'files'
    files.use_folder(folder)
    yield folder
    files.use_folder(folder)


@pytest.fixture(scope='session', autouse=True)
def session_tally_key_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Databases seeded once per module (the demo's polls) seal to a key of the session's, never to the checkout's
    .kabinet/tally.key; each test then gets its own (below)."""
    from portal.store.participation import ballot_box

    path = tmp_path_factory.mktemp('tally') / 'tally.key'
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ballot_box, 'tally_key_file', lambda: path)
        yield path


@pytest.fixture(autouse=True)
def tally_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test's polls seal their ballots to a tally key of its own (never to the checkout's .kabinet/tally.key)."""
    from portal.store.participation import ballot_box

    path = tmp_path / 'tally.key'
    monkeypatch.setattr(ballot_box, 'tally_key_file', lambda: path)
    return path


@pytest.fixture
async def sqlite_db(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[str]:
    path = tmp_path / 'kabinet.sqlite3'
    shutil.copy(sqlite_template, path)
    url = f'sqlite://{path}'
    await _open(url)
    yield url
    await _close()


@pytest.fixture(params=['sqlite', 'postgres'])
async def store_db(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> AsyncIterator[str]:
    """The store suite runs on both databases."""
    if request.param == 'sqlite':
        path = tmp_path / 'kabinet.sqlite3'
        shutil.copy(sqlite_template, path)
        url = f'sqlite://{path}'
        await _open(url)
    else:
        url = request.getfixturevalue('postgres_url')
        await _open(url)
        tables = ', '.join(model._meta.db_table for model in Tortoise.apps['portal'].values())
        await connections.get('default').execute_script(f'TRUNCATE {tables} CASCADE')
    yield url
    await _close()


@pytest.fixture
async def user(sqlite_db: str, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest) -> AsyncIterator[User]:
    """NiceGUI's simulated user, on a fresh database (overrides the plugin's fixture to open the database first)."""
    async with user_simulation(main_file=get_path_to_main_file(request)) as simulated:
        yield simulated
    # NiceGUI's reset drops the page modules' packages from sys.modules; tests after this one need them
    if 'portal' not in sys.modules:
        importlib.import_module('portal')
    errors = [r for r in caplog.get_records('call') if r.levelname == 'ERROR']
    if errors:
        pytest.fail(f'There were unexpected ERROR logs: {errors}', pytrace=False)
