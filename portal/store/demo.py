"""Deterministic demo data (fixed seed): real agencies and local executives, ~200 citizens, officers, an admin.

Used only when the portal runs in demo mode. Everyone shares one demo password and one device PIN, so the
README can list them; each person still has their own Ed25519 signing key.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, timedelta
from typing import Any

from faker import Faker
from tortoise.transactions import in_transaction

from portal.store.actors import Role
from portal.store.auth import hash_password
from portal.store.device import DemoDevice, public_key_of
from portal.store.orgs import Organisation, OrgCategory, reference_organisations
from portal.store.people import Person
from portal.store.registry import RegistryRecord

SEED = 20261101
ANCHOR = date(2026, 11, 1)
CITIZENS = 200
DEMO_PASSWORD = 'Kabinet-2026'
DEMO_PIN = '2468'
FIN_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'

# fixed personas listed in the README: (fin, role, first, last, patronymic, sex, organisation code)
PERSONAS: tuple[tuple[str, Role, str, str, str, str, str | None], ...] = (
    ('5ZK2M7R', Role.CITIZEN, 'Leyla', 'Məmmədova', 'Rauf qızı', 'F', None),
    ('2HT8P4N', Role.CITIZEN, 'Rəşad', 'Əliyev', 'Vüqar oğlu', 'M', None),
    ('7QW3E9D', Role.CITIZEN, 'Günel', 'Hüseynova', 'Elman qızı', 'F', None),
    ('4MD5R1X', Role.AGENCY_OFFICER, 'Tural', 'Quliyev', 'Kamran oğlu', 'M', 'MIA'),
    ('6NS2K8V', Role.EXECUTIVE_OFFICER, 'Səbinə', 'İsmayılova', 'Nadir qızı', 'F', 'IH-NESIMI'),
    ('1AD9M3N', Role.ADMIN, 'Elçin', 'Rəhimov', 'Tofiq oğlu', 'M', None),
)


async def seed_demo(*, now: datetime) -> bool:
    """Fill an empty database; does nothing when organisations already exist."""
    if await Organisation.exists():
        return False
    rng, fake = random.Random(SEED), Faker('az_AZ')
    fake.seed_instance(SEED)
    password_hash, pin_hash = hash_password(DEMO_PASSWORD), hash_password(DEMO_PIN)
    async with in_transaction():
        orgs = [
            Organisation(**{k: r[k] for k in ('code', 'category', 'kind', 'name_az', 'name_en', 'region')})
            for r in reference_organisations()
        ]
        await Organisation.bulk_create(orgs)
        by_code = {o.code: o for o in orgs}
        executives = [o for o in orgs if o.category is OrgCategory.EXECUTIVE]
        people = _people(rng, fake, orgs)
        for person, _ in people:
            person.password_hash = password_hash
            person.public_key = public_key_of(_device_key(person.fin))
        await Person.bulk_create([p for p, _ in people])
        await DemoDevice.bulk_create(
            [DemoDevice(person_id=p.id, private_key=_device_key(p.fin), pin_hash=pin_hash) for p, _ in people]
        )
        records: list[RegistryRecord] = []
        for person, sex in people:
            home = rng.choice(executives)
            records.extend(_records(person, sex=sex, rng=rng, fake=fake, orgs=by_code, executive=home, now=now))
        await RegistryRecord.bulk_create(records)
    return True


def _people(rng: random.Random, fake: Faker, orgs: list[Organisation]) -> list[tuple[Person, str]]:
    """The personas, generated citizens, and one officer for every organisation without one: (person, sex)."""
    by_code = {o.code: o for o in orgs}
    used_fins = {p[0] for p in PERSONAS}
    people = [
        (_person(fin, role, names=(first, last, patronymic), rng=rng, org=by_code.get(code or '')), sex)
        for fin, role, first, last, patronymic, sex, code in PERSONAS
    ]

    def names(sex: str, with_patronymic: bool) -> tuple[str, str, str]:
        first = fake.first_name_male() if sex == 'M' else fake.first_name_female()
        last = fake.last_name_male() if sex == 'M' else fake.last_name_female()
        patronymic = f'{fake.first_name_male()} {"oğlu" if sex == "M" else "qızı"}' if with_patronymic else ''
        return first, last, patronymic

    for _ in range(CITIZENS - sum(1 for p in PERSONAS if p[1] is Role.CITIZEN)):
        sex = rng.choice('MF')
        citizen = _person(_fin(rng, used_fins), Role.CITIZEN, names=names(sex, True), rng=rng, org=None)
        people.append((citizen, sex))
    staffed = {p.organisation_id for p, _ in people if p.organisation_id}
    for org in orgs:
        if org.id not in staffed:
            role = Role.AGENCY_OFFICER if org.category is OrgCategory.AGENCY else Role.EXECUTIVE_OFFICER
            sex = rng.choice('MF')
            people.append((_person(_fin(rng, used_fins), role, names=names(sex, False), rng=rng, org=org), sex))
    return people


def _person(
    fin: str, role: Role, *, names: tuple[str, str, str], rng: random.Random, org: Organisation | None
) -> Person:
    first, last, patronymic = names
    birth = ANCHOR - timedelta(days=rng.randint(18 * 365, 80 * 365))
    return Person(
        fin=fin,
        role=role,
        first_name=first,
        last_name=last,
        patronymic=patronymic,
        birth_date=birth,
        organisation_id=org.id if org else None,
    )


def _records(
    person: Person,
    *,
    sex: str,
    rng: random.Random,
    fake: Faker,
    orgs: dict[str, Organisation],
    executive: Organisation,
    now: datetime,
) -> list[RegistryRecord]:
    assert person.birth_date is not None
    issued = ANCHOR - timedelta(days=rng.randint(30, 3600))
    expires = issued + timedelta(days=365 * 10)
    updated = now - timedelta(days=rng.randint(1, 900), minutes=rng.randint(0, 1440))
    region = executive.region or 'Bakı'
    data: list[tuple[str, Organisation, dict[str, Any], date | None]] = [
        (
            'identity',
            orgs['MOJ'],
            {
                'first_name': person.first_name,
                'last_name': person.last_name,
                'patronymic': person.patronymic,
                'birth_date': person.birth_date.isoformat(),
                'birth_place': fake.city(),
                'gender': sex,
            },
            None,
        ),
        (
            'address',
            orgs['MIA'],
            {
                'region': region,
                'city': region,
                'street': fake.street_name(),
                'building': str(rng.randint(1, 180)),
                'apartment': str(rng.randint(1, 120)) if rng.random() < 0.7 else '',
                'registered_on': (ANCHOR - timedelta(days=rng.randint(100, 8000))).isoformat(),
            },
            None,
        ),
        (
            'id_card',
            orgs['MIA'],
            {
                'series': 'AZE' if issued.year >= 2015 else 'AA',
                'number': f'{rng.randint(0, 99_999_999):08d}',
                'issued_on': issued.isoformat(),
                'expires_on': expires.isoformat(),
                'issued_by': 'Daxili İşlər Nazirliyi',
            },
            expires,
        ),
    ]
    return [
        RegistryRecord(
            person_id=person.id,
            kind=kind,
            ref='',
            source_id=source.id,
            data=payload,
            valid_until=valid,
            created_at=updated,
            updated_at=updated,
        )
        for kind, source, payload, valid in data
    ]


def _fin(rng: random.Random, used: set[str]) -> str:
    while True:
        fin = ''.join(rng.choice(FIN_ALPHABET) for _ in range(7))
        if fin not in used:
            used.add(fin)
            return fin


def _device_key(fin: str) -> bytes:
    return hashlib.sha256(f'kabinet-demo-device:{SEED}:{fin}'.encode()).digest()
