"""Notices through the integrator API, as an agency's system sends them (mounted at /api/v1 as in production)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from portal.api import PREFIX, create_api
from portal.api import deps as api_deps
from portal.store.actors import Role
from portal.store.idempotency import IdempotencyKey
from portal.store.notices import cabinet
from portal.store.notices.models import Delivery, Notice, NoticeSettings
from portal.store.people import Person
from tests.api_kit import assert_error
from tests.builders import make_key_with_scopes
from tests.factories import NOW, make_citizen, make_key, make_org, make_person

A_FIN, B_FIN = '5ABC123', '2HT8P4N'
NOTICES = f'{PREFIX}/notifications'
WRITE = ('notifications:write',)
EXPIRY = {'document': 'Identity card', 'number': 'AZE 12345678', 'expires_on': '2027-01-10'}
BODY = {'fin': A_FIN, 'type': 'document_expiry', 'params': EXPIRY, 'link': '/cabinet'}


@pytest.fixture
async def http(sqlite_db: str) -> AsyncIterator[httpx.AsyncClient]:
    sub = create_api()
    parent = FastAPI()
    parent.mount(PREFIX, sub)

    async def clock() -> Any:
        return NOW

    sub.dependency_overrides[api_deps.clock] = clock
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=parent), base_url='http://test') as client:
        yield client


async def key_of(code: str = 'MIA', scopes: tuple[str, ...] = WRITE) -> dict[str, str]:
    return {'Authorization': f'Bearer {await make_key(code, scopes)}'}


async def leyla_with_contacts() -> Person:
    """A citizen who gave a mobile number and an e-mail address."""
    leyla = await make_citizen(A_FIN, password=None)
    await NoticeSettings.create(person_id=leyla.id, email='leyla@example.az', phone='+994501112233', updated_at=NOW)
    return leyla


async def test_an_agency_sends_a_notice_that_reaches_the_citizen_and_their_channels(http: httpx.AsyncClient) -> None:
    leyla = await leyla_with_contacts()
    rashad = await make_citizen(B_FIN, first='Rəşad', password=None)
    sent = await http.post(NOTICES, json={**BODY, 'fin': ' 5abc123 '}, headers=await key_of())

    assert sent.status_code == 201, sent.text
    out = sent.json()
    assert set(out) == {'id', 'type', 'created_at', 'deliveries'}
    assert (out['type'], out['created_at']) == ('document_expiry', '2026-11-20T09:00:00Z')
    # 13:00 in Baku, outside the quiet hours: the SMS goes at once, like the e-mail
    assert out['deliveries'] == [{'channel': 'email', 'state': 'queued'}, {'channel': 'sms', 'state': 'queued'}]

    notice = await Notice.get(id=out['id'])
    assert (notice.person_id, notice.params, notice.link) == (leyla.id, EXPIRY, '/cabinet')
    assert notice.organisation_id == (await make_org('MIA')).id
    deliveries = await Delivery.filter(notice_id=notice.id).order_by('channel').values_list('channel', 'address')
    assert [(str(c), a) for c, a in deliveries] == [('email', 'leyla@example.az'), ('sms', '+994501112233')]
    page = await cabinet.list_notices(actor=leyla.as_actor())
    assert [n.text('en') for n in page.items] == [
        'Your Identity card No. AZE 12345678 is valid until 10.01.2027. Apply for a new one in time.'
    ]
    assert page.items[0].organisation_name_az == 'Daxili İşlər Nazirliyi'
    # nobody else sees it
    assert (await cabinet.list_notices(actor=rashad.as_actor())).total == 0


async def test_a_citizen_without_contacts_gets_the_notice_in_the_cabinet_only(http: httpx.AsyncClient) -> None:
    await make_citizen(A_FIN, password=None)
    body = {'fin': A_FIN, 'type': 'court_case', 'params': {'case': '2-1234/2026', 'court': 'Nəsimi Rayon Məhkəməsi'}}
    sent = await http.post(NOTICES, json=body, headers=await key_of('MOJ'))
    assert sent.status_code == 201, sent.text
    assert sent.json()['deliveries'] == []
    assert (await Notice.get(id=sent.json()['id'])).link == ''


@pytest.mark.parametrize(
    ('change', 'code', 'field', 'named'),
    [
        ({'type': 'weather'}, 'unknown_type', 'type', None),
        ({'type': 'letter_answered', 'params': {'agency': 'X', 'title': 'Y'}}, 'type_not_sendable', 'type', None),
        ({'type': 'application_status'}, 'type_not_sendable', 'type', None),
        ({'params': {'document': 'Identity card', 'number': 'AZE 1'}}, 'missing_variable', 'params', 'expires_on'),
        ({'params': {**EXPIRY, 'colour': 'red'}}, 'unknown_variable', 'params', 'colour'),
        ({'params': {**EXPIRY, 'number': '   '}}, 'invalid_variable', 'params', 'number'),
        ({'params': {**EXPIRY, 'number': 'x' * 301}}, 'invalid_variable', 'params', 'number'),
        ({'params': {**EXPIRY, 'number': ['AZE', '1']}}, 'invalid_variable', 'params', 'number'),
        ({'link': 'https://evil.example/phish'}, 'invalid_link', 'link', None),
        ({'link': '//evil.example'}, 'invalid_link', 'link', None),
    ],
)
async def test_bad_input_is_named_and_nothing_is_sent(
    http: httpx.AsyncClient, change: dict[str, Any], code: str, field: str, named: str | None
) -> None:
    await make_citizen(A_FIN, password=None)
    response = await http.post(NOTICES, json={**BODY, **change}, headers=await key_of())
    message = assert_error(response, 422, code, field)
    if named:
        assert named in message
    assert await Notice.all().count() == 0


async def test_an_unknown_fin_is_not_found(http: httpx.AsyncClient) -> None:
    await make_citizen(A_FIN, password=None)
    response = await http.post(NOTICES, json={**BODY, 'fin': '9ZZZ999'}, headers=await key_of())
    assert_error(response, 404, 'citizen_not_found', 'fin')
    assert await Notice.all().count() == 0


async def test_sending_needs_a_key_with_the_scope(http: httpx.AsyncClient) -> None:
    await make_citizen(A_FIN, password=None)
    no_scope = await key_of('MIA', ('letters:read', 'letters:write'))
    assert_error(await http.post(NOTICES, json=BODY, headers=no_scope), 403, 'insufficient_scope')
    assert_error(await http.post(NOTICES, json=BODY), 401, 'missing_api_key')
    bad = {'Authorization': 'Bearer kab_0000000000000000_nope'}
    assert (await http.post(NOTICES, json=BODY, headers=bad)).status_code == 401
    assert await Notice.all().count() == 0


async def test_a_retry_with_the_same_key_sends_nothing_twice(http: httpx.AsyncClient) -> None:
    await leyla_with_contacts()
    headers = {**await key_of(), 'Idempotency-Key': 'expiry-2027-01-10'}
    first = await http.post(NOTICES, json=BODY, headers=headers)
    again = await http.post(NOTICES, json=BODY, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert await Notice.all().count() == 1 and await Delivery.all().count() == 2

    other = {**BODY, 'params': {**EXPIRY, 'expires_on': '2027-02-10'}}
    assert_error(
        await http.post(NOTICES, json=other, headers=headers), 409, 'idempotency_key_reused', 'Idempotency-Key'
    )
    # the same key of another client is another request
    mine = {**await key_of('MOJ'), 'Idempotency-Key': 'expiry-2027-01-10'}
    assert (await http.post(NOTICES, json=BODY, headers=mine)).status_code == 201
    # without a key, a repeat is a new notice
    plain = await key_of()
    assert (await http.post(NOTICES, json=BODY, headers=plain)).status_code == 201
    assert await Notice.all().count() == 3
    assert await IdempotencyKey.all().count() == 2

    too_long = {**plain, 'Idempotency-Key': 'k' * 121}
    response = await http.post(NOTICES, json=BODY, headers=too_long)
    assert_error(response, 422, 'idempotency_key_invalid', 'Idempotency-Key')
    assert await Notice.all().count() == 3


async def test_the_body_is_checked(http: httpx.AsyncClient) -> None:
    await make_citizen(A_FIN, password=None)
    headers = await key_of()
    assert_error(
        await http.post(NOTICES, json={**BODY, 'colour': 'red'}, headers=headers), 422, 'validation_error', 'colour'
    )
    assert_error(
        await http.post(NOTICES, json={**BODY, 'params': 'x'}, headers=headers), 422, 'validation_error', 'params'
    )
    malformed = await http.post(NOTICES, content=b'{"fin": ', headers={**headers, 'Content-Type': 'application/json'})
    assert_error(malformed, 400, 'malformed_json')
    assert await Notice.all().count() == 0


async def test_an_opt_in_type_to_a_citizen_who_did_not_opt_in_is_refused(http: httpx.AsyncClient) -> None:
    citizen = await make_citizen(A_FIN, password=None)
    body = {'fin': A_FIN, 'type': 'payment_due', 'params': {'what': 'Fine', 'amount': '40.00', 'due_on': '2026-12-01'}}
    response = await http.post(NOTICES, json=body, headers=await key_of())
    assert response.status_code == 422
    assert response.json()['error'] == {
        'code': 'not_subscribed',
        'message': 'The citizen has not asked for notices of this type.',
        'field': 'type',
    }
    assert await Notice.all().count() == 0
    # once the citizen asked for it, the agency's notice goes through
    await NoticeSettings.create(
        person_id=citizen.id,
        email='a@example.az',
        channels={'payment_due': {'email': True}},
        updated_at=datetime.now(UTC),
    )
    assert (await http.post(NOTICES, json=body, headers=await key_of())).status_code == 201


async def test_an_officers_fin_is_not_a_citizens(http: httpx.AsyncClient) -> None:
    await make_person('7MIA001', role=Role.AGENCY_OFFICER, org=await make_org('MIA'))
    body = {'fin': '7MIA001', 'type': 'data_updated', 'params': {'agency': 'DİN', 'what': 'Address'}}
    response = await http.post(NOTICES, json=body, headers=await key_of())
    assert response.status_code == 404 and response.json()['error']['code'] == 'citizen_not_found'


async def test_the_types_are_listed_for_any_key(http: httpx.AsyncClient) -> None:
    assert (await http.get(f'{NOTICES}/types')).status_code == 401
    response = await http.get(
        f'{NOTICES}/types', headers={'Authorization': f'Bearer {await make_key_with_scopes("MIA", ["letters:read"])}'}
    )
    assert response.status_code == 200, response.text
    types = response.json()
    assert [t['number'] for t in types] == list(range(1, 20))
    by_code = {t['code']: t for t in types}
    assert by_code['document_expiry'] == {
        'number': 1,
        'code': 'document_expiry',
        'title': 'A document must be replaced',
        'template': 'Your {document} No. {number} is valid until {expires_on}. Apply for a new one in time.',
        'variables': ['document', 'expires_on', 'number'],
        'agency': True,
        'opt_in': False,
        'channels': ['cabinet', 'sms', 'email'],
    }
    assert (by_code['service_news']['opt_in'], by_code['service_news']['channels']) == (True, ['cabinet'])
    assert by_code['letter_answered']['agency'] is False
    sendable = sorted(t['number'] for t in types if t['agency'])
    assert sendable == [1, 2, 3, 4, 5, 6, 7, 8]
    assert {t['code'] for t in types} >= {'data_updated', 'certificate_revoked', 'application_status'}
