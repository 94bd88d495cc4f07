"""The demo world: real organisations, ~200 citizens with children, officers, an admin, the README's personas.

Seeding takes a moment, so the module seeds one template database once and every test works on a copy of it.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from tortoise import Tortoise

from portal import db
from portal.store import registry
from portal.store.actors import Role
from portal.store.demo import CITIZENS, PERSONAS, seed_demo
from portal.store.demo_records import ANCHOR
from portal.store.device import DemoDevice
from portal.store.orgs import DATA_DIR, Organisation, OrgCategory, reference_organisations
from portal.store.people import FIN_PATTERN, Person
from portal.store.registry import RegistryRecord
from portal.store.registry_kinds import KINDS, SECTIONS
from tests.conftest import _close, _open

SEED_NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
LEYLA, RASHAD = '5ZK2M7R', '2HT8P4N'
# FIN -> (role, first name, organisation code)
README_PERSONAS = {
    LEYLA: (Role.CITIZEN, 'Leyla', None),
    RASHAD: (Role.CITIZEN, 'Rəşad', None),
    '7QW3E9D': (Role.CITIZEN, 'Günel', None),
    '4MD5R1X': (Role.AGENCY_OFFICER, 'Tural', 'MIA'),
    '6NS2K8V': (Role.EXECUTIVE_OFFICER, 'Səbinə', 'IH-NESIMI'),
    '1AD9M3N': (Role.ADMIN, 'Elçin', None),
}

Snapshot = list[tuple[str, str, str, str]]  # fin, kind, ref, data as canonical JSON


@dataclass(frozen=True)
class Seeded:
    path: Path
    snapshot: Snapshot


def _run_apart(coro: Coroutine[Any, Any, Snapshot]) -> Snapshot:
    """Run a coroutine on its own loop in a worker thread (pytest-asyncio may be running a loop here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _seed(url: str) -> Snapshot:
    await Tortoise.init(config=db.tortoise_config(url), _enable_global_fallback=True)
    try:
        assert await seed_demo(now=SEED_NOW) is True
        return await snapshot()
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope='module')
def seeded(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """One demo database for the module (a copy of the migrated template, seeded once)."""
    path = tmp_path_factory.mktemp('demo') / 'demo.sqlite3'
    shutil.copy(sqlite_template, path)
    return Seeded(path, _run_apart(_seed(f'sqlite://{path}')))


@pytest.fixture
async def demo_db(seeded: Seeded, tmp_path: Path) -> AsyncIterator[str]:
    """A private copy of the seeded database, open for the test."""
    path = tmp_path / 'demo.sqlite3'
    shutil.copy(seeded.path, path)
    url = f'sqlite://{path}'
    await _open(url)
    yield url
    await _close()


async def snapshot() -> Snapshot:
    """Everything the seed decides, without timestamps or random ids: (fin, kind, ref, data)."""
    fins = {p.id: p.fin for p in await Person.all()}
    return sorted(
        (fins[r.person_id], r.kind, r.ref, json.dumps(r.data, sort_keys=True, ensure_ascii=False))
        for r in await RegistryRecord.all()
    )


async def people_snapshot() -> list[tuple[Any, ...]]:
    codes: dict[UUID | None, str | None] = {o.id: o.code for o in await Organisation.all()}
    codes[None] = None
    return sorted(
        (p.fin, p.role.value, p.first_name, p.last_name, p.patronymic, p.birth_date, codes[p.organisation_id])
        for p in await Person.all()
    )


def age(born: date, on: date = ANCHOR) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


async def adult_citizens() -> list[Person]:
    """The citizens who log in (children have no password)."""
    return await Person.filter(role=Role.CITIZEN, password_hash__isnull=False)


async def record_of(fin: str, kind: str) -> RegistryRecord:
    return await RegistryRecord.get(person__fin=fin, kind=kind, ref='')


# --- organisations and people ------------------------------------------------------------------------------------


async def test_every_agency_and_local_executive_exists(demo_db: str) -> None:
    agencies = json.loads((DATA_DIR / 'agencies.json').read_text(encoding='utf-8'))
    executives = json.loads((DATA_DIR / 'local_executives.json').read_text(encoding='utf-8'))
    assert (len(agencies), len(executives)) == (36, 78)
    assert await Organisation.filter(category=OrgCategory.AGENCY).count() == 36
    assert await Organisation.filter(category=OrgCategory.EXECUTIVE).count() == 78
    assert {o.code for o in await Organisation.all()} == {row['code'] for row in reference_organisations()}
    assert {o.name_az for o in await Organisation.filter(category=OrgCategory.AGENCY)} == {
        a['name_az'] for a in agencies
    }


async def test_about_two_hundred_adults_and_their_minor_children(demo_db: str) -> None:
    adults = await adult_citizens()
    assert len(adults) == CITIZENS == 200
    for adult in adults:
        assert adult.birth_date is not None
        assert age(adult.birth_date) >= 18, (adult.fin, adult.birth_date)
        assert adult.public_key is not None
    assert await DemoDevice.filter(person__role=Role.CITIZEN).count() == len(adults)

    children = await Person.filter(role=Role.CITIZEN, password_hash__isnull=True)
    assert len(children) >= 20
    listed_as_child = {
        m['fin']
        for r in await RegistryRecord.filter(kind='family')
        for m in r.data['members']
        if m['relation'] == 'child'
    }
    for child in children:
        assert child.birth_date is not None
        assert age(child.birth_date) < 18, (child.fin, child.birth_date)
        assert child.birth_date <= ANCHOR
        assert child.fin in listed_as_child
    assert listed_as_child == {c.fin for c in children}
    # FINs are well-formed and unique
    fins = [p.fin for p in await Person.all()]
    assert len(fins) == len(set(fins))
    assert [f for f in fins if not FIN_PATTERN.fullmatch(f)] == []


async def test_one_officer_per_organisation_and_one_admin(demo_db: str) -> None:
    staff: dict[str, list[Person]] = defaultdict(list)
    codes = {o.id: o for o in await Organisation.all()}
    for person in await Person.filter(organisation_id__isnull=False):
        assert person.organisation_id is not None
        staff[codes[person.organisation_id].code].append(person)
    assert set(staff) == {o.code for o in codes.values()}
    for org in codes.values():
        (officer,) = staff[org.code]
        expected = Role.AGENCY_OFFICER if org.category is OrgCategory.AGENCY else Role.EXECUTIVE_OFFICER
        assert officer.role is expected, org.code
    assert await Person.filter(role__in=[Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER]).count() == 114
    admins = await Person.filter(role=Role.ADMIN)
    assert [a.fin for a in admins] == ['1AD9M3N']
    assert await Person.filter(role=Role.CITIZEN, organisation_id__isnull=False).count() == 0


async def test_the_readme_personas(demo_db: str) -> None:
    assert {p[0] for p in PERSONAS} == set(README_PERSONAS)
    for fin, (role, first, code) in README_PERSONAS.items():
        person = await Person.get(fin=fin)
        assert (person.role, person.first_name) == (role, first), fin
        org = await Organisation.get(id=person.organisation_id) if person.organisation_id else None
        assert (org.code if org else None) == code, fin
        assert person.password_hash is not None
        assert await DemoDevice.filter(person_id=person.id).exists()


# --- records -----------------------------------------------------------------------------------------------------


async def test_every_section_is_filled(demo_db: str) -> None:
    adults = {p.id for p in await adult_citizens()}
    children = {p.id for p in await Person.filter(role=Role.CITIZEN, password_hash__isnull=True)}
    holders: dict[str, set[Any]] = defaultdict(set)
    section_of = {kind: s.name for s in SECTIONS for kind in s.kinds}
    for record in await RegistryRecord.all():
        holders[section_of[record.kind]].add(record.person_id)
    for section in SECTIONS:
        assert len(holders[section.name]) >= 3, section.name
    for name in ('personal', 'financial', 'work'):
        share = len(holders[name] & adults) / len(adults)
        assert share > 0.5, f'{name}: {share:.0%} of adult citizens'
    # every kind occurs somewhere
    assert {kind for kind, n in Counter(r.kind for r in await RegistryRecord.all()).items() if n} == set(KINDS)
    # every person of the public has their identity record; officers and the admin have no registry data
    identities = {r.person_id for r in await RegistryRecord.filter(kind='identity')}
    assert adults | children <= identities


async def test_every_record_is_consistent_with_its_kind(demo_db: str) -> None:
    codes = {o.id: o.code for o in await Organisation.all()}
    for record in await RegistryRecord.all():
        spec = KINDS[record.kind]
        assert codes[record.source_id] in spec.sources, (record.kind, codes[record.source_id])
        assert spec.schema.model_validate(record.data).model_dump(mode='json') == record.data
        assert record.ref == (str(record.data[spec.ref_field]) if spec.ref_field else '')
        expected_until = date.fromisoformat(record.data[spec.valid_until_field]) if spec.valid_until_field else None
        assert record.valid_until == expected_until
        assert record.version == 1
        assert record.updated_at <= SEED_NOW


async def test_leyla_and_reshad_are_married_with_two_minor_children(demo_db: str) -> None:
    leyla, rashad = await Person.get(fin=LEYLA), await Person.get(fin=RASHAD)
    statuses = [(await record_of(fin, 'marital_status')).data for fin in (LEYLA, RASHAD)]
    assert [s['status'] for s in statuses] == ['married', 'married']
    assert statuses[0]['since'] == statuses[1]['since']

    families = {fin: (await record_of(fin, 'family')).data['members'] for fin in (LEYLA, RASHAD)}
    assert [m['fin'] for m in families[LEYLA] if m['relation'] == 'spouse'] == [RASHAD]
    assert [m['fin'] for m in families[RASHAD] if m['relation'] == 'spouse'] == [LEYLA]
    kids = {fin: sorted(m['fin'] for m in members if m['relation'] == 'child') for fin, members in families.items()}
    assert len(kids[LEYLA]) == 2
    assert kids[LEYLA] == kids[RASHAD]

    for parent in (leyla, rashad):
        seen = await registry.list_children_records(actor=parent.as_actor(), person_id=parent.id, today=ANCHOR)
        children = await Person.filter(fin__in=kids[LEYLA])
        assert sorted(c.person_id for c in seen) == sorted(c.id for c in children)
        for child in seen:
            assert age(child.birth_date) < 18
            assert child.records, f'{child.full_name} has no vaccination'
            assert {r.kind for r in child.records} == {'vaccination'}
            stored = await RegistryRecord.filter(person_id=child.person_id, kind='vaccination')
            assert sorted(r.id for r in child.records) == sorted(r.id for r in stored)
            assert all(date.fromisoformat(r.data['given_on']) <= ANCHOR for r in child.records)


async def test_a_child_is_not_shown_once_grown_up(demo_db: str) -> None:
    leyla = await Person.get(fin=LEYLA)
    children = await registry.list_children_records(actor=leyla.as_actor(), person_id=leyla.id, today=ANCHOR)
    youngest = max(c.birth_date for c in children)
    later = youngest + timedelta(days=19 * 366)
    assert await registry.list_children_records(actor=leyla.as_actor(), person_id=leyla.id, today=later) == []


# --- seeding -----------------------------------------------------------------------------------------------------


async def test_seeding_twice_creates_nothing(demo_db: str) -> None:
    models = (Organisation, Person, RegistryRecord, DemoDevice)
    before = [await model.all().count() for model in models]
    records = await snapshot()
    assert await seed_demo(now=SEED_NOW + timedelta(days=3)) is False
    assert [await model.all().count() for model in models] == before
    assert await snapshot() == records


async def test_seeding_is_deterministic(sqlite_db: str, seeded: Seeded, tmp_path: Path) -> None:
    assert await seed_demo(now=SEED_NOW) is True
    fresh = await snapshot()
    assert len(fresh) > 3000
    assert fresh == seeded.snapshot
    people = await people_snapshot()

    # the template's people, read from a second copy, are the same people
    await _close()
    copy = tmp_path / 'template-copy.sqlite3'
    shutil.copy(seeded.path, copy)
    await _open(f'sqlite://{copy}')
    assert await people_snapshot() == people


async def test_leyla_has_a_waiting_data_request_and_a_permission_in_use_and_the_chains_hold(demo_db: str) -> None:
    from portal.store.audit import verify_history
    from portal.store.consent import permissions
    from portal.store.consent.models import RequestState

    leyla = await Person.get(fin='5ZK2M7R')
    (request,) = await permissions.list_requests(actor=leyla.as_actor(), pending_only=True)
    assert (request.organisation_code, request.state) == ('AZERISIQ', RequestState.PENDING)
    (permission,) = await permissions.list_permissions(actor=leyla.as_actor())
    assert (permission.organisation_code, permission.uses, permission.request_id) == ('MLSPP', 2, None)
    accesses = await permissions.list_accesses(actor=leyla.as_actor())
    assert [a.categories for a in accesses] == [('employment',), ('employment',)]
    assert (await permissions.verify_access_log()).ok
    assert (await verify_history()).ok


# --- e-participation ---------------------------------------------------------------------------------------------


async def test_the_nesimi_executive_has_polls_in_every_state_and_a_chart_to_show(demo_db: str) -> None:
    from portal.store.notices.models import Notice
    from portal.store.participation import proposals, voting
    from portal.store.participation.models import PollState, ProposalState

    leyla, desk = await Person.get(fin=LEYLA), (await Person.get(fin='6NS2K8V')).as_actor()
    polls = {p.question: p for p in await voting.list_polls(executive_code='IH-NESIMI')}
    assert len(polls) == 3 and await voting.list_polls(executive_code='IH-XETAI') == []
    garden, street, yards = (
        polls['Füzuli küçəsindəki boş sahədə nə salınsın?'],
        polls['Bakıxanov küçəsi piyada küçəsinə çevrilsinmi?'],
        polls['Həyətlərin abadlaşdırılmasına hansı məhəllədən başlanılsın?'],
    )
    # a citizen's proposal with live results, counted; the executive's project shown after closing; one closed
    assert (garden.from_proposal, garden.live_results, garden.is_open(SEED_NOW)) == (True, True, True)
    assert (street.from_proposal, street.live_results, street.is_open(SEED_NOW)) == (False, False, True)
    assert yards.state is PollState.CLOSED and yards.closes_at < SEED_NOW
    shown = await voting.results(poll_id=garden.id, now=SEED_NOW)
    assert shown.counts is not None and shown.counted >= 10 and shown.waiting == 0
    assert sum(n for _o, n in shown.counts) == shown.participants
    assert (await voting.results(poll_id=street.id, now=SEED_NOW)).withheld == 'after_closing'
    frozen = await voting.results(poll_id=yards.id, now=SEED_NOW)
    assert frozen.counts is not None and frozen.counted == frozen.participants >= 10
    # Leyla may still vote; her district was told of each poll when it opened
    assert not any([await voting.has_voted(actor=leyla.as_actor(), poll_id=p.id) for p in polls.values()])
    told = await Notice.filter(person_id=leyla.id, type='new_poll').order_by('created_at')
    assert [n.link for n in told] == [f'/participation/polls/{p.id}' for p in (yards, street, garden)]
    assert [n.created_at for n in told] == [p.opens_at for p in (yards, street, garden)]

    # the desk's chart: votes over the poll's hours (or days), in the past, more than one moment
    for poll, unit in ((garden, 'hour'), (street, 'day'), (yards, 'day')):
        chart = await voting.participation_over_time(actor=desk, poll_id=poll.id, now=SEED_NOW)
        counts = [n for _at, n in chart.points]
        assert chart.unit == unit and sum(counts) == chart.participants
        assert len([n for n in counts if n]) >= 3
        assert all(at <= SEED_NOW for at, _n in chart.points)

    # waiting for moderation: Leyla's proposal and a neighbour's
    waiting = await proposals.list_for_moderation(actor=desk)
    assert [p.state for p in waiting] == [ProposalState.PENDING, ProposalState.PENDING]
    (mine,) = await proposals.list_mine(actor=leyla.as_actor())
    assert mine.id in {p.id for p in waiting}
