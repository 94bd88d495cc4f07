"""Deterministic demo data (fixed seed): real agencies and local executives, ~200 citizens, officers, an admin.

Used only when the portal runs in demo mode. Everyone shares one demo password and one device PIN, so the
README can list them; each person still has their own Ed25519 signing key.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import Any

from faker import Faker
from tortoise.transactions import in_transaction

from portal.store.actors import Role
from portal.store.auth import hash_password
from portal.store.demo_consent import seed_consent
from portal.store.demo_letters import seed_letters
from portal.store.demo_news import seed_news
from portal.store.demo_notices import seed_notice_settings, seed_notices
from portal.store.demo_participation import seed_participation
from portal.store.demo_reception import seed_reception
from portal.store.demo_records import ANCHOR, Demo, adult_rows, child_rows, ref_of, stamp, valid_until
from portal.store.demo_services import persona_rows, seed_services
from portal.store.device import DemoDevice, public_key_of
from portal.store.orgs import Organisation, OrgCategory, reference_organisations
from portal.store.people import Person
from portal.store.registry import RegistryRecord, validate_data
from portal.store.registry_kinds import KINDS

SEED = 20261101
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
    demo = Demo(rng, fake)
    password_hash, pin_hash = hash_password(DEMO_PASSWORD), hash_password(DEMO_PIN)
    async with in_transaction():
        orgs = [
            Organisation(**{k: r[k] for k in ('code', 'category', 'kind', 'name_az', 'name_en', 'region')})
            for r in reference_organisations()
        ]
        await Organisation.bulk_create(orgs)
        by_code = {o.code: o for o in orgs}
        regions = [o.region for o in orgs if o.category is OrgCategory.EXECUTIVE and o.region]
        adults = _people(rng, fake, orgs)
        for person, _ in adults:
            person.password_hash = password_hash
            person.public_key = public_key_of(_device_key(person.fin))
        rows: list[tuple[Person, str, str, dict[str, Any]]] = []
        for person, sex in adults:
            rows += [(person, *row) for row in adult_rows(person, sex, rng.choice(regions), demo)]
        children, family_rows = _families(adults, demo)
        rows += family_rows
        for child, sex in children:
            rows += [(child, *row) for row in child_rows(child, sex, demo)]
        await Person.bulk_create([p for p, _ in adults + children])
        await DemoDevice.bulk_create(
            [DemoDevice(person_id=p.id, private_key=_device_key(p.fin), pin_hash=pin_hash) for p, _ in adults]
        )
        rows = persona_rows(rows)
        await RegistryRecord.bulk_create([_record(row, orgs=by_code, demo=demo, now=now) for row in rows])
        await seed_letters(people=[p for p, _ in adults], orgs=orgs, now=now, device_key=_device_key)
    await seed_notice_settings(now=now)
    await seed_services(now=now)
    await seed_notices(now=now)
    await seed_consent(now=now)
    await seed_participation(now=now)
    await seed_news(now=now)
    await seed_reception(now=now)
    return True


def _record(
    row: tuple[Person, str, str, dict[str, Any]], *, orgs: dict[str, Organisation], demo: Demo, now: datetime
) -> RegistryRecord:
    person, kind, source, data = row
    clean = validate_data(KINDS[kind], data)  # demo data obeys the same schemas as agencies' data
    at = stamp(now, demo, clean)
    return RegistryRecord(
        person_id=person.id,
        kind=kind,
        ref=ref_of(kind, clean),
        source_id=orgs[source].id,
        data=clean,
        valid_until=valid_until(kind, clean),
        created_at=at,
        updated_at=at,
    )


def _families(
    adults: list[tuple[Person, str]], demo: Demo
) -> tuple[list[tuple[Person, str]], list[tuple[Person, str, str, dict[str, Any]]]]:
    """Married couples (Leyla and Rəşad among them) with their minor children; marital status for everyone."""
    rng, fake = demo.rng, demo.fake
    citizens = [(p, s) for p, s in adults if p.role is Role.CITIZEN]
    leyla, rashad = citizens[0], citizens[1]
    rest = citizens[3:]
    men, women = [c for c in rest if c[1] == 'M'], [c for c in rest if c[1] == 'F']
    couples = [(rashad, leyla)] + [(m, w) for m, w in zip(men, women, strict=False) if rng.random() < 0.6]
    married = {p.id for couple in couples for p, _ in couple}
    children: list[tuple[Person, str]] = []
    rows: list[tuple[Person, str, str, dict[str, Any]]] = []
    used = {p.fin for p, _ in adults}
    for index, ((husband, _), (wife, _)) in enumerate(couples):
        assert husband.birth_date and wife.birth_date
        since = max(husband.birth_date, wife.birth_date) + timedelta(days=365 * 22 + rng.randint(0, 2000))
        since = min(since, ANCHOR - timedelta(days=400))
        kids: list[tuple[Person, str]] = []
        for _ in range(2 if index == 0 else rng.choice([0, 1, 1, 2, 2, 3])):
            born = since + timedelta(days=rng.randint(300, max((ANCHOR - since).days - 30, 301)))
            if born > ANCHOR or (ANCHOR - born).days >= 18 * 365:
                continue
            sex = rng.choice('MF')
            first = fake.first_name_male() if sex == 'M' else fake.first_name_female()
            last = husband.last_name + ('a' if sex == 'F' and husband.last_name.endswith('v') else '')
            kid = Person(
                fin=_fin(rng, used),
                role=Role.CITIZEN,
                first_name=first,
                last_name=last,
                patronymic=f'{husband.first_name} {"oğlu" if sex == "M" else "qızı"}',
                birth_date=born,
            )
            kids.append((kid, sex))
        children += kids
        for me, spouse in ((husband, wife), (wife, husband)):
            members = [_member(spouse, 'spouse')] + [_member(kid, 'child') for kid, _ in kids]
            rows.append((me, 'family', 'MOJ', {'members': members}))
            rows.append(
                (
                    me,
                    'marital_status',
                    'MOJ',
                    {
                        'status': 'married',
                        'since': since.isoformat(),
                        'certificate_no': demo.code('NK-', 7),
                    },
                )
            )
    for person, _ in citizens:
        if person.id not in married:
            status = rng.choice(['single', 'single', 'divorced', 'widowed'])
            rows.append((person, 'marital_status', 'MOJ', {'status': status}))
    return children, rows


def _member(person: Person, relation: str) -> dict[str, Any]:
    assert person.birth_date is not None
    return {
        'fin': person.fin,
        'first_name': person.first_name,
        'last_name': person.last_name,
        'relation': relation,
        'birth_date': person.birth_date.isoformat(),
    }


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


def _fin(rng: random.Random, used: set[str]) -> str:
    while True:
        fin = ''.join(rng.choice(FIN_ALPHABET) for _ in range(7))
        if fin not in used:
            used.add(fin)
            return fin


def _device_key(fin: str) -> bytes:
    return hashlib.sha256(f'kabinet-demo-device:{SEED}:{fin}'.encode()).digest()
