"""The citizen's vote (``POST /api/v1/polls/{id}/vote``) on a short path: pure ASGI in front of the API app.

Votes come in bursts (a poll announced in a district, a closing hour), and each is a tiny request whose own work is
a session look-up and a place in the next group commit; going through the framework's routing, dependency solving
and validation would cost several times that work. A well-formed vote (the canonical poll id in the path, a
``Bearer`` session token, a JSON body holding exactly ``{"option": "<uuid>"}``) is therefore answered here, by the
same use cases and with the same answers (status, JSON error body, headers) as the documented route. Any other
request, a malformed vote included, goes on to the API app unchanged (its body replayed), so that every error
message is the route's own.
"""

from __future__ import annotations

import re
from datetime import datetime
from uuid import UUID

import orjson
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.api import deps, domain_error_response
from portal.errors import DomainError
from portal.store import apikeys, auth
from portal.store.participation import voting

_UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
_OPTION = re.compile(_UUID)
# a vote's body is about 50 bytes: anything much longer is left to the route (and its body limit)
_BODY_MAX = 1024
_API_KEY = f'{apikeys.KEY_PREFIX}_'.encode()
# the route's answer to a vote, as its JSONResponse would send it
_VOTED = JSONResponse({'voted': True}, status_code=201)


class VotePath:
    """ASGI middleware on the parent app; ``api`` is the API app mounted at ``prefix``, whose clock the short path
    reads (a dependency override of ``deps.clock`` included, as the route would)."""

    def __init__(self, app: ASGIApp, *, prefix: str, api: FastAPI) -> None:
        self.app = app
        self._prefix = prefix
        self._path = re.compile(re.escape(prefix) + f'/polls/({_UUID})/vote')
        self._api = api
        # the route this path stands in for, left in the scope as the route would leave it (metrics label by it)
        self._route = next(
            (
                r
                for r in api.routes
                if isinstance(r, APIRoute) and r.path_format == '/polls/{poll_id}/vote' and 'POST' in (r.methods or ())
            ),
            None,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = self._path.fullmatch(scope['path']) if scope['type'] == 'http' and scope['method'] == 'POST' else None
        if match is None:
            await self.app(scope, receive, send)
            return
        token = _session_token(scope)
        if token is None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more and size <= _BODY_MAX:
            message = await receive()
            if message['type'] != 'http.request':  # the client went away
                return
            chunks.append(message.get('body', b''))
            size += len(chunks[-1])
            more = message.get('more_body', False)
        body = b''.join(chunks)
        option = None if more else _option(body)
        if option is None:
            await self.app(scope, _replay(body, more, receive), send)
            return
        if self._route is not None:
            scope['route'], scope['root_path'] = self._route, scope.get('root_path', '') + self._prefix
        now = await self._api.dependency_overrides.get(deps.clock, deps.clock)()
        error = await _vote(token, UUID(match.group(1)), option, now)
        if error is not None:
            await error(scope, receive, send)
            return
        # fresh messages each time: a middleware outside may add headers to the list it is given
        await send({'type': 'http.response.start', 'status': 201, 'headers': list(_VOTED.raw_headers)})
        await send({'type': 'http.response.body', 'body': _VOTED.body})


async def _vote(token: str, poll_id: UUID, option_id: UUID, now: datetime) -> Response | None:
    """None once the vote is written, else the error the route would answer."""
    try:
        person = await auth.resolve_session(token=token, now=now)
        await voting.cast_vote(actor=person, poll_id=poll_id, option_id=option_id, now=now)
    except DomainError as exc:
        return domain_error_response(exc)
    return None


def _session_token(scope: Scope) -> str | None:
    """The bearer token, when it is a session token the short path can take; None leaves the request to the route."""
    content_type = None
    authorization = None
    for name, value in scope['headers']:
        if name == b'authorization' and authorization is None:
            authorization = value
        elif name == b'content-type' and content_type is None:
            content_type = value
    if authorization is None or content_type is None or not content_type.startswith(b'application/json'):
        return None
    scheme, _, credentials = authorization.partition(b' ')
    if scheme.lower() != b'bearer' or not credentials or credentials.startswith(_API_KEY):
        return None
    return credentials.decode('latin-1')  # as Starlette reads headers: every byte is a character


def _option(body: bytes) -> UUID | None:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or len(data) != 1:
        return None
    option = data.get('option')
    if not isinstance(option, str) or _OPTION.fullmatch(option) is None:
        return None
    return UUID(option)


def _replay(body: bytes, more: bool, receive: Receive) -> Receive:
    """A receive that hands the route the body read so far, then the rest from the client."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {'type': 'http.request', 'body': body, 'more_body': more}
        return await receive()

    return replay
