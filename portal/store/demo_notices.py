"""Demo notices: parents linked to their children (as the family records just seeded list them), the citizen
personas' contacts and choices, and one run of the reminder jobs, so demo citizens see the reminders the portal
really raises. Nothing is marked sent or delivered here: the outbox does that when it runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from portal.store.notices.models import Guardianship, NoticeSettings
from portal.store.people import Person
from portal.store.registry import RegistryRecord

BATCH = 500
# the personas' contacts and choices (README); Günel (7QW3E9D) keeps the defaults: notices in her cabinet only
PERSONA_SETTINGS: dict[str, dict[str, Any]] = {
    # a mobile number: the types that go by SMS (documents expiring, court cases, answers, …) reach her phone
    '5ZK2M7R': {'email': 'leyla.memmedova@example.az', 'phone': '+994501112233'},
    # e-mails gathered into one a day
    '2HT8P4N': {'email': 'resad.eliyev@example.az', 'digest': True},
}


async def seed_notice_settings(*, now: datetime) -> None:
    """The personas' contacts and choices, before anything raises notices for them (their e-services' history)."""
    await _settings(now)


async def seed_notices(*, now: datetime) -> dict[str, int]:
    """Returns the parent–child links the family records call for and the reminders each job created."""
    made = {'guardianships': await _guardianships()}
    made.update(await _reminders(now))
    return made


async def _guardianships() -> int:
    """Every parent's link to each child their family record lists who is a person of the portal."""
    wanted: list[tuple[UUID, str]] = []
    for row in await RegistryRecord.filter(kind='family').values('person_id', 'data'):
        members = (row['data'] or {}).get('members', [])
        parent = UUID(str(row['person_id']))
        wanted += [(parent, m['fin']) for m in members if m.get('relation') == 'child']
    fins = sorted({fin for _, fin in wanted})
    ids: dict[str, UUID] = {}
    for start in range(0, len(fins), BATCH):
        for fin, person_id in await Person.filter(fin__in=fins[start : start + BATCH]).values_list('fin', 'id'):
            ids[str(fin)] = UUID(str(person_id))
    pairs = sorted({(parent, ids[fin]) for parent, fin in wanted if fin in ids and ids[fin] != parent})
    await Guardianship.bulk_create(
        [Guardianship(parent_id=p, child_id=c) for p, c in pairs], batch_size=BATCH, ignore_conflicts=True
    )
    return len(pairs)


async def _settings(now: datetime) -> None:
    people = await Person.filter(fin__in=list(PERSONA_SETTINGS)).values_list('fin', 'id')
    for fin, person_id in people:
        values = {**PERSONA_SETTINGS[str(fin)], 'updated_at': now}
        # not update_or_create: Tortoise's save of a row keyed by a one-to-one field fails on SQLite
        if not await NoticeSettings.filter(person_id=person_id).update(**values):
            await NoticeSettings.create(person_id=person_id, **values)


async def _reminders(now: datetime) -> dict[str, int]:
    """The daily reminder jobs, run once at the demo's start."""
    from portal.store.notices import reminders

    return {
        'document_expiry': await reminders.document_expiry(now=now),
        'vaccination_due': await reminders.vaccination_reminders(now=now),
    }
