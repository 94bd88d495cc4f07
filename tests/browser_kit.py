"""The real-browser tests' kit (a pytest plugin): Debian Chromium's launch flags and the ``portal`` fixture, the portal
running as its own process with demo data."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = os.environ.get('PORTAL_TEST_CHROMIUM', '/usr/bin/chromium')
CHROMIUM_ARGS = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
]
ROOT = Path(__file__).resolve().parent.parent
# `python main.py`, with the schedule table's poll tally every second instead of every 30 s
QUICK_TALLY = (
    'import dataclasses, runpy\n'
    'from apscheduler.triggers.interval import IntervalTrigger\n'
    'from jobs import scheduler\n'
    'scheduler.SCHEDULE = tuple(\n'
    "    dataclasses.replace(j, trigger=IntervalTrigger(seconds=1)) if j.id == 'poll-tally' else j\n"
    '    for j in scheduler.SCHEDULE\n'
    ')\n'
    "runpy.run_path('main.py', run_name='__main__')\n"
)


@dataclass
class Portal:
    url: str
    env: dict[str, str]
    log: Path


@pytest.fixture(scope='module')
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """The portal as a user runs it: `python main.py` with demo data, on a free port; only its poll tally runs every
    second (every 30 s as shipped), so that votes are counted within a test's patience."""
    folder = tmp_path_factory.mktemp('portal')
    port = free_port()
    env = {
        **os.environ,
        'PORTAL_DB_URL': f'sqlite://{folder}/kabinet.sqlite3',
        'PORTAL_DEMO': '1',
        'PORTAL_PORT': str(port),
        'PORTAL_SCHEDULER': '1',
        'PORTAL_MAILBOX_DIR': str(folder / 'mailbox'),
        'PORTAL_SMS_LOG': str(folder / 'sms.log'),
        'PORTAL_FILES_DIR': str(folder / 'files'),
        'PORTAL_TALLY_KEY_FILE': str(folder / 'tally.key'),
        'PYTHONUNBUFFERED': '1',
    }
    log_path = folder / 'portal.log'
    log = log_path.open('w')
    process = subprocess.Popen(
        [sys.executable, '-c', QUICK_TALLY], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f'http://127.0.0.1:{port}'
    try:
        wait_until_up(url, process)
        yield Portal(url=url, env=env, log=log_path)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path | None = None, timeout: float = 60) -> None:
    """Until the portal at ``url`` answers its health check; its log's end is shown if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = f':\n{log.read_text()[-3000:]}' if log is not None else ''
            raise RuntimeError(f'the portal exited with {process.returncode}{tail}')
        try:
            if httpx.get(f'{url}/api/v1/health', timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f'the portal did not start within {timeout:.0f} s')
