"""Observability: logs that never carry a FIN, a token, a key or a vote; Prometheus metrics labelled by route
template and served only to loopback or the token's holder; the scheduler's heartbeat in the health answer."""

from __future__ import annotations

import asyncio
import gc
import io
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from fastapi import FastAPI
from tortoise import Tortoise

from jobs.scheduler import create_scheduler
from portal import live, observability
from portal.api import PREFIX, create_api
from portal.api import deps as api_deps
from portal.observability import REGISTRY, configure_logging, redact
from portal.store import heartbeat
from portal.store.notices.delivery import count_due
from portal.store.notices.models import Channel, Delivery, DeliveryState
from tests.builders import make_key_with_scopes, use_fast_hashing
from tests.factories import NOW, PASSWORD, make_citizen, make_person
from tests.letters_kit import signed_letter

FIN = '5ZK2M7R'
TOKEN = 'metrics-token-0123456789abcdef'
POLL = {
    'question': 'Parkda yeni uşaq meydançası tikilsin?',
    'options': ['Variant-Qırmızı', 'Variant-Yaşıl'],
    'opens_at': NOW.isoformat(),
    'closes_at': (NOW + timedelta(days=7)).isoformat(),
}


def parent_app(*, token: str = '') -> FastAPI:
    """The portal's parent app as ``portal.app`` builds it, without NiceGUI: the API mounted, metrics installed."""
    sub = create_api()

    async def now() -> datetime:
        return NOW

    sub.dependency_overrides[api_deps.clock] = now
    parent = FastAPI()
    parent.mount(PREFIX, sub)
    observability.install(parent, token=token)
    return parent


def client(app: FastAPI, address: str = '127.0.0.1') -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url='http://test')


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --- logs -----------------------------------------------------------------------------------------------------------


@dataclass
class Logs:
    raw: io.StringIO  # every record as the code wrote it, before redaction
    out: io.StringIO  # what the portal's handler writes (JSON lines)

    def lines(self) -> list[dict[str, Any]]:
        return [orjson.loads(line) for line in self.out.getvalue().splitlines()]


@contextmanager
def levels_kept() -> Iterator[None]:
    """Put back the logger levels that ``configure_logging`` (and uvicorn) set."""
    levels = {name: logging.getLogger(name).level for name in ('', *observability.QUIET_LOGGERS, 'uvicorn.access')}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def logs() -> Iterator[Logs]:
    with levels_kept():
        yield from _captured()


def _captured() -> Iterator[Logs]:
    root = logging.getLogger()
    captured = Logs(io.StringIO(), io.StringIO())
    raw = logging.StreamHandler(captured.raw)
    raw.setFormatter(logging.Formatter('%(name)s %(message)s'))
    handler = configure_logging(json=True, level='DEBUG', stream=captured.out)
    root.handlers.insert(0, raw)  # first: it sees each record before the redaction filter rewrites it
    yield captured
    root.removeHandler(raw)
    root.removeHandler(handler)


@pytest.fixture
async def served(sqlite_db: str) -> AsyncIterator[httpx.AsyncClient]:
    """The parent app behind a real uvicorn on a free loopback port, so its access log lines are uvicorn's own."""
    config = uvicorn.Config(parent_app(), host='127.0.0.1', port=0, log_config=None, lifespan='off', log_level='info')
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    async with httpx.AsyncClient(base_url=f'http://127.0.0.1:{port}') as http:
        yield http
    server.should_exit = True
    await task


async def test_a_login_a_vote_a_letter_and_keyed_calls_leave_no_fin_token_key_or_choice_in_the_logs(
    logs: Logs, served: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_fast_hashing(monkeypatch)
    http = served
    nesimi = await make_key_with_scopes('IH-NESIMI', ['participation:write'])
    mia = await make_key_with_scopes('MIA', ['letters:read', 'letters:write'])
    leyla, device_key = await make_person(FIN)

    wrong = await http.post(f'{PREFIX}/sessions', json={'fin': FIN, 'password': 'not the password'})
    assert wrong.status_code == 401
    login = await http.post(f'{PREFIX}/sessions', json={'fin': FIN, 'password': PASSWORD})
    assert login.status_code == 201, login.text
    token = login.json()['token']

    poll = await http.post(f'{PREFIX}/polls', json=POLL, headers={'Authorization': f'Bearer {nesimi}'})
    assert poll.status_code == 201, poll.text
    chosen = poll.json()['options'][1]
    vote = f'{PREFIX}/polls/{poll.json()["id"]}/vote'
    voted = await http.post(vote, json={'option': chosen['id']}, headers={'Authorization': f'Bearer {token}'})
    assert voted.status_code == 201, voted.text
    # a careless client puts its token and the FIN in the query string: uvicorn logs the whole path
    asked = await http.get(f'{vote}?access_token={token}&fin={FIN}', headers={'Authorization': f'Bearer {token}'})
    assert asked.json() == {'voted': True}

    letter = await signed_letter(leyla, device_key, body=f'FİN-im {FIN}, ünvan arayışı istəyirəm.')
    keyed = {'Authorization': f'Bearer {mia}'}
    assert (await http.get(f'{PREFIX}/letters/{letter.id}', headers=keyed)).status_code == 200
    sent = await http.post(
        f'{PREFIX}/letters', json={'fin': FIN, 'title': 'Bildiriş', 'body': 'Hazırdır.'}, headers=keyed
    )
    assert sent.status_code == 201, sent.text
    bad_key = {'Authorization': f'Bearer {mia[:-4]}AAAA'}
    assert (await http.get(f'{PREFIX}/letters', headers=bad_key)).status_code == 401

    secrets = [FIN, PASSWORD, token, mia, mia.rsplit('_', 1)[1], nesimi, chosen['id'], chosen['label']]
    # the portal's own records; uvicorn's access lines and this test's own HTTP client print the raw path
    others = ('uvicorn.access ', 'httpx ', 'httpcore.')
    own = '\n'.join(line for line in logs.raw.getvalue().splitlines() if not line.startswith(others))
    written = logs.out.getvalue()
    for secret in secrets:
        assert secret not in own  # the portal's own log calls never pass them
        assert secret not in written  # and nothing else got through the filter either
    access = [line for line in logs.lines() if line['logger'] == 'uvicorn.access']
    assert len(access) == 8  # one line per request, as uvicorn writes them
    assert {'time', 'level', 'message', 'client', 'method', 'path', 'status'} <= set(access[0])
    queried = next(line for line in access if 'access_token' in line['path'])
    assert queried['path'].endswith('?access_token=[redacted]&fin=[redacted]')
    assert (queried['method'], queried['status']) == ('GET', 200)


@pytest.mark.parametrize(
    ('text', 'expected'),
    [
        ('GET /api/v1/x?token=abc123&page=2 HTTP/1.1', 'GET /api/v1/x?token=[redacted]&page=2 HTTP/1.1'),
        ('/cb?API_KEY=zz&sig=ff&fin=5ABC123', '/cb?API_KEY=[redacted]&sig=[redacted]&fin=[redacted]'),
        ("headers {'authorization': 'Bearer abc.def'}", "headers {'authorization': '[redacted]'}"),
        ('Authorization: Basic dXNlcjpwYXNz', 'Authorization: [redacted]'),
        ('sent with bearer abcdef', 'sent with bearer [redacted]'),
        ('key kab_0123456789abcdef_s3cr3t-Value_x', 'key kab_[redacted]'),
        ('citizen 5ABC123 logged in', 'citizen [redacted] logged in'),
        ('password=hunter2, smtp_password: "x y"', 'password=[redacted], smtp_password: [redacted]'),
        ("[type=string_type, input_value='2HT8P4N', input_type=str]", '[type=string_type, input_value=[redacted], '),
        ('session aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z', 'session [redacted]'),
    ],
)
def test_redaction_removes_credentials_tokens_and_fins(text: str, expected: str) -> None:
    assert redact(text).startswith(expected)


@pytest.mark.parametrize(
    'text',
    [
        'letter 9b2f0c4e-1d2a-4c3b-8e5f-6a7b8c9d0e1f moved to ANSWERED',
        'notice delivery {"sent": 3, "retried": 0, "failed": 1}',
        'payment callback rejected (gateway sandbox): invalid_signature: signature does not match the body',
        'GET /_nicegui/3.18.0/static/quasar.umd.prod.js HTTP/1.1',
    ],
)
def test_redaction_keeps_what_is_no_secret(text: str) -> None:
    assert redact(text) == text


def test_json_lines_carry_time_level_logger_message_extras_and_the_traceback(logs: Logs) -> None:
    log = logging.getLogger('portal.test')
    log.info('job %s took %d ms', 'housekeeping', 12, extra={'job': 'housekeeping', 'ms': 12, 'who': {'fin': FIN}})
    try:
        raise RuntimeError('session aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z refused')
    except RuntimeError:
        log.exception('it failed for 5ABC123')
    first, second = logs.lines()
    assert first['time'].endswith('Z') and datetime.fromisoformat(first['time'])
    assert (first['level'], first['logger'], first['message']) == ('INFO', 'portal.test', 'job housekeeping took 12 ms')
    assert (first['job'], first['ms'], first['who']) == ('housekeeping', 12, "{'fin': [redacted]}")
    assert (second['level'], second['message']) == ('ERROR', 'it failed for [redacted]')
    assert 'RuntimeError: session [redacted] refused' in second['exception']


def test_text_format_and_a_second_call_replaces_the_handler() -> None:
    first, second = io.StringIO(), io.StringIO()
    with levels_kept():
        configure_logging(json=True, stream=first)
        handler = configure_logging(json=False, stream=second, level='DEBUG')
        try:
            logging.getLogger('portal.test').warning('Bearer abc from 5ABC123', extra={'detail': {'fin': '5ABC123'}})
            assert first.getvalue() == ''
            assert second.getvalue().rstrip().endswith('WARNING portal.test: Bearer [redacted] from [redacted]')
            assert logging.getLogger('tortoise.db_client').level == logging.INFO  # its DEBUG lines print SQL values
        finally:
            logging.getLogger().removeHandler(handler)


# --- metrics --------------------------------------------------------------------------------------------------------


async def test_requests_are_counted_and_timed_by_route_template_never_by_raw_path(sqlite_db: str) -> None:
    poll_id = '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b'
    route = f'{PREFIX}/polls/{{poll_id}}'
    before = sample('portal_http_requests_total', method='GET', route=route, status='404')
    timed = sample('portal_http_request_duration_seconds_count', method='GET', route=route)
    unmatched = sample('portal_http_requests_total', method='GET', route=f'{PREFIX}/{{path}}', status='404')
    async with client(parent_app()) as http:
        assert (await http.get(f'{PREFIX}/polls/{poll_id}')).status_code == 404
        assert (await http.get(f'{PREFIX}/polls/{poll_id}')).status_code == 404
        assert (await http.get(f'{PREFIX}/no/such/{poll_id}')).status_code == 404
        assert (await http.get(f'{PREFIX}/health')).status_code == 200
        text = (await http.get('/metrics')).text
    assert sample('portal_http_requests_total', method='GET', route=route, status='404') == before + 2
    assert sample('portal_http_request_duration_seconds_count', method='GET', route=route) == timed + 2
    assert sample('portal_http_requests_total', method='GET', route=f'{PREFIX}/{{path}}', status='404') == unmatched + 1
    assert sample('portal_http_requests_total', method='GET', route=f'{PREFIX}/health', status='200') >= 1
    assert poll_id not in text
    assert 'portal_http_request_duration_seconds_bucket{' in text and 'process_cpu_seconds_total' in text


@pytest.mark.parametrize(
    ('token', 'address', 'authorization', 'status'),
    [
        ('', '127.0.0.1', None, 200),
        ('', '::1', None, 200),
        ('', '203.0.113.9', None, 404),
        ('', '203.0.113.9', 'Bearer ', 404),
        (TOKEN, '203.0.113.9', None, 404),
        (TOKEN, '203.0.113.9', f'Bearer {TOKEN}x', 404),
        (TOKEN, '203.0.113.9', f'Basic {TOKEN}', 404),
        (TOKEN, '203.0.113.9', f'Bearer {TOKEN}', 200),
        (TOKEN, '127.0.0.1', None, 200),
    ],
)
async def test_metrics_are_served_to_loopback_or_with_the_token_else_not_found(
    sqlite_db: str, token: str, address: str, authorization: str | None, status: int
) -> None:
    headers = {'Authorization': authorization} if authorization is not None else {}
    async with client(parent_app(token=token), address) as http:
        response = await http.get('/metrics', headers=headers)
    assert response.status_code == status
    if status == 200:
        assert response.headers['content-type'].startswith('text/plain; version=')
        assert '# TYPE portal_outbox_backlog gauge' in response.text
    else:
        assert 'portal_' not in response.text


async def test_gauges_show_clients_subscribers_and_the_outbox_backlog(
    sqlite_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nicegui import Client

    person = await make_citizen(FIN)

    async def queue(key: str, state: DeliveryState, next_at: datetime, lease: datetime | None = None) -> None:
        await Delivery.create(
            person_id=person.id,
            channel=Channel.SMS,
            key=key,
            state=state,
            next_attempt_at=next_at,
            lease_until=lease,
            created_at=NOW,
        )

    await queue('due', DeliveryState.QUEUED, NOW - timedelta(minutes=1))
    await queue('later', DeliveryState.QUEUED, NOW + timedelta(minutes=5))
    await queue('lease-ran-out', DeliveryState.SENDING, NOW - timedelta(minutes=5), NOW - timedelta(seconds=1))
    await queue('being-sent', DeliveryState.SENDING, NOW - timedelta(minutes=5), NOW + timedelta(minutes=1))
    await queue('sent', DeliveryState.SENT, NOW - timedelta(minutes=5))
    assert await count_due(now=NOW) == 2

    connected, waiting = SimpleNamespace(has_socket_connection=True), SimpleNamespace(has_socket_connection=False)
    monkeypatch.setattr(Client, 'instances', {'a': connected, 'b': waiting, 'c': connected})
    live.hub.subscribe(f'citizen:{person.id}', lambda _: None)
    live.hub.subscribe('poll:1', lambda _: None)
    await observability.refresh_store_gauges(now=NOW)
    assert sample('portal_outbox_backlog') == 2
    assert sample('portal_nicegui_clients') == 2
    assert sample('portal_live_subscribers') == 2
    assert sample('portal_scheduler_heartbeat_timestamp_seconds') == 0  # never beat


async def test_the_scheduler_counts_its_job_runs_and_its_heartbeat_job_beats(
    sqlite_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = create_scheduler()
    job = scheduler.get_job('heartbeat')
    assert job is not None and job.next_run_time is not None  # the first beat comes at start, not a minute later
    ok = sample('portal_job_runs_total', job='heartbeat', outcome='ok')
    failed = sample('portal_job_runs_total', job='heartbeat', outcome='failed')
    await job.func()
    assert sample('portal_job_runs_total', job='heartbeat', outcome='ok') == ok + 1
    assert await heartbeat.last_heartbeat() is not None

    async def broken(**_: Any) -> None:
        raise ConnectionError('database unavailable')

    monkeypatch.setattr(heartbeat, 'record_heartbeat', broken)
    await job.func()
    assert sample('portal_job_runs_total', job='heartbeat', outcome='failed') == failed + 1


# --- heartbeat and health -------------------------------------------------------------------------------------------


async def test_heartbeats_are_upserted_so_two_schedulers_do_not_clash(store_db: str) -> None:
    assert await heartbeat.scheduler_health(now=NOW) == heartbeat.SchedulerHealth('unknown', None)
    await asyncio.gather(
        heartbeat.record_heartbeat(now=NOW - timedelta(minutes=1), worker='host-a:1'),
        heartbeat.record_heartbeat(now=NOW - timedelta(minutes=1), worker='host-b:2'),
    )
    await heartbeat.record_heartbeat(now=NOW, worker='host-b:2')
    assert await heartbeat.Heartbeat.all().values_list('name', 'worker') == [('scheduler', 'host-b:2')]
    assert await heartbeat.scheduler_health(now=NOW + timedelta(minutes=3)) == heartbeat.SchedulerHealth('ok', NOW)
    late = NOW + timedelta(minutes=3, seconds=1)
    assert await heartbeat.scheduler_health(now=late) == heartbeat.SchedulerHealth('late', NOW)


async def test_health_reports_the_scheduler_and_a_late_one_keeps_200(sqlite_db: str) -> None:
    async with client(parent_app()) as http:
        health = f'{PREFIX}/health'
        response = await http.get(health)
        assert (response.status_code, response.json()) == (
            200,
            {'status': 'ok', 'database': 'ok', 'scheduler': 'unknown', 'scheduler_seen_at': None},
        )
        await heartbeat.record_heartbeat(now=NOW - timedelta(minutes=2), worker='host:1')
        assert (await http.get(health)).json() == {
            'status': 'ok',
            'database': 'ok',
            'scheduler': 'ok',
            'scheduler_seen_at': '2026-11-20T08:58:00Z',
        }
        await heartbeat.record_heartbeat(now=NOW - timedelta(minutes=4), worker='host:1')
        response = await http.get(health)
        assert (response.status_code, response.json()['status'], response.json()['scheduler']) == (200, 'ok', 'late')
        schema = (await http.get(f'{PREFIX}/openapi.json')).json()
        fields = schema['components']['schemas']['HealthOut']['properties']
        assert {'status', 'database', 'scheduler', 'scheduler_seen_at'} <= set(fields)


async def test_health_is_503_degraded_when_the_database_does_not_answer(sqlite_db: str) -> None:
    await Tortoise.close_connections()
    # a database server that is down: nothing listens on this port
    await Tortoise.init(
        config={
            'connections': {'default': 'postgres://postgres@127.0.0.1:9/kabinet'},
            'apps': {'portal': {'models': ['portal.store.heartbeat']}},
        },
        _enable_global_fallback=True,
    )
    async with client(parent_app()) as http:
        response = await http.get(f'{PREFIX}/health')
        assert (response.status_code, response.json()) == (
            503,
            {'status': 'degraded', 'database': 'unavailable', 'scheduler': 'unknown', 'scheduler_seen_at': None},
        )


def test_the_collectors_pauses_are_timed_by_generation_and_watched_once() -> None:
    observability.watch_collector()
    observability.watch_collector()  # the app, then the jobs' process: still one callback
    assert sum(isinstance(c, observability._CollectorPauses) for c in gc.callbacks) == 1
    before = REGISTRY.get_sample_value('portal_gc_pause_seconds_count', {'generation': '2'}) or 0
    gc.collect(2)
    assert REGISTRY.get_sample_value('portal_gc_pause_seconds_count', {'generation': '2'}) == before + 1
    assert (REGISTRY.get_sample_value('portal_gc_pause_seconds_sum', {'generation': '2'}) or 0) > 0
