"""Scheduled jobs and the operator CLI (``python -m portal …``)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from tortoise.backends.base.executor import EXECUTOR_CACHE
from typer.testing import CliRunner, Result

from jobs import scheduler
from jobs.scheduler import SCHEDULE, ScheduledJob, create_scheduler, job_by_name, run_job
from portal import db
from portal.cli import cli
from portal.config import get_settings
from portal.errors import Unauthorized
from portal.store import apikeys, auth, idempotency
from portal.store.actors import ApiActor
from portal.store.auth import LoginMethod, Session, SignatureChallenge
from portal.store.idempotency import Idempotency, IdempotencyKey
from portal.store.people import Person
from tests.builders import sign
from tests.factories import NOW, make_person

# --- the schedule ------------------------------------------------------------------------------------------------


def test_schedule_ids_are_unique_and_include_housekeeping() -> None:
    ids = [job.id for job in SCHEDULE]
    assert len(ids) == len(set(ids))
    assert 'housekeeping' in ids
    for job in SCHEDULE:
        assert job.description
        assert callable(job.func)
        assert job_by_name(job.id) is job
    with pytest.raises(KeyError):
        job_by_name('nope')


def test_create_scheduler_registers_every_job_without_starting() -> None:
    sched = create_scheduler()
    assert not sched.running
    jobs = {job.id: job for job in sched.get_jobs()}
    assert set(jobs) == {job.id for job in SCHEDULE}
    for job in SCHEDULE:
        assert jobs[job.id].trigger is job.trigger
        assert jobs[job.id].name == job.description
    housekeeping = job_by_name('housekeeping').trigger
    assert isinstance(housekeeping, IntervalTrigger)
    assert housekeeping.interval == timedelta(minutes=5)


async def expire_things(at: datetime) -> Person:
    """An expired challenge, an ended session and an idle one (which becomes a 'session_expired' event)."""
    person, key = await make_person('5ABC123', password=None)
    await auth.start_signature_login(fin='5ABC123', method=LoginMethod.ASAN, now=at)
    for _ in range(2):
        challenge = await auth.start_signature_login(fin='5ABC123', method=LoginMethod.ASAN, now=at)
        await auth.submit_signature(challenge_id=challenge.id, signature=sign(challenge, key), now=at)
        grant = await auth.complete_signature_login(challenge_id=challenge.id, now=at)
    await auth.logout(token=grant.token, now=at)
    return person


async def test_run_job_housekeeping_purges(sqlite_db: str) -> None:
    await expire_things(NOW)
    result = await run_job('housekeeping', NOW + timedelta(hours=1))
    assert result == {
        'challenges': 3,
        'sessions': 2,
        'throttles': 0,
        'abandoned_payments': 0,
        'idempotency_keys': 0,
    }
    assert await SignatureChallenge.all().count() == 0
    assert await Session.all().count() == 0
    assert await run_job('housekeeping', NOW + timedelta(hours=1)) == {
        'challenges': 0,
        'sessions': 0,
        'throttles': 0,
        'abandoned_payments': 0,
        'idempotency_keys': 0,
    }


async def test_housekeeping_forgets_idempotency_keys_after_a_week(sqlite_db: str) -> None:
    client = uuid4()
    for key, age in (('old', timedelta(days=8)), ('fresh', timedelta(days=6))):
        idem = Idempotency.of(client_id=client, key=key, operation='POST /letters', payload={})
        await idempotency.remember(idem, resource_id=uuid4(), now=NOW - age)
    result = await run_job('housekeeping', NOW)
    assert result['idempotency_keys'] == 1
    assert [k.key for k in await IdempotencyKey.all()] == ['fresh']


async def test_scheduled_runner_uses_the_current_time_and_survives_failures(
    sqlite_db: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # long ago: everything is expired by now
    await expire_things(datetime.now(UTC) - timedelta(days=1))
    runner = create_scheduler().get_job('housekeeping').func
    await runner()
    assert await SignatureChallenge.all().count() == 0
    assert await Session.all().count() == 0

    async def broken(now: datetime) -> None:
        raise RuntimeError('boom')

    monkeypatch.setattr(scheduler, 'SCHEDULE', (ScheduledJob('broken', broken, IntervalTrigger(minutes=1), 'x'),))
    with caplog.at_level(logging.ERROR, logger='jobs.scheduler'):
        await create_scheduler().get_job('broken').func()  # logged, not raised
    assert 'job broken failed' in caplog.text


# --- the CLI -----------------------------------------------------------------------------------------------------
# The CLI opens its own database connection with asyncio.run, so these tests are plain sync tests.


@dataclass(frozen=True)
class CliDb:
    url: str
    path: Path


@pytest.fixture
def cli_db(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliDb]:
    path = tmp_path / 'cli.sqlite3'
    shutil.copy(sqlite_template, path)
    url = f'sqlite://{path}'
    monkeypatch.setenv('PORTAL_DB_URL', url)
    get_settings.cache_clear()
    # Tortoise caches SQL per connection name, not per dialect, and other tests may have run on PostgreSQL
    EXECUTOR_CACHE.clear()
    yield CliDb(url=url, path=path)
    get_settings.cache_clear()


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def authenticate(url: str, key: str) -> ApiActor:
    async def main() -> ApiActor:
        await db.open_db(url, migrate_schema=False)
        try:
            return await apikeys.authenticate(key=key, now=datetime.now(UTC))
        finally:
            await db.close_db()

    return asyncio.run(main())


def test_cli_uses_the_test_database(cli_db: CliDb) -> None:
    assert get_settings().db_url == cli_db.url


def test_api_key_create_prints_the_key_last_and_stores_only_its_hash(cli_db: CliDb) -> None:
    seeded = invoke('seed-demo')
    assert seeded.exit_code == 0, seeded.output
    assert 'Demo data created.' in seeded.output

    result = invoke('api-key', 'create', '--agency', 'mia', '--scope', 'registry:write', '--name', 'MIA registry')
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    key = lines[-1]
    assert key.startswith('kab_')
    assert 'MIA' in lines[0]
    _, lookup, secret = key.split('_', 2)
    assert lookup in lines[0]

    actor = authenticate(cli_db.url, key)
    assert actor.organisation_code == 'MIA'
    assert actor.scopes == frozenset({'registry:write'})

    with sqlite3.connect(cli_db.path) as conn:
        rows = conn.execute('SELECT * FROM api_clients').fetchall()
        (name, key_hash) = conn.execute('SELECT name, key_hash FROM api_clients WHERE lookup = ?', (lookup,)).fetchone()
    conn.close()
    assert len(rows) == 1
    assert name == 'MIA registry'
    stored = ' '.join(str(value) for row in rows for value in row)
    assert key not in stored
    assert secret not in stored
    assert key_hash == hashlib.sha256(secret.encode()).hexdigest()

    # revoking it works once, and the key is worthless afterwards
    revoked = invoke('api-key', 'revoke', lookup)
    assert revoked.exit_code == 0, revoked.output
    with pytest.raises(Unauthorized):
        authenticate(cli_db.url, key)
    again = invoke('api-key', 'revoke', lookup)
    assert again.exit_code == 1
    assert 'No active key' in again.stderr


def test_seed_demo_twice_does_nothing_the_second_time(cli_db: CliDb) -> None:
    assert invoke('seed-demo').exit_code == 0
    with sqlite3.connect(cli_db.path) as conn:
        people = conn.execute('SELECT COUNT(*) FROM people').fetchone()[0]
    conn.close()
    second = invoke('seed-demo')
    assert second.exit_code == 0
    assert 'nothing done' in second.output
    with sqlite3.connect(cli_db.path) as conn:
        assert conn.execute('SELECT COUNT(*) FROM people').fetchone()[0] == people
    conn.close()


def test_api_key_create_with_an_unknown_scope_fails(cli_db: CliDb) -> None:
    result = invoke('api-key', 'create', '--agency', 'MIA', '--scope', 'registry:delete')
    assert result.exit_code == 1
    assert 'Unknown scope: registry:delete' in result.stderr
    assert 'registry:write' in result.stderr  # the known scopes are listed
    assert 'kab_' not in result.stdout


def test_api_key_create_for_an_unknown_agency_fails(cli_db: CliDb) -> None:
    assert invoke('seed-demo').exit_code == 0
    result = invoke('api-key', 'create', '--agency', 'NOPE', '--scope', 'registry:write')
    assert result.exit_code == 1
    assert 'No agency or local executive has this code.' in result.stderr
    assert 'kab_' not in result.stdout
    with sqlite3.connect(cli_db.path) as conn:
        assert conn.execute('SELECT COUNT(*) FROM api_clients').fetchone()[0] == 0
    conn.close()


def test_jobs_run_housekeeping(cli_db: CliDb) -> None:
    result = invoke('jobs', 'run', 'housekeeping', '--now', '2026-11-20T09:00:00')
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('housekeeping: ')
    assert "'challenges': 0" in result.stdout


def test_jobs_run_housekeeping_purges_what_the_cli_database_holds(cli_db: CliDb) -> None:
    async def setup() -> None:
        await db.open_db(cli_db.url, migrate_schema=False)
        try:
            await expire_things(NOW)
        finally:
            await db.close_db()

    asyncio.run(setup())
    result = invoke('jobs', 'run', 'housekeeping', '--now', '2026-11-20T10:00:00+00:00')
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.strip()
        == "housekeeping: {'challenges': 3, 'sessions': 2, 'throttles': 0, 'abandoned_payments': 0, "
        "'idempotency_keys': 0}"
    )


def test_jobs_run_unknown_job(cli_db: CliDb) -> None:
    result = invoke('jobs', 'run', 'nope')
    assert result.exit_code == 2
    assert "Unknown job 'nope'" in result.stderr
    assert 'housekeeping' in result.stderr


def test_jobs_list(cli_db: CliDb) -> None:
    result = invoke('jobs', 'list')
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.strip().splitlines()] == [job.id for job in SCHEDULE]


def test_catalogue_load_from_the_shipped_data_and_from_a_file(cli_db: CliDb, tmp_path: Path) -> None:
    assert invoke('seed-demo').exit_code == 0
    with sqlite3.connect(cli_db.path) as conn:
        shipped = conn.execute('SELECT COUNT(*) FROM services').fetchone()[0]
    conn.close()
    again = invoke('catalogue-load')
    assert again.exit_code == 0 and f'{shipped} services loaded.' in again.output
    extra = tmp_path / 'extra.json'
    entry = {
        'code': 'mia-extra',
        'provider': 'MIA',
        'category': 'identity',
        'kind': 'external',
        'title_az': 'Əlavə xidmət',
        'title_en': 'Extra service',
        'url': 'https://www.mia.gov.az',
    }
    extra.write_text(json.dumps([entry]), encoding='utf-8')
    assert invoke('catalogue-load', str(extra)).exit_code == 0
    broken = tmp_path / 'broken.json'
    broken.write_text(json.dumps([{**entry, 'code': 'mia-broken', 'url': 'http://insecure'}]), encoding='utf-8')
    refused = invoke('catalogue-load', str(broken))
    assert refused.exit_code == 1 and 'mia-broken' in refused.stderr
    with sqlite3.connect(cli_db.path) as conn:
        assert conn.execute('SELECT COUNT(*) FROM services').fetchone()[0] == shipped + 1
    conn.close()
