"""Shared API dependencies: the calling integrator (resolved from its bearer key), the clock, the idempotency key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Header
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from portal.errors import N_, Unauthorized
from portal.store import apikeys, auth
from portal.store.actors import ApiActor, PersonActor
from portal.store.idempotency import KEY_MAX

bearer = HTTPBearer(auto_error=False, description='An API key created with `python -m portal api-key create`')


async def current_client(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> ApiActor:
    if credentials is None or credentials.scheme.lower() != 'bearer' or not credentials.credentials:
        raise Unauthorized('missing_api_key', N_('Send an API key as "Authorization: Bearer <key>".'))
    return await apikeys.authenticate(key=credentials.credentials, now=datetime.now(UTC))


CurrentClient = Annotated[ApiActor, Depends(current_client)]


async def clock() -> datetime:
    """The moment a request is handled (a dependency, so that tests can set the clock, e.g. for legal deadlines)."""
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(clock)]
IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias='Idempotency-Key',
        description=f'Any unique string of up to {KEY_MAX} printable characters; a retry with the same key and the '
        'same request returns the first result and does nothing twice',
    ),
]


async def current_person(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)], now: Now
) -> PersonActor:
    """A person's own requests (a citizen voting, say) carry the token of their portal session, not an API key."""
    if credentials is None or credentials.scheme.lower() != 'bearer' or not credentials.credentials:
        raise Unauthorized(
            'not_logged_in', N_('Send a session token as "Authorization: Bearer <token>" (POST /sessions gives one).')
        )
    if credentials.credentials.startswith(f'{apikeys.KEY_PREFIX}_'):
        raise Unauthorized(
            'session_required', N_("This is a person's own request: send a session token, not an API key.")
        )
    return await auth.resolve_session(token=credentials.credentials, now=now)


CurrentPerson = Annotated[PersonActor, Depends(current_person)]
