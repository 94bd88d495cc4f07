"""The whole integrator API under Schemathesis: every operation of the served OpenAPI document is called with
generated requests, valid and invalid, on a demo database, the way an agency's system, a local executive's system or
a citizen with a session calls it. No request may make the server fail; every answer must be one the document
declares (status code, content type, body schema, headers, ``Allow``); and an operation that needs credentials must
refuse a request without them or with wrong ones, even where the real credentials succeed.

Two checks stay off because the document cannot express what they expect: business rules (a FIN's format, a letter's
state) refuse some requests the schema allows, and pydantic's lax parsing accepts some values the schema does not
(a day given as a number, say) — both are answered with the documented 4xx errors, which the other checks verify.

The run is repeatable (fixed seed, derandomized) and bounded (a few generated examples per operation).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from portal.api import PREFIX, create_api
from portal.api import deps as api_deps
from portal.store import auth
from portal.store.apikeys import SCOPES, create_api_key, revoke_api_key
from portal.store.demo import DEMO_PASSWORD, PERSONAS, seed_demo
from portal.store.letters import files
from tests.api_kit import assert_error
from tests.conftest import _close, _open

T = TypeVar('T')
Caller = Literal['public', 'agency', 'executive', 'citizen']

AGENCY, EXECUTIVE = 'MIA', 'IH-NESIMI'
CITIZEN_FIN = PERSONAS[0][0]  # Leyla, a citizen of the demo
# the local executives' work; every other operation that takes a key is an agency's
EXECUTIVE_TAGS = frozenset({'applications', 'participation', 'reception', 'news'})
EXAMPLES = 10  # generated per operation, on top of the coverage phase's boundary and invalid values
ANY_ID = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f'


@dataclass
class AppLoop:
    """The event loop Schemathesis serves the app on (noted when the app starts): the database must live there."""

    loop: asyncio.AbstractEventLoop | None = None

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        assert self.loop is not None, 'the app has not started'
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=300)


APP_LOOP = AppLoop()


@asynccontextmanager
async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
    APP_LOOP.loop = asyncio.get_running_loop()
    yield


API = create_api()
APP = FastAPI(lifespan=_lifespan)
APP.mount(PREFIX, API)  # as the portal mounts it
CONFIG = schemathesis.Config.from_dict({'seed': 20261120, 'generation': {'mode': 'all', 'max-examples': EXAMPLES}})
# the document as the portal serves it at /api/v1/openapi.json (its server is the mount point)
DOCUMENT = {**API.openapi(), 'servers': [{'url': PREFIX}]}
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
schema.app = APP


def _callers() -> dict[tuple[str, str], Caller]:
    """Who calls each operation, from the dependencies its route declares."""

    def needs(dependant: Dependant) -> set[Any]:
        return {dependant.call} | {call for sub in dependant.dependencies for call in needs(sub)}

    callers: dict[tuple[str, str], Caller] = {}
    for route in API.routes:
        if not isinstance(route, APIRoute):
            continue
        calls = needs(route.dependant)
        caller: Caller = 'public'
        if api_deps.current_person in calls:
            caller = 'citizen'
        elif api_deps.current_client in calls:
            caller = 'executive' if EXECUTIVE_TAGS & set(route.tags) else 'agency'
        for method in route.methods or ():
            callers[method, route.path] = caller
    return callers


CALLERS = _callers()
SECURED = sorted(
    (method.upper(), path)
    for path, operations in DOCUMENT['paths'].items()
    for method, operation in operations.items()
    if operation.get('security')
)


@dataclass(frozen=True)
class Credentials:
    agency_key: str
    executive_key: str
    revoked_key: str

    def key_of(self, caller: Caller) -> str:
        return self.executive_key if caller == 'executive' else self.agency_key


@dataclass
class Citizen:
    """A citizen's session, opened on first use: each test gets its own (fuzzing DELETE /sessions/current ends the
    one it is given), and only the few operations of a person pay for a login."""

    token: str = ''

    def authorization(self) -> str:
        self.token = self.token or APP_LOOP.run(_log_in_citizen())
        return f'Bearer {self.token}'


@pytest.fixture(scope='module')
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp('fuzz-files')


@pytest.fixture
def attachment_folder(demo_files: Path) -> Iterator[Path]:
    """The demo's letter files stay where the module's seeding put them (instead of a folder per test)."""
    files.use_folder(demo_files)
    yield demo_files


@pytest.fixture
def tally_key_file(session_tally_key_file: Path) -> Path:
    """The demo's polls stay sealed to the session's tally key (instead of a key per test)."""
    return session_tally_key_file


@pytest.fixture(scope='module')
def credentials(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, demo_files: Path, session_tally_key_file: Path
) -> Iterator[Credentials]:
    """A fresh copy of the migrated database with the demo in it, and real keys that hold every scope."""
    path = tmp_path_factory.mktemp('fuzz') / 'kabinet.sqlite3'
    shutil.copy(sqlite_template, path)
    files.use_folder(demo_files)
    schema['/health']['GET'].Case().call()  # starts the app, which notes its loop
    APP_LOOP.run(_open(f'sqlite://{path}'))
    try:
        yield APP_LOOP.run(_seed())
    finally:
        APP_LOOP.run(_close())


@pytest.fixture
def citizen() -> Citizen:
    return Citizen()


@pytest.fixture(scope='module')
def citizen_token(credentials: Credentials) -> str:
    """A citizen's session for the tests that only show it where it does not belong."""
    return APP_LOOP.run(_log_in_citizen())


async def _seed() -> Credentials:
    now = datetime.now(UTC)
    assert await seed_demo(now=now)
    _, agency = await create_api_key(organisation_code=AGENCY, scopes=list(SCOPES), now=now, name='Agency system')
    _, executive = await create_api_key(organisation_code=EXECUTIVE, scopes=list(SCOPES), now=now, name='Executive')
    _, revoked = await create_api_key(organisation_code=AGENCY, scopes=list(SCOPES), now=now, name='Revoked')
    await revoke_api_key(lookup=revoked.split('_')[1], now=now)
    return Credentials(agency_key=agency, executive_key=executive, revoked_key=revoked)


async def _log_in_citizen() -> str:
    grant = await auth.login_with_password(
        fin=CITIZEN_FIN, password=DEMO_PASSWORD, address='127.0.0.1', now=datetime.now(UTC)
    )
    return grant.token


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_keeps_to_the_document(
    case: schemathesis.Case, credentials: Credentials, citizen: Citizen
) -> None:
    caller = CALLERS[case.operation.method.upper(), case.operation.path]
    headers = {}
    if caller == 'citizen':
        headers['Authorization'] = citizen.authorization()
    elif caller != 'public':
        headers['Authorization'] = f'Bearer {credentials.key_of(caller)}'
    # every other built-in check runs: server errors, status codes, content types, bodies, headers, Allow, ignored auth
    case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance, negative_data_rejection])


@pytest.mark.parametrize(('method', 'path'), SECURED, ids=[f'{m} {p}' for m, p in SECURED])
def test_an_operation_that_needs_credentials_refuses_missing_and_wrong_ones(
    method: str, path: str, credentials: Credentials, citizen_token: str
) -> None:
    """Checked on every such operation, whether or not the fuzzing above got a success out of it."""
    caller = CALLERS[method, path]
    real = credentials.key_of(caller)
    lookup, secret = real.split('_')[1], real.split('_', 2)[2]
    wrong = [
        None,
        'Bearer ',
        'Basic dXNlcjpwYXNz',
        'Bearer not-a-key',
        f'Bearer kab_{lookup}_{"x" * len(secret)}',  # a real key's id with a wrong secret
        f'Bearer kab_0000000000000000_{secret}',
        f'Bearer {credentials.revoked_key}',
        # the other kind of credential: a session where a key is needed, a key where a session is needed
        f'Bearer {real}' if caller == 'citizen' else f'Bearer {citizen_token}',
    ]
    operation = schema[path][method]
    path_parameters = {name: ANY_ID for name in _path_names(path)}
    for authorization in wrong:
        headers = {} if authorization is None else {'Authorization': authorization}
        response = operation.Case(path_parameters=path_parameters, headers=headers).call()
        assert response.status_code == 401, (authorization, response.text)
        assert response.headers['www-authenticate'] == ['Bearer']
        assert response.json()['error']['code'] in {
            'missing_api_key',
            'invalid_api_key',
            'not_logged_in',
            'session_expired',
            'session_required',
        }


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split('/') if part.startswith('{') and part.endswith('}')]


# what the fuzzing found, pinned down


async def test_a_body_that_cannot_be_read_is_refused_as_documented() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_api()), base_url='http://test') as http:
        not_utf8 = await http.post(
            '/registry/records', content=b'\x18\xff\xfeI', headers={'Content-Type': 'application/json'}
        )
        broken_form = await http.post(
            '/certificates/verify',
            content=b'--b\r\nF\xc2\x95\xf4--b--\r\n',
            headers={'Content-Type': 'multipart/form-data; boundary=b'},
        )
    assert_error(not_utf8, 400, 'malformed_json')
    assert_error(broken_form, 400, 'malformed_form')
    for path in ('/registry/records', '/certificates/verify'):
        assert '400' in DOCUMENT['paths'][path]['post']['responses']


async def test_a_method_a_path_does_not_have_names_all_it_has() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_api()), base_url='http://test') as http:
        polls = await http.request('OPTIONS', '/polls')
        item = await http.request('PATCH', f'/news/{ANY_ID}')
        verify = await http.delete('/certificates/verify')
    assert_error(polls, 405, 'method_not_allowed')
    assert polls.headers['Allow'] == 'GET, POST'
    assert item.headers['Allow'] == 'DELETE, GET, PUT'
    assert verify.headers['Allow'] == 'POST'  # not GET, which /certificates/{code} answers
