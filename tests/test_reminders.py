"""Reminders: documents about to expire, children's vaccinations coming due, debts due (for those who asked); their
jobs in the schedule, and what they put in the outbox."""

from __future__ import annotations

import asyncio
import shutil
import sys
import types
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from tortoise.backends.base.executor import EXECUTOR_CACHE
from typer.testing import CliRunner

from jobs.scheduler import job_by_name, run_job
from portal.channels import Message, Senders
from portal.cli import cli
from portal.config import get_settings
from portal.store.notices import reminders
from portal.store.notices.models import KEY_MAX, Channel, Delivery, DeliveryState, Guardianship, Notice, NoticeSettings
from portal.store.people import Person
from portal.store.registry import RegistryRecord
from portal.store.vaccination_schedule import NATIONAL_SCHEDULE
from portal.store.workdays import local_date
from tests.factories import ADDRESS, make_citizen, make_record

BAKU = ZoneInfo('Asia/Baku')
D = date(2027, 3, 15)  # the day the documents expire
TODAY = date(2026, 11, 20)
EXPIRING = {
    'id_card': {'series': 'AZE', 'number': '12345678', 'issued_on': '2017-03-15', 'issued_by': 'DİN'},
    'passport': {'number': 'C12345678', 'issued_on': '2017-03-15', 'issued_by': 'DİN'},
    'driving_licence': {'number': 'AB123456', 'categories': 'B', 'issued_on': '2017-03-15'},
    # has a validity, but is not one of the documents reminded of
    'idp_status': {'status': 'idp', 'card_series': 'MK', 'card_number': '1234567', 'origin': 'Şuşa'},
}


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    """A moment in Baku: the jobs run at 08:00 unless told otherwise."""
    return datetime.combine(day, time(hour, minute), tzinfo=BAKU)


def days(n: int) -> timedelta:
    return timedelta(days=n)


async def document(person: Person, kind: str, expires: date, *, ref: str = '') -> RegistryRecord:
    data = {**EXPIRING[kind], 'expires_on': expires.isoformat()}
    record = await make_record(person, kind, data, 'DYP' if kind == 'driving_licence' else 'MIA')
    record.valid_until, record.ref = expires, ref
    await record.save()
    return record


async def debt(person: Person, kind: str, ref: str, due: date, *, status: str = 'unpaid') -> RegistryRecord:
    data = {'amount': '40.00', 'due_on': due.isoformat(), 'status': status}
    record = await make_record(person, kind, data, 'DYP')
    record.ref = ref
    await record.save()
    return record


async def contact(person: Person, **values: Any) -> None:
    await NoticeSettings.create(person_id=person.id, updated_at=at(TODAY), **values)


def expiry_key(record: RegistryRecord, threshold: int) -> str:
    return f'doc-expiry:{record.id}:{record.valid_until}:{threshold}d'


async def keys() -> set[str]:
    return {str(key) for key in await Notice.all().values_list('key', flat=True)}


# -- documents ------------------------------------------------------------------------------------------------------


async def test_a_document_gets_one_notice_per_threshold_over_daily_runs(store_db: str) -> None:
    leyla = await make_citizen('5ABC123')
    tural = await make_citizen('5ABC124', first='Tural', last='Quliyev')
    card = await document(leyla, 'id_card', D)
    passport = await document(leyla, 'passport', D)
    licence = await document(tural, 'driving_licence', D)
    await document(tural, 'idp_status', D)  # not reminded of
    await make_record(leyla, 'address', ADDRESS)  # no validity
    created = 0
    for n in range(100, -1, -1):
        created += await reminders.document_expiry(now=at(D - days(n)))

    notices = {n.key: n for n in await Notice.all()}
    assert created == len(notices) == 12
    for record in (card, passport, licence):
        for threshold in reminders.THRESHOLDS:
            notice = notices[expiry_key(record, threshold)]
            assert local_date(notice.created_at) == D - days(threshold)
            assert notice.person_id == record.person_id
    one = notices[expiry_key(card, 30)]
    assert (one.type, one.link) == ('document_expiry', '/cabinet')
    assert one.params == {'document': 'Identity card', 'number': 'AZE 12345678', 'expires_on': '2027-03-15'}
    assert notices[expiry_key(passport, 7)].params['number'] == 'C12345678'
    assert notices[expiry_key(licence, 0)].params['document'] == 'Driving licence'


@pytest.mark.parametrize(
    ('before', 'threshold'),
    [
        (91, None),
        (90, 90),
        (84, 90),  # six days late: still the 90-day reminder
        (83, None),
        (31, None),
        (30, 30),
        (24, 30),
        (23, None),  # a week late: too late for the 30-day one, and the 7-day one is not due yet
        (8, None),
        (7, 7),
        (1, 7),  # the 7-day window stops short of the day itself
        (0, 0),
        (-6, 0),  # expired while the job was down: told within a week
        (-7, None),
    ],
)
async def test_a_single_run_raises_the_threshold_whose_window_holds_the_day(
    store_db: str, before: int, threshold: int | None
) -> None:
    card = await document(await make_citizen(), 'id_card', D)
    created = await reminders.document_expiry(now=at(D - days(before)))
    assert await keys() == (set() if threshold is None else {expiry_key(card, threshold)})
    assert created == (0 if threshold is None else 1)


async def test_missed_days_are_caught_up(store_db: str) -> None:
    card = await document(await make_citizen(), 'id_card', D)
    down = {D - days(n) for n in (90, 89, 88, 30, 29, 7, 0)} | {D + days(n) for n in range(1, 4)}
    raised: dict[str, date] = {}
    for n in range(100, -10, -1):
        day = D - days(n)
        if day in down:
            continue
        before = await keys()
        await reminders.document_expiry(now=at(day))
        raised.update({key: day for key in await keys() - before})
    assert raised == {
        expiry_key(card, 90): D - days(87),
        expiry_key(card, 30): D - days(28),
        expiry_key(card, 7): D - days(6),
        expiry_key(card, 0): D + days(4),
    }


async def test_the_local_day_counts_not_the_utc_one(store_db: str) -> None:
    card = await document(await make_citizen(), 'id_card', D)
    # 21:00 UTC on D-31 is already D-30 in Baku (UTC+4)
    await reminders.document_expiry(now=datetime.combine(D - days(31), time(21), tzinfo=UTC))
    assert await keys() == {expiry_key(card, 30)}


async def test_a_renewed_document_is_reminded_of_again(store_db: str) -> None:
    card = await document(await make_citizen(), 'id_card', D)
    await reminders.document_expiry(now=at(D - days(30)))
    renewed = D + days(3652)
    await RegistryRecord.filter(id=card.id).update(valid_until=renewed)
    assert await reminders.document_expiry(now=at(renewed - days(30))) == 1
    assert f'doc-expiry:{card.id}:{renewed}:30d' in await keys()


async def test_running_twice_or_twice_at_once_creates_nothing_twice(store_db: str) -> None:
    people = [await make_citizen(f'5ABD{n:03d}') for n in range(6)]
    for n, person in enumerate(people):
        await contact(person, email=f'p{n}@example.az', phone=f'+99450111{n:04d}')
        await document(person, 'id_card', D)
        await document(person, 'passport', D - days(2))  # the same person twice in one run
    now = at(D - days(7))
    first, second = await asyncio.gather(reminders.document_expiry(now=now), reminders.document_expiry(now=now))
    assert first + second == 12
    assert await Notice.all().count() == 12
    assert await Delivery.all().count() == 24  # an SMS and an e-mail each
    assert await reminders.document_expiry(now=now) == 0
    assert await reminders.document_expiry(now=now + timedelta(hours=3)) == 0
    assert await Notice.all().count() == 12
    assert await Delivery.all().count() == 24


async def test_a_long_run_is_written_in_several_transactions(store_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reminders, 'WRITE_BATCH', 3)
    monkeypatch.setattr(reminders, 'READ_BATCH', 2)
    people = [await make_citizen(f'5ABE{n:03d}') for n in range(7)]
    for person in people:
        await document(person, 'id_card', D)
    announced: list[set[UUID]] = []
    monkeypatch.setattr(reminders, 'announce', lambda ids: announced.append(set(ids)))
    assert await reminders.document_expiry(now=at(D)) == 7
    assert len(announced) >= 2
    assert set().union(*announced) == {p.id for p in people}


# -- vaccinations ---------------------------------------------------------------------------------------------------


async def child_of(*parents: Person, fin: str, born: date, first: str = 'Aysel') -> Person:
    child = await make_citizen(fin, first=first)
    await Person.filter(id=child.id).update(birth_date=born)
    for parent in parents:
        await Guardianship.create(parent_id=parent.id, child_id=child.id)
    return child


async def test_a_dose_due_within_a_week_is_reminded_to_each_parent(store_db: str) -> None:
    mother = await make_citizen('5MOM001')
    father = await make_citizen('5DAD001', first='Rauf')
    born = TODAY - days(55)  # the 60-day doses are due in 5 days
    child = await child_of(mother, father, fin='5KID001', born=born)
    await child_of(fin='5KID002', born=born)  # nobody to tell
    created = await reminders.vaccination_reminders(now=at(TODAY))

    doses = [d for d in NATIONAL_SCHEDULE if d.age_days == 60]
    assert len(doses) == 4
    expected = {f'vaccine:{child.id}:{d.vaccine}:{d.dose}:{p.id}' for d in doses for p in (mother, father)}
    assert created == 8
    assert await keys() == expected
    notice = await Notice.get(key=f'vaccine:{child.id}:Rotavirus:1:{mother.id}')
    assert notice.person_id == mother.id
    assert (notice.type, notice.link) == ('vaccination_due', '/cabinet')
    assert notice.params == {
        'child': 'Aysel',
        'vaccine': 'Rotavirus',
        'dose': '1',
        'due_on': (born + days(60)).isoformat(),
    }
    assert await reminders.vaccination_reminders(now=at(TODAY)) == 0
    assert await reminders.vaccination_reminders(now=at(TODAY + days(1))) == 0


async def test_a_recorded_vaccination_is_not_reminded(store_db: str) -> None:
    mother = await make_citizen('5MOM001')
    child = await child_of(mother, fin='5KID001', born=TODAY - days(58))
    given = {'record_no': 'V-1', 'vaccine': 'Rotavirus', 'dose': 1, 'given_on': '2026-11-18', 'clinic': 'Poliklinika'}
    await make_record(child, 'vaccination', given, 'MOJ')
    assert await reminders.vaccination_reminders(now=at(TODAY)) == 3
    assert not any('Rotavirus' in key for key in await keys())


async def test_the_lead_time_is_a_week_from_today(store_db: str) -> None:
    mother = await make_citizen('5MOM001')
    on_the_day = await child_of(mother, fin='5KID001', born=TODAY - days(3))  # BCG today
    in_a_week = await child_of(mother, fin='5KID002', born=TODAY - days(365 - 7))  # MMR 1 and PCV 3 in 7 days
    await child_of(mother, fin='5KID003', born=TODAY - days(365 - 8))  # in 8 days: not yet
    await child_of(mother, fin='5KID004', born=TODAY - days(4))  # BCG was yesterday: past
    assert await reminders.vaccination_reminders(now=at(TODAY)) == 3
    found = {(key.split(':')[1], key.split(':')[2]) for key in await keys()}
    assert found == {
        (str(on_the_day.id), 'Vərəm (BCG)'),
        (str(in_a_week.id), 'Qızılca, məxmərək, parotit (MMR)'),
        (str(in_a_week.id), 'Pnevmokokk (PCV)'),
    }


def test_every_vaccination_key_fits_the_key_column() -> None:
    longest = max(len(d.vaccine) for d in NATIONAL_SCHEDULE)
    key = reminders._vaccine_key(UUID(int=0), NATIONAL_SCHEDULE[0], UUID(int=0))
    assert len(key) - len(NATIONAL_SCHEDULE[0].vaccine) + longest <= KEY_MAX


# -- payments -------------------------------------------------------------------------------------------------------


async def test_debts_due_within_three_days_are_reminded_only_to_those_who_opted_in(store_db: str) -> None:
    opted = await make_citizen('5PAY001')
    silent = await make_citizen('5PAY002')
    opted_out = await make_citizen('5PAY003')
    other = await make_citizen('5PAY004')
    await contact(opted, email='leyla@example.az', channels={'payment_due': {'sms': False, 'email': True}})
    await contact(opted_out, email='x@example.az', channels={'payment_due': {'sms': False, 'email': False}})
    await contact(other, email='y@example.az', channels={'letter_status': {'sms': True, 'email': True}})
    debts = {}
    for person in (opted, silent, opted_out, other):
        debts[person.id] = [
            await debt(person, 'fine', 'P-1', TODAY + days(2)),
            await debt(person, 'utility_debt', 'S-1', TODAY),
        ]
        await debt(person, 'fine', 'P-2', TODAY + days(2), status='paid')
        await debt(person, 'state_fee', 'F-1', TODAY + days(4))  # not yet
        await debt(person, 'fine', 'P-3', TODAY - days(1))  # overdue: not a reminder of a due date

    assert await reminders.payment_reminders(now=at(TODAY)) == 2
    fine, utility = debts[opted.id]
    assert await keys() == {f'payment:{fine.id}:{TODAY + days(2)}', f'payment:{utility.id}:{TODAY}'}
    notice = await Notice.get(key=f'payment:{fine.id}:{TODAY + days(2)}')
    assert (notice.person_id, notice.type, notice.link) == (opted.id, 'payment_due', '/payments')
    assert notice.params == {'what': 'Fine', 'amount': '40.00', 'due_on': (TODAY + days(2)).isoformat()}
    rows = await Delivery.all()
    assert [(r.channel, r.address, r.state) for r in rows] == [(Channel.EMAIL, 'leyla@example.az', 'queued')] * 2
    assert await reminders.payment_reminders(now=at(TODAY)) == 0
    # the next day the state fee comes within three days; the others were told already
    assert await reminders.payment_reminders(now=at(TODAY + days(1))) == 1
    assert await reminders.payment_reminders(now=at(TODAY + days(1))) == 0


# -- the outbox -----------------------------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.sent: list[Message] = []

    async def send(self, message: Message) -> str:
        self.sent.append(message)
        return f'id-{len(self.sent)}'


@pytest.fixture
def outside(monkeypatch: pytest.MonkeyPatch) -> Senders:
    """The delivery job's senders: doubles, in place of the ones the settings would build."""
    senders = Senders(email=Recorder(), sms=Recorder())
    module = types.ModuleType('portal.channels.setup')
    vars(module)['senders_from_settings'] = lambda settings: senders
    monkeypatch.setitem(sys.modules, 'portal.channels.setup', module)
    return senders


def sent(sender: Any) -> list[Message]:
    assert isinstance(sender, Recorder)
    return sender.sent


async def test_deliveries_follow_the_settings_and_an_evening_sms_waits_for_the_morning(
    store_db: str, outside: Senders
) -> None:
    both = await make_citizen('5OUT001')
    email_only = await make_citizen('5OUT002')
    digest = await make_citizen('5OUT003')
    cabinet_only = await make_citizen('5OUT004')
    await contact(both, email='both@example.az', phone='+994501112233')
    await contact(email_only, email='mail@example.az')
    await contact(digest, email='digest@example.az', digest=True)
    for person in (both, email_only, digest, cabinet_only):
        await document(person, 'id_card', TODAY + days(7))

    evening = at(TODAY, 23)
    assert await run_job('document-expiry', evening) == {'notices': 4}
    rows = {(r.person_id, r.channel): r for r in await Delivery.all()}
    assert set(rows) == {(both.id, Channel.SMS), (both.id, Channel.EMAIL), (email_only.id, Channel.EMAIL)} | {
        (digest.id, Channel.EMAIL)
    }
    assert rows[(both.id, Channel.SMS)].next_attempt_at == at(TODAY + days(1), 8)
    assert rows[(both.id, Channel.EMAIL)].next_attempt_at == evening
    assert rows[(digest.id, Channel.EMAIL)].state is DeliveryState.DIGEST

    assert await run_job('notice-digest', evening) == {'digests': 1}
    assert await run_job('notice-delivery', evening) == {'sent': 3, 'retried': 0, 'failed': 0}
    assert sorted(m.to for m in sent(outside.email)) == ['both@example.az', 'digest@example.az', 'mail@example.az']
    assert sent(outside.sms) == []
    assert await run_job('notice-delivery', at(TODAY + days(1), 7, 59)) == {'sent': 0, 'retried': 0, 'failed': 0}
    assert await run_job('notice-delivery', at(TODAY + days(1), 8)) == {'sent': 1, 'retried': 0, 'failed': 0}
    (sms,) = sent(outside.sms)
    assert sms.to == '+994501112233'
    assert 'AZE 12345678' in sms.body


# -- the jobs -------------------------------------------------------------------------------------------------------


async def test_each_reminder_job_runs_by_name(store_db: str) -> None:
    mother = await make_citizen('5MOM001')
    await child_of(mother, fin='5KID001', born=TODAY - days(3))
    await document(mother, 'passport', TODAY + days(30))
    await contact(mother, channels={'payment_due': {'sms': True}})
    await debt(mother, 'state_fee', 'F-1', TODAY + days(3))
    now = at(TODAY)
    assert await run_job('document-expiry', now) == {'notices': 1}
    assert await run_job('vaccination-reminders', now) == {'notices': 1}
    assert await run_job('payment-reminders', now) == {'notices': 1}
    for name in ('document-expiry', 'vaccination-reminders', 'payment-reminders'):
        assert await run_job(name, now) == {'notices': 0}
    assert await run_job('notice-digest', now) == {'digests': 0}


def test_the_notice_jobs_are_in_the_schedule_at_their_hours() -> None:
    start = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)  # 04:00 in Baku
    for name, hour, minute in (
        ('document-expiry', 8, 0),
        ('vaccination-reminders', 8, 10),
        ('payment-reminders', 8, 20),
        ('notice-digest', 19, 0),
    ):
        job = job_by_name(name)
        assert isinstance(job.trigger, CronTrigger)
        assert job.description
        assert job.trigger.get_next_fire_time(None, start) == at(TODAY, hour, minute)
    delivery = job_by_name('notice-delivery').trigger
    assert isinstance(delivery, IntervalTrigger)
    assert delivery.interval == timedelta(seconds=5)


@pytest.fixture
def cli_db(sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    path = tmp_path / 'cli.sqlite3'
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv('PORTAL_DB_URL', f'sqlite://{path}')
    get_settings.cache_clear()
    EXECUTOR_CACHE.clear()
    yield str(path)
    get_settings.cache_clear()


def test_the_cli_runs_a_reminder_job_as_of_a_given_time(cli_db: str) -> None:
    result = CliRunner().invoke(cli, ['jobs', 'run', 'document-expiry', '--now', '2026-11-20T08:00:00+04:00'])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "document-expiry: {'notices': 0}"
