"""'Məlumat düzgündür / səhvdir': confirming a record, reporting it wrong, and the agency's answer (store and API)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from portal.api import create_api
from portal.errors import Forbidden, Invalid, NotFound
from portal.store import apikeys, corrections
from portal.store.actors import ApiActor, PersonActor, Role
from portal.store.audit import HistoryEvent, HistoryKind
from portal.store.corrections import CorrectionRequest, CorrectionState
from portal.store.people import Person
from portal.store.registry import RegistryRecord
from tests.builders import collect_events, make_key_with_scopes
from tests.factories import ADDRESS, ID_CARD, NOW, make_citizen, make_key, make_org, make_person, make_record

A_FIN, B_FIN = '5ABC123', '2HT8P4N'
LATER = NOW + timedelta(hours=1)
MOVED = {**ADDRESS, 'street': 'Azadlıq prospekti', 'building': '27'}


async def citizen(fin: str = A_FIN, **kwargs: Any) -> Person:
    return await make_citizen(fin, password=None, **kwargs)


async def officer(code: str = 'MIA', fin: str = '4MD5R1X', role: Role = Role.AGENCY_OFFICER) -> PersonActor:
    org = await make_org(code)
    person, _ = await make_person(fin, first='Tural', last='Quliyev', role=role, password=None, org=org)
    return person.as_actor()


async def api_actor(code: str = 'MIA') -> ApiActor:
    return await apikeys.authenticate(key=await make_key(code), now=NOW)


async def reported(comment: str = 'The street is wrong') -> tuple[Person, RegistryRecord, corrections.CorrectionView]:
    """Leyla's address kept by MIA, reported as wrong."""
    leyla = await citizen()
    record = await make_record(leyla, 'address', ADDRESS, source='MIA')
    view = await corrections.report_record(actor=leyla.as_actor(), record_id=record.id, comment=comment, now=NOW)
    return leyla, record, view


async def snapshot() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], int]:
    """Everything a correction use case may write."""
    records = [(r.id, r.data, r.version, r.ref, r.source_id) for r in await RegistryRecord.all().order_by('id')]
    requests = [(c.id, c.state, c.reason, c.resolved_at) for c in await CorrectionRequest.all().order_by('id')]
    return records, requests, await HistoryEvent.all().count()


async def kinds_of_history(person: Person) -> list[HistoryKind]:
    return [e.kind for e in await HistoryEvent.filter(person_id=person.id).order_by('created_at', 'kind')]


# --- confirming ----------------------------------------------------------------------------------------------------


async def test_confirm_marks_the_current_version_once(store_db: str) -> None:
    leyla = await citizen()
    record = await make_record(leyla, 'address', ADDRESS)
    with collect_events(f'citizen:{leyla.id}') as events:
        done = await corrections.confirm_record(actor=leyla.as_actor(), record_id=record.id, now=NOW)
        again = await corrections.confirm_record(actor=leyla.as_actor(), record_id=record.id, now=LATER)

    assert (done.version, done.confirmed_at) == (1, NOW)
    assert again == done  # idempotent: the first confirmation stands
    row = await RegistryRecord.get(id=record.id)
    assert (row.confirmed_version, row.confirmed_at) == (1, NOW)
    assert await kinds_of_history(leyla) == [HistoryKind.DATA_CONFIRMED]
    assert [e.kind for e in events] == ['record.confirmed']
    assert events[0].data['record_id'] == str(record.id)

    await RegistryRecord.filter(id=record.id).update(version=2)
    newer = await corrections.confirm_record(actor=leyla.as_actor(), record_id=record.id, now=LATER)
    assert (newer.version, newer.confirmed_at) == (2, LATER)
    assert await kinds_of_history(leyla) == [HistoryKind.DATA_CONFIRMED, HistoryKind.DATA_CONFIRMED]


async def test_nobody_confirms_another_citizens_record(store_db: str) -> None:
    leyla = await citizen()
    rashad = await citizen(B_FIN, first='Rəşad', last='Əliyev')
    record = await make_record(leyla, 'address', ADDRESS)
    for actor in (rashad.as_actor(), await officer()):
        with pytest.raises(NotFound):
            await corrections.confirm_record(actor=actor, record_id=record.id, now=NOW)
    with pytest.raises(Forbidden):
        await corrections.confirm_record(actor=await api_actor(), record_id=record.id, now=NOW)
    row = await RegistryRecord.get(id=record.id)
    assert row.confirmed_version is None
    assert await HistoryEvent.all().count() == 0


# --- reporting -----------------------------------------------------------------------------------------------------


async def test_report_creates_a_request_for_the_owning_agency(store_db: str) -> None:
    leyla = await citizen()
    mia = await make_org('MIA')
    record = await make_record(leyla, 'address', ADDRESS, source='MIA')
    with collect_events(f'citizen:{leyla.id}') as mine, collect_events(f'agency:{mia.id}') as agency:
        view = await corrections.report_record(
            actor=leyla.as_actor(), record_id=record.id, comment='  I moved in 2024.  ', now=NOW
        )

    assert (view.state, view.comment, view.record_version, view.organisation_id) == (
        CorrectionState.PENDING,
        'I moved in 2024.',
        1,
        mia.id,
    )
    assert (view.record_kind, view.record_data, view.citizen_fin, view.citizen_name) == (
        'address',
        ADDRESS,
        A_FIN,
        'Leyla Məmmədova',
    )
    row = await CorrectionRequest.get(id=view.id)
    assert (row.person_id, row.record_id, row.organisation_id, row.created_at) == (leyla.id, record.id, mia.id, NOW)
    assert await kinds_of_history(leyla) == [HistoryKind.CORRECTION_REQUESTED]
    for events in (mine, agency):
        assert [e.kind for e in events] == ['correction.updated']
        assert events[0].data == {
            'kind': 'address',
            'record_id': str(record.id),
            'correction_id': str(view.id),
            'state': 'pending',
        }
    assert await corrections.list_my_corrections(actor=leyla.as_actor(), person_id=leyla.id) == [view]


@pytest.mark.parametrize(
    ('comment', 'code'),
    [
        ('', 'comment_required'),
        ('   \n\t ', 'comment_required'),
        ('x' * 1001, 'comment_too_long'),
        (' ' + 'x' * 1001, 'comment_too_long'),
    ],
    ids=['empty', 'blank', '1001-chars', 'padded-1001'],
)
async def test_report_needs_a_comment_of_at_most_1000_characters(store_db: str, comment: str, code: str) -> None:
    leyla = await citizen()
    record = await make_record(leyla, 'address', ADDRESS)
    with pytest.raises(Invalid) as caught:
        await corrections.report_record(actor=leyla.as_actor(), record_id=record.id, comment=comment, now=NOW)
    assert (caught.value.code, caught.value.field) == (code, 'comment')
    assert await CorrectionRequest.all().count() == 0
    assert await HistoryEvent.all().count() == 0

    view = await corrections.report_record(
        actor=leyla.as_actor(), record_id=record.id, comment=' ' + 'x' * 1000 + ' ', now=NOW
    )
    assert len(view.comment) == 1000


async def test_markup_in_a_comment_is_kept_as_plain_text(store_db: str) -> None:
    _, _, view = await reported('<script>alert(1)</script> & <b>bold</b>')
    assert view.comment == '<script>alert(1)</script> & <b>bold</b>'


async def test_citizen_b_cannot_report_or_see_citizen_as_record(store_db: str) -> None:
    leyla, record, _ = await reported()
    rashad = await citizen(B_FIN, first='Rəşad', last='Əliyev')
    before = await snapshot()
    with pytest.raises(NotFound):
        await corrections.report_record(actor=rashad.as_actor(), record_id=record.id, comment='not mine', now=NOW)
    with pytest.raises(NotFound):
        await corrections.list_my_corrections(actor=rashad.as_actor(), person_id=leyla.id)
    assert await corrections.list_my_corrections(actor=rashad.as_actor(), person_id=rashad.id) == []
    with pytest.raises(Forbidden):
        await corrections.list_agency_corrections(actor=rashad.as_actor())
    with pytest.raises(Forbidden):
        await corrections.report_record(actor=await api_actor(), record_id=record.id, comment='x', now=NOW)
    assert await snapshot() == before


async def test_one_pending_request_per_record(store_db: str) -> None:
    leyla, record, first = await reported()
    with pytest.raises(Invalid) as caught:
        await corrections.report_record(actor=leyla.as_actor(), record_id=record.id, comment='again', now=LATER)
    assert caught.value.code == 'correction_pending'
    assert await CorrectionRequest.all().count() == 1

    await corrections.reject_correction(actor=await officer(), correction_id=first.id, reason='It is right', now=LATER)
    second = await corrections.report_record(
        actor=leyla.as_actor(), record_id=record.id, comment='Still wrong', now=LATER + timedelta(minutes=1)
    )
    mine = await corrections.list_my_corrections(actor=leyla.as_actor(), person_id=leyla.id)
    assert [c.id for c in mine] == [second.id, first.id]  # newest first
    assert corrections.latest_by_record(mine) == {record.id: second}
    assert corrections.latest_by_record(reversed(mine)) == {record.id: second}


async def test_two_reports_at_once_make_one_request(store_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A double click: both reports arrive together; exactly one becomes a request."""
    leyla = await citizen()
    record = await make_record(leyla, 'address', ADDRESS)
    original_create = CorrectionRequest.create
    arrived: list[object] = []
    both = asyncio.Event()

    async def create_after_both_checked(**kwargs: Any) -> CorrectionRequest:
        arrived.append(kwargs)
        if len(arrived) >= 2:
            both.set()
        with contextlib.suppress(TimeoutError):  # with the row lock, the second never gets here concurrently
            await asyncio.wait_for(both.wait(), 0.3)
        return await original_create(**kwargs)

    monkeypatch.setattr(CorrectionRequest, 'create', create_after_both_checked)
    results = await asyncio.gather(
        *(
            corrections.report_record(actor=leyla.as_actor(), record_id=record.id, comment=f'wrong {i}', now=NOW)
            for i in (1, 2)
        ),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], Invalid)
    assert errors[0].code == 'correction_pending'
    assert await CorrectionRequest.all().count() == 1


# --- the agency's queue --------------------------------------------------------------------------------------------


async def test_agency_lists_only_its_own_requests_oldest_first(store_db: str) -> None:
    leyla = await citizen()
    rashad = await citizen(B_FIN, first='Rəşad', last='Əliyev')
    address = await make_record(leyla, 'address', ADDRESS, source='MIA')
    card = await make_record(leyla, 'id_card', ID_CARD, source='MIA')
    other = await make_record(rashad, 'address', ADDRESS, source='MIA')
    marital = await make_record(leyla, 'marital_status', {'status': 'single'}, source='MOJ')
    requests = []
    for minutes, (person, record) in enumerate([(leyla, card), (rashad, other), (leyla, address), (leyla, marital)]):
        requests.append(
            await corrections.report_record(
                actor=person.as_actor(), record_id=record.id, comment='wrong', now=NOW + timedelta(minutes=5 - minutes)
            )
        )
    mia_officer, moj_officer, dyp_officer = (
        await officer('MIA'),
        await officer('MOJ', '3XY7Z2Q'),
        await officer('DYP', '8KL4M2N'),
    )

    mia = await corrections.list_agency_corrections(actor=mia_officer)
    assert [c.id for c in mia] == [requests[2].id, requests[1].id, requests[0].id]
    assert [c.citizen_name for c in mia] == ['Leyla Məmmədova', 'Rəşad Əliyev', 'Leyla Məmmədova']
    assert [c.id for c in await corrections.list_agency_corrections(actor=moj_officer)] == [requests[3].id]
    assert await corrections.list_agency_corrections(actor=dyp_officer) == []
    assert [c.id for c in await corrections.list_agency_corrections(actor=await api_actor('MIA'))] == [
        c.id for c in mia
    ]
    assert await corrections.list_agency_corrections(actor=await api_actor('DYP')) == []

    page = await corrections.list_agency_corrections(actor=mia_officer, limit=1, offset=1)
    assert [c.id for c in page] == [requests[1].id]

    await corrections.reject_correction(actor=mia_officer, correction_id=requests[1].id, reason='no', now=LATER)
    pending = await corrections.list_agency_corrections(actor=mia_officer)
    assert [c.id for c in pending] == [requests[2].id, requests[0].id]
    rejected = await corrections.list_agency_corrections(actor=mia_officer, state=CorrectionState.REJECTED)
    assert [(c.id, c.reason, c.resolved_by) for c in rejected] == [(requests[1].id, 'no', 'Tural Quliyev')]
    assert len(await corrections.list_agency_corrections(actor=mia_officer, state=None)) == 3


async def test_only_agency_officers_and_scoped_keys_work_the_queue(store_db: str) -> None:
    _, _, view = await reported()
    executive = await officer('IH-NESIMI', '6NS2K8V', Role.EXECUTIVE_OFFICER)
    admin = (await make_person('1AD9M3N', role=Role.ADMIN, password=None))[0].as_actor()
    unscoped = await apikeys.authenticate(key=await make_key_with_scopes('MIA', []), now=NOW)
    before = await snapshot()
    for actor in (executive, admin):
        with pytest.raises(Forbidden):
            await corrections.list_agency_corrections(actor=actor)
        with pytest.raises(Forbidden):
            await corrections.reject_correction(actor=actor, correction_id=view.id, reason='no', now=NOW)
    with pytest.raises(Forbidden) as caught:
        await corrections.accept_correction(actor=unscoped, correction_id=view.id, data=MOVED, now=NOW)
    assert caught.value.code == 'insufficient_scope'
    assert await snapshot() == before


# --- accepting -----------------------------------------------------------------------------------------------------


async def test_accept_applies_the_corrected_data_like_an_agency_update(store_db: str) -> None:
    leyla, record, view = await reported()
    mia = await make_org('MIA')
    actor = await officer('MIA')
    with collect_events(f'citizen:{leyla.id}') as mine, collect_events(f'agency:{mia.id}') as agency:
        result = await corrections.accept_correction(
            actor=actor, correction_id=view.id, data=MOVED, note=' Corrected, sorry. ', now=LATER
        )

    assert (result.record.data, result.record.version, result.record.source_code) == (MOVED, 2, 'MIA')
    assert result.record.updated_at == LATER
    row = await RegistryRecord.get(id=record.id)
    assert (row.data, row.version, row.source_id, row.updated_at) == (MOVED, 2, mia.id, LATER)
    request = await CorrectionRequest.get(id=view.id)
    assert (request.state, request.reason, request.resolved_by, request.resolved_at) == (
        CorrectionState.ACCEPTED,
        'Corrected, sorry.',
        'Tural Quliyev',
        LATER,
    )
    assert result.correction.state is CorrectionState.ACCEPTED
    assert result.correction.record_data == MOVED
    history = await HistoryEvent.filter(person_id=leyla.id, created_at=LATER).order_by('kind')
    assert [(e.kind, e.organisation_id) for e in history] == [
        (HistoryKind.CORRECTION_RESOLVED, mia.id),
        (HistoryKind.DATA_UPDATED, mia.id),
    ]
    assert history[1].detail == {'record_kind': 'address', 'ref': ''}
    assert [e.kind for e in mine] == ['correction.updated', 'registry.updated']
    assert mine[0].data['state'] == 'accepted'
    assert mine[1].data == {'kind': 'address', 'record_id': str(record.id)}
    assert [(e.kind, e.data['state']) for e in agency] == [('correction.updated', 'accepted')]


async def test_accept_keeps_validity_identity_and_refs_in_step(store_db: str) -> None:
    leyla = await citizen()
    me = leyla.as_actor()
    card = await make_record(leyla, 'id_card', ID_CARD, source='MIA')
    view = await corrections.report_record(actor=me, record_id=card.id, comment='expiry', now=NOW)
    await corrections.accept_correction(
        actor=await api_actor('MIA'), correction_id=view.id, data={**ID_CARD, 'expires_on': '2029-01-10'}, now=NOW
    )
    assert (await RegistryRecord.get(id=card.id)).valid_until == date(2029, 1, 10)
    assert (await CorrectionRequest.get(id=view.id)).resolved_by == 'MIA integration'

    identity = {
        'first_name': 'Leyla',
        'last_name': 'Məmmədli',
        'patronymic': 'Rauf qızı',
        'birth_date': '1990-05-18',
        'birth_place': 'Bakı',
        'gender': 'F',
    }
    record = await make_record(leyla, 'identity', {**identity, 'last_name': 'Məmmədova'}, source='MOJ')
    view = await corrections.report_record(actor=me, record_id=record.id, comment='surname', now=NOW)
    await corrections.accept_correction(actor=await officer('MOJ'), correction_id=view.id, data=identity, now=NOW)
    person = await Person.get(id=leyla.id)
    assert (person.last_name, person.birth_date) == ('Məmmədli', date(1990, 5, 18))

    # a record told apart by a field: a corrected plate changes the ref, unless the citizen has that plate already
    vehicle = {'plate': '10-AB-123', 'make': 'Toyota', 'model': 'Corolla', 'year': 2015, 'registered_on': '2016-01-01'}
    dyp = await make_org('DYP')
    car = await RegistryRecord.create(
        person_id=leyla.id,
        kind='vehicle',
        ref='10-AB-123',
        source_id=dyp.id,
        data=vehicle,
        created_at=NOW,
        updated_at=NOW,
    )
    await RegistryRecord.create(
        person_id=leyla.id,
        kind='vehicle',
        ref='10-AB-124',
        source_id=dyp.id,
        data={**vehicle, 'plate': '10-AB-124'},
        created_at=NOW,
        updated_at=NOW,
    )
    view = await corrections.report_record(actor=me, record_id=car.id, comment='plate', now=NOW)
    dyp_key = await api_actor('DYP')
    with pytest.raises(Invalid) as caught:
        await corrections.accept_correction(
            actor=dyp_key, correction_id=view.id, data={**vehicle, 'plate': '10-AB-124'}, now=NOW
        )
    assert (caught.value.code, caught.value.field) == ('record_exists', 'data.plate')
    assert (await CorrectionRequest.get(id=view.id)).state is CorrectionState.PENDING
    result = await corrections.accept_correction(
        actor=dyp_key, correction_id=view.id, data={**vehicle, 'plate': '10-AB-125'}, now=NOW
    )
    assert (result.record.ref, result.record.version) == ('10-AB-125', 2)


@pytest.mark.parametrize(
    ('data', 'field'),
    [
        ({**ADDRESS, 'street': ''}, 'data.street'),
        ({**ADDRESS, 'registered_on': 'yesterday'}, 'data.registered_on'),
        ({**ADDRESS, 'floor': '3'}, 'data.floor'),
        ({k: v for k, v in ADDRESS.items() if k != 'building'}, 'data.building'),
        (['not', 'an', 'object'], 'data'),
    ],
    ids=['empty-street', 'bad-date', 'unknown-field', 'missing-field', 'not-an-object'],
)
async def test_accept_with_invalid_data_names_the_field_and_changes_nothing(
    store_db: str, data: Any, field: str
) -> None:
    leyla, _, view = await reported()
    before = await snapshot()
    with collect_events(f'citizen:{leyla.id}') as events:
        with pytest.raises(Invalid) as caught:
            await corrections.accept_correction(actor=await officer(), correction_id=view.id, data=data, now=LATER)
    assert caught.value.code == 'invalid_record'
    assert caught.value.field == field
    assert await snapshot() == before
    assert events == []


# --- rejecting, and who may answer ---------------------------------------------------------------------------------


async def test_reject_keeps_the_record_and_tells_the_citizen_why(store_db: str) -> None:
    leyla, record, view = await reported()
    with collect_events(f'citizen:{leyla.id}') as mine:
        answered = await corrections.reject_correction(
            actor=await api_actor('MIA'),
            correction_id=view.id,
            reason='  The register shows this address.  ',
            now=LATER,
        )
    assert (answered.state, answered.reason, answered.resolved_at) == (
        CorrectionState.REJECTED,
        'The register shows this address.',
        LATER,
    )
    row = await RegistryRecord.get(id=record.id)
    assert (row.data, row.version) == (ADDRESS, 1)
    assert await kinds_of_history(leyla) == [HistoryKind.CORRECTION_REQUESTED, HistoryKind.CORRECTION_RESOLVED]
    assert [(e.kind, e.data['state']) for e in mine] == [('correction.updated', 'rejected')]


@pytest.mark.parametrize(
    ('reason', 'code'), [('', 'reason_required'), ('  ', 'reason_required'), ('r' * 1001, 'reason_too_long')]
)
async def test_reject_needs_a_reason(store_db: str, reason: str, code: str) -> None:
    _, _, view = await reported()
    before = await snapshot()
    with pytest.raises(Invalid) as caught:
        await corrections.reject_correction(actor=await officer(), correction_id=view.id, reason=reason, now=LATER)
    assert (caught.value.code, caught.value.field) == (code, 'reason')
    with pytest.raises(Invalid) as caught:
        await corrections.accept_correction(
            actor=await api_actor(), correction_id=view.id, data=MOVED, note='n' * 1001, now=LATER
        )
    assert (caught.value.code, caught.value.field) == ('note_too_long', 'note')
    assert await snapshot() == before


async def test_another_agency_neither_sees_nor_resolves_the_request(store_db: str) -> None:
    _, _, view = await reported()
    before = await snapshot()
    for actor in (await officer('DYP', '8KL4M2N'), await api_actor('DYP')):
        assert await corrections.list_agency_corrections(actor=actor, state=None) == []
        with pytest.raises(NotFound):
            await corrections.accept_correction(actor=actor, correction_id=view.id, data=MOVED, now=LATER)
        with pytest.raises(NotFound):
            await corrections.reject_correction(actor=actor, correction_id=view.id, reason='no', now=LATER)
    assert await snapshot() == before


async def test_a_request_is_answered_only_once(store_db: str) -> None:
    _, _, view = await reported()
    actor = await officer()
    await corrections.accept_correction(actor=actor, correction_id=view.id, data=MOVED, now=LATER)
    before = await snapshot()
    for attempt in (
        corrections.accept_correction(actor=actor, correction_id=view.id, data=ADDRESS, now=LATER),
        corrections.reject_correction(actor=actor, correction_id=view.id, reason='no', now=LATER),
    ):
        with pytest.raises(Invalid) as caught:
            await attempt
        assert caught.value.code == 'correction_resolved'
    assert await snapshot() == before


@pytest.mark.parametrize('second', ['accept', 'reject'])
async def test_two_officers_answering_at_once_exactly_one_wins(
    store_db: str, monkeypatch: pytest.MonkeyPatch, second: str
) -> None:
    """Both officers load the request while it is pending; the compare-and-set lets only one answer count."""
    leyla, record, view = await reported()
    first_officer, second_officer = await officer('MIA'), await officer('MIA', '9PQ3R5S')
    original = corrections.acting_name
    arrived: list[object] = []
    both = asyncio.Event()

    async def resolver_after_both_loaded(actor: Any) -> str:
        arrived.append(actor)
        if len(arrived) >= 2:
            both.set()
        await asyncio.wait_for(both.wait(), 5)
        return await original(actor)

    monkeypatch.setattr(corrections, 'acting_name', resolver_after_both_loaded)
    other = (
        corrections.accept_correction(
            actor=second_officer, correction_id=view.id, data={**MOVED, 'building': '99'}, now=LATER
        )
        if second == 'accept'
        else corrections.reject_correction(actor=second_officer, correction_id=view.id, reason='no', now=LATER)
    )
    results = await asyncio.gather(
        corrections.accept_correction(actor=first_officer, correction_id=view.id, data=MOVED, now=LATER),
        other,
        return_exceptions=True,
    )

    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(losers) == 1, results
    assert isinstance(losers[0], Invalid)
    assert losers[0].code == 'correction_resolved'
    request = await CorrectionRequest.get(id=view.id)
    row = await RegistryRecord.get(id=record.id)
    if request.state is CorrectionState.ACCEPTED:
        assert row.version == 2  # applied once, by the winner alone
        assert row.data in (MOVED, {**MOVED, 'building': '99'})
    else:
        assert (row.version, row.data) == (1, ADDRESS)
    resolved = await HistoryEvent.filter(person_id=leyla.id, kind=HistoryKind.CORRECTION_RESOLVED).count()
    assert resolved == 1


# --- the API -------------------------------------------------------------------------------------------------------

CORRECTIONS = '/registry/corrections'


@pytest.fixture
async def api(sqlite_db: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url='http://test') as http:
        yield http


async def bearer(code: str) -> dict[str, str]:
    return {'Authorization': f'Bearer {await make_key(code)}'}


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()['error']
    assert error['code'] == code
    assert '{' not in error['message']
    return dict(error)


async def test_api_lists_and_accepts(api: httpx.AsyncClient) -> None:
    leyla, record, view = await reported('<b>wrong</b> street')
    mia = await bearer('MIA')

    listed = await api.get(CORRECTIONS, params={'state': 'pending'}, headers=mia)
    assert listed.status_code == 200, listed.text
    [item] = listed.json()
    assert item['id'] == str(view.id)
    assert (item['kind'], item['ref'], item['fin'], item['citizen_name']) == ('address', '', A_FIN, 'Leyla Məmmədova')
    assert (item['data'], item['comment'], item['state']) == (ADDRESS, '<b>wrong</b> street', 'pending')
    assert (item['reported_version'], item['version'], item['resolved_at']) == (1, 1, None)

    accepted = await api.post(f'{CORRECTIONS}/{view.id}/accept', json={'data': MOVED, 'note': 'Fixed'}, headers=mia)
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert (body['id'], body['data'], body['version'], body['source']) == (str(record.id), MOVED, 2, 'MIA')

    assert (await api.get(CORRECTIONS, params={'state': 'pending'}, headers=mia)).json() == []
    [done] = (await api.get(CORRECTIONS, headers=mia)).json()
    assert (done['state'], done['reason'], done['resolved_by'], done['data']) == (
        'accepted',
        'Fixed',
        'MIA integration',
        MOVED,
    )
    again = await api.post(f'{CORRECTIONS}/{view.id}/accept', json={'data': MOVED}, headers=mia)
    error_of(again, 422, 'correction_resolved')
    assert await HistoryEvent.filter(person_id=leyla.id, kind=HistoryKind.DATA_UPDATED).count() == 1


async def test_api_rejects_with_a_reason(api: httpx.AsyncClient) -> None:
    _, record, view = await reported()
    mia = await bearer('MIA')
    url = f'{CORRECTIONS}/{view.id}/reject'
    assert error_of(await api.post(url, json={'reason': ' '}, headers=mia), 422, 'reason_required')['field'] == 'reason'
    missing = await api.post(url, json={}, headers=mia)
    assert error_of(missing, 422, 'validation_error')['field'] == 'reason'

    rejected = await api.post(url, json={'reason': 'The address is right.'}, headers=mia)
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()['state'], rejected.json()['reason']) == ('rejected', 'The address is right.')
    assert (await RegistryRecord.get(id=record.id)).version == 1
    error_of(await api.post(url, json={'reason': 'again'}, headers=mia), 422, 'correction_resolved')


async def test_api_accept_with_invalid_data_names_the_field_and_changes_nothing(api: httpx.AsyncClient) -> None:
    _, _, view = await reported()
    mia = await bearer('MIA')
    before = await snapshot()
    url = f'{CORRECTIONS}/{view.id}/accept'
    bad = await api.post(url, json={'data': {**ID_CARD}}, headers=mia)
    assert error_of(bad, 422, 'invalid_record')['field'].startswith('data.')
    bad = await api.post(url, json={'data': {**ADDRESS, 'registered_on': 'soon'}}, headers=mia)
    error = error_of(bad, 422, 'invalid_record')
    assert error['field'] == 'data.registered_on'
    assert error['message'].startswith('The field data.registered_on is not valid: ')
    extra = await api.post(url, json={'data': MOVED, 'state': 'accepted'}, headers=mia)
    assert error_of(extra, 422, 'validation_error')['field'] == 'state'
    assert await snapshot() == before


async def test_api_keys_of_another_agency_or_without_scope(api: httpx.AsyncClient) -> None:
    _, _, view = await reported()
    dyp = await bearer('DYP')
    unscoped = {'Authorization': f'Bearer {await make_key_with_scopes("MIA", [])}'}
    before = await snapshot()

    assert (await api.get(CORRECTIONS, headers=dyp)).json() == []
    error_of(await api.post(f'{CORRECTIONS}/{view.id}/accept', json={'data': MOVED}, headers=dyp), 404, 'not_found')
    error_of(await api.post(f'{CORRECTIONS}/{view.id}/reject', json={'reason': 'no'}, headers=dyp), 404, 'not_found')
    error_of(await api.get(CORRECTIONS, headers=unscoped), 403, 'insufficient_scope')
    error_of(
        await api.post(f'{CORRECTIONS}/{view.id}/reject', json={'reason': 'no'}, headers=unscoped),
        403,
        'insufficient_scope',
    )
    error_of(await api.get(CORRECTIONS), 401, 'missing_api_key')
    error_of(await api.post(f'{CORRECTIONS}/{view.id}/reject', json={'reason': 'no'}), 401, 'missing_api_key')
    unknown = '00000000-0000-4000-8000-000000000000'
    error_of(await api.post(f'{CORRECTIONS}/{unknown}/reject', json={'reason': 'no'}, headers=dyp), 404, 'not_found')
    malformed = await api.post(f'{CORRECTIONS}/42/reject', json={'reason': 'no'}, headers=dyp)
    assert malformed.status_code == 422
    assert error_of(await api.get(CORRECTIONS, params={'state': 'lost'}, headers=dyp), 422, 'validation_error')
    assert await snapshot() == before


async def test_api_paging_and_openapi(api: httpx.AsyncClient) -> None:
    leyla = await citizen()
    ids = []
    for minutes, kind, data in [(0, 'address', ADDRESS), (1, 'id_card', ID_CARD)]:
        record = await make_record(leyla, kind, data)
        view = await corrections.report_record(
            actor=leyla.as_actor(), record_id=record.id, comment='x', now=NOW + timedelta(minutes=minutes)
        )
        ids.append(str(view.id))
    mia = await bearer('MIA')
    assert [c['id'] for c in (await api.get(CORRECTIONS, headers=mia)).json()] == ids
    second = await api.get(CORRECTIONS, params={'limit': 1, 'offset': 1}, headers=mia)
    assert [c['id'] for c in second.json()] == ids[1:]
    error_of(await api.get(CORRECTIONS, params={'limit': 0}, headers=mia), 422, 'validation_error')

    spec = (await api.get('/openapi.json')).json()
    paths = spec['paths']
    assert {'get'} <= set(paths[CORRECTIONS])
    for action in ('accept', 'reject'):
        operation = paths[f'{CORRECTIONS}/{{correction_id}}/{action}']['post']
        assert {'200', '401', '403', '404', '422'} <= set(operation['responses'])
        assert operation['summary']
