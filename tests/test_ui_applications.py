"""Applications to local executives in the browser: the citizen fills the form over data taken from the registry and
follows the application live; the executive's officer works it from the queue to a signed decision; nobody reads
another's application or file; certificates are found and revoked on the issuer's desk."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from nicegui import ui
from nicegui.testing import User

from portal.components.application_form import application_form
from portal.components.frame import frame
from portal.i18n import translate
from portal.pages.guard import require
from portal.store.actors import Role
from portal.store.letters.files import Upload
from portal.store.people import Person
from portal.store.registry import RegistryRecord
from portal.store.services import applications as apps
from portal.store.services import catalogue
from portal.store.services import certificates as certs
from portal.store.services.models import Application, ApplicationStatus, Certificate
from tests.builders import use_fast_hashing
from tests.factories import ADDRESS, make_citizen, make_org, make_person, make_record
from tests.letters_kit import HTML, PDF, PNG
from tests.test_ui_login import WAIT, login

LEYLA, RASHAD, SEBINE, ORXAN, TURAL = '5ABC123', '2HT8P4N', '6NS2K8V', '8KL4M2N', '4MD5R1X'
SIGNING = 300  # attempts of 0.1 s: a decision is rendered and signed in a thread (the first one makes the keys)
HOUSING = {'reason': 'overcrowded', 'household_size': '4', 'living_space': '31,5'}
HOUSING_FILES = [('housing_statement', Upload('arayış.pdf', PDF)), ('identity_document', Upload('ş.v.png', PNG))]


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)


@dataclass(frozen=True)
class Service:
    """A catalogue entry as the service page hands it to the form."""

    code: str
    action: str

    def title(self, lang: str) -> str:
        return self.code

    def summary(self, lang: str) -> str:
        return ''


def apply_page() -> None:
    """The form on a page of its own, as the service page shows it (the catalogue is not needed for this)."""

    @ui.page('/test/apply/{form}')
    async def page(form: str) -> None:
        actor = await require(Role.CITIZEN)
        assert not isinstance(actor, str)
        with frame('Apply', actor):
            await application_form(actor, Service(f'ih-{form}', f'application:{form}'))  # type: ignore[arg-type]


async def open_form(user: User, form: str, ready: str = 'application-form') -> None:
    """Open the form and wait for it: the page is sent before the store's data is read and the form is drawn."""
    await user.open(f'/test/apply/{form}')
    await user.should_see(marker=ready, retries=WAIT)


def az(message: str, **params: object) -> str:
    """A message as shown in the default language, whether or not it is translated yet."""
    return translate(message, 'az', **params)


def text_of(user: User, marker: str) -> str:
    """What the visible labels, badges and links with this marker say ('' while there are none)."""
    try:
        elements = user.find(marker=marker).elements
    except AssertionError:
        return ''
    return ' '.join(e.text for e in elements if isinstance(e, ui.label | ui.badge | ui.link) and e.visible)


async def shows(user: User, marker: str, text: str, retries: int = WAIT) -> None:
    """Wait until the labels with this marker show exactly this text."""
    for _ in range(retries):
        if text_of(user, marker) == text:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f'{marker} shows {text_of(user, marker)!r}, not {text!r}')


async def upload(user: User, marker: str, *files: tuple[str, bytes]) -> None:
    element = user.find(kind=ui.upload, marker=marker).elements.pop()
    with user:
        await element.handle_uploads([ui.upload.SmallFileUpload(name, 'application/pdf', data) for name, data in files])


def choose(user: User, marker: str, value: object) -> None:
    element = user.find(kind=ui.select, marker=marker).elements.pop()
    element.set_value(value)


def value_of(user: User, marker: str) -> Any:
    (element,) = user.find(marker=marker).elements
    return getattr(element, 'value', None)


async def citizen(fin: str = LEYLA, region: str | None = 'Nəsimi', **kwargs: Any) -> Person:
    person = await make_citizen(fin, **kwargs)
    if region is not None:
        await make_record(person, 'address', {**ADDRESS, 'region': region})
    return person


async def officer(code: str = 'IH-NESIMI', fin: str = SEBINE, first: str = 'Səbinə') -> Person:
    role = Role.EXECUTIVE_OFFICER if code.startswith('IH-') else Role.AGENCY_OFFICER
    person, _ = await make_person(fin, first=first, last='Əliyeva', role=role, org=await make_org(code))
    return person


async def submitted(person: Person, now: datetime | None = None, **answers: str) -> apps.ApplicationView:
    await make_org('IH-NESIMI')
    return await apps.submit_application(
        actor=person.as_actor(),
        form='housing_queue',
        service_code='ih-housing_queue',
        executive_code='IH-NESIMI',
        answers={**HOUSING, **answers},
        uploads=list(HOUSING_FILES),
        now=now or datetime.now(UTC),
    )


# --- the whole flow ----------------------------------------------------------------------------------------------


async def test_apply_follow_live_and_get_a_signed_decision(user: User, create_user: Callable[[], User]) -> None:
    leyla = await citizen()
    await officer()
    # the service as the catalogue ships it, on its own page
    (entry,) = [e for e in catalogue.shipped_entries() if e['action'] == 'application:housing_queue']
    await catalogue.load_catalogue(entries=[entry])
    await login(user, LEYLA)
    await user.open(f'/services/{entry["code"]}')
    await user.should_see(marker='application-form', retries=WAIT)

    # the applicant's data comes from the registry, shown and never retyped
    await shows(user, 'applicant-name', 'Məmmədova Leyla Rauf qızı')
    await shows(user, 'applicant-fin', LEYLA)
    await shows(user, 'applicant-birth', '17.05.1990')
    await shows(user, 'applicant-address', 'Bakı, Füzuli küçəsi, 12, 4')
    assert 'Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti' in text_of(user, 'executive-fixed')
    await user.should_not_see(marker='executive')  # a residence service: no choice of executive
    for name in ('reason', 'household_size', 'living_space', 'details'):
        await user.should_see(marker=f'field-{name}')
    assert not [e for e in user.find(kind=ui.input).elements if LEYLA in str(e.value)]  # the FIN is never an input

    # a required field left out: the message under it, nothing submitted, nothing typed lost
    user.find(marker='field-household_size').type('4')
    user.find(marker='field-living_space').type('31,5')
    user.find(marker='field-details').type('İki otaqlı mənzil')
    user.find(marker='application-submit').click()
    await shows(user, 'field-error-reason', az('This field is required.'))
    assert user.notify.contains(az('Reason'))  # the notification names the field
    assert await Application.all().count() == 0
    assert (value_of(user, 'field-household_size'), value_of(user, 'field-living_space')) == ('4', '31,5')

    # the documents: a wrong file is refused as it arrives; the right ones are listed and can be removed
    choose(user, 'field-reason', 'overcrowded')
    user.find(marker='application-submit').click()
    await shows(user, 'document-error-housing_statement', az('Attach this document.'))
    await user.should_not_see(marker='field-error-reason')
    await upload(user, 'upload-identity_document', ('şəxsiyyət.pdf', HTML))
    await shows(
        user,
        'document-error-identity_document',
        az('The file {name} is not a PDF, JPEG, PNG or DOCX document.', name='şəxsiyyət.pdf'),
    )
    await user.should_not_see(marker='document-file-identity_document')
    await upload(user, 'upload-housing_statement', ('köhnə.pdf', PDF))
    await shows(user, 'document-file-name', 'köhnə.pdf')
    user.find(marker='remove-document-housing_statement').click()
    await user.should_not_see(marker='document-file-housing_statement')
    await upload(user, 'upload-housing_statement', ('arayış.pdf', PDF))
    await upload(user, 'upload-identity_document', ('ş.v.png', PNG))
    user.find(marker='application-submit').click()

    # submitted: the citizen lands on the application
    await user.should_see(marker='application-view', retries=WAIT)
    (application,) = await Application.all()
    assert user.back_history[-1] == f'/applications/{application.id}'
    await user.should_see(marker='application-status-submitted')
    assert application.number in text_of(user, 'application-number')
    assert application.service_code == entry['code']
    assert text_of(user, 'application-title') == entry['title_az']
    assert application.answers == {
        'reason': 'overcrowded',
        'household_size': 4,
        'living_space': '31.5',
        'details': 'İki otaqlı mənzil',
    }
    await user.should_see('İki otaqlı mənzil')
    links = user.find(marker='application-file-link').elements
    assert {e.text for e in links if isinstance(e, ui.link)} >= {'ş.v.png'}

    # the officer's queue has it; the officer works it on its page
    desk = create_user()
    await login(desk, SEBINE)
    await desk.open('/desk/applications')
    await desk.should_see(marker=f'application-queue-{application.id}')
    await shows(desk, 'application-queue-count', '1')
    desk.find(marker='application-queue-link').click()
    await desk.should_see(marker='application-actions', retries=WAIT)
    await desk.should_see('Məmmədova Leyla Rauf qızı')
    await desk.should_not_see(marker='info-answer')  # the citizen's answer form is not the desk's

    desk.find(marker='action-take').click()
    await user.should_see(marker='application-status-under_review', retries=WAIT)  # live on the citizen's page
    await desk.should_see(marker='application-status-under_review', retries=WAIT)
    await desk.should_not_see(marker='action-take')

    # asking for more information: a note is required; the citizen sees the request live
    desk.find(marker='action-ask').click()
    desk.find(marker='ask-send').click()
    await shows(desk, 'ask-error', az('Please add a note.'))
    desk.find(marker='ask-text').type('Evin texniki pasportunu əlavə edin.')
    desk.find(marker='ask-send').click()
    await user.should_see(marker='application-status-needs_info', retries=WAIT)
    await shows(user, 'info-request-note', 'Evin texniki pasportunu əlavə edin.')
    await user.should_see(marker='info-answer')

    # the citizen answers with a file: back under review, on both pages
    user.find(marker='info-answer-note').type('Pasport əlavə olundu.')
    await upload(user, 'info-answer-upload', ('pasport.pdf', PDF))
    await user.should_see('pasport.pdf', retries=WAIT)
    user.find(marker='info-answer-send').click()
    await user.should_see(marker='application-status-under_review', retries=WAIT)
    await desk.should_see(marker='application-status-under_review', retries=WAIT)
    await desk.should_see('Pasport əlavə olundu.', retries=WAIT)
    await desk.should_see(marker='app-step-info_provided')
    await user.should_not_see(marker='info-answer')

    # approval needs the decision's text; the signed decision reaches the citizen live
    desk.find(marker='action-approve').click()
    desk.find(marker='approve-send').click()
    await shows(desk, 'approve-error', az('Please add a note.'))
    desk.find(marker='approve-text').type('Mənzil növbəsinə 2026-cı il siyahısı ilə daxil edilsin.')
    desk.find(marker='approve-send').click()
    await user.should_see(marker='application-status-approved', retries=SIGNING)
    await user.should_see(marker='decision-link', retries=WAIT)
    decision = await Certificate.get(application_id=application.id)
    (link,) = user.find(marker='decision-link').elements
    assert isinstance(link, ui.link) and link.props['href'] == f'/files/certificates/{decision.id}'
    await desk.should_see(marker='application-status-approved', retries=WAIT)
    await desk.should_see(marker='actions-closed')

    # the citizen sees the officer's role, the desk their name
    await user.should_see(marker='app-step-approved')
    assert az('officer') in text_of(user, 'app-step-details') and 'Səbinə' not in text_of(user, 'app-step-details')
    assert 'Səbinə Əliyeva' in text_of(desk, 'app-step-details')
    await user.should_not_see('Səbinə')
    view = await apps.get_application(actor=leyla.as_actor(), application_id=application.id)
    assert [e.kind.value for e in view.events] == [
        'submitted',
        'under_review',
        'needs_info',
        'info_provided',
        'approved',
    ]


# --- the form's refusals -----------------------------------------------------------------------------------------


async def test_a_wrong_region_is_refused_with_the_stores_message(user: User) -> None:
    leyla = await citizen()
    await make_org('IH-NESIMI')
    await make_org('IH-XETAI')
    apply_page()
    await login(user, LEYLA)
    await open_form(user, 'land_plot')
    assert 'Nəsimi' in text_of(user, 'executive-fixed')
    user.find(marker='field-settlement').type('Mərdəkan')
    user.find(marker='field-area_m2').type('600')
    user.find(marker='field-reason').type('Ailə böyüyüb.')
    await upload(user, 'upload-identity_document', ('ş.v.png', PNG))

    # the registered address moves to Xətai while the form is open: Nəsimi may no longer take the application
    await RegistryRecord.filter(person_id=leyla.id, kind='address').update(data={**ADDRESS, 'region': 'Xətai'})
    user.find(marker='application-submit').click()
    await shows(
        user,
        'field-error-executive',
        az(
            'Only the local executive of your registered place of residence ({name}) provides this service.',
            name='Bakı şəhəri Xətai rayon İcra Hakimiyyəti',
        ),
    )
    assert await Application.all().count() == 0
    assert value_of(user, 'field-settlement') == 'Mərdəkan'
    await user.should_see(marker='document-file-identity_document')  # the file is still there


async def test_without_a_registered_address_a_residence_service_has_no_form(user: User) -> None:
    await citizen(region=None)
    await make_org('IH-NESIMI')
    apply_page()
    await login(user, LEYLA)
    await open_form(user, 'housing_queue', 'applicant-data')
    await shows(
        user,
        'application-no-residence',
        az('This service needs a registered place of residence, and none is recorded for you.'),
    )
    await user.should_not_see(marker='application-form')
    await user.should_see(marker='applicant-data')


async def test_any_executive_can_be_chosen_and_bad_numbers_are_named(user: User) -> None:
    await citizen()
    await make_org('IH-NESIMI')
    await make_org('IH-XETAI')
    apply_page()
    await login(user, LEYLA)
    await open_form(user, 'farm_subsidy')
    assert value_of(user, 'executive') == 'IH-NESIMI'  # the home executive by default
    (select,) = user.find(kind=ui.select, marker='executive').elements
    assert isinstance(select, ui.select) and set(select.options) >= {'IH-NESIMI', 'IH-XETAI'}
    choose(user, 'executive', 'IH-XETAI')
    user.find(marker='field-village').type('Zirə')
    user.find(marker='field-plot_no').type('17/4')
    user.find(marker='field-area_ha').type('0')
    choose(user, 'field-crop', 'wheat')
    user.find(marker='field-sown_on').type('2026-10-01')
    await upload(user, 'upload-land_document', ('icarə.pdf', PDF))
    user.find(marker='application-submit').click()
    await shows(
        user, 'field-error-area_ha', az('Enter a number from {minimum} to {maximum}.', minimum='0.01', maximum='10000')
    )
    assert user.notify.contains(az('Sown area, hectares'))
    assert await Application.all().count() == 0

    user.find(marker='field-area_ha').clear().type('2,5')
    user.find(marker='application-submit').click()
    await user.should_see(marker='application-view', retries=WAIT)
    (application,) = await Application.all().prefetch_related('executive')
    assert application.executive.code == 'IH-XETAI'
    assert application.answers['area_ha'] == '2.5' and application.answers['sown_on'] == '2026-10-01'
    await user.should_see(marker='application-status-submitted')


# --- the desk ----------------------------------------------------------------------------------------------------


async def test_the_queue_puts_overdue_first_filters_and_follows_live(user: User) -> None:
    leyla = await citizen()
    sebine = await officer()
    old = await submitted(leyla, now=datetime.now(UTC) - timedelta(days=80))
    await login(user, SEBINE)
    await user.open('/desk/applications')
    await user.should_see(marker=f'application-queue-{old.id}')
    (row,) = user.find(marker=f'application-queue-{old.id}').elements
    assert 'application-queue-overdue' in row._markers
    await user.should_see(marker='application-overdue')
    await shows(user, 'application-queue-count', '1')

    fresh = await submitted(leyla)  # arrives live
    await user.should_see(marker=f'application-queue-{fresh.id}', retries=WAIT)
    await shows(user, 'application-queue-count', '2')
    (queue,) = user.find(marker='application-queue').elements
    rows = [e for e in queue.descendants() if 'application-queue-row' in e._markers]
    assert [f'application-queue-{old.id}' in r._markers for r in rows] == [True, False]  # nearest deadline first
    (fresh_row,) = user.find(marker=f'application-queue-{fresh.id}').elements
    assert 'application-queue-overdue' not in fresh_row._markers

    # a decided application leaves the open queue, and is found under its status
    await apps.reject_application(
        actor=sebine.as_actor(), application_id=old.id, reason='Təkrar ərizə.', now=datetime.now(UTC)
    )
    await user.should_not_see(marker=f'application-queue-{old.id}', retries=WAIT)
    await shows(user, 'application-queue-count', '1')
    choose(user, 'application-queue-view', ApplicationStatus.REJECTED.value)
    await user.should_see(marker=f'application-queue-{old.id}', retries=WAIT)
    await user.should_not_see(marker=f'application-queue-{fresh.id}')
    choose(user, 'application-queue-view', 'all')
    await shows(user, 'application-queue-count', '2')


async def test_only_the_executives_officers_work_applications(user: User) -> None:
    await officer('MIA', TURAL, 'Tural')
    await login(user, TURAL)
    await user.open('/desk/applications')
    await user.should_not_see(marker='application-queue')  # an agency officer is sent back to their desk
    await user.should_see(marker='desk-organisation')

    leyla = await citizen()
    await user.open('/desk/applications/' + str((await submitted(leyla)).id))
    await user.should_not_see(marker='application-actions')


# --- nobody else's -----------------------------------------------------------------------------------------------


async def test_nobody_reads_another_citizens_application_or_file(user: User, create_user: Callable[[], User]) -> None:
    leyla = await citizen()
    await citizen(RASHAD, first='Rəşad', last='Əliyev')
    await officer()
    await officer('IH-XETAI', ORXAN, 'Orxan')
    view = await submitted(leyla)
    file = view.files[0]
    url = f'/files/applications/{view.id}/{file.id}'

    await login(user, LEYLA)
    response = await user.http_client.get(url)
    assert response.status_code == 200 and response.content == PDF
    assert response.headers['x-content-type-options'] == 'nosniff'
    assert response.headers['content-disposition'].startswith('attachment;')
    await user.open(f'/applications/{view.id}')
    await user.should_see(marker='application-view')

    rashad = create_user()
    await login(rashad, RASHAD)
    await rashad.open(f'/applications/{view.id}')
    await rashad.should_see(marker='application-not-found')
    await rashad.should_not_see(view.number)
    assert (await rashad.http_client.get(url)).status_code == 404
    await rashad.open(f'/applications/{UUID(int=1)}')  # a missing one looks the same
    await rashad.should_see(marker='application-not-found')
    await rashad.open('/applications/not-a-uuid')
    await rashad.should_see(marker='application-not-found')

    other_executive = create_user()
    await login(other_executive, ORXAN)
    await other_executive.open(f'/desk/applications/{view.id}')
    await other_executive.should_see(marker='application-not-found')
    assert (await other_executive.http_client.get(url)).status_code == 404

    own_executive = create_user()
    await login(own_executive, SEBINE)
    assert (await own_executive.http_client.get(url)).status_code == 200

    stranger = create_user()
    response = await stranger.http_client.get(url)
    assert response.status_code == 303 and response.headers['location'] == '/login'


# --- certificates on the issuer's desk ---------------------------------------------------------------------------


async def test_an_officer_finds_and_revokes_a_certificate_of_their_organisation(
    user: User, create_user: Callable[[], User]
) -> None:
    leyla = await citizen()
    nesimi = (await officer()).as_actor()
    await officer('MIA', TURAL, 'Tural')
    view = await submitted(leyla)
    now = datetime.now(UTC)
    await apps.take_for_review(actor=nesimi, application_id=view.id, now=now)
    await apps.approve_application(actor=nesimi, application_id=view.id, decision='Təsdiq edilir.', now=now)
    decision = await Certificate.get(application_id=view.id)

    # another organisation's officer: the store's clear message, nothing shown
    await login(user, TURAL)
    await user.open('/desk/certificates')
    user.find(marker='certificate-code').type(decision.code)
    user.find(marker='certificate-find').click()
    await shows(user, 'certificate-error', az('Your organisation has issued no certificate with this code.'))
    await user.should_not_see(marker='certificate-found')
    user.find(marker='certificate-code').clear().type('12345')
    user.find(marker='certificate-find').click()
    await shows(
        user, 'certificate-error', az('A verification code has 16 letters and digits, like K7QD-2M9X-P4TR-8ZHW.')
    )

    # the issuer's officer finds it (typed loosely), sees it, and revokes it with a reason
    desk = create_user()
    await login(desk, SEBINE)
    await desk.open('/desk/certificates')
    desk.find(marker='certificate-code').type(decision.code.replace('-', ' ').lower())
    desk.find(marker='certificate-find').click()
    await desk.should_see(marker='certificate-found', retries=WAIT)
    assert text_of(desk, 'certificate-title') == decision.title
    assert 'L. M.' in text_of(desk, 'certificate-holder')
    await desk.should_see(marker='certificate-state-valid')
    desk.find(marker='revoke-send').click()
    await shows(desk, 'revoke-error', az('Give the reason for revoking.'))
    assert (await Certificate.get(id=decision.id)).revoked_at is None
    desk.find(marker='revoke-reason').type('Səhvən verilib.')
    desk.find(marker='revoke-send').click()
    await desk.should_see(marker='certificate-state-revoked', retries=WAIT)
    await desk.should_see(marker='certificate-revoked')
    await desk.should_not_see(marker='revoke-send')
    revoked = await Certificate.get(id=decision.id)
    assert revoked.revoked_at is not None and revoked.revoked_reason == 'Səhvən verilib.'
    found = await certs.find_issued(actor=nesimi, code=decision.code)
    assert found.status(datetime.now(UTC).date()) == 'revoked'
