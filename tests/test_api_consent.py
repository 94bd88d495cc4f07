"""Data sharing with consent through the integrator API: an organisation asks, the citizen decides (in the cabinet,
here through the store), the organisation reads what was granted, and nobody reads what was not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from portal.api import PREFIX
from portal.store.consent import permissions
from portal.store.consent.models import AccessEntry, DataRequest
from portal.store.notices.models import NoticeSettings
from portal.store.people import Person
from tests.api_kit import Clock, assert_error
from tests.builders import make_key_with_scopes
from tests.factories import ADDRESS, ID_CARD, NOW, make_citizen, make_record

A_FIN, B_FIN = '5ABC123', '2HT8P4N'
REQUESTS = f'{PREFIX}/data-requests'
READ = f'{PREFIX}/data/read'
CATEGORIES = f'{PREFIX}/data/categories'
BOTH = ['data:request', 'data:read']
ASK = {
    'fin': A_FIN,
    'categories': ['employment', 'personal'],
    'purpose': 'Checking eligibility for a social housing programme',
    'valid_until': '2027-05-31',
}


async def key_of(code: str = 'MIA', scopes: list[str] = BOTH) -> dict[str, str]:
    return {'Authorization': f'Bearer {await make_key_with_scopes(code, scopes)}'}


async def leyla_with_records() -> Person:
    leyla = await make_citizen(A_FIN, password=None)
    await make_record(leyla, 'id_card', ID_CARD)
    await make_record(leyla, 'address', ADDRESS)
    await make_record(leyla, 'employment', {'employer': 'Azərsu ASC', 'position': 'Mühəndis'}, source='MOJ')
    return leyla


async def ask(http: httpx.AsyncClient, headers: dict[str, str], **change: Any) -> dict[str, Any]:
    response = await http.post(REQUESTS, json={**ASK, **change}, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_a_request_partly_approved_is_read_as_granted_until_revoked(http: httpx.AsyncClient) -> None:
    leyla = await leyla_with_records()
    mia = await key_of()
    asked = await ask(http, mia)
    assert asked == {
        'id': asked['id'],
        'state': 'pending',
        'categories': ['personal', 'employment'],
        'granted': [],
        'purpose': ASK['purpose'],
        'valid_from': '2026-11-20',
        'valid_until': '2027-05-31',
        'created_at': '2026-11-20T09:00:00Z',
        'decided_at': None,
    }
    assert (await http.get(f'{REQUESTS}/{asked["id"]}', headers=mia)).json() == asked
    # nothing can be read before the citizen answers
    assert_error(
        await http.post(READ, json={'fin': A_FIN, 'categories': ['personal']}, headers=mia), 403, 'no_permission'
    )

    decided_at = NOW + timedelta(hours=1)
    await permissions.decide_request(actor=leyla.as_actor(), request_id=asked['id'], grant=['personal'], now=decided_at)
    followed = (await http.get(f'{REQUESTS}/{asked["id"]}', headers=mia)).json()
    assert (followed['state'], followed['granted'], followed['decided_at']) == (
        'partial',
        ['personal'],
        '2026-11-20T10:00:00Z',
    )

    read = await http.post(READ, json={'fin': A_FIN, 'categories': ['personal']}, headers=mia)
    assert read.status_code == 200, read.text
    out = read.json()
    assert set(out) == {'access_id', 'categories', 'records'}
    assert out['categories'] == ['personal']
    assert [(r['kind'], r['data']) for r in out['records']['personal']] == [('address', ADDRESS), ('id_card', ID_CARD)]
    assert out['records']['personal'][0]['updated_at'] == '2026-11-20T09:00:00Z'
    # the citizen sees the read in the data tracker
    tracker = await permissions.list_accesses(actor=leyla.as_actor())
    assert [(str(a.id), a.organisation_code, a.categories) for a in tracker] == [
        (out['access_id'], 'MIA', ('personal',))
    ]

    for refused in (['employment'], ['personal', 'employment']):
        response = await http.post(READ, json={'fin': A_FIN, 'categories': refused}, headers=mia)
        assert 'employer' not in response.text
        assert_error(response, 403, 'category_not_granted', 'categories')

    (permission,) = await permissions.list_permissions(actor=leyla.as_actor())
    await permissions.revoke_permission(actor=leyla.as_actor(), permission_id=permission.id, now=decided_at)
    response = await http.post(READ, json={'fin': A_FIN, 'categories': ['personal']}, headers=mia)
    assert_error(response, 403, 'permission_revoked')
    assert 'Füzuli' not in response.text
    assert len(await permissions.list_accesses(actor=leyla.as_actor())) == 1


async def test_data_shared_in_advance_is_read_without_a_request(http: httpx.AsyncClient) -> None:
    leyla = await make_citizen(A_FIN, password=None)
    await make_record(leyla, 'vehicle', {'plate': '10-AA-123', 'model': 'Toyota Corolla'}, source='DYP')
    await NoticeSettings.create(person_id=leyla.id, email='leyla@example.az', phone='+994501112233', updated_at=NOW)
    dyp = await key_of('DYP', ['data:read'])
    body = {'fin': A_FIN, 'categories': ['transport', 'communications']}
    assert_error(await http.post(READ, json=body, headers=dyp), 403, 'no_permission')

    await permissions.share_in_advance(
        actor=leyla.as_actor(),
        organisation_code='DYP',
        categories=['transport', 'communications'],
        purpose='Road fines',
        valid_until=date(2027, 11, 1),
        now=NOW,
    )
    read = await http.post(READ, json=body, headers=dyp)
    assert read.status_code == 200, read.text
    records = read.json()['records']
    assert [(r['kind'], r['data']['plate']) for r in records['transport']] == [('vehicle', '10-AA-123')]
    assert records['communications'] == [
        {
            'kind': 'contact',
            'ref': '',
            'data': {'email': 'leyla@example.az', 'phone': '+994501112233'},
            'updated_at': None,
        }
    ]
    assert await DataRequest.all().count() == 0
    assert await AccessEntry.filter(person_id=leyla.id).count() == 1


async def test_a_permission_is_read_only_within_its_period(http: httpx.AsyncClient, clock: Clock) -> None:
    leyla = await leyla_with_records()
    mia = await key_of()
    asked = await ask(http, mia, valid_from='2026-12-01', valid_until='2026-12-31', categories=['personal'])
    assert (asked['valid_from'], asked['valid_until']) == ('2026-12-01', '2026-12-31')
    unanswered = await ask(http, mia, valid_until='2026-12-31', categories=['family'])
    await permissions.decide_request(actor=leyla.as_actor(), request_id=asked['id'], grant=['personal'], now=NOW)
    body = {'fin': A_FIN, 'categories': ['personal']}

    assert_error(await http.post(READ, json=body, headers=mia), 403, 'no_permission')  # not started yet
    clock.now = datetime(2026, 12, 31, 19, 59, tzinfo=UTC)  # 23:59 in Baku, the last day
    assert (await http.post(READ, json=body, headers=mia)).status_code == 200
    clock.now = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)  # midnight in Baku
    assert_error(await http.post(READ, json=body, headers=mia), 403, 'permission_expired')
    # once the expiry job ran, the request nobody answered shows as expired
    await permissions.expire(now=clock.now)
    assert (await http.get(f'{REQUESTS}/{unanswered["id"]}', headers=mia)).json()['state'] == 'expired'
    assert_error(await http.post(READ, json=body, headers=mia), 403, 'permission_expired')
    assert await AccessEntry.all().count() == 1


@pytest.mark.parametrize(
    ('change', 'code', 'field'),
    [
        ({'categories': ['personal', 'health']}, 'unknown_category', 'categories'),
        ({'categories': []}, 'categories_required', 'categories'),
        ({'categories': 'personal'}, 'validation_error', 'categories'),
        ({'valid_until': '2026-11-19'}, 'period_in_past', 'valid_until'),
        ({'valid_from': '2026-11-19'}, 'period_in_past', 'valid_from'),
        ({'valid_from': '2027-06-01'}, 'period_in_past', 'valid_until'),
        ({'valid_until': '2030-01-01'}, 'period_too_long', 'valid_until'),
        ({'valid_until': '31.05.2027'}, 'validation_error', 'valid_until'),
        ({'valid_until': '2027-02-30'}, 'validation_error', 'valid_until'),
        ({'purpose': 'x' * 501}, 'too_long', 'purpose'),
        ({'purpose': 'x' * 5000}, 'validation_error', 'purpose'),
        ({'purpose': '   '}, 'purpose_required', 'purpose'),
        ({'fin': ''}, 'validation_error', 'fin'),
        ({'person_id': '1'}, 'validation_error', 'person_id'),
    ],
)
async def test_a_bad_request_is_named_and_nothing_is_asked(
    http: httpx.AsyncClient, change: dict[str, Any], code: str, field: str
) -> None:
    await make_citizen(A_FIN, password=None)
    response = await http.post(REQUESTS, json={**ASK, **change}, headers=await key_of())
    assert_error(response, 422, code, field)
    assert await DataRequest.all().count() == 0


async def test_a_purpose_of_the_longest_length_is_accepted(http: httpx.AsyncClient) -> None:
    await make_citizen(A_FIN, password=None)
    asked = await ask(http, await key_of(), purpose='  ' + 'x' * 500 + '  ')
    assert asked['purpose'] == 'x' * 500


@pytest.mark.parametrize(
    ('categories', 'code'),
    [(['health'], 'unknown_category'), ([], 'categories_required'), ([1], 'validation_error')],
)
async def test_a_bad_read_is_named_and_nothing_is_logged(
    http: httpx.AsyncClient, categories: list[Any], code: str
) -> None:
    await leyla_with_records()
    response = await http.post(READ, json={'fin': A_FIN, 'categories': categories}, headers=await key_of())
    assert_error(response, 422, code, 'categories' if code != 'validation_error' else 'categories.0')
    assert await AccessEntry.all().count() == 0


async def test_an_unknown_fin_is_not_found(http: httpx.AsyncClient) -> None:
    await make_citizen(A_FIN, password=None)
    mia = await key_of()
    assert_error(
        await http.post(REQUESTS, json={**ASK, 'fin': '9ZZZ999'}, headers=mia), 404, 'citizen_not_found', 'fin'
    )
    response = await http.post(READ, json={'fin': '9ZZZ999', 'categories': ['personal']}, headers=mia)
    assert_error(response, 404, 'citizen_not_found', 'fin')
    assert await DataRequest.all().count() == 0


async def test_too_many_requests_for_one_citizen_must_wait(http: httpx.AsyncClient, clock: Clock) -> None:
    await make_citizen(A_FIN, password=None)
    await make_citizen(B_FIN, first='Rəşad', password=None)
    mia = await key_of()
    for _ in range(5):
        await ask(http, mia)
    refused = await http.post(REQUESTS, json=ASK, headers=mia)
    assert_error(refused, 429, 'too_many_attempts')
    assert refused.headers['Retry-After'] == '1'
    assert await DataRequest.all().count() == 5
    # another citizen, or another organisation, is not held up
    await ask(http, mia, fin=B_FIN)
    await ask(http, await key_of('MOJ'))
    clock.now = NOW + timedelta(seconds=1)
    await ask(http, mia)
    assert await DataRequest.all().count() == 8


async def test_nobody_reads_or_follows_what_is_not_theirs(http: httpx.AsyncClient) -> None:
    leyla = await leyla_with_records()
    rashad = await make_citizen(B_FIN, first='Rəşad', password=None)
    await make_record(rashad, 'address', {**ADDRESS, 'street': 'Nizami küçəsi'})
    x, y = await key_of('MIA'), await key_of('MOJ')
    asked = await ask(http, x)
    await permissions.decide_request(
        actor=leyla.as_actor(), request_id=asked['id'], grant=['personal', 'employment'], now=NOW
    )
    read_a, read_b = {'fin': A_FIN, 'categories': ['personal']}, {'fin': B_FIN, 'categories': ['personal']}
    assert (await http.post(READ, json=read_a, headers=x)).status_code == 200  # X's own permission works

    # Y, with both scopes but no permission, neither reads A nor sees X's request
    assert_error(await http.post(READ, json=read_a, headers=y), 403, 'no_permission')
    assert_error(await http.get(f'{REQUESTS}/{asked["id"]}', headers=y), 404, 'request_not_found')
    # X's permission from A opens nothing of B's
    response = await http.post(READ, json=read_b, headers=x)
    assert_error(response, 403, 'no_permission')
    assert 'Nizami' not in response.text

    # without a key, or with a wrong one, nothing at all
    for method, url, body in (
        ('POST', REQUESTS, ASK),
        ('GET', f'{REQUESTS}/{asked["id"]}', None),
        ('POST', READ, read_a),
        ('GET', CATEGORIES, None),
    ):
        assert_error(await http.request(method, url, json=body), 401, 'missing_api_key')
        wrong = {'Authorization': 'Bearer kab_0000000000000000_nope'}
        assert_error(await http.request(method, url, json=body, headers=wrong), 401, 'invalid_api_key')

    # each scope opens its own endpoints only
    letters_only = await key_of('MIA', ['letters:read'])
    ask_only = await key_of('MIA', ['data:request'])
    read_only = await key_of('MIA', ['data:read'])
    for headers in (letters_only, read_only):
        assert_error(await http.post(REQUESTS, json=ASK, headers=headers), 403, 'insufficient_scope')
        assert_error(await http.get(f'{REQUESTS}/{asked["id"]}', headers=headers), 403, 'insufficient_scope')
    for headers in (letters_only, ask_only):
        response = await http.post(READ, json=read_a, headers=headers)
        assert 'Füzuli' not in response.text
        assert_error(response, 403, 'insufficient_scope')
    assert (await http.get(f'{REQUESTS}/{asked["id"]}', headers=ask_only)).status_code == 200
    assert (await http.post(READ, json=read_a, headers=read_only)).status_code == 200

    assert len(await permissions.list_accesses(actor=leyla.as_actor())) == 2
    assert await permissions.list_accesses(actor=rashad.as_actor()) == []
    assert await DataRequest.all().count() == 1


async def test_the_categories_are_listed_for_any_key(http: httpx.AsyncClient) -> None:
    response = await http.get(CATEGORIES, headers=await key_of('MIA', ['letters:read']))
    assert response.status_code == 200, response.text
    listed = response.json()
    assert [c['code'] for c in listed] == [
        'personal',
        'employment',
        'family',
        'education',
        'transport',
        'social',
        'communications',
    ]
    assert listed[0] == {
        'code': 'personal',
        'name': 'Personal data',
        'kinds': ['identity', 'id_card', 'passport', 'address', 'marital_status'],
    }
    assert listed[-1] == {'code': 'communications', 'name': 'Communications', 'kinds': []}
