"""The reminders the daily jobs raise: documents about to expire, children's vaccinations coming due, and debts
coming due for the citizens who asked for them.

Each reminder is a notice with a key that names its subject and moment, so a run creates only what no earlier run
(or a twin run at the same time) created: ``notify_many`` skips known keys and inserts with ``ON CONFLICT DO NOTHING``.
The candidates are read through indexes only — documents by ``(kind, valid_until)``, children by ``birth_date``, debts
by the opted-in citizen — never by scanning every record, so a run costs what is due, not what the registry holds.
Notices are written in transactions of ``WRITE_BATCH`` and announced to open pages after each commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from uuid import UUID

from tortoise.connection import connections
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from portal.store.notices.models import KEY_MAX, Guardianship, NoticeSettings
from portal.store.notices.outbox import NewNotice, Preferences, announce, notify_many
from portal.store.notices.types import get_type
from portal.store.people import Person
from portal.store.registry import RegistryRecord
from portal.store.registry_kinds import KINDS
from portal.store.vaccination_schedule import NATIONAL_SCHEDULE, Dose
from portal.store.workdays import local_date

M = TypeVar('M', bound=Model)

# documents are reminded of this many days before they expire, and on the day (0)
THRESHOLDS = (90, 30, 7, 0)
EXPIRING_KINDS = ('id_card', 'passport', 'driving_licence')
# a threshold's reminder is still raised this many days late (the job was down), but never once the next,
# smaller threshold is due; a document that expired while the job was down gets its day-0 notice within this time
CATCH_UP_DAYS = 7
# a vaccination is reminded of when it falls due within this many days
LEAD_DAYS = 7
# a debt is reminded of when it falls due within this many days
PAYMENT_LEAD_DAYS = 3
PAYABLE_KINDS = tuple(sorted(name for name, spec in KINDS.items() if spec.payable))
READ_BATCH = 1000
WRITE_BATCH = 2000
CABINET = '/cabinet'
PAYMENTS = '/payments'


async def document_expiry(*, now: datetime) -> int:
    """Remind citizens of identity cards, passports and driving licences expiring in 90, 30 and 7 days and on the
    day (Baku date of ``now``); returns the notices created.

    The key is ``doc-expiry:<record id>:<valid until>:<N>d``: a renewed document is the same record with a new end
    date, and is reminded of again before that one."""
    writer = _Writer(now)
    for threshold, first, last in expiry_windows(local_date(now)):
        for kind in EXPIRING_KINDS:
            title = KINDS[kind].title
            for day in _days(first, last):
                query = RegistryRecord.filter(kind=kind, valid_until=day)
                async for rows in _batches(query, 'id', 'person_id', 'data'):
                    await writer.add(
                        NewNotice(
                            person_id=_uuid(row['person_id']),
                            type='document_expiry',
                            key=f'doc-expiry:{_uuid(row["id"])}:{day.isoformat()}:{threshold}d',
                            params={
                                'document': title,
                                'number': _document_number(row['data']),
                                'expires_on': day.isoformat(),
                            },
                            link=CABINET,
                        )
                        for row in rows
                    )
    return await writer.close()


def expiry_windows(today: date) -> list[tuple[int, date, date]]:
    """For each threshold N, the first and last expiry dates that are due for it today: ``(today + N - 7, today + N]``
    but not reaching the next smaller threshold's days; for 0, the last week up to today."""
    windows = []
    for i, threshold in enumerate(THRESHOLDS):
        low = threshold - CATCH_UP_DAYS  # exclusive
        if i + 1 < len(THRESHOLDS):
            low = max(low, THRESHOLDS[i + 1])
        windows.append((threshold, today + timedelta(days=low + 1), today + timedelta(days=threshold)))
    return windows


async def vaccination_reminders(*, now: datetime) -> int:
    """Remind each parent (``Guardianship``) of a child's dose of the national calendar that falls due within
    ``LEAD_DAYS``, unless the child's vaccination record for that vaccine and dose exists; returns notices created."""
    today = local_date(now)
    by_age: dict[int, list[Dose]] = {}
    for dose in NATIONAL_SCHEDULE:
        by_age.setdefault(dose.age_days, []).append(dose)
    writer = _Writer(now)
    for age, doses in sorted(by_age.items()):
        born_from = today - timedelta(days=age)
        query = Person.filter(birth_date__gte=born_from, birth_date__lte=born_from + timedelta(days=LEAD_DAYS))
        async for children in _batches(query, 'id', 'first_name', 'birth_date'):
            await writer.add(await _vaccination_notices(children, doses, age))
    return await writer.close()


async def payment_reminders(*, now: datetime) -> int:
    """Remind the citizens who opted in to 'payment_due' of unpaid fines, state fees and utility debts due within
    ``PAYMENT_LEAD_DAYS``; returns the notices created."""
    today = local_date(now)
    last = today + timedelta(days=PAYMENT_LEAD_DAYS)
    people = await _opted_in('payment_due')
    writer = _Writer(now)
    for start in range(0, len(people), READ_BATCH):
        rows = await RegistryRecord.filter(person_id__in=people[start : start + READ_BATCH], kind__in=PAYABLE_KINDS)
        for record in rows:
            due_on = _date(record.data.get('due_on'))
            if record.data.get('status') != 'unpaid' or due_on is None or not today <= due_on <= last:
                continue
            await writer.add(
                [
                    NewNotice(
                        person_id=record.person_id,
                        type='payment_due',
                        key=f'payment:{record.id}:{due_on.isoformat()}',
                        params={
                            'what': KINDS[record.kind].title,
                            'amount': _amount(record.data.get('amount')),
                            'due_on': due_on.isoformat(),
                        },
                        link=PAYMENTS,
                    )
                ]
            )
    return await writer.close()


# -- helpers --------------------------------------------------------------------------------------------------------


class _Writer:
    """Gathers notices and writes them in transactions of ``WRITE_BATCH``, announcing each batch after its commit."""

    def __init__(self, now: datetime) -> None:
        # stored in UTC: SQLite keeps a moment as text, and compares it as text
        self.now = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
        self.pending: list[NewNotice] = []
        self.created = 0

    async def add(self, notices: Iterable[NewNotice]) -> None:
        self.pending.extend(notices)
        if len(self.pending) >= WRITE_BATCH:
            await self.flush()

    async def flush(self) -> None:
        if not self.pending:
            return
        people: set[UUID] = set()
        async with in_transaction():
            # notify_many tells which people got something new; with one notice per person per call that is an
            # exact count of the notices this run wrote (a twin run's are not ours)
            for part in _one_per_person(self.pending):
                written = await notify_many(part, now=self.now)
                self.created += len(written)
                people.update(written)
        self.pending = []
        announce(people)

    async def close(self) -> int:
        await self.flush()
        return self.created


def _one_per_person(notices: list[NewNotice]) -> list[list[NewNotice]]:
    """Split so that nobody appears twice in a part (most people have one notice a run: most runs are one part)."""
    parts: list[list[NewNotice]] = []
    seen: dict[UUID, int] = {}
    for notice in notices:
        index = seen.get(notice.person_id, 0)
        seen[notice.person_id] = index + 1
        if index == len(parts):
            parts.append([])
        parts[index].append(notice)
    return parts


async def _batches(query: QuerySet[M], *fields: str) -> AsyncIterator[list[dict[str, Any]]]:
    """The rows of a query in pages of ``READ_BATCH``, by primary key (keyset, so no page is read twice)."""
    last: Any = None
    while True:
        page = query if last is None else query.filter(id__gt=last)
        rows = await page.order_by('id').limit(READ_BATCH).values(*fields)
        if rows:
            yield rows
        if len(rows) < READ_BATCH:
            return
        last = rows[-1]['id']


async def _vaccination_notices(children: list[dict[str, Any]], doses: list[Dose], age: int) -> list[NewNotice]:
    """The notices of the doses due at ``age`` days for these children, to each of their parents."""
    ids = [_uuid(c['id']) for c in children]
    parents: dict[UUID, list[UUID]] = {}
    for link in await Guardianship.filter(child_id__in=ids).values('child_id', 'parent_id'):
        parents.setdefault(_uuid(link['child_id']), []).append(_uuid(link['parent_id']))
    if not parents:
        return []
    given: set[tuple[UUID, str, int]] = set()
    vaccinations = RegistryRecord.filter(person_id__in=list(parents), kind='vaccination').values('person_id', 'data')
    for record in await vaccinations:
        data = record['data'] or {}
        try:
            given.add((_uuid(record['person_id']), _norm(data.get('vaccine')), int(data['dose'])))
        except (KeyError, TypeError, ValueError):
            continue
    names = {_uuid(c['id']): str(c['first_name']) for c in children}
    due = {_uuid(c['id']): (_date(c['birth_date']) or date.min) + timedelta(days=age) for c in children}
    return [
        NewNotice(
            person_id=parent,
            type='vaccination_due',
            key=_vaccine_key(child, dose, parent),
            params={
                'child': names[child],
                'vaccine': dose.vaccine,
                'dose': str(dose.dose),
                'due_on': due[child].isoformat(),
            },
            link=CABINET,
        )
        for child, guardians in parents.items()
        for dose in doses
        if (child, _norm(dose.vaccine), dose.dose) not in given
        for parent in guardians
    ]


async def _opted_in(code: str) -> list[UUID]:
    """The citizens who chose a channel for an opt-in type: the settings rows that mention it (a small set, found by
    the database), then their choices read here."""
    spec = get_type(code)
    conn = connections.get('default')
    table = NoticeSettings._meta.db_table
    if conn.capabilities.dialect == 'postgres':
        sql = f'SELECT person_id, channels FROM {table} WHERE channels::text LIKE $1'
    else:
        sql = f'SELECT person_id, channels FROM {table} WHERE channels LIKE ?'
    rows = await conn.execute_query_dict(sql, [f'%"{code}"%'])
    people = []
    for row in rows:
        channels = row['channels']
        if isinstance(channels, str | bytes):
            channels = json.loads(channels)
        if isinstance(channels, dict) and Preferences(channels=channels).opted_in(spec):
            people.append(_uuid(row['person_id']))
    return sorted(people)


def _document_number(data: dict[str, Any] | None) -> str:
    data = data or {}
    number = ' '.join(str(data[f]).strip() for f in ('series', 'number') if data.get(f))
    return number or '—'


def _amount(value: Any) -> str:
    try:
        return f'{Decimal(str(value)):.2f}'
    except (InvalidOperation, ValueError):
        return str(value or '—')


def _date(value: Any) -> date | None:
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return None


def _norm(value: Any) -> str:
    return ' '.join(str(value or '').split()).casefold()


def _vaccine_key(child: UUID, dose: Dose, parent: UUID) -> str:
    """The vaccine's name is part of the key; a name too long for the key column is replaced by its digest."""
    key = f'vaccine:{child}:{dose.vaccine}:{dose.dose}:{parent}'
    if len(key) <= KEY_MAX:
        return key
    digest = hashlib.sha256(dose.vaccine.encode()).hexdigest()[:16]
    return f'vaccine:{child}:{digest}:{dose.dose}:{parent}'


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
