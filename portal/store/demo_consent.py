"""Demo consent: a waiting data request for Leyla, and a permission she shared in advance that was read twice, all
made through the same use cases an organisation's system and a citizen use (the reads are logged and chained)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from portal.store.actors import ApiActor
from portal.store.consent import permissions
from portal.store.orgs import Organisation
from portal.store.people import Person
from portal.store.workdays import local_date

PERSONA = '5ZK2M7R'


async def seed_consent(*, now: datetime) -> None:
    leyla = await Person.get(fin=PERSONA)
    utility = await _system('AZERISIQ', ('data:request',))
    labour = await _system('MLSPP', ('data:request', 'data:read'))
    today = local_date(now)
    await permissions.share_in_advance(
        actor=leyla.as_actor(),
        organisation_code='MLSPP',
        categories=['employment', 'social'],
        purpose='Ünvanlı dövlət sosial yardımının hesablanması',
        valid_until=today + timedelta(days=180),
        now=now - timedelta(days=12),
    )
    for days in (11, 4):
        await permissions.read_data(
            actor=labour, fin=PERSONA, categories=['employment'], now=now - timedelta(days=days, hours=3)
        )
    await permissions.request_data(
        actor=utility,
        fin=PERSONA,
        categories=['personal', 'communications'],
        purpose='Elektrik enerjisi üzrə abunəçi müqaviləsinin bağlanması',
        valid_until=today + timedelta(days=90),
        now=now - timedelta(hours=2),
    )


async def _system(code: str, scopes: tuple[str, ...]) -> ApiActor:
    """The organisation's system as the API would see it behind one of its keys."""
    organisation = await Organisation.get(code=code)
    return ApiActor(
        client_id=uuid.uuid4(), organisation_id=organisation.id, organisation_code=code, scopes=frozenset(scopes)
    )
