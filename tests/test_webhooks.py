"""Webhooks: a decision on a data request is posted, signed, to the organisation's webhook; failures are retried with
back-off and given up after eight tries; two workers never post one call; the jobs and the operator commands."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs import consent as consent_jobs
from jobs.scheduler import job_by_name, run_job
from portal.errors import Conflict, Forbidden, Invalid, NotFound
from portal.store.actors import Role
from portal.store.apikeys import authenticate
from portal.store.consent import permissions, webhooks
from portal.store.consent.models import Permission, PermissionState, WebhookCall
from portal.store.people import Person
from tests.builders import make_key_with_scopes
from tests.factories import make_citizen, make_person
from tests.test_jobs_cli import CliDb, cli_db, invoke  # noqa: F401 -- cli_db is the CLI's database fixture

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
UNTIL = date(2027, 5, 20)
Handler = Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response]


class Receiver:
    """An organisation's endpoint: records every call, verifies its signature, answers as told."""

    def __init__(self, secrets: dict[str, str], answers: list[int | Exception] | None = None) -> None:
        self.secrets = secrets  # host → secret
        self.answers = list(answers or [])
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        body = request.content
        header = request.headers['X-Kabinet-Signature']
        t, v1 = (part.split('=', 1)[1] for part in header.split(','))
        expected = hmac.new(self.secrets[request.url.host].encode(), f'{t}.'.encode() + body, hashlib.sha256)
        self.calls.append(
            {
                'event_id': request.headers['X-Kabinet-Event-Id'],
                'host': request.url.host,
                'path': request.url.path,
                'payload': json.loads(body),
                'verified': hmac.compare_digest(expected.hexdigest(), v1),
                't': int(t),
                'content_type': request.headers['Content-Type'],
            }
        )
        answer = self.answers.pop(0) if self.answers else 200
        await asyncio.sleep(0)  # let another worker run while this call is "on the wire"
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer, text='' if answer < 300 else 'busy, try later')

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self))


async def company(code: str = 'AZERSU', host: str = 'hooks.azersu.az') -> tuple[str, str]:
    """A company with a webhook: (code, secret)."""
    await webhooks.register_company(code=code, name_az=f'{code} ASC', name_en=f'{code} OJSC')
    _hook, secret = await webhooks.register_webhook(organisation_code=code, url=f'https://{host}/kabinet', now=NOW)
    return code, secret


async def decided(code: str, person: Person, grant: list[str] | None = None) -> UUID:
    """The company asks the citizen for data and the citizen answers (grants some, by default)."""
    actor = await authenticate(key=await make_key_with_scopes(code, ['data:request']), now=NOW)
    request = await permissions.request_data(
        actor=actor,
        fin=person.fin,
        categories=['personal', 'employment'],
        purpose='Abonent müqaviləsi',
        valid_until=UNTIL,
        now=NOW,
    )
    grant = ['personal'] if grant is None else grant
    await permissions.decide_request(actor=person.as_actor(), request_id=request.id, grant=grant, now=NOW)
    return request.id


async def deliver(receiver: Receiver, now: datetime = NOW, worker: str = 'w1', **kw: Any) -> dict[str, int]:
    async with receiver.client() as client:
        return await webhooks.deliver_calls(now=now, client=client, worker=worker, **kw)


# -- a decision reaches the organisation ----------------------------------------------------------------------------


@pytest.mark.usefixtures('store_db')
async def test_a_decision_is_posted_signed_to_the_organisations_webhook() -> None:
    code, secret = await company()
    await company('BANK', host='hooks.bank.az')  # another organisation's webhook hears nothing of it
    leyla = await make_citizen('5ABC123')
    request_id = await decided(code, leyla)

    (call,) = await WebhookCall.all()
    assert (call.state, call.attempts, call.next_attempt_at) == ('queued', 0, NOW)

    receiver = Receiver({'hooks.azersu.az': secret})
    assert await deliver(receiver) == {'sent': 1, 'retried': 0, 'failed': 0}
    (posted,) = receiver.calls
    assert posted['verified'] and posted['t'] == int(NOW.timestamp())
    assert (posted['host'], posted['path'], posted['event_id']) == ('hooks.azersu.az', '/kabinet', str(call.id))
    assert posted['content_type'] == 'application/json'
    assert posted['payload'] == {
        'event': 'data_request.decided',
        'request_id': str(request_id),
        'state': 'partial',
        'granted': ['personal'],
        'decided_at': NOW.isoformat(),
    }
    call = await WebhookCall.get(id=call.id)
    assert (call.state, call.attempts, call.sent_at, call.lease_until) == ('sent', 1, NOW, None)

    assert await deliver(receiver, NOW + timedelta(hours=2)) == {'sent': 0, 'retried': 0, 'failed': 0}
    assert len(receiver.calls) == 1


@pytest.mark.usefixtures('store_db')
async def test_a_refusal_is_posted_too_and_a_wrong_secret_does_not_verify() -> None:
    code, _secret = await company()
    await decided(code, await make_citizen('5ABC123'), grant=[])
    receiver = Receiver({'hooks.azersu.az': 'not the secret'})
    await deliver(receiver)
    (posted,) = receiver.calls
    assert posted['payload']['state'] == 'refused' and posted['payload']['granted'] == []
    assert not posted['verified']


def test_the_signature_is_an_hmac_over_the_timestamp_and_the_body() -> None:
    body = b'{"event":"data_request.decided"}'
    digest = hmac.new(b'k3y', b'1763629200.' + body, hashlib.sha256).hexdigest()
    assert webhooks.sign(body, 'k3y', 1763629200) == f't=1763629200,v1={digest}'
    assert webhooks.sign(body + b' ', 'k3y', 1763629200) != webhooks.sign(body, 'k3y', 1763629200)


# -- retries --------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures('store_db')
async def test_a_failed_call_is_retried_with_back_off_and_sent_once() -> None:
    code, secret = await company()
    await decided(code, await make_citizen('5ABC123'))
    receiver = Receiver({'hooks.azersu.az': secret}, answers=[500, 200])

    assert await deliver(receiver, rng=random.Random(1)) == {'sent': 0, 'retried': 1, 'failed': 0}
    (call,) = await WebhookCall.all()
    assert (call.state, call.attempts, call.last_error) == ('queued', 1, 'answered 500: busy, try later')
    assert NOW + timedelta(seconds=30) <= call.next_attempt_at <= NOW + timedelta(seconds=36)  # backoff(1)

    assert await deliver(receiver, NOW + timedelta(seconds=29)) == {'sent': 0, 'retried': 0, 'failed': 0}  # not due
    assert await deliver(receiver, NOW + timedelta(minutes=1)) == {'sent': 1, 'retried': 0, 'failed': 0}
    assert await deliver(receiver, NOW + timedelta(hours=3)) == {'sent': 0, 'retried': 0, 'failed': 0}
    assert [c['event_id'] for c in receiver.calls] == [str(call.id)] * 2  # the same event id on every try
    assert all(c['verified'] for c in receiver.calls)
    call = await WebhookCall.get(id=call.id)
    assert (call.state, call.attempts, call.last_error) == ('sent', 2, '')


@pytest.mark.usefixtures('store_db')
async def test_eight_failures_fail_the_call_with_the_reason() -> None:
    code, _secret = await company()
    await company('BANK', host='hooks.bank.az')
    leyla = await make_citizen('5ABC123')
    await decided(code, leyla)
    await decided('BANK', leyla)

    async def both(request: httpx.Request) -> httpx.Response:
        """AZERSU answers 503 for ever; the bank's endpoint never answers in time."""
        if request.url.host == 'hooks.bank.az':
            raise httpx.ReadTimeout('no answer', request=request)
        return httpx.Response(503)

    moment, reports = NOW, []
    async with httpx.AsyncClient(transport=httpx.MockTransport(both)) as client:
        for _ in range(9):
            reports.append(await webhooks.deliver_calls(now=moment, client=client, worker='w1'))
            moment += timedelta(hours=2)  # past the longest back-off (an hour, plus jitter)
    assert reports[:7] == [{'sent': 0, 'retried': 2, 'failed': 0}] * 7
    assert reports[7:] == [{'sent': 0, 'retried': 0, 'failed': 2}, {'sent': 0, 'retried': 0, 'failed': 0}]
    failed = {c.payload['request_id']: c for c in await WebhookCall.all()}
    assert {(c.state, c.attempts) for c in failed.values()} == {('failed', 8)}
    reasons = sorted(c.last_error for c in failed.values())
    assert reasons == ['answered 503', 'timed out: ReadTimeout']


# -- leases -----------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures('store_db')
async def test_two_workers_at_once_never_post_the_same_call() -> None:
    hooks = {}
    for code, host in (('AZERSU', 'hooks.azersu.az'), ('BANK', 'hooks.bank.az'), ('AZERIQAZ', 'hooks.gas.az')):
        hooks[host] = (await company(code, host))[1]
    for fin in ('5ABC123', '2HT8P4N'):
        person = await make_citizen(fin)
        for code in ('AZERSU', 'BANK', 'AZERIQAZ'):
            await decided(code, person)
    receiver = Receiver(hooks)
    async with receiver.client() as first, receiver.client() as second:
        reports = await asyncio.gather(
            *(
                webhooks.deliver_calls(now=NOW, client=client, worker=worker, limit=4)
                for client, worker in ((first, 'a'), (second, 'b'), (first, 'c'))
            )
        )
    posted = Counter(c['event_id'] for c in receiver.calls)
    assert len(posted) == 6 and set(posted.values()) == {1}
    assert sum(r['sent'] for r in reports) == 6
    assert await WebhookCall.filter(state='sent').count() == 6


@pytest.mark.usefixtures('store_db')
async def test_only_the_lease_holder_records_the_outcome() -> None:
    code, secret = await company()
    await decided(code, await make_citizen('5ABC123'))
    release = asyncio.Event()

    async def stuck(request: httpx.Request) -> httpx.Response:  # worker A's endpoint hangs, then fails
        await release.wait()
        return httpx.Response(500)

    async with httpx.AsyncClient(transport=httpx.MockTransport(stuck)) as client:
        held = asyncio.create_task(webhooks.deliver_calls(now=NOW, client=client, worker='a'))
        while not await WebhookCall.filter(state='sending').exists():
            await asyncio.sleep(0.01)
        # while A holds the lease, nobody else takes the call
        receiver = Receiver({'hooks.azersu.az': secret})
        assert await deliver(receiver, NOW + timedelta(seconds=60), worker='b') == {
            'sent': 0,
            'retried': 0,
            'failed': 0,
        }
        # A's lease has run out: B takes the call over and delivers it
        assert await deliver(receiver, NOW + timedelta(minutes=3), worker='b') == {'sent': 1, 'retried': 0, 'failed': 0}
        release.set()
        assert await held == {'sent': 0, 'retried': 0, 'failed': 0}  # A's late failure is not recorded
    (call,) = await WebhookCall.all()
    assert (call.state, call.attempts, call.last_error) == ('sent', 1, '')


# -- registering ----------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures('store_db')
@pytest.mark.parametrize(
    'url',
    [
        'ftp://hooks.azersu.az/x',
        'javascript:alert(1)',
        'file:///etc/passwd',
        'https://',
        'hooks.azersu.az/kabinet',
        '',
        'https://hooks.azersu.az/a b',
        'https://hooks.azersu.az:port/',
        'https://' + 'a' * 500 + '.az/',
    ],
)
async def test_a_url_that_is_not_http_or_https_with_a_host_is_refused(url: str) -> None:
    await webhooks.register_company(code='AZERSU', name_az='Azərsu ASC')
    with pytest.raises(Invalid) as refused:
        await webhooks.register_webhook(organisation_code='AZERSU', url=url, now=NOW)
    assert (refused.value.code, refused.value.field) == ('invalid_url', 'url')
    assert await webhooks.list_webhooks() == []


@pytest.mark.usefixtures('store_db')
async def test_registering_and_removing_webhooks() -> None:
    await webhooks.register_company(code='azersu', name_az='  Azərsu   ASC ')
    hook, secret = await webhooks.register_webhook(organisation_code='azersu', url=' http://10.0.0.5:8080/h ', now=NOW)
    assert len(secret) >= 43 and hook.secret == secret and hook.url == 'http://10.0.0.5:8080/h'
    _, other = await webhooks.register_webhook(organisation_code='AZERSU', url='https://x.az/h', now=NOW)
    assert other != secret
    _, given = await webhooks.register_webhook(organisation_code='AZERSU', url='https://y.az/h', now=NOW, secret='s3')
    assert given == 's3'
    with pytest.raises(NotFound):
        await webhooks.register_webhook(organisation_code='NOPE', url='https://x.az/h', now=NOW)

    (view,) = [v for v in await webhooks.list_webhooks() if v.id == hook.id]
    assert (view.organisation_code, view.organisation_name, view.active) == ('AZERSU', 'Azərsu ASC', True)

    # a decision queues a call per active webhook; removing one drops its waiting call
    await decided('AZERSU', await make_citizen('5ABC123'))
    assert await WebhookCall.filter(state='queued').count() == 3
    assert await webhooks.remove_webhook(str(hook.id))
    assert not await webhooks.remove_webhook(hook.id)  # once
    assert not await webhooks.remove_webhook('not-an-id')
    dropped = await WebhookCall.get(webhook_id=hook.id)
    assert (dropped.state, dropped.last_error) == ('failed', 'the webhook was removed')
    views = {v.id: v for v in await webhooks.list_webhooks()}
    assert (views[hook.id].active, views[hook.id].pending, views[hook.id].failed) == (False, 0, 1)
    await decided('AZERSU', await make_citizen('2HT8P4N'))
    assert await WebhookCall.filter(webhook_id=hook.id).count() == 1  # nothing new for a removed webhook


@pytest.mark.usefixtures('store_db')
async def test_only_administrators_and_operators_manage_webhooks() -> None:
    await webhooks.register_company(code='AZERSU', name_az='Azərsu ASC')
    leyla = await make_citizen('5ABC123')
    admin, _ = await make_person('9ADM1N7', role=Role.ADMIN)
    with pytest.raises(Forbidden):
        await webhooks.register_webhook(organisation_code='AZERSU', url='https://x.az', now=NOW, actor=leyla.as_actor())
    with pytest.raises(Forbidden):
        await webhooks.list_webhooks(actor=leyla.as_actor())
    hook, _secret = await webhooks.register_webhook(
        organisation_code='AZERSU', url='https://x.az', now=NOW, actor=admin.as_actor()
    )
    with pytest.raises(Forbidden):
        await webhooks.remove_webhook(hook.id, actor=leyla.as_actor())
    assert [v.id for v in await webhooks.list_webhooks(actor=admin.as_actor())] == [hook.id]


@pytest.mark.usefixtures('store_db')
async def test_registering_a_company() -> None:
    org = await webhooks.register_company(code=' kapitalbank ', name_az='Kapital Bank ASC', name_en='Kapital Bank')
    assert (org.code, org.category.value, org.kind, org.name_en) == ('KAPITALBANK', 'agency', 'company', 'Kapital Bank')
    with pytest.raises(Conflict) as taken:
        await webhooks.register_company(code='KapitalBank', name_az='Başqa')
    assert taken.value.code == 'code_taken' and taken.value.params['taken'] == 'KAPITALBANK'
    for code in ('IH-BANK', 'K', '1BANK', 'BANK PLC', 'BANK_1'):
        with pytest.raises(Invalid):
            await webhooks.register_company(code=code, name_az='Bank')
    with pytest.raises(Invalid) as nameless:
        await webhooks.register_company(code='BANK', name_az='  ')
    assert nameless.value.field == 'name'


# -- the jobs -------------------------------------------------------------------------------------------------------


@pytest.fixture
def job_receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """The delivery job's shared client talks to this receiver."""
    receiver = Receiver({})
    monkeypatch.setattr(consent_jobs, 'make_client', receiver.client)
    yield receiver


@pytest.mark.usefixtures('store_db')
async def test_the_delivery_job_posts_with_one_shared_client(job_receiver: Receiver) -> None:
    trigger = job_by_name('webhook-delivery').trigger
    assert isinstance(trigger, IntervalTrigger) and trigger.interval == timedelta(seconds=10)
    code, secret = await company()
    job_receiver.secrets['hooks.azersu.az'] = secret
    await decided(code, await make_citizen('5ABC123'))
    try:
        assert await run_job('webhook-delivery', NOW) == {'sent': 1, 'retried': 0, 'failed': 0}
        client = consent_jobs.shared_client()
        assert await run_job('webhook-delivery', NOW) == {'sent': 0, 'retried': 0, 'failed': 0}
        assert consent_jobs.shared_client() is client
    finally:
        await consent_jobs.close_client()
    assert [c['verified'] for c in job_receiver.calls] == [True]


@pytest.mark.usefixtures('store_db')
async def test_the_expiry_job_ends_permissions_past_their_period() -> None:
    trigger = job_by_name('consent-expiry').trigger
    assert isinstance(trigger, CronTrigger)
    assert trigger.get_next_fire_time(None, NOW) == datetime(2026, 11, 20, 20, 5, tzinfo=UTC)  # 00:05 in Baku
    code, _secret = await company()
    await decided(code, await make_citizen('5ABC123'))
    assert await run_job('consent-expiry', NOW) == {'permissions': 0, 'requests': 0}
    later = datetime(2027, 5, 21, 20, 5, tzinfo=UTC)  # 00:05 on 22 May in Baku
    assert await run_job('consent-expiry', later) == {'permissions': 1, 'requests': 0}
    assert (await Permission.get()).state is PermissionState.EXPIRED
    assert await run_job('consent-expiry', later) == {'permissions': 0, 'requests': 0}


# -- the operator commands ------------------------------------------------------------------------------------------


def test_operator_commands_register_a_company_and_its_webhooks(cli_db: CliDb) -> None:  # noqa: F811
    added = invoke('org', 'add', '--code', 'kapitalbank', '--name', 'Kapital Bank ASC', '--name-en', 'Kapital Bank')
    assert added.exit_code == 0, added.output
    assert 'KAPITALBANK' in added.stdout
    again = invoke('org', 'add', '--code', 'KAPITALBANK', '--name', 'Başqa bank')
    assert again.exit_code == 1
    assert 'An organisation with the code KAPITALBANK exists already.' in again.stderr
    assert invoke('org', 'add', '--code', 'X1', '--name', 'X', '--kind', 'ministry').exit_code == 2

    hook = invoke('webhook', 'add', '--org', 'kapitalbank', '--url', 'https://hooks.kapitalbank.az/kabinet')
    assert hook.exit_code == 0, hook.output
    first, secret = hook.stdout.strip().splitlines()
    assert 'KAPITALBANK' in first and 'X-Kabinet-Signature' in first
    hook_id = first.split()[1]
    with sqlite3.connect(cli_db.path) as conn:
        stored = conn.execute('SELECT secret, url FROM webhooks WHERE id = ?', (hook_id,)).fetchone()
        kind = conn.execute("SELECT category, kind FROM organisations WHERE code = 'KAPITALBANK'").fetchone()
    conn.close()
    assert stored == (secret, 'https://hooks.kapitalbank.az/kabinet')
    assert kind == ('agency', 'company')

    refused = invoke('webhook', 'add', '--org', 'KAPITALBANK', '--url', 'ftp://hooks.kapitalbank.az')
    assert refused.exit_code == 1 and 'http://' in refused.stderr

    listed = invoke('webhook', 'list')
    assert listed.exit_code == 0
    (line,) = listed.stdout.strip().splitlines()
    assert line.split()[:3] == [hook_id, 'KAPITALBANK', 'active']
    assert secret not in listed.stdout  # shown once, at registration

    assert invoke('webhook', 'remove', hook_id).exit_code == 0
    assert 'removed' in invoke('webhook', 'list').stdout
    gone = invoke('webhook', 'remove', hook_id)
    assert gone.exit_code == 1 and 'No active webhook' in gone.stderr
