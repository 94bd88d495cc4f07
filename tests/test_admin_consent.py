"""The administrators' consent page: disputes of data accesses arrive live and are closed with an answer; webhooks
are added (the secret shown once) and removed; a citizen is sent away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from nicegui import ui
from nicegui.testing import User

from portal.i18n import translate
from portal.store.actors import Role
from portal.store.apikeys import authenticate
from portal.store.consent import permissions, webhooks
from portal.store.consent.models import AccessDispute, DisputeState, Webhook
from portal.store.people import Person
from portal.store.workdays import local_date
from tests.builders import make_key_with_scopes, use_fast_hashing
from tests.factories import ADDRESS, make_citizen, make_person, make_record
from tests.test_ui_login import WAIT, login

LEYLA, RASHAD, ADMIN = '5ABC123', '2HT8P4N', '9ADM1N7'


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)


def az(message: str, **params: object) -> str:
    """A message as shown in the default language, whether or not it is translated yet."""
    return translate(message, 'az', **params)


def texts(user: User, marker: str) -> list[str]:
    found = sorted(user.find(marker=marker).elements, key=lambda e: e.id)
    return [e.text for e in found if isinstance(e, ui.label | ui.badge)]


async def disputed_access(fin: str, first: str, reason: str) -> Person:
    """AZERSU reads the citizen's data under a permission, and the citizen disputes the read."""
    now = datetime.now(UTC)
    if not await webhooks.Organisation.exists(code='AZERSU'):
        await webhooks.register_company(code='AZERSU', name_az='Azərsu ASC')
    person = await make_citizen(fin, first=first)
    await make_record(person, 'address', ADDRESS)
    company = await authenticate(key=await make_key_with_scopes('AZERSU', ['data:request', 'data:read']), now=now)
    request = await permissions.request_data(
        actor=company,
        fin=fin,
        categories=['personal'],
        purpose='Abonent yoxlaması',
        valid_until=local_date(now) + timedelta(days=30),
        now=now,
    )
    await permissions.decide_request(actor=person.as_actor(), request_id=request.id, grant=['personal'], now=now)
    read = await permissions.read_data(actor=company, fin=fin, categories=['personal'], now=now)
    await permissions.dispute_access(actor=person.as_actor(), access_id=read.access_id, reason=reason, now=now)
    return person


async def test_the_administrator_closes_a_dispute_and_new_ones_arrive_live(user: User) -> None:
    await make_person(ADMIN, first='Admin', role=Role.ADMIN)
    leyla = await disputed_access(LEYLA, 'Leyla', 'Mən bu oxunuşa icazə verməmişəm')
    await login(user, ADMIN)
    user.find(marker='admin-consent-link').click()
    await user.should_see(marker='disputes', retries=WAIT)
    (dispute,) = await AccessDispute.all()
    assert texts(user, 'dispute-citizen') == [leyla.full_name]
    assert texts(user, 'dispute-organisation') == ['Azərsu ASC']
    assert texts(user, 'dispute-reason') == ['Mən bu oxunuşa icazə verməmişəm']
    assert texts(user, 'dispute-purpose') == [az('Purpose: {purpose}', purpose='Abonent yoxlaması')]
    assert texts(user, 'dispute-categories') == [az('Data: {categories}', categories=az('Personal data'))]
    assert texts(user, 'disputes-open-count') == ['1']

    # another citizen disputes an access while the page is open: it appears without a reload
    await disputed_access(RASHAD, 'Rəşad', 'Tanımadığım şirkət')
    await user.should_see('Tanımadığım şirkət', retries=WAIT)
    assert texts(user, 'disputes-open-count') == ['2']

    # the answer is required
    user.find(marker=f'dispute-close-{dispute.id}').click()
    user.find(marker='dispute-close-send').click()
    await user.should_see(az('Write what was found.'), retries=WAIT)
    assert (await AccessDispute.get(id=dispute.id)).state is DisputeState.OPEN

    user.find(marker='dispute-answer-input').type('Şirkət icazə əsasında oxuyub; izah göndərildi.')
    user.find(marker='dispute-close-send').click()
    await user.should_not_see('Mən bu oxunuşa icazə verməmişəm', retries=WAIT)
    closed = await AccessDispute.get(id=dispute.id)
    assert (closed.state, closed.answer) == (DisputeState.CLOSED, 'Şirkət icazə əsasında oxuyub; izah göndərildi.')
    assert texts(user, 'disputes-open-count') == ['1']

    # the closed ones, on demand, with their answers
    user.find(marker='disputes-show-closed').click()
    await user.should_see('Şirkət icazə əsasında oxuyub; izah göndərildi.', retries=WAIT)
    await user.should_see(marker='dispute-closed')
    assert len(user.find(marker='dispute').elements) == 2


async def test_a_citizen_is_refused_the_page(user: User, create_user: Callable[[], User]) -> None:
    await disputed_access(LEYLA, 'Leyla', 'Mən bu oxunuşa icazə verməmişəm')
    await login(user, LEYLA)
    await user.open('/admin/consent')
    await user.should_see(marker='welcome', retries=WAIT)  # the citizen's own landing page
    await user.should_not_see(marker='disputes')
    await user.should_not_see(marker='webhooks')
    await user.should_not_see('Mən bu oxunuşa icazə verməmişəm')
    anonymous = create_user()
    await anonymous.open('/admin/consent')
    await anonymous.should_see(marker='login', retries=WAIT)
    await anonymous.should_not_see(marker='disputes')


async def test_the_administrator_adds_a_webhook_sees_its_secret_once_and_removes_it(user: User) -> None:
    await make_person(ADMIN, first='Admin', role=Role.ADMIN)
    await webhooks.register_company(code='AZERSU', name_az='Azərsu ASC')
    await login(user, ADMIN)
    await user.open('/admin/consent')
    await user.should_see(marker='webhooks-empty', retries=WAIT)

    user.find(marker='webhook-add').click()
    select = user.find(kind=ui.select, marker='webhook-org').elements.pop()
    assert isinstance(select, ui.select) and isinstance(select.options, dict)
    assert select.options['AZERSU'] == 'Azərsu ASC (AZERSU)'
    select.set_value('AZERSU')
    user.find(marker='webhook-url').type('ftp://hooks.azersu.az/kabinet')
    user.find(marker='webhook-save').click()
    await user.should_see(
        az('Give an http:// or https:// address of at most {limit} characters.', limit=500), retries=WAIT
    )
    assert not await Webhook.exists()

    user.find(marker='webhook-url').clear().type('https://hooks.azersu.az/kabinet')
    user.find(marker='webhook-save').click()
    await user.should_see(marker='webhook-secret', retries=WAIT)
    hook = await Webhook.get()
    assert (hook.url, hook.active) == ('https://hooks.azersu.az/kabinet', True)
    (shown,) = user.find(kind=ui.label, marker='webhook-secret').elements
    assert shown.text == hook.secret
    user.find(marker='webhook-done').click()
    await user.should_see(marker=f'webhook-{hook.id}', retries=WAIT)
    await user.should_see('https://hooks.azersu.az/kabinet')

    # the secret leaves the page: a reload, or the next "Add", does not show it again
    user.find(marker='webhook-add').click()
    await user.should_see(marker='webhook-save')
    await user.should_not_see(marker='webhook-secret')
    assert shown.text == ''
    await user.open('/admin/consent')
    await user.should_see(marker=f'webhook-{hook.id}', retries=WAIT)
    await user.should_not_see(hook.secret)

    user.find(marker=f'webhook-remove-{hook.id}').click()
    user.find(marker='webhook-remove-confirm').click()
    await user.should_see(marker='webhook-removed', retries=WAIT)
    await user.should_not_see(marker=f'webhook-remove-{hook.id}')
    assert not (await Webhook.get(id=hook.id)).active
