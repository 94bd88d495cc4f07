"""Who may use what: every API operation and every page, for every kind of caller, against one policy table.

The routes are read from the apps themselves (the API's route table, NiceGUI's registered routes after
``portal.pages.register``), so a new route is covered at once: the test refuses it until the tables below say who may
use it. One demo database is seeded for the module, with an object of every kind that belongs to citizen A, or to
agency X (MIA) or local executive X (Nəsimi) on A's behalf; path parameters are filled with their ids. Each object
carries strings that only its owners may ever be shown (a letter's subject, a file's name, A's FIN): whoever else asks
gets the portal's refusal and none of those strings, in the body or the headers.

The callers: nobody, citizen A (Leyla), citizen B (Günel), agency X (MIA) and agency Y (DYP), local executive X
(Nəsimi) and local executive Y (Xətai), and an administrator (pages only). On the API an organisation is its key with
every scope and a citizen is the token of a session; on pages they are the persons, logged in through the login page.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import logging
import re
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from nicegui import Client, background_tasks, core
from nicegui import app as nicegui_app
from nicegui.testing import User
from nicegui.testing.user_simulation import user_simulation
from PIL import Image

from portal.api import PREFIX, create_api
from portal.api import deps as api_deps
from portal.store import auth, corrections, payments
from portal.store.actors import ApiActor, Role
from portal.store.apikeys import SCOPES, authenticate, create_api_key
from portal.store.consent import permissions
from portal.store.demo import DEMO_PASSWORD, PERSONAS, seed_demo
from portal.store.device import DemoDevice
from portal.store.letters import Upload, files
from portal.store.news import publishing
from portal.store.notices import cabinet
from portal.store.participation import proposals, voting
from portal.store.people import Person
from portal.store.reception import calendar, desk, requests
from portal.store.registry import RegistryRecord
from portal.store.services import applications, catalogue, certificates
from portal.store.workdays import local_date
from tests.builders import use_fast_hashing
from tests.conftest import _close, _open
from tests.letters_kit import pdf, signed_letter
from tests.test_ui_login import login

# the seeded database and the simulated browsers live on the module's event loop
ON_MODULE_LOOP = pytest.mark.asyncio(loop_scope='module')

ROOT = Path(__file__).resolve().parent.parent
A_FIN, B_FIN = PERSONAS[0][0], PERSONAS[2][0]  # Leyla and Günel: not related, so neither may see the other
MIA_OFFICER, NESIMI_OFFICER, ADMIN_FIN = PERSONAS[3][0], PERSONAS[4][0], PERSONAS[5][0]

# the callers
ANONYMOUS, CITIZEN_A, CITIZEN_B = 'anonymous', 'citizen A', 'citizen B'
AGENCY_X, AGENCY_Y, EXECUTIVE_X, EXECUTIVE_Y, ADMIN = 'agency X', 'agency Y', 'executive X', 'executive Y', 'admin'
ORGANISATIONS = {AGENCY_X: 'MIA', AGENCY_Y: 'DYP', EXECUTIVE_X: 'IH-NESIMI', EXECUTIVE_Y: 'IH-XETAI'}
CITIZENS = (CITIZEN_A, CITIZEN_B)
EXECUTIVES = (EXECUTIVE_X, EXECUTIVE_Y)
API_CALLERS = (ANONYMOUS, CITIZEN_A, CITIZEN_B, AGENCY_Y, EXECUTIVE_Y, AGENCY_X, EXECUTIVE_X)  # owners last
PAGE_VISITORS = (ANONYMOUS, CITIZEN_A, CITIZEN_B, AGENCY_Y, EXECUTIVE_Y, ADMIN, AGENCY_X, EXECUTIVE_X)
ROLES = {
    CITIZEN_A: Role.CITIZEN,
    CITIZEN_B: Role.CITIZEN,
    AGENCY_X: Role.AGENCY_OFFICER,
    AGENCY_Y: Role.AGENCY_OFFICER,
    EXECUTIVE_X: Role.EXECUTIVE_OFFICER,
    EXECUTIVE_Y: Role.EXECUTIVE_OFFICER,
    ADMIN: Role.ADMIN,
}
# who A is (FIN and name): shown to A and to the organisations A deals with here, never to anybody else
A_IDENTITY = (A_FIN, f'{PERSONAS[0][2]} {PERSONAS[0][3]}')
IDENTITY_READERS = frozenset({CITIZEN_A, AGENCY_X, EXECUTIVE_X})

# the strings only an object's owners may see
LETTER_TITLE = 'Sahə inspektorunun qəbul saatları LX-5120'
LETTER_FILE = 'arayis-LX-5121.pdf'
NOTICE_CASE = 'CX-5130/2026'
CONSENT_PURPOSE = 'Şəxsiyyət vəsiqəsinin yoxlanılması PX-5140'
RECEPTION_SUMMARY = 'Binanın zirzəmisini su basıb, təmir üçün görüş istəyirəm RX-5150.'
RECEPTION_FILE = 'akt-RX-5151.pdf'
CORRECTION_COMMENT = 'Mənzilin nömrəsi səhv yazılıb KX-5160'


# --- the policy ----------------------------------------------------------------------------------------------------
# API: PUBLIC anyone; SIGNED a gateway's signature (nobody here has one); PERSON a person's session token;
# KEY any organisation's key (it sees and acts on its own organisation's objects only);
# OWNER the key of the organisation that owns the object: any other gets the answer for an object that does not exist
# (404, unless the rule says what the store checks before it looks the object up);
# GRANTED the key of the organisation the citizen or the registry entitles (any other is refused, 403).
# A rule for local executives' work only (executives_only) refuses agencies' keys first (403 not_an_executive).
# Pages: PUBLIC anyone; GUEST the login page (a logged-in person is sent to their desk); SENDS only ever redirects;
# CITIZEN, OFFICER (agency or executive), EXECUTIVE_OFFICER, ADMIN_ONLY, READER (citizen or officer), PERSON (anyone
# logged in): the page's roles; everyone else is sent to the login page or to their own landing page.
PUBLIC, SIGNED, PERSON, KEY, OWNER, GRANTED = 'public', 'signed', 'person', 'key', 'owner', 'granted'
GUEST, SENDS, CITIZEN, OFFICER, EXECUTIVE_OFFICER, ADMIN_ONLY, READER = (
    'guest',
    'sends',
    'citizen',
    'officer',
    'executive officer',
    'admin only',
    'reader',
)
PAGE_ROLES: dict[str, frozenset[Role]] = {
    CITIZEN: frozenset({Role.CITIZEN}),
    OFFICER: frozenset({Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER}),
    EXECUTIVE_OFFICER: frozenset({Role.EXECUTIVE_OFFICER}),
    ADMIN_ONLY: frozenset({Role.ADMIN}),
    READER: frozenset({Role.CITIZEN, Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER}),
    PERSON: frozenset(Role),
}


# who owns each kind of seeded object: its citizen and the organisations that hold it for them
OWNERS: dict[str, frozenset[str]] = {
    'letter': frozenset({CITIZEN_A, AGENCY_X}),
    'certificate': frozenset({CITIZEN_A, AGENCY_X}),
    'consent': frozenset({CITIZEN_A, AGENCY_X}),
    'id_card': frozenset({CITIZEN_A, AGENCY_X}),
    'correction': frozenset({CITIZEN_A, AGENCY_X}),
    'application': frozenset({CITIZEN_A, EXECUTIVE_X}),
    'reception': frozenset({CITIZEN_A, EXECUTIVE_X}),
    'payment': frozenset({CITIZEN_A}),
    'notice': frozenset({CITIZEN_A}),
    'poll': frozenset({EXECUTIVE_X}),
    'proposal': frozenset({EXECUTIVE_X}),
    'news': frozenset({EXECUTIVE_X}),
    'service': frozenset(),
    'agency': frozenset(),
}


@dataclass(frozen=True)
class Rule:
    policy: str
    thing: str | None = None  # the object the route names or lists: its ids fill the path, its owners may see it
    shows: bool = False  # its owners' answer carries the object's secrets (so the leak check is known to see them)
    refused: int = 404  # what anyone else gets (the same as for an object that does not exist)
    executives_only: bool = False  # agencies' keys are refused before anything else (403)


API_RULES: dict[str, Rule] = {
    'GET /health': Rule(PUBLIC),
    'POST /sessions': Rule(PUBLIC),
    'DELETE /sessions/current': Rule(PERSON),
    'POST /registry/records': Rule(GRANTED, 'id_card', shows=True),
    'POST /payments/sandbox/callback': Rule(SIGNED),
    'POST /notifications/sms/receipt': Rule(SIGNED),
    'GET /notifications/types': Rule(KEY),
    'POST /notifications': Rule(KEY, 'notice'),
    'GET /registry/corrections': Rule(KEY, 'correction', shows=True),
    'POST /registry/corrections/{correction_id}/accept': Rule(OWNER, 'correction'),
    'POST /registry/corrections/{correction_id}/reject': Rule(OWNER, 'correction'),
    'GET /letters': Rule(KEY, 'letter', shows=True),
    'GET /letters/outgoing': Rule(KEY, 'letter'),
    'POST /letters': Rule(KEY, 'letter'),
    'GET /letters/{letter_id}': Rule(OWNER, 'letter', shows=True),
    'GET /letters/{letter_id}/attachments/{attachment_id}': Rule(OWNER, 'letter', shows=True),
    'GET /letters/{letter_id}/signature': Rule(OWNER, 'letter'),
    'POST /letters/{letter_id}/status': Rule(OWNER, 'letter'),
    'POST /letters/{letter_id}/forward': Rule(OWNER, 'letter'),
    'POST /letters/{letter_id}/answer': Rule(OWNER, 'letter'),
    'GET /services': Rule(PUBLIC),
    'GET /services/{code}': Rule(PUBLIC, 'service'),
    'GET /certificates/verify/{code}': Rule(PUBLIC, 'certificate'),
    'POST /certificates/verify': Rule(PUBLIC),
    'GET /certificates/root.pem': Rule(PUBLIC),
    'GET /certificates/{code}': Rule(OWNER, 'certificate', shows=True),
    'POST /certificates/{code}/revoke': Rule(OWNER, 'certificate'),
    'GET /applications': Rule(KEY, 'application'),
    'GET /applications/{application_id}': Rule(OWNER, 'application', shows=True),
    'GET /applications/{application_id}/files/{file_id}': Rule(OWNER, 'application'),
    'POST /applications/{application_id}/review': Rule(OWNER, 'application'),
    'POST /applications/{application_id}/request-info': Rule(OWNER, 'application'),
    'POST /applications/{application_id}/approve': Rule(OWNER, 'application'),
    'POST /applications/{application_id}/reject': Rule(OWNER, 'application'),
    'POST /data-requests': Rule(KEY, 'consent'),
    'GET /data-requests/{request_id}': Rule(OWNER, 'consent', shows=True),
    'POST /data/read': Rule(GRANTED, 'id_card', shows=True),
    'GET /data/categories': Rule(KEY),
    'GET /polls': Rule(PUBLIC),
    'GET /polls/{poll_id}': Rule(PUBLIC, 'poll'),
    'GET /polls/{poll_id}/results': Rule(PUBLIC, 'poll'),
    'POST /polls/{poll_id}/vote': Rule(PERSON, 'poll'),
    'GET /polls/{poll_id}/vote': Rule(PERSON, 'poll'),
    'POST /polls': Rule(KEY, executives_only=True),
    'POST /polls/{poll_id}/close': Rule(OWNER, 'poll'),
    'POST /polls/{poll_id}/outcome': Rule(OWNER, 'poll'),
    'GET /proposals/moderation': Rule(KEY, 'proposal'),
    'POST /proposals/{proposal_id}/approve': Rule(OWNER, 'proposal'),
    'POST /proposals/{proposal_id}/reject': Rule(OWNER, 'proposal'),
    'GET /reception/calendar': Rule(KEY),
    'GET /reception/slots': Rule(KEY),
    'GET /reception/requests': Rule(KEY, 'reception', shows=True),
    'GET /reception/requests/{request_id}': Rule(OWNER, 'reception', shows=True),
    # the time asked for is checked against the caller's own reception hours first
    'POST /reception/requests/{request_id}/schedule': Rule(OWNER, 'reception', refused=422),
    'POST /reception/requests/{request_id}/reschedule': Rule(OWNER, 'reception', refused=422),
    'POST /reception/requests/{request_id}/decline': Rule(OWNER, 'reception'),
    'POST /reception/requests/{request_id}/cancel': Rule(OWNER, 'reception'),
    'POST /reception/requests/{request_id}/done': Rule(OWNER, 'reception'),
    'POST /reception/requests/{request_id}/no-show': Rule(OWNER, 'reception'),
    'GET /news': Rule(PUBLIC),
    'GET /news/{item_id}': Rule(PUBLIC, 'news'),
    'POST /news': Rule(KEY, executives_only=True),
    'PUT /news/{item_id}': Rule(OWNER, 'news', executives_only=True),
    'DELETE /news/{item_id}': Rule(OWNER, 'news', executives_only=True),
}

PAGE_RULES: dict[str, Rule] = {
    '/': Rule(SENDS),
    '/login': Rule(GUEST),
    '/logged-out': Rule(SENDS),
    '/device': Rule(PUBLIC),
    '/cabinet': Rule(CITIZEN, 'id_card', shows=True),
    '/history': Rule(CITIZEN, 'letter'),
    '/desk': Rule(OFFICER, 'letter', shows=True),
    '/desk/letters/new': Rule(OFFICER),
    '/statistics/letters': Rule(PUBLIC),
    '/statistics/letters/{code}': Rule(PUBLIC, 'agency'),
    '/admin': Rule(ADMIN_ONLY),
    '/payments': Rule(CITIZEN, 'payment', shows=True),
    '/payments/{payment_id}': Rule(CITIZEN, 'payment', shows=True),
    '/letters': Rule(CITIZEN, 'letter', shows=True),
    '/letters/new': Rule(CITIZEN),
    '/letters/{letter_id}': Rule(READER, 'letter', shows=True),
    '/files/letters/{letter_id}/{attachment_id}': Rule(PERSON, 'letter', shows=True),
    '/services': Rule(PUBLIC),
    '/services/agency/{code}': Rule(PUBLIC, 'agency'),
    '/services/category/{category}': Rule(PUBLIC, 'service'),
    '/services/{code}': Rule(PUBLIC, 'service'),
    '/documents': Rule(CITIZEN, 'certificate', shows=True),
    '/documents/certificates/{certificate_id}': Rule(READER, 'certificate', shows=True),
    '/files/certificates/{certificate_id}': Rule(PERSON, 'certificate', shows=True),
    '/verify': Rule(PUBLIC),
    '/verify/{code}': Rule(PUBLIC, 'certificate'),
    '/pki/root.crt': Rule(PUBLIC),
    '/applications/{application_id}': Rule(CITIZEN, 'application', shows=True),
    '/files/applications/{application_id}/{file_id}': Rule(PERSON, 'application'),
    '/desk/applications': Rule(EXECUTIVE_OFFICER, 'application'),
    '/desk/applications/{application_id}': Rule(EXECUTIVE_OFFICER, 'application', shows=True),
    '/desk/certificates': Rule(OFFICER, 'certificate'),
    '/notifications': Rule(CITIZEN, 'notice', shows=True),
    '/notifications/settings': Rule(CITIZEN),
    '/admin/outbox': Rule(ADMIN_ONLY, 'notice'),
    '/admin/consent': Rule(ADMIN_ONLY, 'consent'),
    '/permissions': Rule(CITIZEN, 'consent', shows=True),
    '/permissions/tracker': Rule(CITIZEN, 'consent'),
    '/participation': Rule(PUBLIC, 'proposal'),
    '/participation/polls/{poll_id}': Rule(PUBLIC, 'poll'),
    '/desk/participation': Rule(EXECUTIVE_OFFICER, 'proposal'),
    '/news/feed.atom': Rule(PUBLIC),
    '/news/feed.rss': Rule(PUBLIC),
    '/news/{code}/feed.atom': Rule(PUBLIC, 'news'),
    '/news/{code}/feed.rss': Rule(PUBLIC, 'news'),
    '/files/news/{name}': Rule(PUBLIC, 'news'),
    '/news': Rule(PUBLIC),
    '/news/item/{item_id}': Rule(PUBLIC, 'news'),
    '/news/{code}': Rule(PUBLIC, 'news'),
    '/desk/news': Rule(EXECUTIVE_OFFICER, 'news'),
    '/reception': Rule(CITIZEN, 'reception', shows=True),
    '/desk/reception': Rule(EXECUTIVE_OFFICER, 'reception', shows=True),
    '/files/reception/{request_id}/meeting.ics': Rule(PERSON, 'reception'),
    '/files/reception/{request_id}/{file_id}': Rule(PERSON, 'reception', shows=True),
    '/sandbox-gateway/{token}': Rule(PUBLIC, 'payment'),  # the gateway's page: its token is the capability
}


@dataclass(frozen=True)
class Thing:
    """One seeded object: the path parameters that name it, and what only its owners (``OWNERS``) may see."""

    params: dict[str, str]
    secrets: tuple[str, ...] = ()


@dataclass
class World:
    things: dict[str, Thing]
    keys: dict[str, str]  # caller → its organisation's key
    tokens: dict[str, str]  # citizen → the token of a session
    values: dict[str, Any] = field(default_factory=dict)  # what the request bodies need


# --- the routes, read from the apps --------------------------------------------------------------------------------

API = create_api()
DOCUMENT = API.openapi()


def _needs(dependant: Dependant) -> set[Any]:
    return {dependant.call} | {call for sub in dependant.dependencies for call in _needs(sub)}


def _api_operations() -> list[tuple[str, APIRoute]]:
    """Every operation of the API, reads first and deletions last (they run in this order against one database)."""
    found = [
        (f'{method} {route.path}', route)
        for route in API.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods or ())
    ]
    order = {'GET': 0, 'POST': 1, 'PUT': 1, 'DELETE': 2}
    return sorted(found, key=lambda item: order[item[0].split()[0]])


API_OPERATIONS = _api_operations()


def _page_routes() -> tuple[list[str], set[str]]:
    """The paths the portal serves to browsers, as NiceGUI registered them (pages and plain routes alike)."""
    from nicegui.testing.general import nicegui_reset_globals

    from portal import pages
    from portal.config import Settings

    with nicegui_reset_globals():
        pages.register(Settings(demo=True, scheduler=False))
        routes = [
            route
            for route in nicegui_app.routes
            if isinstance(route, APIRoute) and 'GET' in (route.methods or ()) and not route.path.startswith('/_nicegui')
        ]
        # a page's route calls the page function (wrapped); a plain route (a download, a feed) is a function of its own
        pages_ = {r.path for r in routes if getattr(r.endpoint, '__wrapped__', None) in Client.page_routes}
    if 'portal' not in sys.modules:  # NiceGUI's reset drops the page modules' packages
        importlib.import_module('portal')
    return list(dict.fromkeys(r.path for r in routes)), pages_


PAGE_ROUTES, PAGE_PATHS = _page_routes()


def test_every_api_operation_and_page_has_a_rule() -> None:
    assert sorted(op for op, _ in API_OPERATIONS) == sorted(API_RULES)
    assert sorted(PAGE_ROUTES) == sorted(PAGE_RULES)


@pytest.mark.parametrize(('operation', 'route'), API_OPERATIONS, ids=[op for op, _ in API_OPERATIONS])
def test_a_rule_agrees_with_the_credentials_the_route_asks_for(operation: str, route: APIRoute) -> None:
    needs = _needs(route.dependant)
    policy = API_RULES[operation].policy
    if policy in (PUBLIC, SIGNED):
        assert api_deps.current_client not in needs and api_deps.current_person not in needs
    elif policy == PERSON:
        assert api_deps.current_person in needs and api_deps.current_client not in needs
    else:
        assert api_deps.current_client in needs and api_deps.current_person not in needs


# --- the seeded world ----------------------------------------------------------------------------------------------


@pytest.fixture(scope='module')
def module_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp('matrix-files')


@pytest.fixture
def attachment_folder(module_files: Path) -> Iterator[Path]:
    """The seeded files stay where the module's seeding put them (instead of a folder per test)."""
    files.use_folder(module_files)
    yield module_files


@pytest.fixture
def tally_key_file(session_tally_key_file: Path) -> Path:
    """The demo's polls stay sealed to the session's tally key (instead of a key per test)."""
    return session_tally_key_file


@pytest_asyncio.fixture(scope='module', loop_scope='module')
async def world(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, module_files: Path, session_tally_key_file: Path
) -> AsyncIterator[World]:
    path = tmp_path_factory.mktemp('matrix') / 'kabinet.sqlite3'
    shutil.copy(sqlite_template, path)
    files.use_folder(module_files)
    await _open(f'sqlite://{path}')
    with pytest.MonkeyPatch.context() as patch:
        use_fast_hashing(patch)  # the demo's password is hashed and checked often here: real argon2, cheap settings
        try:
            yield await _seed(datetime.now(UTC))
        finally:
            await _close()


async def _seed(now: datetime) -> World:
    assert await seed_demo(now=now)
    today = local_date(now)
    keys: dict[str, str] = {}
    systems: dict[str, ApiActor] = {}
    for caller, code in ORGANISATIONS.items():
        _, keys[caller] = await create_api_key(organisation_code=code, scopes=list(SCOPES), now=now, name=caller)
        systems[caller] = await authenticate(key=keys[caller], now=now)
    tokens = {
        caller: (await auth.login_with_password(fin=fin, password=DEMO_PASSWORD, address='127.0.0.1', now=now)).token
        for caller, fin in ((CITIZEN_A, A_FIN), (CITIZEN_B, B_FIN))
    }
    leyla = await Person.get(fin=A_FIN)
    a = leyla.as_actor()
    officer = (await Person.get(fin=NESIMI_OFFICER)).as_actor()
    things: dict[str, Thing] = {}

    # a signed letter to MIA with a file
    device = await DemoDevice.get(person_id=leyla.id)
    letter = await signed_letter(
        leyla,
        Ed25519PrivateKey.from_private_bytes(device.private_key),
        title=LETTER_TITLE,
        uploads=[Upload(LETTER_FILE, pdf())],
        now=now,
    )
    things['letter'] = Thing(
        {'letter_id': str(letter.id), 'attachment_id': str(letter.attachments[0].id)}, (LETTER_TITLE, LETTER_FILE)
    )

    # the demo's application to Nəsimi that waits for more information, with its documents
    made = await applications.list_my_applications(actor=a, person_id=leyla.id)
    listed = next(x for x in made if x.form == 'construction_permit')
    application = await applications.get_application(actor=a, application_id=listed.id)
    plot = str(application.answers['plot_address'])
    things['application'] = Thing(
        {'application_id': str(application.id), 'file_id': str(application.files[0].id)}, (plot,)
    )

    # the demo's residence certificate, issued by MIA
    issued = await certificates.list_certificates(actor=a, person_id=leyla.id)
    certificate = next(c for c in issued if c.template == 'residence')
    things['certificate'] = Thing(
        {'certificate_id': str(certificate.id), 'code': certificate.code}, (certificate.code,)
    )

    # a payment of A's state fee, its gateway page open
    fee = await RegistryRecord.get(person_id=leyla.id, kind='state_fee')
    started = await payments.start_payment(actor=a, record_id=fee.id, now=now)
    things['payment'] = Thing(
        {'payment_id': str(started.payment_id), 'token': started.redirect_url.rsplit('/', 1)[1]}, (str(fee.ref),)
    )

    # a notice from MIA
    await cabinet.send_notice(
        actor=systems[AGENCY_X],
        fin=A_FIN,
        type='court_case',
        params={'case': NOTICE_CASE, 'court': 'Bakı şəhəri Nəsimi rayon məhkəməsi'},
        link='',
        now=now,
    )
    things['notice'] = Thing({}, (NOTICE_CASE,))

    # MIA asks for A's personal data; A has already shared it with MIA in advance
    asked = await permissions.request_data(
        actor=systems[AGENCY_X],
        fin=A_FIN,
        categories=['personal'],
        purpose=CONSENT_PURPOSE,
        valid_until=today + timedelta(days=90),
        now=now,
    )
    await permissions.share_in_advance(
        actor=a,
        organisation_code='MIA',
        categories=['personal'],
        purpose='Ünvan məlumatlarının yoxlanılması',
        valid_until=today + timedelta(days=90),
        now=now,
    )
    things['consent'] = Thing({'request_id': str(asked.id)}, (CONSENT_PURPOSE,))

    # A's identity card (MIA keeps it), and a correction A asked for in A's address (MIA keeps it too)
    id_card = await RegistryRecord.get(person_id=leyla.id, kind='id_card')
    things['id_card'] = Thing({}, (str(id_card.data['number']),))
    address = await RegistryRecord.get(person_id=leyla.id, kind='address')
    correction = await corrections.report_record(actor=a, record_id=address.id, comment=CORRECTION_COMMENT, now=now)
    things['correction'] = Thing({'correction_id': str(correction.id)}, (CORRECTION_COMMENT,))

    # a meeting with the Nəsimi executive, with a file (instead of the demo's, which has none)
    demo_meeting = next(r for r in await requests.list_my_requests(actor=a) if r.executive_code == 'IH-NESIMI')
    await requests.cancel_request(actor=a, request_id=demo_meeting.id, now=now)
    hours = await calendar.my_calendar(actor=officer)
    day = next(d for d in (today + timedelta(days=n) for n in range(3, 30)) if hours.receives_on(d))
    meeting = await requests.request_meeting(
        actor=a,
        new=requests.NewRequest('IH-NESIMI', 'housing', RECEPTION_SUMMARY, [day], [Upload(RECEPTION_FILE, pdf())]),
        now=now,
    )
    slot = (await calendar.free_slots(actor=officer, first=day, last=day, now=now))[0]
    official = hours.officials[0].id
    await desk.schedule_meeting(
        actor=officer, request_id=meeting.id, official_id=official, starts_at=slot.starts_at, now=now
    )
    things['reception'] = Thing(
        {'request_id': str(meeting.id), 'file_id': str(meeting.files[0].id)}, (RECEPTION_SUMMARY, RECEPTION_FILE)
    )

    # the executive's open poll, A's proposal waiting for moderation, and an item of news with a picture
    poll = (await voting.list_polls(executive_code='IH-NESIMI', open_only=True, now=now))[0]
    things['poll'] = Thing({'poll_id': str(poll.id)})
    proposal = (await proposals.list_mine(actor=a))[0]
    things['proposal'] = Thing({'proposal_id': str(proposal.id)})
    item = await publishing.publish(
        actor=officer,
        executive_code=None,
        kind='news',
        title='Nəsimi rayonunda yeni park salındı',
        body='<p>Parkda skamyalar və uşaq meydançası var.</p>',
        location='',
        tags=[],
        image=_png(),
        now=now,
    )
    assert item.image_url is not None
    things['news'] = Thing({'item_id': str(item.id), 'name': item.image_url.rsplit('/', 1)[1], 'code': 'IH-NESIMI'})

    # the public catalogue
    service = (await catalogue.list_services(provider_code='MIA'))[0]
    things['service'] = Thing({'code': service.code, 'category': service.category})
    things['agency'] = Thing({'code': 'MIA'})

    values = {
        'today': today,
        'now': now,
        'option': str(poll.options[0].id),
        'official': str(official),
        'slot': slot.starts_at,
        'id_card': id_card.data,
        'address': address.data,
        'officers': {caller: await _officer(caller) for caller in (AGENCY_Y, EXECUTIVE_Y)},
    }
    return World(things=things, keys=keys, tokens=tokens, values=values)


async def _officer(caller: str) -> str:
    """The FIN of the demo's officer of the caller's organisation (generated: the personas hold no such post)."""
    officer = await Person.filter(organisation__code=ORGANISATIONS[caller]).order_by('fin').first()
    assert officer is not None
    return officer.fin


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new('RGB', (8, 8), (30, 120, 60)).save(buffer, format='PNG')
    return buffer.getvalue()


# --- the pages (checked first: the API's writes below change the objects) -------------------------------------------

OPEN, LOGIN, AWAY = 'open', 'login', 'away'


def page_expectation(rule: Rule, caller: str) -> str:
    """OPEN (served to the caller), LOGIN (sent to the login page) or AWAY (sent on, to the caller's own landing)."""
    if rule.policy == PUBLIC:
        return OPEN
    if rule.policy == GUEST:
        return OPEN if caller == ANONYMOUS else AWAY
    if caller == ANONYMOUS:
        return LOGIN
    if rule.policy == SENDS:
        return AWAY
    return OPEN if ROLES[caller] in PAGE_ROLES[rule.policy] else AWAY


@pytest_asyncio.fixture(scope='module', loop_scope='module')
async def browsers(world: World) -> AsyncIterator[dict[str, User]]:
    """The portal as NiceGUI's simulated users reach it, a browser per caller, each logged in on the login page."""
    fins = {
        CITIZEN_A: A_FIN,
        CITIZEN_B: B_FIN,
        AGENCY_X: MIA_OFFICER,
        EXECUTIVE_X: NESIMI_OFFICER,
        ADMIN: ADMIN_FIN,
        **world.values['officers'],
    }
    try:
        async with user_simulation(main_file=ROOT / 'tests' / 'ui_main.py') as anonymous:
            visitors = {ANONYMOUS: anonymous}
            for caller in PAGE_VISITORS[1:]:
                visitors[caller] = User(
                    httpx.AsyncClient(transport=httpx.ASGITransport(core.app), base_url='http://test')
                )
                await login(visitors[caller], fins[caller], DEMO_PASSWORD)
            yield visitors
    finally:
        if 'portal' not in sys.modules:  # NiceGUI's reset drops the page modules' packages
            importlib.import_module('portal')


PAGE_CASES = [(path, caller) for path in PAGE_ROUTES for caller in PAGE_VISITORS]


@ON_MODULE_LOOP
@pytest.mark.parametrize(('path', 'caller'), PAGE_CASES, ids=[f'{p} by {c}' for p, c in PAGE_CASES])
async def test_page(
    path: str, caller: str, world: World, browsers: dict[str, User], caplog: pytest.LogCaptureFixture
) -> None:
    rule = PAGE_RULES[path]
    thing = world.things[rule.thing] if rule.thing else Thing({})
    url = path.format(**thing.params)
    user = browsers[caller]
    owners = OWNERS.get(rule.thing or '', frozenset())
    expected = page_expectation(rule, caller)
    owner = rule.policy == PUBLIC or not owners or caller in owners
    names_it = _names_it(path, thing)
    if expected != OPEN or path not in PAGE_PATHS:
        response = await user.http_client.get(url)
        seen = _seen(response)
        if expected == LOGIN:
            assert response.is_redirect and response.headers['location'] == '/login', seen[:300]
        elif expected == AWAY:
            assert response.is_redirect and response.headers['location'] != url, seen[:300]
        elif owner or not names_it:
            assert response.status_code == 200, seen[:300]
        else:  # a file of somebody else's: as if there were none
            assert response.status_code == 404, seen[:300]
            none = await user.http_client.get(path.format(**_missing(thing.params)))
            assert (none.status_code, none.content) == (404, response.content)
    else:
        seen, markers = await _open_page(user, url, path)
        if names_it and not owner:  # somebody else's object: the page says there is no such thing, as for none
            assert any(m.endswith('not-found') for m in markers), f'{caller} is not told that there is no such thing'
            _, markers_of_none = await _open_page(user, path.format(**_missing(thing.params)), path)
            assert markers == markers_of_none
    _assert_no_leak(caller, rule, thing, seen, owners)
    if rule.shows and expected == OPEN and caller in owners:
        assert any(s in seen for s in thing.secrets), f'{caller} sees none of {thing.secrets}'
    errors = [r.getMessage() for r in caplog.get_records('call') if r.levelno >= logging.ERROR]
    assert not errors


async def _open_page(user: User, url: str, path: str) -> tuple[str, set[str]]:
    """Open a page as the user's browser does (connected), and read what it holds and its elements' markers."""
    before = set(background_tasks.running_tasks)
    client = await user.open(url)
    try:
        assert client.page.path == path, f'sent to {client.page.path}'
        await _settle(before)
        return _rendered(client), {m for e in client.elements.values() for m in e._markers}
    finally:
        client.delete()


async def _settle(before: set[asyncio.Task[Any]]) -> None:
    """Let the work a page starts once the browser is connected finish (what goes on for the page's life — its timers,
    its client's outbox, a poll's live feed — is not waited for)."""
    for _ in range(200):
        busy = [t for t in background_tasks.running_tasks - before if not t.done() and not _lasting(t.get_name())]
        if not busy:
            return
        await asyncio.sleep(0.01)


def _lasting(name: str) -> bool:
    return name.startswith(('<', 'outbox loop', 'poll feed'))  # a timer is named after its callback


def _rendered(client: Client) -> str:
    """Everything the page shows or holds: each element's text, props and markers (but an input's placeholder, which
    is the page's own example text: the login form's example FIN is the demo's first persona's)."""
    elements = [e._to_dict() for e in client.elements.values()]
    for element in elements:
        element.get('props', {}).pop('placeholder', None)
    return json.dumps(elements, ensure_ascii=False, default=str)


# --- the API -------------------------------------------------------------------------------------------------------


@pytest_asyncio.fixture(scope='module', loop_scope='module')
async def api(world: World) -> AsyncIterator[httpx.AsyncClient]:
    parent = FastAPI()
    parent.mount(PREFIX, API)  # as the portal mounts it
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=parent), base_url='http://test') as client:
        yield client


def api_expectation(rule: Rule, caller: str) -> int | None:
    """The refusal a caller must get (its status), or None when the caller is let in."""
    without_key = {PUBLIC: True, SIGNED: False, PERSON: caller in CITIZENS}
    if rule.policy in without_key:
        return None if without_key[rule.policy] else 401
    if caller not in ORGANISATIONS:
        return 401  # nobody, or a session where a key is needed
    if rule.executives_only and caller not in EXECUTIVES:
        return 403
    if rule.policy == KEY or caller in OWNERS[rule.thing or '']:
        return None
    return rule.refused if rule.policy == OWNER else 403


API_CASES = [(op, caller) for op, _ in API_OPERATIONS for caller in API_CALLERS]


@ON_MODULE_LOOP
@pytest.mark.parametrize(('operation', 'caller'), API_CASES, ids=[f'{op} by {c}' for op, c in API_CASES])
async def test_api(operation: str, caller: str, world: World, api: httpx.AsyncClient) -> None:
    rule = API_RULES[operation]
    method, path = operation.split(' ', 1)
    if 'requestBody' in DOCUMENT['paths'][path][method.lower()]:
        assert _body(operation, world), f'give {operation} a valid request body in _body()'
    thing = world.things[rule.thing] if rule.thing else Thing({})
    owners = OWNERS.get(rule.thing or '', frozenset())
    headers = {}
    if caller in world.keys:
        headers['Authorization'] = f'Bearer {world.keys[caller]}'
    elif caller in world.tokens:
        token = world.tokens[caller]
        if operation == 'DELETE /sessions/current':  # it ends the session: a fresh one, so that the others stay open
            token = await _fresh_session(caller)
        headers['Authorization'] = f'Bearer {token}'
    response = await _call(api, operation, thing.params, headers, world)
    seen = _seen(response)
    expected = api_expectation(rule, caller)
    assert response.status_code < 500, seen
    if expected is None:
        assert response.status_code not in (401, 403, 404), seen
        assert response.status_code == 200 or method != 'GET', seen
        assert _error_code(response) != 'validation_error', seen  # the request itself is well-formed
    else:
        assert response.status_code == expected, seen
    if expected is not None and expected != 401 and _names_it(operation, thing):
        # somebody else's object answers exactly as one that does not exist
        missing = await _call(api, operation, _missing(thing.params), headers, world)
        assert (missing.status_code, _error_code(missing)) == (response.status_code, _error_code(response)), seen
    # a caller let in to write to A by FIN (a letter, a notice) is told whom it reached
    knows_a = expected is None and A_FIN in json.dumps(_body(operation, world).get('json', {}))
    _assert_no_leak(caller, rule, thing, seen, owners, knows_a=knows_a)
    if rule.shows and expected is None and caller in owners:
        assert any(s in seen for s in thing.secrets), f'{caller} sees none of {thing.secrets}'


async def _call(
    api: httpx.AsyncClient, operation: str, params: dict[str, str], headers: dict[str, str], world: World
) -> httpx.Response:
    method, path = operation.split(' ', 1)
    url = PREFIX + path.format(**params)
    return await api.request(method, url, headers=headers, params=_query(operation, world), **_body(operation, world))


def _names_it(route: str, thing: Thing) -> bool:
    """Whether the route's path names the object (rather than listing or making objects)."""
    return any(f'{{{name}}}' in route for name in thing.params)


def _missing(params: dict[str, str]) -> dict[str, str]:
    """The same path parameters for an object that does not exist: new UUIDs, and codes of the same shape."""
    return {
        name: str(uuid.uuid4()) if _is_uuid(value) else re.sub('[A-Za-z0-9]', '0', value)
        for name, value in params.items()
    }


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _error_code(response: httpx.Response) -> str | None:
    try:
        return str(response.json()['error']['code'])
    except (ValueError, KeyError, TypeError):
        return None


async def _fresh_session(caller: str) -> str:
    fin = A_FIN if caller == CITIZEN_A else B_FIN
    grant = await auth.login_with_password(fin=fin, password=DEMO_PASSWORD, address='127.0.0.1', now=datetime.now(UTC))
    return grant.token


def _seen(response: httpx.Response) -> str:
    """Everything an answer tells: its headers and its body."""
    return json.dumps(dict(response.headers), ensure_ascii=False) + response.content.decode('utf-8', 'replace')


def _assert_no_leak(
    caller: str, rule: Rule, thing: Thing, seen: str, owners: frozenset[str], *, knows_a: bool = False
) -> None:
    """Nobody but A and A's organisations learns who A is; nobody but an object's owners sees its secrets (a public
    route shows its object to everyone)."""
    if caller not in IDENTITY_READERS and not knows_a:
        leaked = [s for s in A_IDENTITY if s in seen]
        assert not leaked, f'{caller} is shown who A is: {_around(seen, leaked[0])}'
    if rule.policy != PUBLIC and caller not in owners:
        leaked = [s for s in thing.secrets if s in seen]
        assert not leaked, f'{caller} is shown {_around(seen, leaked[0])}'


def _around(text: str, part: str) -> str:
    at = text.index(part)
    return text[max(0, at - 200) : at + len(part) + 100]


def _query(operation: str, world: World) -> dict[str, str]:
    """The query a list needs: its longest page (so that a leak cannot hide on a later one), and the slots' days."""
    method, path = operation.split(' ', 1)
    query = {}
    for parameter in DOCUMENT['paths'][path][method.lower()].get('parameters', []):
        if parameter['in'] == 'query' and parameter['name'] == 'limit':
            query['limit'] = str(parameter['schema']['maximum'])
    if operation == 'GET /reception/slots':
        today: date = world.values['today']
        query |= {'from': today.isoformat(), 'to': (today + timedelta(days=14)).isoformat()}
    return query


def _body(operation: str, world: World) -> dict[str, Any]:
    """A valid request body for each operation that takes one, so that what decides the answer is who asks."""
    v = world.values
    later = v['now'] + timedelta(days=1)
    period = {'opens_at': later.isoformat(), 'closes_at': (later + timedelta(days=14)).isoformat()}
    item = {'kind': 'news', 'title': 'Həyətlər abadlaşdırılır', 'body': '<p>İşlər davam edir.</p>'}
    reason = {'reason': 'Müraciətə baxılması üçün əsas yoxdur.'}
    bodies: dict[str, dict[str, Any]] = {
        'POST /sessions': {'fin': B_FIN, 'password': DEMO_PASSWORD},
        'POST /registry/records': {'fin': A_FIN, 'kind': 'id_card', 'data': v['id_card']},
        'POST /payments/sandbox/callback': {'id': 'evt_1', 'type': 'payment.succeeded'},
        'POST /notifications/sms/receipt': {'id': 'sms-1', 'status': 'delivered'},
        'POST /notifications': {'fin': A_FIN, 'type': 'court_case', 'params': {'case': 'M-1/2026', 'court': 'Bakı'}},
        'POST /registry/corrections/{correction_id}/accept': {'data': v['address'], 'note': 'Düzəldildi.'},
        'POST /registry/corrections/{correction_id}/reject': reason,
        'POST /letters': {'fin': A_FIN, 'title': 'Məlumat', 'body': 'Sənədiniz hazırdır.'},
        'POST /letters/{letter_id}/status': {'status': 'received'},
        'POST /letters/{letter_id}/forward': {'to': 'MOJ', 'note': 'Aidiyyəti üzrə.'},
        'POST /letters/{letter_id}/answer': {'text': 'Qəbul saatları: 10:00-13:00.'},
        'POST /certificates/{code}/revoke': reason,
        'POST /applications/{application_id}/request-info': {'note': 'Planı əlavə edin.'},
        'POST /applications/{application_id}/approve': {'decision': 'İcazə verilsin.'},
        'POST /applications/{application_id}/reject': reason,
        'POST /data-requests': {
            'fin': A_FIN,
            'categories': ['personal'],
            'purpose': 'Ünvanın yoxlanılması',
            'valid_until': (v['today'] + timedelta(days=30)).isoformat(),
        },
        'POST /data/read': {'fin': A_FIN, 'categories': ['personal']},
        'POST /polls/{poll_id}/vote': {'option': v['option']},
        'POST /polls': {'question': 'Parkda nə olsun?', 'options': ['Skamya', 'Fəvvarə'], **period},
        'POST /polls/{poll_id}/close': reason,
        'POST /polls/{poll_id}/outcome': {'outcome': 'accepted', 'note': 'Plana salındı.'},
        'POST /proposals/{proposal_id}/approve': {'question': 'Svetofor?', 'options': ['Bəli', 'Xeyr'], **period},
        'POST /proposals/{proposal_id}/reject': reason,
        'POST /reception/requests/{request_id}/schedule': {
            'official_id': v['official'],
            'starts_at': v['slot'].isoformat(),
        },
        'POST /reception/requests/{request_id}/reschedule': {'starts_at': v['slot'].isoformat()},
        'POST /reception/requests/{request_id}/decline': reason,
        'POST /reception/requests/{request_id}/cancel': reason,
        'POST /news': item,
        'PUT /news/{item_id}': item,
    }
    if operation == 'POST /certificates/verify':
        return {'files': {'file': ('arayis.pdf', pdf(), 'application/pdf')}}
    if operation in bodies:
        return {'json': bodies[operation]}
    return {}
