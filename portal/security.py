"""Web hardening: security headers on every response, the websocket's origin rule, a new browser id after logout."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

from fastapi import FastAPI
from nicegui import app as nicegui_app
from nicegui import core
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.api import PREFIX
from portal.config import Settings

# the path a browser is sent to after logout (every tab of it): it gets a new browser id there, then the login page
LOGGED_OUT_PATH = '/logged-out'
API_DOCS_PATH = f'{PREFIX}/docs'

# NiceGUI's pages run inline scripts (the import map, the page's start-up) and inline styles (Tailwind generates them in
# the browser), and Vue compiles the elements' templates with `new Function`; everything is loaded from the portal
# itself, ECharts draws on a canvas, uploads preview as blob: images and the favicon is a data: SVG
PAGE_CSP = (
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    # 'self' covers the websocket in current browsers; the ws(s) twin of the public address is listed for older ones
    "connect-src 'self' {websocket}",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
# the API answers JSON and files: nothing in it may run, load or be framed
API_CSP = (
    "default-src 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
# FastAPI's Swagger UI loads its script and style from jsDelivr and its favicon from fastapi.tiangolo.com
API_DOCS_CSP = (
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
    "img-src 'self' data: https://fastapi.tiangolo.com",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
COMMON_HEADERS = {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'X-Frame-Options': 'DENY',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
}
HSTS = 'max-age=31536000'
DEFAULT_PORTS = {'http': 80, 'https': 443}

Headers = tuple[tuple[bytes, bytes], ...]


def harden(app: FastAPI, settings: Settings) -> None:
    """Call once the app is built (after ``ui.run_with``): headers on every response, websocket for own origins."""
    app.add_middleware(SecurityHeaders, **header_rules(settings))
    core.sio.eio.cors_allowed_origins = SocketOrigins(allowed_origins(settings))


def header_rules(settings: Settings) -> dict[str, Any]:
    """The headers of each kind of response, encoded once: pages and static files, the API, the API's docs."""
    websocket = origin_of(settings.base_url).replace('http', 'ws', 1)
    common = dict(COMMON_HEADERS)
    if settings.cookies_secure:  # served over HTTPS: browsers are to come back over HTTPS only
        common['Strict-Transport-Security'] = HSTS

    def encode(csp: Iterable[str]) -> Headers:
        headers = {**common, 'Content-Security-Policy': '; '.join(csp).format(websocket=websocket)}
        return tuple((name.lower().encode('latin-1'), value.encode('latin-1')) for name, value in headers.items())

    return {
        'default': encode(PAGE_CSP),
        'prefixes': ((API_DOCS_PATH, encode(API_DOCS_CSP)), (PREFIX, encode(API_CSP))),
    }


class SecurityHeaders:
    """Pure ASGI middleware: adds the precomputed headers to every HTTP response, keeping any a route set itself
    (a file's stricter Content-Security-Policy, for instance). The first matching path prefix chooses the set."""

    def __init__(self, app: ASGIApp, *, default: Headers, prefixes: tuple[tuple[str, Headers], ...] = ()) -> None:
        self.app = app
        self.default = default
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        path: str = scope['path']
        extra = next((headers for prefix, headers in self.prefixes if path.startswith(prefix)), self.default)

        async def send_with_headers(message: Message) -> None:
            if message['type'] == 'http.response.start':
                headers = list(message.get('headers', ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in extra if header[0] not in present)
                message = {**message, 'headers': headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def allowed_origins(settings: Settings) -> frozenset[str]:
    """The portal's public origin and those of PORTAL_ALLOWED_ORIGINS."""
    origins = {origin_of(settings.base_url)}
    for item in settings.allowed_origins.split(','):
        if item.strip():
            try:
                origins.add(origin_of(item))
            except ValueError:
                raise ValueError(f'PORTAL_ALLOWED_ORIGINS: {item.strip()!r} is not an http(s) origin') from None
    return frozenset(origins)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` as a browser sends it in ``Origin`` (lower case, no default port, no path)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f'not an http(s) address: {url!r}')
    host = f'[{parts.hostname}]' if ':' in parts.hostname else parts.hostname
    port = parts.port  # raises ValueError for a port out of range
    return f'{scheme}://{host}' if port in (None, DEFAULT_PORTS[scheme]) else f'{scheme}://{host}:{port}'


class SocketOrigins:
    """Engine.IO's origin check (``cors_allowed_origins``): a handshake, by polling or websocket, that carries an
    ``Origin`` is accepted only from the portal's own origins or from the address the request came to. A page on
    another site therefore cannot talk to the portal with its visitor's cookie (cross-site websocket hijacking)."""

    def __init__(self, origins: Iterable[str]) -> None:
        self.origins = frozenset(origins)

    def __call__(self, origin: str | None, environ: Mapping[str, Any]) -> bool:
        if not origin:
            return False
        origin = origin.strip().lower()
        if origin in self.origins:
            return True
        host = environ.get('HTTP_HOST')
        if not host:
            return False
        # the scheme as the server saw it (uvicorn sets it from X-Forwarded-Proto only for trusted proxies)
        secure = environ.get('asgi.scope', {}).get('scheme') in {'https', 'wss'}
        try:
            return origin == origin_of(f'{"https" if secure else "http"}://{host}')
        except ValueError:
            return False


async def finish_logout(request: Request) -> RedirectResponse:
    """After logout (``LOGGED_OUT_PATH``): a browser that is logged out gets a new id in its session cookie, so the
    old cookie opens only a storage without a session, even once the person logs in again; the language is carried
    over (and stays with the old id too, so that tabs arriving here at once all keep it). A browser still logged in is
    only sent on, so a link from elsewhere cannot end anyone's session."""
    storage = nicegui_app.storage.user
    if 'session' not in storage:
        lang = storage.get('lang')
        browser_id = str(uuid4())
        request.session['id'] = browser_id  # the session middleware sends the new cookie with this answer
        # NiceGUI creates a browser's storage in its request middleware only; this answer already needs the new one
        await nicegui_app.storage._create_user_storage(browser_id)
        if lang is not None:
            nicegui_app.storage.user['lang'] = lang
    return RedirectResponse('/login', status_code=303)
