"""Consent in the store: requests, decisions, pre-sharing, revocation, expiry, reads logged before they are served."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from portal import live
from portal.errors import Forbidden, Invalid, NotFound, Throttled
from portal.store import audit
from portal.store.actors import ApiActor, Role
from portal.store.apikeys import authenticate
from portal.store.consent import permissions as consent
from portal.store.consent.models import AccessEntry, Permission, PermissionState, RequestState
from portal.store.notices.models import Notice, NoticeSettings
from portal.store.people import Person
from tests.builders import make_key_with_scopes
from tests.factories import ADDRESS, ID_CARD, make_citizen, make_org, make_person, make_record

pytestmark = pytest.mark.usefixtures('store_db')

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
UNTIL = date(2027, 5, 20)


async def org_actor(code: str, scopes: tuple[str, ...] = ('data:request', 'data:read')) -> ApiActor:
    await make_org(code)
    return await authenticate(key=await make_key_with_scopes(code, list(scopes)), now=NOW)


async def citizen(fin: str = '5ABC123') -> Person:
    person = await make_citizen(fin)
    await make_record(person, 'address', ADDRESS)
    await make_record(person, 'id_card', ID_CARD)
    await make_record(
        person,
        'employment',
        {'contract_no': 'EM-1', 'employer': 'Azərsu', 'position': 'Mühəndis', 'started_on': '2020-01-15'},
        source='MLSPP',
    )
    return person


async def ask(actor: ApiActor, fin: str = '5ABC123', cats: tuple[str, ...] = ('personal', 'employment')) -> UUID:
    view = await consent.request_data(
        actor=actor,
        fin=fin,
        categories=list(cats),
        purpose='Kredit müraciətinin yoxlanılması',
        valid_until=UNTIL,
        now=NOW,
    )
    return view.id


async def test_a_request_is_answered_in_part_and_reads_follow_the_grant() -> None:
    leyla = await citizen()
    bank = await org_actor('MIA')
    seen: list[live.Event] = []
    live.hub.subscribe(leyla.topic, seen.append)
    request_id = await ask(bank)
    assert {'consent.changed', 'notices.changed'} <= {e.kind for e in seen}
    notice = await Notice.get(person_id=leyla.id)
    assert notice.type == 'data_request' and notice.params['what'] == 'Personal data, Employment'

    (pending,) = await consent.list_requests(actor=leyla.as_actor(), pending_only=True)
    assert (pending.id, pending.state, pending.categories) == (
        request_id,
        RequestState.PENDING,
        ('personal', 'employment'),
    )
    decided = await consent.decide_request(actor=leyla.as_actor(), request_id=request_id, grant=['personal'], now=NOW)
    assert (decided.state, decided.granted) == (RequestState.PARTIAL, ('personal',))
    assert (await consent.get_request(actor=bank, request_id=request_id)).state is RequestState.PARTIAL

    read = await consent.read_data(actor=bank, fin='5ABC123', categories=['personal'], now=NOW + timedelta(hours=1))
    assert {r['kind'] for r in read.records['personal']} == {'address', 'id_card'}
    with pytest.raises(Forbidden) as other:
        await consent.read_data(actor=bank, fin='5ABC123', categories=['employment'], now=NOW)
    assert other.value.code == 'category_not_granted'

    (access,) = await consent.list_accesses(actor=leyla.as_actor())
    assert (access.id, access.organisation_code, access.categories) == (read.access_id, 'MIA', ('personal',))
    assert access.purpose == 'Kredit müraciətinin yoxlanılması'
    (permission,) = await consent.list_permissions(actor=leyla.as_actor())
    assert (permission.uses, permission.request_id) == (1, request_id)

    revoked = await consent.revoke_permission(actor=leyla.as_actor(), permission_id=permission.id, now=NOW)
    assert revoked.state is PermissionState.REVOKED
    with pytest.raises(Forbidden) as after:
        await consent.read_data(actor=bank, fin='5ABC123', categories=['personal'], now=NOW)
    assert after.value.code == 'permission_revoked'
    kinds = [e.kind for e in await audit.list_history(actor=leyla.as_actor(), person_id=leyla.id)]
    assert audit.HistoryKind.CONSENT_GRANTED in kinds and audit.HistoryKind.CONSENT_REVOKED in kinds


async def test_refusing_grants_nothing_and_an_answer_is_given_once() -> None:
    await citizen()
    leyla = await Person.get(fin='5ABC123')
    bank = await org_actor('MIA')
    request_id = await ask(bank)
    refused = await consent.decide_request(actor=leyla.as_actor(), request_id=request_id, grant=[], now=NOW)
    assert refused.state is RequestState.REFUSED and await Permission.all().count() == 0
    with pytest.raises(Invalid) as twice:
        await consent.decide_request(actor=leyla.as_actor(), request_id=request_id, grant=['personal'], now=NOW)
    assert twice.value.code == 'already_decided'
    with pytest.raises(Forbidden) as read:
        await consent.read_data(actor=bank, fin='5ABC123', categories=['personal'], now=NOW)
    assert read.value.code == 'no_permission'


async def test_pre_sharing_lets_an_organisation_read_without_asking_until_it_expires() -> None:
    leyla = await citizen()
    bank = await org_actor('MIA')
    shared = await consent.share_in_advance(
        actor=leyla.as_actor(),
        organisation_code='mia',
        categories=['employment'],
        purpose='Əmək haqqı krediti',
        valid_until=date(2026, 12, 31),
        now=NOW,
    )
    assert shared.request_id is None
    read = await consent.read_data(actor=bank, fin='5ABC123', categories=['employment'], now=NOW)
    assert read.records['employment'][0]['data']['employer'] == 'Azərsu'
    later = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(Forbidden) as expired:
        await consent.read_data(actor=bank, fin='5ABC123', categories=['employment'], now=later)
    assert expired.value.code == 'permission_expired'
    assert await consent.expire(now=later) == {'permissions': 1, 'requests': 0}
    assert (await consent.list_permissions(actor=leyla.as_actor()))[0].state is PermissionState.EXPIRED


async def test_unanswered_requests_expire_and_cannot_be_approved_late() -> None:
    leyla = await citizen()
    bank = await org_actor('MIA')
    request_id = await ask(bank)
    late = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(Invalid) as caught:
        await consent.decide_request(actor=leyla.as_actor(), request_id=request_id, grant=['personal'], now=late)
    assert caught.value.code == 'request_expired'
    assert await consent.expire(now=late) == {'permissions': 0, 'requests': 1}


@pytest.mark.parametrize(
    ('changes', 'field', 'code'),
    [
        ({'categories': ['health']}, 'categories', 'unknown_category'),
        ({'categories': []}, 'categories', 'categories_required'),
        ({'purpose': ' '}, 'purpose', 'purpose_required'),
        ({'purpose': 'x' * 501}, 'purpose', 'too_long'),
        ({'valid_until': date(2026, 11, 1)}, 'valid_until', 'period_in_past'),
        ({'valid_until': 'soon'}, 'valid_until', 'invalid_date'),
        ({'valid_until': date(2030, 1, 1)}, 'valid_until', 'period_too_long'),
    ],
)
async def test_bad_requests_name_the_field(changes: dict[str, object], field: str, code: str) -> None:
    await citizen()
    bank = await org_actor('MIA')
    args: dict[str, object] = {
        'fin': '5ABC123',
        'categories': ['personal'],
        'purpose': 'Yoxlama',
        'valid_until': UNTIL,
        **changes,
    }
    with pytest.raises(Invalid) as caught:
        await consent.request_data(actor=bank, now=NOW, **args)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.code) == (field, code)


async def test_requests_for_one_citizen_are_rate_limited_per_organisation() -> None:
    await citizen()
    await citizen('6DEF456')
    bank = await org_actor('MIA')
    for _ in range(consent.REQUEST_POLICY.free):
        await ask(bank)
    with pytest.raises(Throttled):
        await ask(bank)
    await ask(bank, fin='6DEF456')  # another citizen is not slowed down
    other_org = await org_actor('MOJ')
    await ask(other_org)  # nor another organisation


async def test_someone_elses_request_permission_and_access_are_out_of_reach() -> None:
    leyla, rashad = await citizen(), await citizen('6DEF456')
    bank, shop = await org_actor('MIA'), await org_actor('MOJ')
    request_id = await ask(bank)
    with pytest.raises(NotFound):
        await consent.decide_request(actor=rashad.as_actor(), request_id=request_id, grant=['personal'], now=NOW)
    with pytest.raises(NotFound):
        await consent.get_request(actor=shop, request_id=request_id)
    await consent.decide_request(actor=leyla.as_actor(), request_id=request_id, grant=['personal'], now=NOW)
    (permission,) = await consent.list_permissions(actor=leyla.as_actor())
    with pytest.raises(NotFound):
        await consent.revoke_permission(actor=rashad.as_actor(), permission_id=permission.id, now=NOW)
    with pytest.raises(Forbidden) as other_org:
        await consent.read_data(actor=shop, fin='5ABC123', categories=['personal'], now=NOW)
    assert other_org.value.code == 'no_permission'
    with pytest.raises(Forbidden):
        await consent.read_data(actor=bank, fin='6DEF456', categories=['personal'], now=NOW)
    read = await consent.read_data(actor=bank, fin='5ABC123', categories=['personal'], now=NOW)
    assert await consent.list_accesses(actor=rashad.as_actor()) == []
    with pytest.raises(NotFound):
        await consent.dispute_access(actor=rashad.as_actor(), access_id=read.access_id, reason='Mən deyiləm', now=NOW)
    # keys without the scope, and people, cannot act as organisations
    asker_only = await org_actor('MIA', ('data:request',))
    with pytest.raises(Forbidden) as scope:
        await consent.read_data(actor=asker_only, fin='5ABC123', categories=['personal'], now=NOW)
    assert scope.value.code == 'insufficient_scope'
    officer, _ = await make_person('7MIA001', role=Role.AGENCY_OFFICER, org=await make_org('MIA'))
    with pytest.raises(Forbidden):
        await consent.read_data(actor=officer.as_actor(), fin='5ABC123', categories=['personal'], now=NOW)
    with pytest.raises(Forbidden):
        await consent.list_permissions(actor=officer.as_actor())


async def test_disputes_reach_the_administrators() -> None:
    leyla = await citizen()
    bank = await org_actor('MIA')
    await consent.share_in_advance(
        actor=leyla.as_actor(),
        organisation_code='MIA',
        categories=['personal'],
        purpose='Yoxlama',
        valid_until=UNTIL,
        now=NOW,
    )
    read = await consent.read_data(actor=bank, fin='5ABC123', categories=['personal'], now=NOW)
    with pytest.raises(Invalid):
        await consent.dispute_access(actor=leyla.as_actor(), access_id=read.access_id, reason='  ', now=NOW)
    await consent.dispute_access(actor=leyla.as_actor(), access_id=read.access_id, reason='Razılıq vermədim', now=NOW)
    with pytest.raises(Invalid):
        await consent.dispute_access(actor=leyla.as_actor(), access_id=read.access_id, reason='Yenə', now=NOW)
    assert (await consent.list_accesses(actor=leyla.as_actor()))[0].disputed
    admin, _ = await make_person('1ADM001', role=Role.ADMIN)
    (dispute,) = await consent.list_disputes(actor=admin.as_actor())
    assert (dispute.reason, dispute.organisation_name) == ('Razılıq vermədim', 'Daxili İşlər Nazirliyi')
    with pytest.raises(Forbidden):
        await consent.list_disputes(actor=leyla.as_actor())
    await consent.close_dispute(actor=admin.as_actor(), dispute_id=dispute.id, answer='Yoxlanıldı', now=NOW)
    assert await consent.list_disputes(actor=admin.as_actor()) == []


async def test_every_read_is_logged_in_the_chain_before_it_is_served(monkeypatch: pytest.MonkeyPatch) -> None:
    leyla = await citizen()
    await NoticeSettings.create(
        person_id=leyla.id, channels={'data_accessed': {'email': True}}, email='leyla@example.az', updated_at=NOW
    )
    bank = await org_actor('MIA')
    await consent.share_in_advance(
        actor=leyla.as_actor(),
        organisation_code='MIA',
        categories=['personal', 'communications'],
        purpose='Yoxlama',
        valid_until=UNTIL,
        now=NOW,
    )
    for n in range(3):
        await consent.read_data(actor=bank, fin='5ABC123', categories=['personal'], now=NOW + timedelta(minutes=n))
    contact = await consent.read_data(actor=bank, fin='5ABC123', categories=['communications'], now=NOW)
    assert contact.records['communications'] == [
        {'kind': 'contact', 'ref': '', 'data': {'email': 'leyla@example.az', 'phone': ''}}
    ]
    entries = await AccessEntry.all().order_by('seq')
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert (await consent.verify_access_log()).ok
    # the citizen asked to be told of each access
    assert await Notice.filter(person_id=leyla.id, type='data_accessed').count() == 4

    # a read that cannot be logged is not served
    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError('disk full')

    monkeypatch.setattr(consent.chain, 'release', broken)
    with pytest.raises(RuntimeError):
        await consent.read_data(actor=bank, fin='5ABC123', categories=['personal'], now=NOW)
    assert await AccessEntry.all().count() == 4
    assert (await consent.list_permissions(actor=leyla.as_actor()))[0].uses == 4
