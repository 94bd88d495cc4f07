"""Registry records: written by the owning agency through its API key, read by the citizen alone."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import date, timedelta
from typing import Any

import pytest

from portal.errors import Forbidden, Invalid, NotFound
from portal.store import apikeys, audit, registry
from portal.store.actors import ApiActor, Role, SystemActor
from portal.store.audit import HistoryEvent, HistoryKind
from portal.store.people import Person
from portal.store.registry import RegistryRecord
from tests.builders import collect_events, make_key_with_scopes
from tests.factories import ADDRESS, ID_CARD, NOW, make_citizen, make_key, make_org, make_record

A_FIN, B_FIN = '5ABC123', '2HT8P4N'
IDENTITY = {
    'first_name': 'Leyla',
    'last_name': 'Məmmədova',
    'patronymic': 'Rauf qızı',
    'birth_date': '1990-05-17',
    'birth_place': 'Bakı',
    'gender': 'F',
}


async def api_actor(code: str = 'MIA') -> ApiActor:
    return await apikeys.authenticate(key=await make_key(code), now=NOW)


async def citizen(fin: str = A_FIN, **kwargs: Any) -> Person:
    return await make_citizen(fin, password=None, **kwargs)


async def snapshot() -> tuple[list[tuple[Any, ...]], int]:
    """Everything an upsert may write: the records (with data and version) and the number of history events."""
    records = await RegistryRecord.all().order_by('kind', 'ref')
    rows = [(r.person_id, r.kind, r.ref, r.data, r.version, r.source_id, r.updated_at) for r in records]
    return rows, await HistoryEvent.all().count()


# --- writing -----------------------------------------------------------------------------------------------------


async def test_upsert_creates_then_updates(store_db: str) -> None:
    leyla = await citizen()
    actor = await api_actor('MIA')

    first = await registry.upsert_record(actor=actor, fin=A_FIN.lower(), kind='address', data=ADDRESS, now=NOW)
    assert first.created is True
    assert first.person_id == leyla.id
    assert first.record.version == 1
    assert first.record.kind == 'address'
    assert first.record.ref == ''
    assert first.record.source_code == 'MIA'
    assert first.record.source_name_az == 'Daxili İşlər Nazirliyi'
    assert first.record.data == ADDRESS
    assert first.record.updated_at == NOW

    later = NOW + timedelta(hours=1)
    moved = {**ADDRESS, 'street': 'Azadlıq prospekti', 'building': '7'}
    second = await registry.upsert_record(actor=actor, fin=A_FIN, kind='address', data=moved, now=later)
    assert second.created is False
    assert second.record.id == first.record.id
    assert second.record.version == 2
    assert second.record.data == moved
    assert second.record.updated_at == later

    row = await RegistryRecord.get(person_id=leyla.id, kind='address')
    assert (row.version, row.data, row.created_at, row.updated_at) == (2, moved, NOW, later)
    assert await RegistryRecord.all().count() == 1

    third = await registry.upsert_record(actor=actor, fin=A_FIN, kind='address', data=ADDRESS, now=later)
    assert third.record.version == 3


async def test_update_publishes_one_live_event_and_writes_history_naming_the_agency(store_db: str) -> None:
    leyla = await citizen()
    rashad = await citizen(B_FIN, first='Rəşad', last='Əliyev')
    actor = await api_actor('MIA')
    await registry.upsert_record(actor=actor, fin=A_FIN, kind='address', data=ADDRESS, now=NOW)

    with collect_events(f'citizen:{leyla.id}') as events, collect_events(f'citizen:{rashad.id}') as others:
        result = await registry.upsert_record(
            actor=actor, fin=A_FIN, kind='address', data={**ADDRESS, 'apartment': '9'}, now=NOW + timedelta(minutes=1)
        )

    # the record's event, and the notice it raised ("data updated by …")
    assert [e.kind for e in events] == ['registry.updated', 'notices.changed']
    assert events[0].topic == f'citizen:{leyla.id}'
    assert events[0].kind == 'registry.updated'
    assert events[0].data == {'kind': 'address', 'record_id': str(result.record.id)}
    assert others == []

    history = await audit.list_history(actor=leyla.as_actor(), person_id=leyla.id)
    assert [h.kind for h in history] == [HistoryKind.DATA_UPDATED, HistoryKind.DATA_UPDATED]
    newest = history[0]
    assert newest.created_at == NOW + timedelta(minutes=1)
    assert newest.organisation_code == 'MIA'
    assert newest.organisation_name_az == 'Daxili İşlər Nazirliyi'
    assert newest.detail == {'record_kind': 'address', 'ref': ''}
    assert await audit.list_history(actor=rashad.as_actor(), person_id=rashad.id) == []


async def test_identity_update_syncs_the_persons_names(store_db: str) -> None:
    leyla = await citizen()
    actor = await api_actor('MOJ')
    married = {**IDENTITY, 'last_name': '  Quliyeva ', 'patronymic': 'Rauf qızı', 'birth_date': '1990-05-18'}

    result = await registry.upsert_record(actor=actor, fin=A_FIN, kind='identity', data=married, now=NOW)

    assert result.record.data['last_name'] == 'Quliyeva'  # blanks are stripped
    person = await Person.get(id=leyla.id)
    assert (person.first_name, person.last_name, person.patronymic) == ('Leyla', 'Quliyeva', 'Rauf qızı')
    assert person.birth_date == date(1990, 5, 18)
    assert person.full_name == 'Leyla Quliyeva'


async def test_non_identity_records_leave_the_person_alone(store_db: str) -> None:
    leyla = await citizen()
    await registry.upsert_record(actor=await api_actor('MIA'), fin=A_FIN, kind='address', data=ADDRESS, now=NOW)
    person = await Person.get(id=leyla.id)
    assert (person.first_name, person.last_name) == ('Leyla', 'Məmmədova')


async def test_id_card_validity_and_refs(store_db: str) -> None:
    leyla = await citizen()
    actor = await api_actor('MIA')
    card = await registry.upsert_record(actor=actor, fin=A_FIN, kind='id_card', data=ID_CARD, now=NOW)
    assert card.record.valid_until == date(2028, 1, 10)
    assert (await RegistryRecord.get(id=card.record.id)).valid_until == date(2028, 1, 10)

    # several records of one kind are told apart by ref
    old = await registry.upsert_record(
        actor=actor, fin=A_FIN, kind='id_card', ref='old', data={**ID_CARD, 'series': 'AA'}, now=NOW
    )
    assert old.created is True
    assert await RegistryRecord.filter(person_id=leyla.id, kind='id_card').count() == 2

    with pytest.raises(Invalid) as exc:
        await registry.upsert_record(actor=actor, fin=A_FIN, kind='id_card', ref='x' * 65, data=ID_CARD, now=NOW)
    assert exc.value.code == 'invalid_ref'
    assert exc.value.field == 'ref'


# --- refusals ----------------------------------------------------------------------------------------------------


async def test_unknown_kind(store_db: str) -> None:
    await citizen()
    with pytest.raises(NotFound) as exc:
        await registry.upsert_record(actor=await api_actor(), fin=A_FIN, kind='spaceship', data=ADDRESS, now=NOW)
    assert exc.value.code == 'unknown_kind'
    assert exc.value.field == 'kind'
    assert exc.value.params['kind'] == 'spaceship'


@pytest.mark.parametrize(
    ('kind', 'data', 'field'),
    [
        pytest.param('address', {k: v for k, v in ADDRESS.items() if k != 'street'}, 'data.street', id='missing'),
        pytest.param('address', {**ADDRESS, 'floor': '3'}, 'data.floor', id='extra'),
        pytest.param('address', {**ADDRESS, 'registered_on': '2015-13-01'}, 'data.registered_on', id='bad-date'),
        pytest.param('address', {**ADDRESS, 'street': '   '}, 'data.street', id='blank'),
        pytest.param('id_card', {**ID_CARD, 'expires_on': 'soon'}, 'data.expires_on', id='not-a-date'),
        pytest.param('id_card', {**ID_CARD, 'expires_on': '2017-01-10'}, 'data.expires_on', id='expires-before-issue'),
        pytest.param('id_card', {**ID_CARD, 'number': '12A4567'}, 'data.number', id='bad-number'),
        pytest.param('id_card', {**ID_CARD, 'number': '123456'}, 'data.number', id='short-number'),
        pytest.param('id_card', {**ID_CARD, 'series': 'XY'}, 'data.series', id='bad-series'),
        pytest.param('identity', {**IDENTITY, 'gender': 'X'}, 'data.gender', id='bad-gender'),
        pytest.param('address', ['not', 'an', 'object'], 'data', id='not-an-object'),
    ],
)
async def test_data_violating_the_schema_is_invalid(store_db: str, kind: str, data: Any, field: str) -> None:
    await citizen()
    actor = await api_actor('MIA')
    with pytest.raises(Invalid) as exc:
        await registry.upsert_record(actor=actor, fin=A_FIN, kind=kind, data=data, now=NOW)
    assert exc.value.code == 'invalid_record'
    assert exc.value.field == field
    assert exc.value.params['reason']
    assert await RegistryRecord.all().count() == 0
    assert await HistoryEvent.all().count() == 0


async def test_unknown_or_malformed_fin(store_db: str) -> None:
    await citizen()
    actor = await api_actor()
    with pytest.raises(NotFound) as exc:
        await registry.upsert_record(actor=actor, fin='9ZZZ999', kind='address', data=ADDRESS, now=NOW)
    assert exc.value.code == 'citizen_not_found'
    assert exc.value.field == 'fin'
    for fin in ('5ABC12', 'ABC-123', ''):
        with pytest.raises(Invalid) as invalid:
            await registry.upsert_record(actor=actor, fin=fin, kind='address', data=ADDRESS, now=NOW)
        assert invalid.value.code == 'fin_malformed'
    assert await RegistryRecord.all().count() == 0


@pytest.mark.parametrize('scopes', [[], ['registry:read']])
async def test_key_without_write_scope_is_forbidden(store_db: str, scopes: list[str]) -> None:
    await citizen()
    actor = await apikeys.authenticate(key=await make_key_with_scopes('MIA', scopes), now=NOW)
    assert actor.organisation_code == 'MIA'
    with pytest.raises(Forbidden) as exc:
        await registry.upsert_record(actor=actor, fin=A_FIN, kind='address', data=ADDRESS, now=NOW)
    assert exc.value.code == 'insufficient_scope'
    assert exc.value.params['scope'] == 'registry:write'
    assert await RegistryRecord.all().count() == 0


@pytest.mark.parametrize(('code', 'kind'), [('DYP', 'address'), ('MOJ', 'address'), ('MOJ', 'id_card')])
async def test_agency_not_owning_the_kind_is_forbidden(store_db: str, code: str, kind: str) -> None:
    await citizen()
    data = ADDRESS if kind == 'address' else ID_CARD
    with pytest.raises(Forbidden) as exc:
        await registry.upsert_record(actor=await api_actor(code), fin=A_FIN, kind=kind, data=data, now=NOW)
    assert exc.value.code == 'kind_not_owned'
    assert await RegistryRecord.all().count() == 0


async def test_only_api_keys_write(store_db: str) -> None:
    leyla = await citizen()
    officer = await citizen('4MD5R1X', role=Role.AGENCY_OFFICER, org=await make_org('MIA'))
    for actor in (leyla.as_actor(), officer.as_actor(), SystemActor('cli')):
        with pytest.raises(Forbidden) as exc:
            await registry.upsert_record(actor=actor, fin=A_FIN, kind='address', data=ADDRESS, now=NOW)
        assert exc.value.code == 'forbidden'
    assert await RegistryRecord.all().count() == 0


async def test_a_failed_update_writes_nothing(store_db: str) -> None:
    leyla = await citizen()
    mia = await api_actor('MIA')
    await registry.upsert_record(actor=mia, fin=A_FIN, kind='address', data=ADDRESS, now=NOW)
    await registry.upsert_record(actor=await api_actor('MOJ'), fin=A_FIN, kind='identity', data=IDENTITY, now=NOW)
    before = await snapshot()
    no_scope = await apikeys.authenticate(key=await make_key_with_scopes('MIA', []), now=NOW)
    dyp = await api_actor('DYP')
    later = NOW + timedelta(hours=1)

    attempts: list[tuple[ApiActor, str, str, Any]] = [
        (mia, A_FIN, 'address', {**ADDRESS, 'street': ''}),
        (mia, A_FIN, 'address', {**ADDRESS, 'unexpected': 'x'}),
        (mia, A_FIN, 'identity', {**IDENTITY, 'last_name': 'Quliyeva', 'birth_date': '1990-02-30'}),
        (mia, '9ZZZ999', 'address', {**ADDRESS, 'street': 'Azadlıq prospekti'}),
        (no_scope, A_FIN, 'address', {**ADDRESS, 'street': 'Azadlıq prospekti'}),
        (dyp, A_FIN, 'address', {**ADDRESS, 'street': 'Azadlıq prospekti'}),
        (mia, A_FIN, 'vehicle', {**ADDRESS, 'street': 'Azadlıq prospekti'}),
    ]
    with collect_events(f'citizen:{leyla.id}') as events:
        for actor, fin, kind, data in attempts:
            with pytest.raises((Invalid, Forbidden, NotFound)):
                await registry.upsert_record(actor=actor, fin=fin, kind=kind, data=data, now=later)

    assert events == []
    assert await snapshot() == before
    person = await Person.get(id=leyla.id)
    assert (person.last_name, person.birth_date) == ('Məmmədova', date(1990, 5, 17))


async def test_records_are_counted_by_source(store_db: str) -> None:
    await citizen()
    await citizen(B_FIN)
    mia = await api_actor('MIA')
    for fin in (A_FIN, B_FIN):
        await registry.upsert_record(actor=mia, fin=fin, kind='address', data=ADDRESS, now=NOW)
    moj = await make_org('MOJ')
    assert await registry.count_records_by_source(organisation_id=mia.organisation_id) == 2
    assert await registry.count_records_by_source(organisation_id=moj.id) == 0


# --- reading -----------------------------------------------------------------------------------------------------


async def test_citizen_lists_own_records(store_db: str) -> None:
    leyla = await citizen()
    rashad = await citizen(B_FIN)
    await make_record(leyla, 'id_card', ID_CARD)
    await make_record(leyla, 'address', ADDRESS)
    await make_record(rashad, 'address', {**ADDRESS, 'street': 'Nizami küçəsi'})

    mine = await registry.list_records(actor=leyla.as_actor(), person_id=leyla.id)
    assert [(r.kind, r.source_code, r.data) for r in mine] == [('address', 'MIA', ADDRESS), ('id_card', 'MIA', ID_CARD)]
    only = await registry.list_records(actor=leyla.as_actor(), person_id=leyla.id, kind='id_card')
    assert [r.kind for r in only] == ['id_card']
    assert await registry.list_records(actor=leyla.as_actor(), person_id=leyla.id, kind='identity') == []


async def test_nobody_reads_another_citizens_records_or_history(store_db: str) -> None:
    leyla = await citizen()
    rashad = await citizen(B_FIN)
    officer = await citizen('4MD5R1X', role=Role.AGENCY_OFFICER, org=await make_org('MIA'))
    admin = await citizen('1AD9M3N', role=Role.ADMIN)
    mia = await api_actor('MIA')
    await registry.upsert_record(actor=mia, fin=A_FIN, kind='address', data=ADDRESS, now=NOW)

    for other in (rashad, officer, admin):
        with pytest.raises(NotFound) as exc:
            await registry.list_records(actor=other.as_actor(), person_id=leyla.id)
        assert exc.value.code == 'not_found'
        with pytest.raises(NotFound) as exc:
            await audit.list_history(actor=other.as_actor(), person_id=leyla.id)
        assert exc.value.code == 'not_found'
    for outsider in (mia, SystemActor('job')):
        with pytest.raises(Forbidden):
            await registry.list_records(actor=outsider, person_id=leyla.id)
        with pytest.raises(Forbidden):
            await audit.list_history(actor=outsider, person_id=leyla.id)

    # while the owner sees both
    assert len(await registry.list_records(actor=leyla.as_actor(), person_id=leyla.id)) == 1
    assert len(await audit.list_history(actor=leyla.as_actor(), person_id=leyla.id)) == 1


async def test_history_is_newest_first_and_paged(store_db: str) -> None:
    leyla = await citizen()
    mia = await api_actor('MIA')
    for minute in range(5):
        street = f'Küçə {minute}'
        data = {**ADDRESS, 'street': street}
        await registry.upsert_record(
            actor=mia, fin=A_FIN, kind='address', data=data, now=NOW + timedelta(minutes=minute)
        )
    me = leyla.as_actor()
    everything = await audit.list_history(actor=me, person_id=leyla.id)
    assert [h.created_at for h in everything] == [NOW + timedelta(minutes=m) for m in (4, 3, 2, 1, 0)]
    page = await audit.list_history(actor=me, person_id=leyla.id, limit=2, offset=1)
    assert [h.created_at for h in page] == [NOW + timedelta(minutes=m) for m in (3, 2)]


async def test_concurrent_first_writes_of_one_record_both_succeed(
    store_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two deliveries of the first record for a citizen at the same moment (e.g. an agency's retry).

    Both find no record yet; the second must become an update, not a database error (an HTTP 500 in the API).
    The pause before the insert only makes this interleaving certain; it happens on its own under load.
    """
    await citizen()
    actor = await api_actor('MIA')
    original_create = RegistryRecord.create
    arrived: list[object] = []
    both_checked = asyncio.Event()

    async def create_after_both_checked(**kwargs: Any) -> RegistryRecord:
        arrived.append(kwargs)
        if len(arrived) >= 2:
            both_checked.set()
        with contextlib.suppress(TimeoutError):  # a serialising database or fix never gets here twice
            await asyncio.wait_for(both_checked.wait(), 0.3)
        return await original_create(**kwargs)

    monkeypatch.setattr(RegistryRecord, 'create', create_after_both_checked)
    results = await asyncio.gather(
        *(
            registry.upsert_record(actor=actor, fin=A_FIN, kind='address', data={**ADDRESS, 'building': b}, now=NOW)
            for b in ('1', '2')
        ),
        return_exceptions=True,
    )

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    versions = sorted((r.created, r.record.version) for r in results if not isinstance(r, BaseException))
    assert versions == [(False, 2), (True, 1)]
    assert (await RegistryRecord.get()).version == 2
    assert await HistoryEvent.all().count() == 2
