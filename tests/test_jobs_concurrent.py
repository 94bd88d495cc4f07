"""Two schedulers at once: every job of the schedule table, run twice at the same moment on PostgreSQL, leaves the
database and the outside world exactly as one run does — no notice, delivery, message, webhook call, tally, reminder
or history entry twice.

Each job gets data that makes it do something. The data is built twice on an emptied database: once for a single
run, once for two concurrent runs; then the rows of every table (counted per state, status, kind, type and channel)
and what went out (messages, webhook calls, deleted files) are compared.
"""

from __future__ import annotations

import asyncio
import os
import sys
import types
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from tortoise import Tortoise
from tortoise.connection import connections

from jobs import consent as consent_jobs
from jobs.scheduler import SCHEDULE, run_job
from portal.channels import Message, Senders
from portal.store import apikeys, auth, payments, registry
from portal.store.actors import Role
from portal.store.auth import LoginMethod
from portal.store.consent import permissions, webhooks
from portal.store.idempotency import IdempotencyKey
from portal.store.letters import files
from portal.store.notices import reminders
from portal.store.notices.models import Guardianship, NoticeSettings
from portal.store.participation import voting
from portal.store.people import Person
from portal.store.reception import calendar, desk, requests
from portal.store.reception.requests import NewRequest
from portal.store.workdays import TIMEZONE
from tests.builders import make_key_with_scopes, use_fast_hashing
from tests.factories import ADDRESS, PASSWORD, make_citizen, make_key, make_org, make_person, make_record

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # Friday, 13:00 in Baku: no quiet hours
TODAY = date(2026, 11, 20)
# the histogram of these columns is compared too: a row moved twice shows there even when the counts agree
COUNTED_COLUMNS = ('state', 'status', 'kind', 'type', 'channel')


@dataclass
class Outside:
    """The job's outside world for one trial: the channels' and webhooks' test doubles, the attachment folder."""

    folder: Path
    messages: list[Message] = field(default_factory=list)
    webhook_calls: list[str] = field(default_factory=list)

    async def send(self, message: Message) -> str:
        self.messages.append(message)
        return f'provider-{len(self.messages)}'

    async def answer(self, request: httpx.Request) -> httpx.Response:
        self.webhook_calls.append(request.headers['X-Kabinet-Event-Id'])
        await asyncio.sleep(0)  # "on the wire": the twin run gets its turn
        return httpx.Response(200)

    def effects(self) -> dict[str, Any]:
        sent = Counter(str(m.delivery_id) for m in self.messages)
        return {
            'messages': sorted((m.channel, m.to, m.subject) for m in self.messages),
            'messages per delivery': sorted(set(sent.values())),
            'webhook calls': len(self.webhook_calls),
            'webhook calls per event': sorted(set(Counter(self.webhook_calls).values())),
            'files left': len(list(self.folder.iterdir())) if self.folder.exists() else 0,
        }


@dataclass(frozen=True)
class Scenario:
    setup: Callable[[], Awaitable[None]]
    now: datetime


@dataclass
class Trial:
    before: dict[str, int]
    after: dict[str, int]
    effects: dict[str, Any]
    before_effects: dict[str, Any]


@pytest.mark.parametrize('store_db', ['postgres'], indirect=True)
@pytest.mark.parametrize('job', [job.id for job in SCHEDULE])
async def test_two_schedulers_running_a_job_at_once_create_nothing_twice(
    job: str, store_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert job in SCENARIOS, f'the job {job} has no concurrency scenario here'
    use_fast_hashing(monkeypatch)
    scenario = SCENARIOS[job]
    once = await _trial(job, scenario, runs=1, folder=tmp_path / 'once', monkeypatch=monkeypatch)
    twice = await _trial(job, scenario, runs=2, folder=tmp_path / 'twice', monkeypatch=monkeypatch)

    assert twice.before == once.before  # the same data both times
    did_something = once.after != once.before or once.effects != once.before_effects
    assert did_something, f'the scenario of {job} gives the job nothing to do'
    assert _diff(twice.after, once.after) == {}, f'{job} run twice at once left other rows than one run'
    assert twice.effects == once.effects
    assert once.effects['messages per delivery'] in ([], [1])
    assert once.effects['webhook calls per event'] in ([], [1])


def test_every_scheduled_job_has_a_scenario() -> None:
    assert sorted(SCENARIOS) == sorted(job.id for job in SCHEDULE)


async def _trial(job: str, scenario: Scenario, *, runs: int, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Trial:
    await _empty_database()
    files.use_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    outside = Outside(folder)
    senders = Senders(email=outside, sms=outside)
    module = types.ModuleType('portal.channels.setup')
    vars(module)['senders_from_settings'] = lambda settings: senders
    monkeypatch.setitem(sys.modules, 'portal.channels.setup', module)
    monkeypatch.setattr(
        consent_jobs, 'make_client', lambda: httpx.AsyncClient(transport=httpx.MockTransport(outside.answer))
    )

    await scenario.setup()
    before, before_effects = await _fingerprint(), outside.effects()
    try:
        await asyncio.gather(*(run_job(job, scenario.now) for _ in range(runs)))
    finally:
        await consent_jobs.close_client()
    return Trial(before, await _fingerprint(), outside.effects(), before_effects)


async def _empty_database() -> None:
    tables = ', '.join(model._meta.db_table for model in Tortoise.apps['portal'].values())
    await connections.get('default').execute_script(f'TRUNCATE {tables} CASCADE')


async def _fingerprint() -> dict[str, int]:
    counts: dict[str, int] = {}
    for model in Tortoise.apps['portal'].values():
        table = model._meta.db_table
        counts[table] = await model.all().count()
        for column in COUNTED_COLUMNS:
            if column in model._meta.fields_map:
                for value, n in Counter(str(v) for v in await model.all().values_list(column, flat=True)).items():
                    counts[f'{table}.{column}={value}'] = n
    return counts


def _diff(got: dict[str, int], want: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {k: (got.get(k, 0), want.get(k, 0)) for k in got.keys() | want.keys() if got.get(k, 0) != want.get(k, 0)}


def baku(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TIMEZONE).astimezone(UTC)


# -- the scenarios ----------------------------------------------------------------------------------------------------


async def _first_beat() -> None:
    """Nothing before: the scheduler's first heartbeat writes its row."""


async def _housekeeping() -> None:
    """Sessions gone idle (each one's expiry goes into the history), a session logged out, expired login challenges,
    stale throttles, payments abandoned on the gateway's page, old idempotency keys."""
    earlier = NOW - timedelta(hours=3)
    dyp = await apikeys.authenticate(key=await make_key('DYP'), now=earlier)
    for n in range(4):
        person = await make_citizen(f'5HK{n:04d}')
        await auth.login_with_password(fin=person.fin, password=PASSWORD, address=f'10.0.0.{n}', now=earlier)
        await auth.start_signature_login(fin=person.fin, method=LoginMethod.SIMA, now=earlier)
        fine = {
            'protocol_no': f'DYP-2026-{n:06d}',
            'issued_on': '2026-11-01',
            'article': '328.1',
            'description': 'Sürət həddinin aşılması',
            'plate': '10-AB-123',
            'amount': '45.00',
            'due_on': '2026-12-01',
            'status': 'unpaid',
        }
        record = await registry.upsert_record(actor=dyp, fin=person.fin, kind='fine', data=fine, now=earlier)
        await payments.start_payment(actor=person.as_actor(), record_id=record.record.id, now=earlier)
        await IdempotencyKey.create(
            client_id=uuid4(), key=f'k{n}', fingerprint='f', resource_id=uuid4(), created_at=NOW - timedelta(days=30)
        )
    grant = await auth.login_with_password(fin='5HK0000', password=PASSWORD, address='10.0.0.9', now=earlier)
    await auth.logout(token=grant.token, now=earlier)


async def _attachment_sweep() -> None:
    """Files no row names, written two days ago (a write that never committed)."""
    old = (NOW - timedelta(days=2)).timestamp()
    for n in range(5):
        name = files.store_bytes(f'orphan {n}'.encode())
        os.utime(files.folder() / name, (old, old))


async def _contact(person: Person, **values: Any) -> None:
    await NoticeSettings.create(person_id=person.id, updated_at=NOW, **values)


async def _documents(*, digest: bool = False) -> None:
    """Citizens with an identity card expiring in a week and a passport in 30 days, reachable by SMS and e-mail."""
    for n in range(5):
        person = await make_citizen(f'5DOC{n:03d}')
        await _contact(person, email=f'p{n}@example.az', phone=f'+99450111{n:04d}', digest=digest)
        for kind, days in (('id_card', 7), ('passport', 30)):
            expires = TODAY + timedelta(days=days)
            data = {'series': 'AZE', 'number': f'1234{n:04d}', 'issued_on': '2017-03-15', 'issued_by': 'DİN'}
            record = await make_record(person, kind, {**data, 'expires_on': expires.isoformat()})
            record.valid_until = expires
            await record.save()


async def _vaccinations() -> None:
    """Two parents of a child whose 60-day doses are due in five days."""
    mother = await make_citizen('5MOM001')
    father = await make_citizen('5DAD001', first='Rauf')
    for n, born in enumerate((TODAY - timedelta(days=55), TODAY - timedelta(days=56))):
        child = await make_citizen(f'5KID00{n}', first='Aysel')
        await Person.filter(id=child.id).update(birth_date=born)
        for parent in (mother, father):
            await Guardianship.create(parent_id=parent.id, child_id=child.id)


async def _debts() -> None:
    """Citizens who asked to be told of debts, with fines and utility debts due within three days."""
    for n in range(4):
        person = await make_citizen(f'5PAY{n:03d}')
        await _contact(person, email=f'pay{n}@example.az', channels={'payment_due': {'sms': False, 'email': True}})
        for kind, days in (('fine', 2), ('utility_debt', 0)):
            due = (TODAY + timedelta(days=days)).isoformat()
            record = await make_record(person, kind, {'amount': '40.00', 'due_on': due, 'status': 'unpaid'}, 'DYP')
            record.ref = f'{kind}-{n}'
            await record.save()


async def _outbox() -> None:
    """The document reminders' SMS and e-mails, due now."""
    await _documents()
    assert await reminders.document_expiry(now=NOW) == 10


async def _digests() -> None:
    """Citizens who chose one e-mail a day, with the day's notices waiting for it."""
    await _documents(digest=True)
    assert await reminders.document_expiry(now=NOW) == 10


async def _decided_requests(*, until: date, undecided: int = 0) -> None:
    """Two organisations with a webhook each ask three citizens for data; the citizens answer all but ``undecided``
    of the requests."""
    for code, host in (('AZERSU', 'hooks.azersu.az'), ('BANK', 'hooks.bank.az')):
        await webhooks.register_company(code=code, name_az=f'{code} ASC', name_en=f'{code} OJSC')
        await webhooks.register_webhook(organisation_code=code, url=f'https://{host}/kabinet', now=NOW)
        actor = await apikeys.authenticate(key=await make_key_with_scopes(code, ['data:request']), now=NOW)
        for n in range(3):
            person = await Person.get_or_none(fin=f'5CON{n:03d}') or await make_citizen(f'5CON{n:03d}')
            request = await permissions.request_data(
                actor=actor,
                fin=person.fin,
                categories=['personal', 'employment'],
                purpose='Abonent müqaviləsi',
                valid_until=until,
                now=NOW,
            )
            if n >= undecided:
                await permissions.decide_request(
                    actor=person.as_actor(), request_id=request.id, grant=['personal'], now=NOW
                )


async def _webhook_calls() -> None:
    await _decided_requests(until=date(2027, 5, 20))


async def _ended_periods() -> None:
    await _decided_requests(until=date(2027, 5, 20), undecided=1)


async def _officer() -> Any:
    person, _ = await make_person('6OFF001', role=Role.EXECUTIVE_OFFICER, org=await make_org('IH-NESIMI'))
    return person.as_actor()


async def _poll(closes_at: datetime) -> voting.PollView:
    return await voting.create_poll(
        actor=await _officer(),
        question='Parkda yeni uşaq meydançası tikilsin?',
        options=['Bəli', 'Xeyr'],
        opens_at=NOW,
        closes_at=closes_at,
        now=NOW,
    )


async def _district() -> None:
    """A poll that has just opened, and the district's residents to tell."""
    for n in range(6):
        person, _ = await make_person(f'5RES{n:03d}')
        await make_record(person, 'address', {**ADDRESS, 'region': 'Nəsimi'})
    await _poll(NOW + timedelta(days=14))


async def _votes(count: int, closes_at: datetime) -> None:
    poll = await _poll(closes_at)
    for n in range(count):
        voter = await make_citizen(f'5VOT{n:03d}')
        option = poll.options[n % 2].id
        await voting.cast_vote(actor=voter.as_actor(), poll_id=poll.id, option_id=option, now=NOW)


async def _waiting_ballots() -> None:
    """Twelve sealed ballots waiting to be counted."""
    await _votes(12, NOW + timedelta(days=7))


async def _closing_poll() -> None:
    """A poll whose time is up, with five ballots still waiting."""
    await _votes(5, NOW + timedelta(hours=1))


async def _meetings_tomorrow() -> None:
    """Three citizens with reception meetings on Monday (the reminder job runs on Sunday)."""
    officer = await _officer()
    hours = {d: [(time(10), time(13))] for d in range(1, 6)}
    await calendar.set_calendar(actor=officer, hours=hours, slot_minutes=20, place='Qəbul otağı', now=NOW)
    official = await calendar.add_official(actor=officer, name='Elnur Məmmədov', position='Müavin', now=NOW)
    monday = date(2026, 11, 23)
    for n in range(3):
        person = await make_citizen(f'5REC{n:03d}')
        made = await requests.request_meeting(
            actor=person.as_actor(),
            new=NewRequest(
                executive_code='IH-NESIMI',
                topic='housing',
                summary='Binanın damı axır, təmir üçün müraciət etmək istəyirəm.',
                preferred_days=[monday],
                uploads=[],
            ),
            now=NOW,
        )
        await desk.schedule_meeting(
            actor=officer, request_id=made.id, official_id=official.id, starts_at=baku(monday, 10, 20 * n), now=NOW
        )


SCENARIOS: dict[str, Scenario] = {
    'heartbeat': Scenario(_first_beat, NOW),
    'housekeeping': Scenario(_housekeeping, NOW),
    'attachment-sweep': Scenario(_attachment_sweep, NOW),
    'document-expiry': Scenario(_documents, NOW),
    'vaccination-reminders': Scenario(_vaccinations, NOW),
    'payment-reminders': Scenario(_debts, NOW),
    'notice-delivery': Scenario(_outbox, NOW),
    'notice-digest': Scenario(_digests, baku(TODAY, 19)),
    'webhook-delivery': Scenario(_webhook_calls, NOW),
    'consent-expiry': Scenario(_ended_periods, datetime(2027, 5, 21, 20, 5, tzinfo=UTC)),
    'poll-opening': Scenario(_district, NOW + timedelta(minutes=1)),
    'poll-tally': Scenario(_waiting_ballots, NOW + timedelta(minutes=1)),
    'poll-closing': Scenario(_closing_poll, NOW + timedelta(hours=1)),
    'reception-reminders': Scenario(_meetings_tomorrow, baku(date(2026, 11, 22), 9, 15)),
}
