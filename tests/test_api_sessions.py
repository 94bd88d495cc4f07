"""A person's own session through the API: log in with FIN and password, send the token, log out; the same guessing
limits as the login page, and an API key is no session."""

from __future__ import annotations

from datetime import timedelta

import httpx

from portal.api import PREFIX
from tests.api_kit import Clock, assert_error
from tests.builders import make_key_with_scopes
from tests.factories import NOW, PASSWORD, make_citizen

SESSIONS = f'{PREFIX}/sessions'


async def log_in(http: httpx.AsyncClient, fin: str = '5ABC123', password: str = PASSWORD) -> httpx.Response:
    return await http.post(SESSIONS, json={'fin': fin, 'password': password})


async def test_log_in_use_the_token_and_log_out(http: httpx.AsyncClient, clock: Clock) -> None:
    await make_citizen()
    response = await log_in(http, fin=' 5abc123 ')
    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        'token': body['token'],
        'name': 'Leyla Məmmədova',
        'role': 'citizen',
        'idle_minutes': 30,
        'expires_at': (NOW + timedelta(hours=12)).isoformat().replace('+00:00', 'Z'),
    }
    auth = {'Authorization': f'Bearer {body["token"]}'}
    clock.now = NOW + timedelta(minutes=20)
    assert (
        await http.get(f'{PREFIX}/polls/00000000-0000-4000-8000-000000000000/vote', headers=auth)
    ).status_code == 404
    response = await http.delete(f'{SESSIONS}/current', headers=auth)
    assert response.status_code == 204 and response.content == b''
    assert_error(await http.delete(f'{SESSIONS}/current', headers=auth), 401, 'session_expired')


async def test_an_idle_session_ends(http: httpx.AsyncClient, clock: Clock) -> None:
    await make_citizen()
    token = (await log_in(http)).json()['token']
    clock.now = NOW + timedelta(minutes=31)
    response = await http.delete(f'{SESSIONS}/current', headers={'Authorization': f'Bearer {token}'})
    assert_error(response, 401, 'session_expired')
    assert response.headers['WWW-Authenticate'] == 'Bearer'


async def test_a_wrong_password_or_fin_says_the_same_and_guessing_is_slowed(http: httpx.AsyncClient) -> None:
    await make_citizen()
    wrong = await log_in(http, password='not the password')
    unknown = await log_in(http, fin='9ZZZ999')
    assert_error(wrong, 401, 'invalid_credentials')
    assert_error(unknown, 401, 'invalid_credentials')
    assert wrong.json() == unknown.json()
    for _ in range(4):
        await log_in(http, password='still not it')
    throttled = await log_in(http)  # even the right password waits once the FIN is being guessed
    assert_error(throttled, 429, 'too_many_attempts')
    assert int(throttled.headers['Retry-After']) > 0


async def test_bad_requests_are_refused_by_name(http: httpx.AsyncClient) -> None:
    response = await http.post(SESSIONS, content=b'{"fin": ', headers={'Content-Type': 'application/json'})
    assert_error(response, 400, 'malformed_json')
    assert_error(await http.post(SESSIONS, json={'fin': '5ABC123'}), 422, 'validation_error', 'password')
    response = await http.post(SESSIONS, json={'fin': '5ABC123', 'password': 'x', 'remember': True})
    assert_error(response, 422, 'validation_error', 'remember')
    assert_error(await log_in(http, password='x' * 300), 401, 'invalid_credentials')


async def test_a_person_s_request_needs_a_session_not_an_api_key(http: httpx.AsyncClient) -> None:
    assert_error(await http.delete(f'{SESSIONS}/current'), 401, 'not_logged_in')
    key = await make_key_with_scopes('IH-NESIMI', ['participation:write'])
    response = await http.delete(f'{SESSIONS}/current', headers={'Authorization': f'Bearer {key}'})
    assert_error(response, 401, 'session_required')
    response = await http.delete(f'{SESSIONS}/current', headers={'Authorization': 'Bearer made-up'})
    assert_error(response, 401, 'session_expired')
