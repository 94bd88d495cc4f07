"""The citizen's vote on its short path (``portal.api.vote_path``): a well-formed vote is answered there, with the
route's own answers; anything else reaches the route unchanged, its body included."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
from fastapi import FastAPI
from starlette.types import Message

from portal.api import PREFIX, deps, mount_api
from portal.api.vote_path import VotePath
from portal.store.participation import voting
from portal.store.participation.models import Participation, SealedBallot
from tests.api_kit import Clock, assert_error
from tests.builders import make_key_with_scopes
from tests.factories import NOW, PASSWORD, make_citizen

POLLS = f'{PREFIX}/polls'
NEW_POLL = {
    'question': 'Həyətdə yeni skamyalar qoyulsun?',
    'options': ['Bəli', 'Xeyr'],
    'opens_at': NOW.isoformat(),
    'closes_at': '2026-11-27T09:00:00Z',
}


async def _poll_and_citizen(http: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, str]]:
    key = {'Authorization': f'Bearer {await make_key_with_scopes("IH-NESIMI", ["participation:write"])}'}
    poll = (await http.post(POLLS, json=NEW_POLL, headers=key)).json()
    await make_citizen('5ZK2M7R')
    token = (await http.post(f'{PREFIX}/sessions', json={'fin': '5ZK2M7R', 'password': PASSWORD})).json()['token']
    return poll, {'Authorization': f'Bearer {token}'}


async def test_a_well_formed_vote_is_answered_on_the_short_path_as_the_route_answers(
    http: httpx.AsyncClient, clock: Clock
) -> None:
    poll, leyla = await _poll_and_citizen(http)
    # the same portal, but with an API app that has no routes at all: only the short path can answer a vote
    bare = FastAPI()
    parent = FastAPI()
    mount_api(parent, bare)

    async def now() -> datetime:
        return clock.now

    bare.dependency_overrides[deps.clock] = now
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=parent), base_url='http://test') as short:
        url = f'{POLLS}/{poll["id"]}/vote'
        yes, no = (o['id'] for o in poll['options'])
        response = await short.post(url, json={'option': yes}, headers=leyla)
        assert (response.status_code, response.json()) == (201, {'voted': True})
        assert response.headers['content-type'] == 'application/json'
        assert await Participation.filter(poll_id=poll['id']).count() == 1
        assert await SealedBallot.filter(poll_id=poll['id']).count() == 1

        # its refusals are the route's, with their status, code and headers
        assert_error(await short.post(url, json={'option': no}, headers=leyla), 422, 'already_voted')
        unknown = f'{POLLS}/00000000-0000-4000-8000-000000000000/vote'
        assert_error(await short.post(unknown, json={'option': yes}, headers=leyla), 404, 'poll_not_found')
        expired = await short.post(url, json={'option': yes}, headers={'Authorization': 'Bearer not-a-session'})
        assert_error(expired, 401, 'session_expired')
        assert expired.headers['www-authenticate'] == 'Bearer'

        # anything the short path does not take goes on to the API app (which here has no route: 404)
        for request in (
            {'json': {'option': 'yes'}, 'headers': leyla},
            {'json': {'option': yes, 'more': 1}, 'headers': leyla},
            {'json': [yes], 'headers': leyla},
            {'content': b'{"option": ', 'headers': {**leyla, 'Content-Type': 'application/json'}},
            {'content': f'option={yes}', 'headers': {**leyla, 'Content-Type': 'application/x-www-form-urlencoded'}},
            {'json': {'option': yes}},
            {'json': {'option': yes}, 'headers': {'Authorization': 'Basic eDp5'}},
            {'json': {'option': yes}, 'headers': {'Authorization': 'Bearer kab_x_y'}},
        ):
            assert (await short.post(url, **request)).json() == {'detail': 'Not Found'}, request
        assert (await short.get(url, headers=leyla)).json() == {'detail': 'Not Found'}
        braced = f'{POLLS}/{{{poll["id"]}}}/vote'
        assert (await short.post(braced, json={'option': yes}, headers=leyla)).json() == {'detail': 'Not Found'}
    assert await Participation.filter(poll_id=poll['id']).count() == 1


async def test_what_the_short_path_leaves_reaches_the_route_with_its_body(http: httpx.AsyncClient) -> None:
    poll, leyla = await _poll_and_citizen(http)
    url = f'{POLLS}/{poll["id"]}/vote'
    yes = poll['options'][0]['id']
    # the route reads the replayed body: an unexpected field is named, a malformed body is told as such
    assert_error(
        await http.post(url, json={'option': yes, 'extra': 1}, headers=leyla), 422, 'validation_error', 'extra'
    )
    malformed = await http.post(url, content=b'{"option": ', headers={**leyla, 'Content-Type': 'application/json'})
    assert_error(malformed, 400, 'malformed_json')
    assert_error(await http.post(url, json={'option': yes}, headers=await _api_key()), 401, 'session_required')
    assert not await voting.has_voted(actor=(await make_citizen('2HT8P4N')).as_actor(), poll_id=UUID(poll['id']))
    assert await Participation.filter(poll_id=poll['id']).count() == 0


async def test_a_long_body_arriving_in_pieces_is_handed_on_whole() -> None:
    """Over its 1 KiB the short path stops reading and hands the route what it read, then the rest."""
    received: list[bytes] = []

    async def route(scope: Any, receive: Any, send: Any) -> None:
        more = True
        while more:
            message = await receive()
            received.append(message['body'])
            more = message['more_body']
        await send({'type': 'http.response.start', 'status': 204, 'headers': []})
        await send({'type': 'http.response.body', 'body': b''})

    pieces = [b'{"option": "' + b' ' * 700, b' ' * 700, b'"}']
    messages = [{'type': 'http.request', 'body': p, 'more_body': n < len(pieces) - 1} for n, p in enumerate(pieces)]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    path = VotePath(route, prefix=PREFIX, api=FastAPI())
    scope = {
        'type': 'http',
        'method': 'POST',
        'path': f'{POLLS}/00000000-0000-4000-8000-000000000000/vote',
        'headers': [(b'authorization', b'Bearer abc'), (b'content-type', b'application/json')],
    }
    await path(scope, receive, send)
    assert b''.join(received) == b''.join(pieces)
    assert sent[0]['status'] == 204


async def _api_key() -> dict[str, str]:
    return {'Authorization': f'Bearer {await make_key_with_scopes("IH-NESIMI", ["participation:write"])}'}
