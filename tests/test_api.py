"""The integrator API, as an agency's system sees it (the sub-application is mounted at /api/v1 in production)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from portal.api import create_api
from portal.store.apikeys import ApiClient, revoke_api_key
from portal.store.audit import HistoryEvent
from portal.store.registry import RegistryRecord
from tests.builders import make_key_with_scopes
from tests.factories import ADDRESS, ID_CARD, NOW, make_citizen, make_key

FIN = '5ABC123'
RECORDS = '/registry/records'


@pytest.fixture
async def client(sqlite_db: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url='http://test') as http:
        yield http


@pytest.fixture
async def keys(sqlite_db: str) -> dict[str, str]:
    """One citizen, and the keys the tests present (key name -> Authorization header value)."""
    await make_citizen(FIN, password=None)
    revoked = await make_key('MIA')
    await revoke_api_key(lookup=revoked.split('_')[1], now=NOW)
    good = await make_key('MIA')
    lookup = good.split('_')[1]
    return {
        'mia': f'Bearer {good}',
        'moj': f'Bearer {await make_key("MOJ")}',
        'dyp': f'Bearer {await make_key("DYP")}',
        'no_scope': f'Bearer {await make_key_with_scopes("MIA", [])}',
        'revoked': f'Bearer {revoked}',
        'garbage': 'Bearer not-a-key',
        'unknown_lookup': f'Bearer kab_0000000000000000_{good.split("_", 2)[2]}',
        'wrong_secret': f'Bearer kab_{lookup}_{"x" * 43}',
        'basic': 'Basic dXNlcjpwYXNz',
        'empty_bearer': 'Bearer ',
    }


def record(**changes: Any) -> dict[str, Any]:
    return {'fin': FIN, 'kind': 'address', 'data': ADDRESS, **changes}


async def nothing_written() -> bool:
    return await RegistryRecord.all().count() == 0 and await HistoryEvent.all().count() == 0


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers['content-type'].startswith('application/json')
    body = response.json()
    assert set(body) == {'error'}
    error = body['error']
    assert isinstance(error, dict)
    assert error['code'] == code
    assert isinstance(error['message'], str)
    assert error['message']
    assert not re.search(r'\{[a-z_]+\}', error['message'])  # placeholders are filled in
    assert set(error) <= {'code', 'message', 'field'}
    return error


async def test_health_needs_no_key(client: httpx.AsyncClient) -> None:
    response = await client.get('/health')
    assert response.status_code == 200
    assert (response.json()['status'], response.json()['database']) == ('ok', 'ok')


@dataclass(frozen=True)
class Case:
    id: str
    key: str | None  # a name from the ``keys`` fixture, or None for no Authorization header
    body: dict[str, Any] | bytes  # JSON, or raw bytes sent as application/json
    status: int
    code: str
    field: str | None = None


ERROR_CASES = [
    Case('no-key', None, record(), 401, 'missing_api_key'),
    Case('basic-auth', 'basic', record(), 401, 'missing_api_key'),
    Case('empty-bearer', 'empty_bearer', record(), 401, 'missing_api_key'),
    Case('garbage-key', 'garbage', record(), 401, 'invalid_api_key'),
    Case('unknown-key', 'unknown_lookup', record(), 401, 'invalid_api_key'),
    Case('wrong-secret', 'wrong_secret', record(), 401, 'invalid_api_key'),
    Case('revoked-key', 'revoked', record(), 401, 'invalid_api_key'),
    Case('no-scope', 'no_scope', record(), 403, 'insufficient_scope'),
    Case('not-owner', 'dyp', record(), 403, 'kind_not_owned', 'kind'),
    Case('not-owner-moj', 'moj', record(kind='id_card', data=ID_CARD), 403, 'kind_not_owned', 'kind'),
    Case('malformed-json', 'mia', b'{"fin": "5ABC123", "kind": ', 400, 'malformed_json'),
    Case('extra-field', 'mia', record(source='MIA'), 422, 'validation_error', 'source'),
    Case('missing-data', 'mia', {'fin': FIN, 'kind': 'address'}, 422, 'validation_error', 'data'),
    Case('data-not-object', 'mia', record(data=['x']), 422, 'validation_error', 'data'),
    Case('long-fin', 'mia', record(fin='5' * 17), 422, 'validation_error', 'fin'),
    Case('long-ref', 'mia', record(ref='r' * 65), 422, 'validation_error', 'ref'),
    Case(
        'bad-date',
        'mia',
        record(kind='id_card', data={**ID_CARD, 'expires_on': 'soon'}),
        422,
        'invalid_record',
        'data.expires_on',
    ),
    Case('missing-in-data', 'mia', record(data={**ADDRESS, 'street': ''}), 422, 'invalid_record', 'data.street'),
    Case('unknown-kind', 'mia', record(kind='spaceship'), 404, 'unknown_kind', 'kind'),
    Case('unknown-fin', 'mia', record(fin='9ZZZ999'), 404, 'citizen_not_found', 'fin'),
    Case('malformed-fin', 'mia', record(fin='ABC-123'), 422, 'fin_malformed', 'fin'),
]


@pytest.mark.parametrize('case', [pytest.param(c, id=c.id) for c in ERROR_CASES])
async def test_errors_have_one_shape_and_write_nothing(
    client: httpx.AsyncClient, keys: dict[str, str], case: Case
) -> None:
    headers = {'Authorization': keys[case.key]} if case.key else {}
    if isinstance(case.body, bytes):
        headers['Content-Type'] = 'application/json'
        response = await client.post(RECORDS, content=case.body, headers=headers)
    else:
        response = await client.post(RECORDS, json=case.body, headers=headers)

    error = assert_error(response, case.status, case.code)
    assert error.get('field') == case.field
    if case.status == 401:
        assert response.headers['WWW-Authenticate'] == 'Bearer'
    else:
        assert 'WWW-Authenticate' not in response.headers
    assert await nothing_written()


async def test_invalid_record_message_names_the_field_and_the_reason(
    client: httpx.AsyncClient, keys: dict[str, str]
) -> None:
    body = record(kind='id_card', data={**ID_CARD, 'number': '12A4567'})
    response = await client.post(RECORDS, json=body, headers={'Authorization': keys['mia']})
    error = assert_error(response, 422, 'invalid_record')
    assert error['field'] == 'data.number'
    assert error['message'].startswith('The field data.number is not valid: ')


async def test_unknown_kind_message_names_the_kind(client: httpx.AsyncClient, keys: dict[str, str]) -> None:
    response = await client.post(RECORDS, json=record(kind='spaceship'), headers={'Authorization': keys['mia']})
    assert assert_error(response, 404, 'unknown_kind')['message'] == 'Unknown kind of record: spaceship.'


async def test_create_then_update(client: httpx.AsyncClient, keys: dict[str, str]) -> None:
    auth = {'Authorization': keys['mia']}
    created = await client.post(RECORDS, json=record(fin=FIN.lower()), headers=auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {'id', 'kind', 'ref', 'data', 'source', 'valid_until', 'version', 'updated_at'}
    assert (body['kind'], body['ref'], body['data'], body['source'], body['version']) == (
        'address',
        '',
        ADDRESS,
        'MIA',
        1,
    )
    assert body['valid_until'] is None

    moved = {**ADDRESS, 'street': 'Azadlıq prospekti'}
    updated = await client.post(RECORDS, json=record(data=moved), headers=auth)
    assert updated.status_code == 200, updated.text
    assert updated.json()['id'] == body['id']
    assert updated.json()['version'] == 2
    assert updated.json()['data'] == moved
    assert await RegistryRecord.all().count() == 1
    assert await HistoryEvent.all().count() == 2

    card = await client.post(RECORDS, json=record(kind='id_card', data=ID_CARD), headers=auth)
    assert card.status_code == 201
    assert card.json()['valid_until'] == '2028-01-10'
    assert (await ApiClient.get(lookup=keys['mia'].split('_')[1])).last_used_at is not None


async def test_unknown_path_and_method_use_the_error_shape(client: httpx.AsyncClient) -> None:
    assert_error(await client.get('/nope'), 404, 'not_found')
    assert_error(await client.get(RECORDS), 405, 'method_not_allowed')


async def test_openapi_documents_bearer_auth_and_keeps_fins_out_of_urls(client: httpx.AsyncClient) -> None:
    response = await client.get('/openapi.json')
    assert response.status_code == 200
    spec = response.json()

    schemes = spec['components']['securitySchemes']
    assert [s['scheme'].lower() for s in schemes.values() if s['type'] == 'http'] == ['bearer']
    operation = spec['paths'][RECORDS]['post']
    assert any(set(req) & set(schemes) for req in operation['security'])
    assert {'200', '201', '401', '403', '404', '422'} <= set(operation['responses'])

    assert spec['paths']
    for path, operations in spec['paths'].items():
        assert 'fin' not in path.lower()
        for op in operations.values():
            names = [p['name'].lower() for p in op.get('parameters', [])]
            assert 'fin' not in names, (path, names)
