"""E-services in the browser: the catalogue by agency and by search, a service's page, getting an e-certificate and
finding it in "My documents" (live), public verification by code and by file, and nobody sees another's certificate."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from nicegui import ui
from nicegui.testing import User

from portal.i18n import translate
from portal.store.actors import Role
from portal.store.letters import Upload
from portal.store.orgs import Organisation, reference_organisations
from portal.store.people import Person
from portal.store.services import applications, catalogue, certificates
from portal.store.services.catalogue import ServiceView
from portal.store.services.forms import get_form
from portal.store.services.models import Certificate
from tests.builders import use_fast_hashing
from tests.factories import ADDRESS, make_citizen, make_org, make_person, make_record
from tests.letters_kit import PDF
from tests.test_ui_login import WAIT, login

LEYLA, RASHAD, TURAL = '5ABC123', '2HT8P4N', '4MD5R1X'
IDP = {
    'status': 'idp',
    'card_series': 'MK',
    'card_number': '0456789',
    'origin': 'Şuşa rayonu',
    'issued_on': '2019-04-02',
    'expires_on': '2029-04-02',
}


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)  # several logins: real argon2, tiny cost


def az(message: str, **params: object) -> str:
    """A message as a visitor sees it (the default language), whether or not it is translated yet."""
    return translate(message, 'az', **params)


# one service provided on its provider's own site, whatever the shipped catalogue holds
EXTERNAL_CODE = 'test-passport-abroad'
EXTERNAL: dict[str, object] = {
    'code': EXTERNAL_CODE,
    'provider': 'MIA',
    'category': 'identity',
    'kind': 'external',
    'title_az': 'Xarici pasportun verilməsi (sınaq)',
    'title_en': 'Issuing a passport (test)',
    'summary_az': 'Müraciət qurumun öz saytında edilir.',
    'summary_en': "Applied for on the agency's own site.",
    'duration_days': 10,
    'url': 'https://www.e-gov.az/passport',
}


async def load_reference_catalogue() -> None:
    """The shipped agencies and local executives, then the catalogue that names them (as the demo does)."""
    await Organisation.bulk_create([Organisation(**r) for r in reference_organisations()])
    await catalogue.load_catalogue(entries=[*catalogue.shipped_entries(), EXTERNAL])


async def service_with(action: str = '', *, kind: str = '') -> ServiceView:
    services = await catalogue.list_services()
    return next(s for s in services if (action and s.action == action) or (kind and s.kind == kind))


async def displaced(fin: str = LEYLA) -> Person:
    person = await make_citizen(fin)
    await make_record(person, 'idp_status', IDP, source='QMIDK')
    return person


def texts(user: User, marker: str) -> list[str]:
    return [e.text for e in user.find(marker=marker).elements if isinstance(e, ui.label | ui.badge | ui.link)]


async def test_by_agency_to_a_service_page(user: User) -> None:
    await load_reference_catalogue()
    idp = await service_with('certificate:idp_status')
    total, working = await catalogue.count_all(), await catalogue.count_working()
    assert 0 < working < total

    await user.open('/services')  # public: nobody is logged in
    await user.should_see(az('All services'))
    assert texts(user, 'catalogue-counts') == [
        az('{total} services, {working} of them available right here', total=total, working=working)
    ]
    await user.should_see(marker='tab-agency')
    await user.should_see(marker='tab-category')
    committee = next(p for p in await catalogue.providers_with_services() if p.code == 'QMIDK')
    await user.should_see(committee.name_az)
    await user.should_see(marker='category-link')

    await user.open('/services/agency/QMIDK')
    await user.should_see(committee.name_az)
    await user.should_see(idp.title('az'))
    assert user.find(marker=idp.code).elements
    await user.should_see(marker='chip-portal')
    user.find(kind=ui.link, content=idp.title('az')).click()

    await user.should_see(marker='service-details', retries=WAIT)
    assert texts(user, 'service-summary') == [idp.summary('az')]
    assert texts(user, 'service-provider') == [idp.provider_name_az]
    assert texts(user, 'service-duration') == [
        az('At once') if idp.duration_days == 0 else az('{n} working days', n=idp.duration_days)
    ]
    await user.should_see(marker='service-requirement')
    await user.should_see(marker='service-login')  # a certificate is the citizen's own: log in first
    await user.should_not_see(marker='get-certificate')

    await user.open('/services/agency/NO-SUCH-AGENCY')
    await user.should_see(marker='catalogue-not-found')
    await user.open('/services/category/no-such-category')
    await user.should_see(marker='catalogue-not-found')
    await user.open('/services/no-such-service')
    await user.should_see(marker='service-not-found')


async def test_by_category_lists_only_that_category(user: User) -> None:
    await load_reference_catalogue()
    everything = await catalogue.list_services()
    category = everything[0].category
    await user.open(f'/services/category/{category}')
    shown = {s.code for s in everything if s.category == category}
    for service in everything:
        if service.code in shown:
            assert user.find(marker=service.code).elements, service.code
    await user.should_not_see(marker=next(s.code for s in everything if s.category != category))


async def test_search_in_capitals_finds_the_idp_certificate(user: User) -> None:
    await load_reference_catalogue()
    idp = await service_with('certificate:idp_status')
    await user.open('/services')
    user.find(marker='catalogue-query').type('KÖÇKÜN')
    user.find(marker='catalogue-search').click()
    await user.should_see(marker='search-total')
    await user.should_see(idp.title('az'))
    assert user.find(marker=idp.code).elements

    user.find(marker='catalogue-query').clear()
    user.find(marker='catalogue-search').click()
    await user.should_see(marker='catalogue-error')  # an empty search says so, and lists nothing


async def test_a_displaced_citizen_gets_the_certificate_and_finds_it_in_my_documents(user: User) -> None:
    await load_reference_catalogue()
    idp = await service_with('certificate:idp_status')
    leyla = await displaced()
    await login(user, LEYLA)

    await user.open(f'/services/{idp.code}')
    await user.should_see(marker='certificate-preview')
    await user.should_see('0456789')  # the IDP card number, from the registry
    await user.should_see('Şuşa rayonu')
    user.find(marker='get-certificate').click()

    # signed in a thread, then the certificate's own page
    await user.should_see(marker='certificate-code', retries=WAIT)
    issued = await Certificate.get(person_id=leyla.id)
    assert texts(user, 'certificate-code') == [issued.code]
    await user.should_see(marker='certificate-qr')
    assert texts(user, 'certificate-status') == [az('valid')]
    committee = 'Qaçqınların və Məcburi Köçkünlərin İşləri üzrə Dövlət Komitəsi'
    assert texts(user, 'certificate-issuer') == [az('Issued by {issuer}', issuer=committee)]
    user.find(marker='certificate-download').click()
    response = await user.download.next(timeout=5)
    assert response.status_code == 200 and response.content.startswith(b'%PDF-')
    assert response.headers['content-type'] == 'application/pdf'

    await user.open('/documents')
    await user.should_see(marker=issued.code)
    await user.should_see(issued.title)
    assert az('valid') in texts(user, 'certificate-status')
    user.find(marker='certificate-row-download').click()
    assert (await user.download.next(timeout=5)).content.startswith(b'%PDF-')

    # the operation history names the certificate and its code
    await user.open('/history')
    await user.should_see(marker='history-service_used')
    await user.should_see(
        az('“{title}” issued by {agency}, code {code}', title=issued.title, agency=committee, code=issued.code)
    )


async def test_my_documents_follow_issuing_and_revoking_live(user: User) -> None:
    await load_reference_catalogue()
    leyla = await displaced()
    officer, _key = await make_person(TURAL, first='Tural', role=Role.AGENCY_OFFICER, org=await make_org('QMIDK'))
    await login(user, LEYLA)
    await user.open('/documents')
    await user.should_see(marker='certificates-empty')
    await user.should_see(marker='applications-empty')

    now = datetime.now(UTC)
    view = await certificates.issue_certificate(actor=leyla.as_actor(), template='idp_status', now=now, lang='az')
    await user.should_see(marker=view.code, retries=WAIT)
    await user.should_not_see(marker='certificates-empty')

    await certificates.revoke_certificate(actor=officer.as_actor(), code=view.code, reason='Səhv verilib', now=now)
    for _attempt in range(WAIT):
        if az('revoked') in texts(user, 'certificate-status'):
            break
        await asyncio.sleep(0.1)
    assert texts(user, 'certificate-status') == [az('revoked')]

    await user.open(f'/documents/certificates/{view.id}')
    await user.should_see(marker='certificate-revoked')
    await user.should_see('Səhv verilib')


async def test_my_documents_list_applications_and_follow_them_live(user: User) -> None:
    await load_reference_catalogue()
    service = await service_with('application:housing_queue')
    leyla = await make_citizen(LEYLA)
    await make_record(leyla, 'address', ADDRESS)
    desk, _key = await make_person(TURAL, first='Səbinə', role=Role.EXECUTIVE_OFFICER, org=await make_org('IH-NESIMI'))
    await login(user, LEYLA)
    await user.open(f'/services/{service.code}')  # an application service shows the colleague's form
    await user.should_see(marker='application-form')

    spec = get_form('housing_queue')
    made = await applications.submit_application(
        actor=leyla.as_actor(),
        form=spec.code,
        service_code=service.code,
        executive_code='IH-NESIMI',
        answers={'reason': 'overcrowded', 'household_size': 5, 'living_space': '38'},
        uploads=[(d.name, Upload(f'{d.name}.pdf', PDF)) for d in spec.documents if d.required],
        now=datetime.now(UTC),
    )
    await user.open('/documents')
    await user.should_see(marker=made.number)
    link = user.find(kind=ui.link, marker='application-link').elements.pop()
    assert link.props['href'] == f'/applications/{made.id}'
    assert link.text == f'{made.number} · {service.title("az")}'
    assert texts(user, 'application-status') == [az('submitted')]
    await user.should_see('Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti')
    await user.should_not_see(marker='application-overdue')

    await applications.take_for_review(actor=desk.as_actor(), application_id=made.id, now=datetime.now(UTC))
    for _attempt in range(WAIT):
        if texts(user, 'application-status') == [az('under review')]:
            break
        await asyncio.sleep(0.1)
    assert texts(user, 'application-status') == [az('under review')]

    await user.open('/history')
    await user.should_see(
        az(
            'Application {number} “{title}” to {agency}',
            number=made.number,
            title=az(spec.title),
            agency='Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti',
        )
    )


async def test_without_idp_status_the_citizen_is_told_so_and_gets_no_button(user: User) -> None:
    await load_reference_catalogue()
    idp = await service_with('certificate:idp_status')
    await make_citizen(LEYLA)
    await login(user, LEYLA)
    await user.open(f'/services/{idp.code}')
    await user.should_see(marker='certificate-no-record')
    await user.should_see(az('The State Committee has no record of internally displaced person status for you.'))
    await user.should_not_see(marker='get-certificate')
    await user.should_not_see(marker='certificate-preview')


async def test_an_external_service_links_honestly_to_its_provider(user: User) -> None:
    await load_reference_catalogue()
    external = await catalogue.get_service(code=EXTERNAL_CODE)
    await user.open(f'/services/{external.code}')
    await user.should_see(marker='service-external-note')
    link = user.find(kind=ui.link, marker='service-external-link').elements.pop()
    assert link.props['href'] == external.url
    assert link.props['target'] == '_blank'
    assert 'noopener' in link.props['rel']
    await user.should_not_see(marker='service-login')

    await user.open('/services/agency/MIA')  # listed with an honest chip
    row = user.find(marker=EXTERNAL_CODE).elements.pop()
    assert [c.text for c in row.descendants() if isinstance(c, ui.chip)] == [az("On the provider's site")]
    idp = await service_with('certificate:idp_status')
    await user.open('/services/agency/QMIDK')
    row = user.find(marker=idp.code).elements.pop()
    assert [c.text for c in row.descendants() if isinstance(c, ui.chip)] == [az('On this portal')]


async def test_other_kinds_lead_to_the_right_place(user: User) -> None:
    await load_reference_catalogue()
    letter = await service_with(kind='letter')
    await user.open(f'/services/{letter.code}')
    link = user.find(kind=ui.link, marker='service-letter').elements.pop()
    assert link.props['href'] == f'/letters/new?to={letter.action.partition(":")[2] or letter.provider_code}'
    records = await service_with(kind='records')
    await user.open(f'/services/{records.code}')
    assert user.find(kind=ui.link, marker='service-records').elements.pop().props['href'] == '/cabinet'
    local = next(s for s in await catalogue.list_services() if s.local)
    await user.open(f'/services/{local.code}')
    assert texts(user, 'service-provider') == [az('Your local executive')]


async def test_anyone_verifies_a_code_or_a_file(user: User) -> None:
    await load_reference_catalogue()
    leyla = await displaced()
    await make_record(leyla, 'address', ADDRESS, source='MIA')
    now = datetime.now(UTC)
    view = await certificates.issue_certificate(actor=leyla.as_actor(), template='idp_status', now=now, lang='az')
    _name, pdf = await certificates.read_certificate_pdf(actor=leyla.as_actor(), certificate_id=view.id)

    # the QR code's link: checked at once, no login
    await user.open(f'/verify/{view.code}')
    await user.should_see(marker='verify-genuine')
    assert texts(user, 'certificate-status') == [az('valid')]
    assert texts(user, 'verify-title') == [view.title]
    assert texts(user, 'verify-holder') == ['L. M.']
    await user.should_see(marker='root-fingerprint')
    root = await user.http_client.get('/pki/root.crt')
    assert root.status_code == 200 and root.content.startswith(b'-----BEGIN CERTIFICATE-----')
    assert root.headers['content-type'].startswith('application/x-x509-ca-cert')
    assert 'kabinet-root-ca.crt' in root.headers['content-disposition']

    # typed by hand: lower case, without dashes
    await user.open('/verify')
    user.find(marker='verify-code').type(view.code.replace('-', '').lower())
    user.find(marker='verify-check').click()
    await user.should_see(marker='verify-genuine')

    # a malformed code, an unknown one
    user.find(marker='verify-code').clear().type('12-34')
    user.find(marker='verify-check').click()
    await user.should_see(az('A verification code has 16 letters and digits, like K7QD-2M9X-P4TR-8ZHW.'))
    await user.should_not_see(marker='verify-genuine')
    user.find(marker='verify-code').clear().type('0000-0000-0000-0000')
    user.find(marker='verify-check').click()
    await user.should_see(az('No certificate has this verification code.'))

    # the file itself: the issued bytes, then a changed copy, then something that is no PDF
    user.find(marker='verify-code').clear()
    await upload(user, pdf)
    await user.should_see(marker='verify-file-match', retries=WAIT)
    await upload(user, pdf + b'\n% changed')
    await user.should_see(
        az('This PDF is not a certificate issued by the portal, or it has been changed since it was issued.')
    )
    await user.should_not_see(marker='verify-genuine')
    await upload(user, b'GIF89a not a pdf')
    await user.should_see(az('This file is not a PDF.'))


async def upload(user: User, content: bytes) -> None:
    element = user.find(kind=ui.upload, marker='verify-upload').elements.pop()
    with user:
        await element.handle_uploads([ui.upload.SmallFileUpload('arayis.pdf', 'application/pdf', content)])


async def test_nobody_sees_another_citizens_certificate(user: User, create_user: Callable[[], User]) -> None:
    await load_reference_catalogue()
    leyla = await displaced()
    await make_citizen(RASHAD, first='Rəşad', last='Əliyev')
    view = await certificates.issue_certificate(
        actor=leyla.as_actor(), template='idp_status', now=datetime.now(UTC), lang='az'
    )
    page, url = f'/documents/certificates/{view.id}', f'/files/certificates/{view.id}'

    await login(user, LEYLA)
    await user.open(page)
    await user.should_see(marker='certificate-code')
    assert (await user.http_client.get(url)).status_code == 200

    rashad = create_user()
    await login(rashad, RASHAD)
    await rashad.open(page)
    await rashad.should_see(marker='certificate-not-found')
    await rashad.should_not_see(view.code)
    await rashad.should_not_see('0456789')
    assert (await rashad.http_client.get(url)).status_code == 404
    await rashad.open('/documents/certificates/not-a-uuid')
    await rashad.should_see(marker='certificate-not-found')
    assert (await rashad.http_client.get('/files/certificates/not-a-uuid')).status_code == 404
    await rashad.open('/documents')
    await rashad.should_not_see(marker=view.code)

    stranger = create_user()  # not logged in
    response = await stranger.http_client.get(url)
    assert response.status_code == 303 and response.headers['location'] == '/login'
    await stranger.open('/documents')
    await stranger.should_see(marker='login')
