"""Real-browser tests (Debian Chromium via Playwright) against the portal running as its own process."""

from __future__ import annotations

import os
import shutil
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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f'browser tests need Debian chromium at {CHROMIUM}'),
]


@dataclass
class Portal:
    url: str
    env: dict[str, str]
    log: Path


@pytest.fixture(scope='module')
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """The portal as a user runs it: `python main.py` with demo data, on a free port."""
    folder = tmp_path_factory.mktemp('portal')
    port = _free_port()
    env = {
        **os.environ,
        'PORTAL_DB_URL': f'sqlite://{folder}/kabinet.sqlite3',
        'PORTAL_DEMO': '1',
        'PORTAL_PORT': str(port),
        'PORTAL_SCHEDULER': '1',
        'PYTHONUNBUFFERED': '1',
    }
    log_path = folder / 'portal.log'
    log = log_path.open('w')
    process = subprocess.Popen([sys.executable, 'main.py'], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    try:
        _wait_until_up(url, process)
        yield Portal(url=url, env=env, log=log_path)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_cabinet_shows_an_address_changed_through_the_api_without_reload(portal: Portal) -> None:
    from playwright.sync_api import expect, sync_playwright

    created = subprocess.run(
        [sys.executable, '-m', 'portal', 'api-key', 'create', '--agency', 'MIA', '--scope', 'registry:write'],
        cwd=ROOT,
        env=portal.env,
        capture_output=True,
        text=True,
        check=True,
    )
    key = created.stdout.strip().splitlines()[-1]

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f'{portal.url}/login')
        page.get_by_label('FİN').first.fill('5ZK2M7R')
        page.get_by_label('Şifrə').fill('Kabinet-2026')
        page.get_by_role('button', name='Daxil ol').click()
        page.wait_for_url('**/cabinet')
        expect(page.get_by_text('Leyla Məmmədova').first).to_be_visible()
        page.evaluate('window.__kabinet_marker = "same page"')

        response = httpx.post(
            f'{portal.url}/api/v1/registry/records',
            headers={'Authorization': f'Bearer {key}'},
            json={
                'fin': '5ZK2M7R',
                'kind': 'address',
                'data': {
                    'region': 'Nəsimi',
                    'city': 'Bakı',
                    'street': 'Azadlıq prospekti',
                    'building': '27',
                    'apartment': '15',
                    'registered_on': '2026-11-20',
                },
            },
        )
        assert response.status_code == 200, response.text

        expect(page.get_by_text('Azadlıq prospekti')).to_be_visible(timeout=5000)
        expect(page.locator('.q-badge', has_text='yeniləndi')).to_be_visible()
        assert page.evaluate('window.__kabinet_marker') == 'same page', 'the page was reloaded'
        browser.close()


def test_the_app_process_runs_the_scheduler_and_serves_the_api_docs(portal: Portal) -> None:
    log = portal.log.read_text(encoding='utf-8')
    assert 'Added job "purge expired login challenges' in log
    assert 'Scheduler started' in log
    assert httpx.get(f'{portal.url}/api/v1/docs').status_code == 200
    schema = httpx.get(f'{portal.url}/api/v1/openapi.json').json()
    assert '/registry/records' in schema['paths']
    # API errors are the API's JSON, not a NiceGUI page
    missing = httpx.get(f'{portal.url}/api/v1/nothing-here')
    assert missing.status_code == 404
    assert missing.json()['error']['code'] == 'not_found'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'the portal exited with {process.returncode}')
        try:
            if httpx.get(f'{url}/api/v1/health', timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError('the portal did not start within 60 s')
