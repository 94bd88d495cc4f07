"""The integrator API (``/api/v1``): a FastAPI sub-application mounted on the parent app."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from portal.api import (
    consent,
    corrections,
    health,
    letters,
    notices,
    notices_gateway,
    participation,
    payments,
    registry,
    services,
    sessions,
)
from portal.api.limits import BodyLimit
from portal.errors import DomainError, Throttled

PREFIX = '/api/v1'


def create_api() -> FastAPI:
    api = FastAPI(
        title='Kabinet API',
        version='1',
        summary='Integrator API of the Kabinet citizen portal',
        description='Integrators authenticate with `Authorization: Bearer <key>`; keys are scoped to one agency. '
        "A person's own requests (a citizen's vote) carry the token of their session instead (`POST /sessions`). "
        "Citizens' FINs travel in JSON bodies, never in URLs.",
        openapi_url='/openapi.json',
        docs_url='/docs',
        redoc_url=None,
    )
    api.include_router(health.router)
    api.include_router(sessions.router)
    api.include_router(registry.router)
    api.include_router(payments.router)
    api.include_router(notices_gateway.router)
    api.include_router(notices.router)
    api.include_router(corrections.router)
    api.include_router(letters.router)
    api.include_router(services.router)
    api.include_router(consent.router)
    api.include_router(participation.router)
    api.add_exception_handler(DomainError, _domain_error)  # type: ignore[arg-type]
    api.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    api.add_middleware(BodyLimit)
    return api


def error_body(code: str, message: str, field: str | None = None) -> dict[str, dict[str, str]]:
    error = {'code': code, 'message': message}
    if field:
        error['field'] = field
    return {'error': error}


async def _domain_error(_: Request, exc: DomainError) -> JSONResponse:
    headers = {'WWW-Authenticate': 'Bearer'} if exc.status == 401 else {}
    if isinstance(exc, Throttled):
        headers['Retry-After'] = str(exc.retry_after)
    message = exc.message.format(**exc.params) if exc.params else exc.message
    return JSONResponse(error_body(exc.code, message, exc.field), status_code=exc.status, headers=headers)


async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    first = errors[0] if errors else {'loc': (), 'msg': 'invalid request', 'type': ''}
    if first.get('type') == 'json_invalid':
        return JSONResponse(error_body('malformed_json', 'The request body is not valid JSON.'), status_code=400)
    loc = [str(p) for p in first.get('loc', ())]
    if loc and loc[0] == 'body':  # where the field is, not a field named 'body'
        loc = loc[1:]
    field = '.'.join(loc) or None
    message = f'The field {field} is not valid: {first.get("msg")}' if field else str(first.get('msg'))
    return JSONResponse(error_body('validation_error', message, field), status_code=422)


async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    codes = {404: 'not_found', 405: 'method_not_allowed'}
    code = codes.get(exc.status_code, 'http_error')
    return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers)
