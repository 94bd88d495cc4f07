"""Test data builders."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from portal.store.actors import Role
from portal.store.apikeys import create_api_key
from portal.store.auth import hash_password
from portal.store.orgs import Organisation, OrgCategory
from portal.store.people import Person
from portal.store.registry import RegistryRecord

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PASSWORD = 'correct horse battery'

_NAMES = {
    'MIA': 'Daxili İşlər Nazirliyi',
    'MOJ': 'Ədliyyə Nazirliyi',
    'DYP': 'Dövlət Yol Polisi',
    'IH-NESIMI': 'Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti',
    'IH-XETAI': 'Bakı şəhəri Xətai rayon İcra Hakimiyyəti',
}
_REGIONS = {'IH-NESIMI': 'Nəsimi', 'IH-XETAI': 'Xətai'}


async def make_org(code: str = 'MIA') -> Organisation:
    existing = await Organisation.get_or_none(code=code)
    if existing:
        return existing
    category = OrgCategory.EXECUTIVE if code.startswith('IH-') else OrgCategory.AGENCY
    return await Organisation.create(
        code=code,
        category=category,
        kind='ministry' if category is OrgCategory.AGENCY else 'baku_district',
        name_az=_NAMES.get(code, code),
        name_en=f'{code} (en)',
        region=_REGIONS.get(code, code[3:].title()) if code.startswith('IH-') else None,
    )


async def make_person(
    fin: str = '5ABC123',
    *,
    first: str = 'Leyla',
    last: str = 'Məmmədova',
    role: Role = Role.CITIZEN,
    password: str | None = PASSWORD,
    org: Organisation | None = None,
) -> tuple[Person, Ed25519PrivateKey]:
    """A person with a password and a registered mobile-signature key (returned for the test to sign with)."""
    key = Ed25519PrivateKey.generate()
    person = await Person.create(
        fin=fin,
        role=role,
        first_name=first,
        last_name=last,
        patronymic='Rauf qızı',
        birth_date=date(1990, 5, 17),
        password_hash=hash_password(password) if password else None,
        public_key=key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
        organisation_id=org.id if org else None,
    )
    return person, key


async def make_citizen(fin: str = '5ABC123', **kwargs: Any) -> Person:
    person, _ = await make_person(fin, **kwargs)
    return person


async def make_key(code: str = 'MIA', scopes: tuple[str, ...] = ('registry:write',)) -> str:
    await make_org(code)
    _, key = await create_api_key(organisation_code=code, scopes=list(scopes), now=NOW)
    return key


async def make_record(person: Person, kind: str, data: dict[str, Any], source: str = 'MIA') -> RegistryRecord:
    org = await make_org(source)
    return await RegistryRecord.create(
        person_id=person.id, kind=kind, ref='', source_id=org.id, data=data, created_at=NOW, updated_at=NOW
    )


ADDRESS = {
    'region': 'Nəsimi',
    'city': 'Bakı',
    'street': 'Füzuli küçəsi',
    'building': '12',
    'apartment': '4',
    'registered_on': '2015-03-01',
}
ID_CARD = {
    'series': 'AZE',
    'number': '12345678',
    'issued_on': '2018-01-10',
    'expires_on': '2028-01-10',
    'issued_by': 'Daxili İşlər Nazirliyi',
}
