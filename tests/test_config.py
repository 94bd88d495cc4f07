"""Settings, the README's commands and the app's wiring."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from portal.config import DEFAULT_SECRET, Settings
from portal.db import normalise_url

ROOT = Path(__file__).resolve().parent.parent


def test_default_secret_is_refused_outside_demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('PORTAL_SECRET', raising=False)
    with pytest.raises(ValidationError, match='PORTAL_SECRET'):
        Settings(demo=False)
    assert Settings(demo=True).secret == DEFAULT_SECRET
    assert Settings(demo=False, secret='x' * 40, payment_secret='y' * 40).cookies_secure is True
    assert Settings(demo=True).cookies_secure is False


def test_settings_read_the_portal_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PORTAL_PORT', '9090')
    monkeypatch.setenv('PORTAL_HOST', '0.0.0.0')
    monkeypatch.setenv('PORTAL_SCHEDULER', 'off')
    settings = Settings(demo=True)
    assert (settings.port, settings.host, settings.scheduler) == (9090, '0.0.0.0', False)


def test_sqlite_urls_get_durability_pragmas() -> None:
    url = normalise_url('sqlite://data/kabinet.sqlite3')
    assert 'journal_mode=WAL' in url
    assert 'synchronous=FULL' in url
    assert 'busy_timeout=' in url
    assert normalise_url('postgres://u@h:5432/db') == 'postgres://u@h:5432/db'


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / 'README.md').read_text(encoding='utf-8')
    commands = re.findall(r'```bash\n(python3 -m venv .+?)\n```', readme)
    assert len(commands) == 2, 'the README shows the run command and the test command'
    run, test = commands
    assert 'main.py' in run and 'PORTAL_DEMO=1' in run
    ci = (ROOT / '.ci' / 'run').read_text(encoding='utf-8')
    assert test in ci.splitlines()


def test_the_public_address_printed_in_certificates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('PORTAL_PUBLIC_URL', raising=False)
    assert Settings(demo=True, host='127.0.0.1', port=8091).base_url == 'http://127.0.0.1:8091'
    monkeypatch.setenv('PORTAL_PUBLIC_URL', 'https://kabinet.example.az/')
    assert Settings(demo=True).base_url == 'https://kabinet.example.az'
