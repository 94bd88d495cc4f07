"""Web hardening: security headers on every response, the websocket's origin rule, logout ending the old cookie and
the session's other tabs, and Secure cookies over HTTPS."""

from __future__ import annotations

import importlib
import re
import shutil
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from nicegui import __version__ as nicegui_version
from nicegui import core
from nicegui.testing import User
from nicegui.testing.general import nicegui_reset_globals
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from portal.app import create_app
from portal.config import Settings
from portal.security import SecurityHeaders, SocketOrigins, allowed_origins, header_rules, origin_of
from tests.browser_kit import CHROMIUM, CHROMIUM_ARGS, Portal
from tests.factories import make_citizen
from tests.test_ui_login import WAIT, login

POLLING = '/_nicegui_ws/socket.io/?EIO=4&transport=polling'
STATIC = f'/_nicegui/{nicegui_version}/static/nicegui.js'
ALWAYS = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-frame-options': 'DENY',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
}


@asynccontextmanager
async def built_portal(base_url: str = 'http://portal.test', **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app exactly as ``portal.app.create_app`` builds it (NiceGUI mounted, middleware, socket.io), reached
    through ASGI; the database is the test's (``sqlite_db``)."""
    with nicegui_reset_globals():
        app = create_app(Settings(demo=True, scheduler=False, **settings))
        eio = core.sio.eio
        try:
            async with core.app.router.lifespan_context(core.app):
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as http:
                    yield http
        finally:
            for socket in list(eio.sockets.values()):  # the polling sessions a test opened (no poll will drain them)
                await socket.close(wait=False, abort=True)
            eio.sockets.clear()
            if eio.service_task_handle is not None:
                await eio.shutdown()
                eio.start_service_task = True
    if 'portal' not in sys.modules:  # NiceGUI's reset drops the page modules' packages
        importlib.import_module('portal')


def csp(response: httpx.Response) -> dict[str, str]:
    directives = (d.strip().split(' ', 1) for d in response.headers['content-security-policy'].split(';'))
    return {d[0]: d[1] if len(d) > 1 else '' for d in directives}


def assert_hardened(response: httpx.Response) -> dict[str, str]:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (response.url, name)
    policy = csp(response)
    assert policy['frame-ancestors'] == "'none'"
    assert policy['object-src'] == "'none'"
    assert policy['base-uri'] == "'self'"
    assert policy['form-action'] == "'self'"
    return policy


async def test_a_page_a_static_file_and_the_api_carry_the_security_headers(sqlite_db: str) -> None:
    async with built_portal() as http:
        page = await http.get('/login')
        assert page.status_code == 200 and page.headers['x-nicegui-content'] == 'page'
        policy = assert_hardened(page)
        assert policy['default-src'] == "'self'"
        # what NiceGUI needs: inline start-up scripts and styles, Vue's template compiler, data: favicon, websocket
        assert policy['script-src'] == "'self' 'unsafe-inline' 'unsafe-eval'"
        assert policy['style-src'] == "'self' 'unsafe-inline'"
        assert policy['img-src'] == "'self' data: blob:"
        assert policy['connect-src'] == "'self' ws://127.0.0.1:8080"
        assert 'strict-transport-security' not in page.headers  # plain HTTP (demo): no HSTS

        static = await http.get(STATIC)
        assert static.status_code == 200 and 'javascript' in static.headers['content-type']
        assert assert_hardened(static) == policy

        api = await http.get('/api/v1/health')
        assert api.status_code == 200
        assert assert_hardened(api)['default-src'] == "'none'"  # the API's JSON runs and loads nothing
        missing = await http.get('/api/v1/nothing-here')
        assert missing.status_code == 404 and missing.json()['error']['code'] == 'not_found'
        assert assert_hardened(missing)['default-src'] == "'none'"

        docs = await http.get('/api/v1/docs')
        assert docs.status_code == 200 and 'swagger-ui' in docs.text
        assert 'https://cdn.jsdelivr.net' in assert_hardened(docs)['script-src']


async def test_over_https_pages_and_api_add_hsts(sqlite_db: str) -> None:
    async with built_portal(
        'https://kabinet.example.az', secure_cookies=True, public_url='https://kabinet.example.az'
    ) as http:
        for path in ('/login', STATIC, '/api/v1/health'):
            response = await http.get(path)
            assert response.status_code == 200, path
            assert response.headers['strict-transport-security'] == 'max-age=31536000'
            assert_hardened(response)
        assert csp(await http.get('/login'))['connect-src'] == "'self' wss://kabinet.example.az"


async def test_a_header_the_route_set_itself_is_kept() -> None:
    async def attachment(_: object) -> Response:
        return PlainTextResponse('%PDF', headers={'Content-Security-Policy': "default-src 'none'; sandbox"})

    app = SecurityHeaders(Starlette(routes=[Route('/file', attachment)]), **header_rules(Settings(demo=True)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url='http://test') as http:
        response = await http.get('/file')
    assert response.headers.get_list('content-security-policy') == ["default-src 'none'; sandbox"]
    assert response.headers['x-frame-options'] == 'DENY'


async def test_the_socket_handshake_is_refused_from_a_foreign_origin(sqlite_db: str) -> None:
    extra = 'https://e-xidmet.example.az, http://localhost:3000'
    async with built_portal(public_url='https://kabinet.example.az', allowed_origins=extra) as http:
        for origin in ('https://evil.example', 'http://portal.test.evil.example', 'https://portal.test', 'null'):
            refused = await http.get(POLLING, headers={'Origin': origin})
            assert refused.status_code == 400, origin
            assert 'not an accepted origin' in refused.text
            assert 'access-control-allow-origin' not in refused.headers

        # the address the request came to, the public address and the further allowed origins
        for origin in ('http://portal.test', 'https://kabinet.example.az', 'https://e-xidmet.example.az'):
            accepted = await http.get(POLLING, headers={'Origin': origin})
            assert accepted.status_code == 200, origin
            assert accepted.text.startswith('0{"sid":')
            assert accepted.headers['access-control-allow-origin'] == origin

        # a client that sends no Origin is no browser page: nothing to protect a visitor's cookie from
        assert (await http.get(POLLING)).status_code == 200


def test_the_origin_rule_follows_the_scheme_the_request_came_with() -> None:
    check = SocketOrigins(allowed_origins(Settings(demo=True, public_url='https://kabinet.example.az/')))
    secure = {'HTTP_HOST': 'kabinet.local:8443', 'asgi.scope': {'scheme': 'wss'}}
    assert check('https://kabinet.local:8443', secure)
    assert not check('http://kabinet.local:8443', secure)
    assert check('HTTPS://Kabinet.Example.AZ', {})
    assert not check('https://kabinet.example.az.evil.example', {'HTTP_HOST': 'kabinet.local'})
    assert not check(None, secure)
    assert origin_of('https://kabinet.example.az:443/path') == 'https://kabinet.example.az'
    assert origin_of('http://[::1]:8080') == 'http://[::1]:8080'
    with pytest.raises(ValueError, match='PORTAL_ALLOWED_ORIGINS'):
        allowed_origins(Settings(demo=True, allowed_origins='kabinet.example.az'))


async def test_session_cookies_are_secure_httponly_and_lax_over_https(sqlite_db: str) -> None:
    async with built_portal('https://kabinet.example.az', secure_cookies=True) as http:
        first = await http.get('/login')
        cookie = first.headers['set-cookie'].lower()
        assert cookie.startswith('session=')
        assert {'secure', 'httponly', 'samesite=lax'} <= {part.strip() for part in cookie.split(';')}
        old = http.cookies['session']

        # the cookie the portal sets itself: the new browser id after logout
        rotated = await http.get('/logged-out')
        assert rotated.status_code == 303 and rotated.headers['location'] == '/login'
        cookie = rotated.headers['set-cookie'].lower()
        assert {'secure', 'httponly', 'samesite=lax'} <= {part.strip() for part in cookie.split(';')}
        assert http.cookies['session'] != old


async def test_demo_over_plain_http_cookies_are_not_secure(sqlite_db: str) -> None:
    async with built_portal() as http:
        cookie = (await http.get('/login')).headers['set-cookie'].lower()
    parts = {part.strip() for part in cookie.split(';')}
    assert {'httponly', 'samesite=lax'} <= parts and 'secure' not in parts


async def test_the_old_cookie_opens_the_login_page_after_logout_even_once_logged_in_again(user: User) -> None:
    await make_citizen('5ABC123')
    await login(user, '5ABC123')
    await user.should_see(marker='welcome')
    stolen = {'session': user.http_client.cookies['session']}
    assert (await _cabinet(stolen)).status_code == 200

    user.find(marker='language').click()
    user.find('English').click()
    await user.should_see('Personal cabinet')

    user.find(marker='logout').click()
    await user.should_see(marker='login', retries=WAIT)
    assert user.http_client.cookies['session'] != stolen['session']  # this browser got a new id
    await user.should_see('Log in to the personal cabinet')  # and kept its language
    assert (await _cabinet(stolen)).headers['location'] == '/login'

    await login(user, '5ABC123')  # the same browser logs in again: the old cookie stays worthless
    await user.should_see(marker='welcome')
    assert (await _cabinet(stolen)).headers['location'] == '/login'
    assert (await _cabinet({'session': user.http_client.cookies['session']})).status_code == 200


async def test_a_link_to_the_logged_out_address_does_not_end_a_session(user: User) -> None:
    await make_citizen('5ABC123')
    await login(user, '5ABC123')
    await user.should_see(marker='welcome')
    cookie = user.http_client.cookies['session']
    response = await user.http_client.get('/logged-out')
    assert response.status_code == 303 and 'set-cookie' not in response.headers
    assert (await _cabinet({'session': cookie})).status_code == 200


async def _cabinet(cookies: dict[str, str]) -> httpx.Response:
    """``/cabinet`` opened by another browser that carries these cookies (NiceGUI's app, as the ``user`` fixture)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=core.app), base_url='http://test', cookies=cookies
    ) as other:
        return await other.get('/cabinet')


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f'browser tests need Debian chromium at {CHROMIUM}')
def test_logout_in_one_tab_sends_the_other_tab_to_the_login_page(portal: Portal) -> None:
    from playwright.sync_api import expect, sync_playwright

    served = portal.url

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        blocked: list[str] = []
        context.on('console', lambda m: blocked.append(m.text) if 'Content Security Policy' in m.text else None)
        first = context.new_page()
        first.goto(f'{served}/login')
        first.get_by_label('FİN').first.fill('5ZK2M7R')
        first.get_by_label('Şifrə').fill('Kabinet-2026')
        first.get_by_role('button', name='Daxil ol').click()
        first.wait_for_url('**/cabinet')
        expect(first.get_by_text('Leyla Məmmədova').first).to_be_visible()
        second = context.new_page()
        second.goto(f'{served}/cabinet')
        expect(second.get_by_text('Leyla Məmmədova').first).to_be_visible()
        second.evaluate('window.__kabinet_marker = "still open"')
        old = next(c for c in context.cookies() if c['name'] == 'session')

        first.get_by_role('button', name=re.compile('Çıxış')).click()
        first.wait_for_url('**/login')
        second.wait_for_url('**/login', timeout=5_000)  # pushed over its websocket, not by the one-minute check
        assert second.evaluate('window.__kabinet_marker === undefined')
        assert next(c for c in context.cookies() if c['name'] == 'session')['value'] != old['value']

        replay = browser.new_context()
        replay.add_cookies([{'name': 'session', 'value': old['value'], 'url': served}])
        again = replay.new_page()
        again.goto(f'{served}/cabinet')
        again.wait_for_url('**/login')
        again.goto(f'{served}/statistics/letters')  # a public page with an ECharts chart
        again.locator('.nicegui-echart canvas').first.wait_for()
        assert blocked == [], blocked  # nothing NiceGUI needs was refused by the Content-Security-Policy
        browser.close()
