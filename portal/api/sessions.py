"""A person's own session for their own requests (the portal's apps, a citizen voting): log in with FIN and
password, get a session token, send it as ``Authorization: Bearer <token>``, log out. The same rules as the login
page: guessing is slowed per FIN and per address, the answer never tells whether a FIN exists, and a session ends
after 30 idle minutes or 12 hours.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field

from portal.api.deps import CurrentPerson, Now, bearer
from portal.store import auth
from portal.store.actors import Role

router = APIRouter(tags=['sessions'])

LOGIN_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: {'description': '`invalid_credentials`: the FIN or the password is wrong'},
    422: {'description': '`validation_error`: a field is missing or too long'},
    429: {'description': '`too_many_attempts`: too many attempts for this FIN or from this address; see `Retry-After`'},
}
LOGOUT_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {'description': '`not_logged_in`, `session_expired`, `session_required`: no open session behind the token'},
}


class LoginIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    fin: str = Field(max_length=32, description='The personal identification number (FIN), 7 characters')
    password: str = Field(max_length=4 * auth.PASSWORD_MAX)


class SessionOut(BaseModel):
    token: str = Field(description='Send as `Authorization: Bearer <token>`; worthless after logging out')
    name: str
    role: Role
    idle_minutes: int = Field(description='The session ends after this many minutes without a request')
    expires_at: datetime = Field(description='The session ends at this time at the latest')


@router.post('/sessions', response_model=SessionOut, status_code=201, responses=LOGIN_ERRORS)
async def log_in(body: LoginIn, request: Request, now: Now) -> SessionOut:
    """Log in with FIN and password; the answer carries the session token."""
    address = request.client.host if request.client else 'unknown'
    grant = await auth.login_with_password(fin=body.fin, password=body.password, address=address, now=now)
    return SessionOut(
        token=grant.token,
        name=grant.actor.full_name,
        role=grant.actor.role,
        idle_minutes=int(auth.SESSION_IDLE.total_seconds() // 60),
        expires_at=now + auth.SESSION_ABSOLUTE,
    )


@router.delete('/sessions/current', status_code=204, responses=LOGOUT_ERRORS)
async def log_out(
    _person: CurrentPerson,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    now: Now,
) -> Response:
    """End this session: its token is worthless afterwards."""
    await auth.logout(token=credentials.credentials if credentials else None, now=now)
    return Response(status_code=204)
