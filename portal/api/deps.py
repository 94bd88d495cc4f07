"""Shared API dependencies: the calling integrator (resolved from its bearer key), the clock, the idempotency key."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Header
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from portal.errors import N_, Unauthorized
from portal.store import apikeys
from portal.store.actors import ApiActor
from portal.store.idempotency import KEY_MAX

_bearer = HTTPBearer(auto_error=False, description='An API key created with `python -m portal api-key create`')


async def current_client(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
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
