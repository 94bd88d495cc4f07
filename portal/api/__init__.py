"""The integrator API (``/api/v1``): a FastAPI sub-application mounted on the parent app."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from portal.api import (
    consent,
    corrections,
    health,
    letters,
    news,
    notices,
    notices_gateway,
    participation,
    payments,
    reception,
    registry,
    services,
    sessions,
)
from portal.api.limits import BodyLimit
from portal.errors import DomainError, Throttled
from portal.observability import FASTAPI_TELEMETRY

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
        telemetry=FASTAPI_TELEMETRY,
    )
    for router in (
        health.router,
        sessions.router,
        registry.router,
        payments.router,
        notices_gateway.router,
        notices.router,
        corrections.router,
        letters.router,
        services.router,
        consent.router,
        participation.router,
        reception.router,
        news.router,
    ):
        _add_routes(api, router)
    api.add_exception_handler(DomainError, _domain_error)  # type: ignore[arg-type]
    api.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    api.add_middleware(BodyLimit)
    return api


def mount_api(app: FastAPI, api: FastAPI | None = None) -> FastAPI:
    """The API (by default a new one) on the parent app at ``PREFIX``, with the citizen's vote on its short path in
    front of it; returns the API app."""
    from portal.api.vote_path import VotePath

    api = api or create_api()
    app.mount(PREFIX, api)
    app.add_middleware(VotePath, prefix=PREFIX, api=api)
    return api


def _add_routes(api: FastAPI, router: APIRouter) -> None:
    """The router's operations, declared on the app itself: an included router is matched through an extra layer on
    every request, which for a few dozen routes costs more than the handler of a small request."""
    for route in router.routes:
        assert isinstance(route, APIRoute), route
        api.add_api_route(
            route.path,
            route.endpoint,
            methods=sorted(route.methods or ()),
            name=route.name,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=route.responses,
            deprecated=route.deprecated,
            operation_id=route.operation_id,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            response_model_exclude_none=route.response_model_exclude_none,
            openapi_extra=route.openapi_extra,
        )


def error_body(code: str, message: str, field: str | None = None) -> dict[str, dict[str, str]]:
    error = {'code': code, 'message': message}
    if field:
        error['field'] = field
    return {'error': error}


async def _domain_error(_: Request, exc: DomainError) -> JSONResponse:
    return domain_error_response(exc)


def domain_error_response(exc: DomainError) -> JSONResponse:
    """A domain error as the API answers it: its status, a JSON body with its stable code, and its headers."""
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


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    headers = dict(exc.headers or {})
    if exc.status_code == 400:  # raised by the framework only when it cannot read the body at all
        if request.headers.get('content-type', '').lower().startswith(('multipart/', 'application/x-www-form')):
            return JSONResponse(error_body('malformed_form', 'The request body is not a valid form.'), status_code=400)
        return JSONResponse(error_body('malformed_json', 'The request body is not valid JSON.'), status_code=400)
    if exc.status_code == 405:  # each operation is a route of its own: name the methods of all routes of this path
        routes = [route for route in request.app.router.routes if isinstance(route, APIRoute)]
        path = next((r.path for r in routes if r.matches(request.scope)[0] is Match.PARTIAL), None)
        methods = {method for route in routes if route.path == path for method in route.methods or ()}
        if methods:
            headers['Allow'] = ', '.join(sorted(methods))
    codes = {404: 'not_found', 405: 'method_not_allowed'}
    code = codes.get(exc.status_code, 'http_error')
    return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=headers)
