"""E-services through the integrator API (mounted at /api/v1 as in production): the public catalogue and certificate
checks, an issuer revoking its certificates, and a local executive's system working its desk of applications.

Certificates and applications are real: issued and submitted through the store by citizens with registry records.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx
import pytest
from fastapi import FastAPI

from portal.api import PREFIX, create_api
from portal.api import deps as api_deps
from portal.store.letters.files import Upload
from portal.store.orgs import Organisation, reference_organisations
from portal.store.people import Person
from portal.store.services import applications as apps
from portal.store.services import catalogue, pki
from portal.store.services import certificates as certs
from portal.store.services.models import Application, ApplicationEvent, ApplicationFile, Certificate
from tests.api_kit import assert_error
from tests.builders import make_key_with_scopes
from tests.factories import ADDRESS, NOW, make_citizen, make_key, make_org, make_record
from tests.letters_kit import HTML, PDF, PNG

VERIFY = f'{PREFIX}/certificates/verify'
APPLICATIONS = f'{PREFIX}/applications'
DESK = ('applications:read', 'applications:write')
HOUSING = {'reason': 'overcrowded', 'household_size': '4', 'living_space': '31,5', 'details': 'İki otaqlı mənzil'}
STATEMENT = 'Mənzil arayışı.pdf'
HOUSING_FILES = [('housing_statement', Upload(STATEMENT, PDF)), ('identity_document', Upload('ş.v.png', PNG))]


class Api:
    """The API as mounted in production, with a clock the test moves."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.now = NOW


@asynccontextmanager
async def open_api(address: str = '203.0.113.7') -> AsyncIterator[Api]:
    sub = create_api()
    parent = FastAPI()
    parent.mount(PREFIX, sub)
    transport = httpx.ASGITransport(app=parent, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url='http://test') as http:
        api = Api(http)

        async def clock() -> Any:
            return api.now

        sub.dependency_overrides[api_deps.clock] = clock
        yield api


@pytest.fixture
async def api(sqlite_db: str) -> AsyncIterator[Api]:
    async with open_api() as opened:
        yield opened


async def key_of(code: str, scopes: tuple[str, ...]) -> dict[str, str]:
    """The Authorization header of a new key of the organisation."""
    return {'Authorization': f'Bearer {await make_key(code, scopes)}'}


# --- the catalogue --------------------------------------------------------------------------------------------------


EXTERNAL = {
    'code': 'test-external-service',
    'provider': 'MIA',
    'category': 'identity',
    'kind': 'external',
    'title_az': 'Xarici pasportun verilməsi',
    'title_en': 'Issue of a passport',
    'summary_az': 'Xidmət qurumun öz saytında göstərilir.',
    'summary_en': "Provided on the agency's own site.",
    'url': 'https://example.gov.az/passport',
}


async def load_reference_catalogue() -> None:
    """The agencies and local executives of the shipped lists, the shipped catalogue, and one external service."""
    keys = ('code', 'category', 'kind', 'name_az', 'name_en', 'region')
    await Organisation.bulk_create([Organisation(**{k: r[k] for k in keys}) for r in reference_organisations()])
    await catalogue.load_catalogue()
    await catalogue.load_catalogue(entries=[EXTERNAL])


async def test_anyone_lists_searches_and_reads_the_catalogue(api: Api) -> None:
    await load_reference_catalogue()
    everything = await catalogue.list_services()
    services = f'{PREFIX}/services'

    listed = await api.http.get(services)
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page['total'] == len(page['items']) == len(everything) > 1
    assert [i['code'] for i in page['items']] == [s.code for s in everything]
    for item in page['items']:
        assert item['portal_url'] == f'/services/{item["code"]}'
        assert item['title']['az'] and item['title']['en']
        assert set(item['requirements']) == {'az', 'en'}
        assert (item['provider'] is None) is item['local']
        assert (item['url'] is not None) is (item['kind'] == 'external')
    by_code = {i['code']: i for i in page['items']}

    certificate = by_code['qmidk-idp-status-certificate']
    assert certificate == {
        'code': 'qmidk-idp-status-certificate',
        'kind': 'certificate',
        'category': 'social',
        'local': False,
        'provider': {
            'code': 'QMIDK',
            'name_az': 'Qaçqınların və Məcburi Köçkünlərin İşləri üzrə Dövlət Komitəsi',
            'name_en': certificate['provider']['name_en'],
        },
        'title': {
            'az': 'Məcburi köçkün statusu haqqında arayış',
            'en': 'Certificate of internally displaced person status',
        },
        'summary': certificate['summary'],
        'requirements': certificate['requirements'],
        'duration_days': 0,
        'url': None,
        'portal_url': '/services/qmidk-idp-status-certificate',
    }
    assert 'ASAN İmza, SİMA və ya parol ilə giriş' in certificate['requirements']['az']
    external = by_code['test-external-service']
    assert (external['kind'], external['url'], external['provider']['code']) == (
        'external',
        'https://example.gov.az/passport',
        'MIA',
    )
    local = next(i for i in page['items'] if i['kind'] == 'application')
    assert (local['local'], local['provider']) == (True, None)

    # one category, one provider, the local executives
    social = (await api.http.get(services, params={'category': 'social'})).json()
    assert social['total'] == len([s for s in everything if s.category == 'social']) > 0
    assert {i['category'] for i in social['items']} == {'social'}
    mia = (await api.http.get(services, params={'provider': 'MIA'})).json()
    assert 'test-external-service' in [i['code'] for i in mia['items']]
    assert {i['provider']['code'] for i in mia['items']} == {'MIA'}
    local_ones = (await api.http.get(services, params={'provider': 'IH'})).json()
    assert local_ones['total'] > 0 and all(i['local'] for i in local_ones['items'])
    assert_error(await api.http.get(services, params={'category': 'astrology'}), 422, 'unknown_category', 'category')

    # a search, as a citizen types it: any case, either language; with a category it narrows
    found = (await api.http.get(services, params={'q': 'MƏCBURİ KÖÇKÜN'})).json()
    assert 'qmidk-idp-status-certificate' in [i['code'] for i in found['items']]
    assert found['total'] == len(found['items']) < len(everything)
    assert found['items'][0]['title']['az'].startswith('Məcburi köçkün')  # a match in the title first
    english = (await api.http.get(services, params={'q': 'displaced'})).json()
    assert 'qmidk-idp-status-certificate' in [i['code'] for i in english['items']]
    narrowed = (await api.http.get(services, params={'q': 'köçkün', 'category': 'identity'})).json()
    assert 'qmidk-idp-status-certificate' not in [i['code'] for i in narrowed['items']]
    assert (await api.http.get(services, params={'q': 'qzxjvw'})).json() == {'items': [], 'total': 0}
    assert_error(await api.http.get(services, params={'q': 'x' * 201}), 422, 'too_long', 'q')

    one = await api.http.get(f'{services}/qmidk-idp-status-certificate')
    assert one.status_code == 200, one.text
    assert one.json() == certificate
    assert_error(await api.http.get(f'{services}/no-such-service'), 404, 'service_not_found')


# --- certificates: anyone checks one --------------------------------------------------------------------------------


async def issued(fin: str = '5ABC123') -> tuple[certs.CertificateView, bytes]:
    """A certificate of place of residence issued by MIA to a citizen, and its PDF."""
    person = await make_citizen(fin)
    await make_record(person, 'address', ADDRESS, source='MIA')
    view = await certs.issue_certificate(actor=person.as_actor(), template='residence', now=NOW, lang='az')
    _, content = await certs.read_certificate_pdf(actor=person.as_actor(), certificate_id=view.id)
    return view, content


async def test_anyone_checks_a_code_as_printed_or_as_typed(api: Api) -> None:
    view, _ = await issued()

    response = await api.http.get(f'{VERIFY}/{view.code}')
    assert response.status_code == 200, response.text
    assert response.json() == {
        'code': view.code,
        'status': 'valid',
        'title': view.title,
        'issuer': {'name_az': 'Daxili İşlər Nazirliyi', 'name_en': 'MIA (en)'},
        'issued_on': '2026-11-20',
        'valid_until': view.valid_until.isoformat() if view.valid_until else None,
        'holder_initials': 'L. M.',
        'revoked_on': None,
    }
    typed = view.code.lower().replace('-', ' ').replace('0', 'o')
    assert (await api.http.get(f'{VERIFY}/{quote(typed)}')).json()['code'] == view.code

    assert view.valid_until is not None
    api.now = NOW + timedelta(days=(view.valid_until - NOW.date()).days + 1)
    assert (await api.http.get(f'{VERIFY}/{view.code}')).json()['status'] == 'expired'


async def test_unknown_and_malformed_codes(api: Api) -> None:
    await issued()
    assert_error(await api.http.get(f'{VERIFY}/K7QD-2M9X-P4TR-8ZHW'), 404, 'unknown_code')
    assert_error(await api.http.get(f'{VERIFY}/K7QD-2M9X'), 422, 'malformed_code', 'code')
    assert_error(await api.http.get(f'{VERIFY}/K7QD-2M9X-P4TR-8ZH!'), 422, 'malformed_code', 'code')


async def test_a_file_is_checked_byte_for_byte(api: Api) -> None:
    view, content = await issued()
    other, _ = await issued('2HT8P4N')

    exact = await api.http.post(VERIFY, files={'file': ('arayis.pdf', content, 'application/pdf')})
    assert exact.status_code == 200, exact.text
    assert (exact.json()['code'], exact.json()['status'], exact.json()['file_matches']) == (view.code, 'valid', True)
    assert exact.json()['holder_initials'] == 'L. M.'
    with_code = await api.http.post(VERIFY, files={'file': ('a.pdf', content)}, data={'code': view.code.lower()})
    assert (with_code.json()['code'], with_code.json()['file_matches']) == (view.code, True)
    # the right code on someone else's file: the code's certificate, and the file is not it
    mismatch = await api.http.post(VERIFY, files={'file': ('a.pdf', content)}, data={'code': other.code})
    assert mismatch.status_code == 200, mismatch.text
    assert (mismatch.json()['code'], mismatch.json()['file_matches']) == (other.code, False)

    middle = len(content) // 2
    tampered = content[:middle] + bytes([content[middle] ^ 1]) + content[middle + 1 :]  # one bit changed
    assert_error(await api.http.post(VERIFY, files={'file': ('a.pdf', tampered)}), 422, 'not_issued', 'file')
    assert_error(await api.http.post(VERIFY, files={'file': ('a.pdf', HTML)}), 422, 'not_pdf', 'file')
    assert_error(await api.http.post(VERIFY, files={'file': ('a.pdf', PDF)}), 422, 'not_issued', 'file')
    assert_error(
        await api.http.post(VERIFY, files={'file': ('a.pdf', content)}, data={'code': 'nope'}),
        422,
        'malformed_code',
        'code',
    )
    assert_error(await api.http.post(VERIFY, data={'code': view.code}), 422, 'validation_error', 'file')


async def test_checks_are_counted_per_address(api: Api) -> None:
    view, content = await issued()
    for _ in range(certs.VERIFY_POLICY.free):
        assert (await api.http.get(f'{VERIFY}/{view.code}')).status_code == 200

    refused = await api.http.get(f'{VERIFY}/{view.code}')
    assert_error(refused, 429, 'too_many_attempts')
    assert int(refused.headers['Retry-After']) >= 1
    # files are counted with codes, and malformed codes too: nothing is looked up before the count
    assert_error(await api.http.post(VERIFY, files={'file': ('a.pdf', content)}), 429, 'too_many_attempts')
    assert_error(await api.http.get(f'{VERIFY}/x'), 429, 'too_many_attempts')

    async with open_api('198.51.100.9') as elsewhere:
        assert (await elsewhere.http.get(f'{VERIFY}/{view.code}')).status_code == 200
    api.now = NOW + certs.VERIFY_POLICY.window + timedelta(seconds=1)
    assert (await api.http.get(f'{VERIFY}/{view.code}')).status_code == 200


async def test_the_root_certificate_is_a_pem_download(api: Api) -> None:
    response = await api.http.get(f'{PREFIX}/certificates/root.pem')
    assert response.status_code == 200, response.text
    assert response.content.startswith(b'-----BEGIN CERTIFICATE-----')
    assert response.content == await pki.ensure_root(now=NOW)
    assert response.headers['content-type'] == 'application/x-pem-file'
    assert response.headers['content-disposition'].startswith('attachment;')
    assert response.headers['x-content-type-options'] == 'nosniff'


# --- certificates: the issuer ---------------------------------------------------------------------------------------


async def test_the_issuer_finds_and_revokes_its_certificate(api: Api) -> None:
    view, _ = await issued()
    mia = await key_of('MIA', ('certificates:write',))
    url = f'{PREFIX}/certificates/{view.code}'

    found = await api.http.get(url, headers=mia)
    assert found.status_code == 200, found.text
    assert found.json() == {
        'code': view.code,
        'template': 'residence',
        'title': view.title,
        'issued_at': '2026-11-20T09:00:00Z',
        'valid_until': view.valid_until.isoformat() if view.valid_until else None,
        'status': 'valid',
        'revoked_at': None,
        'revoked_reason': '',
        'holder_initials': 'L. M.',
    }
    assert (await api.http.get(f'{PREFIX}/certificates/{view.code.lower()}', headers=mia)).json()['code'] == view.code

    api.now = NOW + timedelta(days=2)
    revoked = await api.http.post(f'{url}/revoke', json={'reason': '  Ünvan   dəyişib. '}, headers=mia)
    assert revoked.status_code == 200, revoked.text
    assert (revoked.json()['status'], revoked.json()['revoked_reason']) == ('revoked', 'Ünvan dəyişib.')
    assert revoked.json()['revoked_at'] == '2026-11-22T09:00:00Z'
    check = (await api.http.get(f'{VERIFY}/{view.code}')).json()
    assert (check['status'], check['revoked_on']) == ('revoked', '2026-11-22')
    assert_error(await api.http.post(f'{url}/revoke', json={'reason': 'Yenə'}, headers=mia), 422, 'already_revoked')
    assert (await Certificate.get(id=view.id)).revoked_reason == 'Ünvan dəyişib.'


async def test_revocation_is_refused_to_others_and_without_a_reason(api: Api) -> None:
    view, _ = await issued()
    url = f'{PREFIX}/certificates/{view.code}'
    mia = await key_of('MIA', ('certificates:write',))
    moj = await key_of('MOJ', ('certificates:write',))
    no_scope = await key_of('MIA', ('letters:read', 'letters:write'))
    nothing = {'Authorization': f'Bearer {await make_key_with_scopes("MIA", [])}'}

    for headers in (no_scope, nothing):
        assert_error(await api.http.get(url, headers=headers), 403, 'insufficient_scope')
        assert_error(
            await api.http.post(f'{url}/revoke', json={'reason': 'x'}, headers=headers), 403, 'insufficient_scope'
        )
    # another agency's certificate does not exist for MOJ's key
    assert_error(await api.http.get(url, headers=moj), 404, 'certificate_not_found')
    assert_error(await api.http.post(f'{url}/revoke', json={'reason': 'x'}, headers=moj), 404, 'certificate_not_found')
    anonymous = await api.http.post(f'{url}/revoke', json={'reason': 'x'})
    assert_error(anonymous, 401, 'missing_api_key')
    assert anonymous.headers['WWW-Authenticate'] == 'Bearer'

    assert_error(
        await api.http.post(f'{url}/revoke', json={'reason': ' \n '}, headers=mia), 422, 'reason_required', 'reason'
    )
    assert_error(
        await api.http.post(f'{url}/revoke', json={'reason': 'x' * 501}, headers=mia), 422, 'too_long', 'reason'
    )
    assert_error(await api.http.post(f'{url}/revoke', json={}, headers=mia), 422, 'validation_error', 'reason')
    assert_error(
        await api.http.post(f'{url}/revoke', json={'reason': 'x', 'by': 'me'}, headers=mia),
        422,
        'validation_error',
        'by',
    )
    assert_error(await api.http.get(f'{PREFIX}/certificates/not-a-code', headers=mia), 422, 'malformed_code', 'code')
    assert (await Certificate.get(id=view.id)).revoked_at is None
    assert (await api.http.get(f'{VERIFY}/{view.code}')).json()['status'] == 'valid'


# --- applications: a local executive's desk -------------------------------------------------------------------------


async def applied(fin: str = '5ABC123', region: str = 'Nəsimi', executive: str = 'IH-NESIMI') -> tuple[Person, str]:
    """A citizen registered in the region applies to its executive for the housing queue, at NOW."""
    await make_org(executive)
    person = await make_citizen(fin)
    await make_record(person, 'address', {**ADDRESS, 'region': region})
    view = await apps.submit_application(
        actor=person.as_actor(),
        form='housing_queue',
        service_code='ih-housing-queue',
        executive_code=executive,
        answers=dict(HOUSING),
        uploads=list(HOUSING_FILES),
        now=NOW,
    )
    return person, str(view.id)


async def snapshot() -> tuple[Any, ...]:
    """Everything the desk's steps may write."""
    return (
        sorted(await Application.all().values_list('id', 'status', 'decided_at')),
        await ApplicationEvent.all().count(),
        await ApplicationFile.all().count(),
        await Certificate.all().count(),
    )


async def test_a_desk_sees_only_its_own_executives_applications(api: Api) -> None:
    _, mine = await applied()
    _, theirs = await applied('2HT8P4N', region='Xətai', executive='IH-XETAI')
    nesimi, xetai = await key_of('IH-NESIMI', DESK), await key_of('IH-XETAI', DESK)

    page = (await api.http.get(APPLICATIONS, headers=nesimi)).json()
    assert page['total'] == 1
    [item] = page['items']
    assert (item['id'], item['status'], item['form'], item['service_code']) == (
        mine,
        'submitted',
        'housing_queue',
        'ih-housing-queue',
    )
    assert item['applicant'] == {
        'full_name': 'Məmmədova Leyla Rauf qızı',
        'fin': '5ABC123',
        'birth_date': '1990-05-17',
        'address': 'Bakı, Füzuli küçəsi, 12, 4',
        'region': 'Nəsimi',
    }
    assert (item['overdue'], item['decided_at']) == (False, None)
    assert item['number'].startswith('R-2026-')
    assert [i['id'] for i in (await api.http.get(APPLICATIONS, headers=xetai)).json()['items']] == [theirs]

    # someone else's data: the other executive's application and files do not exist for this key
    assert_error(await api.http.get(f'{APPLICATIONS}/{theirs}', headers=nesimi), 404, 'application_not_found')
    full = (await api.http.get(f'{APPLICATIONS}/{mine}', headers=nesimi)).json()
    assert_error(await api.http.get(full['files'][0]['url'], headers=xetai), 404, 'application_not_found')
    before = await snapshot()
    for step, body in (('review', None), ('request-info', {'note': 'x'}), ('reject', {'reason': 'x'})):
        response = await api.http.post(f'{APPLICATIONS}/{mine}/{step}', json=body, headers=xetai)
        assert_error(response, 404, 'application_not_found')
    assert await snapshot() == before

    # the filters and the page
    async def ids(**params: Any) -> tuple[list[str], int]:
        response = await api.http.get(APPLICATIONS, params=params, headers=nesimi)
        assert response.status_code == 200, response.text
        return [i['id'] for i in response.json()['items']], response.json()['total']

    assert await ids(status='submitted') == ([mine], 1)
    assert await ids(status='approved') == ([], 0)
    assert await ids(open='true') == ([mine], 1)
    assert await ids(offset=1) == ([], 1)
    api.now = NOW + timedelta(days=60)
    assert (await api.http.get(APPLICATIONS, headers=nesimi)).json()['items'][0]['overdue'] is True
    assert_error(
        await api.http.get(APPLICATIONS, params={'limit': 0}, headers=nesimi), 422, 'validation_error', 'query.limit'
    )
    assert_error(
        await api.http.get(APPLICATIONS, params={'status': 'lost'}, headers=nesimi),
        422,
        'validation_error',
        'query.status',
    )
    assert_error(
        await api.http.get(f'{APPLICATIONS}/not-a-uuid', headers=nesimi), 422, 'validation_error', 'path.application_id'
    )


async def test_scopes_of_the_desk(api: Api) -> None:
    _, mine = await applied()
    read_only = await key_of('IH-NESIMI', ('applications:read',))
    letters_only = await key_of('IH-NESIMI', ('letters:read', 'letters:write'))
    before = await snapshot()

    assert (await api.http.get(f'{APPLICATIONS}/{mine}', headers=read_only)).status_code == 200
    for step, body in (
        ('review', None),
        ('request-info', {'note': 'Sənəd'}),
        ('approve', {'decision': 'Növbəyə alınsın.'}),
        ('reject', {'reason': 'Yox'}),
    ):
        response = await api.http.post(f'{APPLICATIONS}/{mine}/{step}', json=body, headers=read_only)
        assert_error(response, 403, 'insufficient_scope')
    assert_error(await api.http.get(APPLICATIONS, headers=letters_only), 403, 'insufficient_scope')
    assert_error(await api.http.get(f'{APPLICATIONS}/{mine}', headers=letters_only), 404, 'application_not_found')
    assert_error(await api.http.get(APPLICATIONS), 401, 'missing_api_key')
    assert await snapshot() == before


async def test_the_desk_reviews_asks_and_approves_with_a_signed_decision(api: Api) -> None:
    leyla, mine = await applied()
    nesimi = await key_of('IH-NESIMI', DESK)
    url = f'{APPLICATIONS}/{mine}'

    full = (await api.http.get(url, headers=nesimi)).json()
    assert full['answers'] == {
        'reason': 'overcrowded',
        'household_size': 4,
        'living_space': '31.5',
        'details': 'İki otaqlı mənzil',
    }
    rows = full['answer_rows']
    assert rows[0]['label'] == 'Səbəb'  # in Azerbaijani
    assert [r['value'] for r in rows[1:]] == ['4', '31.5', 'İki otaqlı mənzil']
    assert full['due_on'] == '2027-01-06'  # 30 working days, across the New Year holidays
    assert [(f['document'], f['filename'], f['content_type'], f['size']) for f in full['files']] == [
        ('housing_statement', STATEMENT, 'application/pdf', len(PDF)),
        ('identity_document', 'ş.v.png', 'image/png', len(PNG)),
    ]
    statement = full['files'][0]
    assert statement['url'] == f'{url}/files/{statement["id"]}'
    assert [(e['kind'], e['actor_kind'], e['actor_name']) for e in full['events']] == [
        ('submitted', 'citizen', 'Leyla Məmmədova')
    ]
    assert full['decision_certificate_id'] is None

    file = await api.http.get(statement['url'], headers=nesimi)
    assert file.status_code == 200, file.text
    assert file.content == PDF
    assert file.headers['content-type'] == 'application/pdf'
    assert file.headers['x-content-type-options'] == 'nosniff'
    assert file.headers['content-disposition'].startswith('attachment;')
    assert f"filename*=UTF-8''{quote(STATEMENT)}" in file.headers['content-disposition']
    missing = f'{url}/files/00000000-0000-4000-8000-000000000000'
    assert_error(await api.http.get(missing, headers=nesimi), 404, 'file_not_found')

    api.now = NOW + timedelta(hours=1)
    reviewed = await api.http.post(f'{url}/review', headers=nesimi)
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()['status'] == 'under_review'
    assert_error(await api.http.post(f'{url}/review', headers=nesimi), 422, 'wrong_status')

    assert_error(
        await api.http.post(f'{url}/request-info', json={'note': ' '}, headers=nesimi), 422, 'note_required', 'note'
    )
    assert_error(await api.http.post(f'{url}/request-info', json={}, headers=nesimi), 422, 'validation_error', 'note')
    asked = await api.http.post(f'{url}/request-info', json={'note': 'Əmlak arayışını əlavə edin.'}, headers=nesimi)
    assert asked.status_code == 200, asked.text
    assert asked.json()['status'] == 'needs_info'
    assert_error(
        await api.http.post(f'{url}/approve', json={'decision': 'Növbəyə alınsın.'}, headers=nesimi),
        422,
        'wrong_status',
    )

    # the citizen answers in their cabinet
    await apps.provide_information(
        actor=leyla.as_actor(),
        application_id=UUID(mine),
        note='Əlavə etdim.',
        uploads=[('', Upload('əmlak.pdf', PDF))],
        now=NOW + timedelta(days=1),
    )

    api.now = NOW + timedelta(days=2)
    assert_error(
        await api.http.post(f'{url}/approve', json={'decision': ''}, headers=nesimi), 422, 'note_required', 'decision'
    )
    approved = await api.http.post(f'{url}/approve', json={'decision': 'Növbəyə alınsın.'}, headers=nesimi)
    assert approved.status_code == 200, approved.text
    done = approved.json()
    assert (done['status'], done['decided_at']) == ('approved', '2026-11-22T09:00:00Z')
    assert done['decision_certificate_id'] is not None
    assert [f['filename'] for f in done['files']] == [STATEMENT, 'ş.v.png', 'əmlak.pdf']
    assert [(e['kind'], e['actor_kind'], e['note']) for e in done['events']] == [
        ('submitted', 'citizen', ''),
        ('under_review', 'integration', ''),
        ('needs_info', 'integration', 'Əmlak arayışını əlavə edin.'),
        ('info_provided', 'citizen', 'Əlavə etdim.'),
        ('approved', 'integration', 'Növbəyə alınsın.'),
    ]
    assert all(e['actor_name'] for e in done['events'])  # the desk sees who acted

    decision = await certs.get_certificate(actor=leyla.as_actor(), certificate_id=done['decision_certificate_id'])
    assert (decision.template, decision.issuer_code, decision.application_id) == ('decision', 'IH-NESIMI', UUID(mine))
    check = (await api.http.get(f'{VERIFY}/{decision.code}')).json()
    assert (check['status'], check['issuer']['name_az']) == ('valid', 'Bakı şəhəri Nəsimi rayon İcra Hakimiyyəti')
    assert_error(await api.http.post(f'{url}/reject', json={'reason': 'Gec'}, headers=nesimi), 422, 'wrong_status')


async def test_a_rejection_needs_a_reason(api: Api) -> None:
    _, mine = await applied()
    nesimi = await key_of('IH-NESIMI', DESK)
    url = f'{APPLICATIONS}/{mine}'
    before = await snapshot()

    assert_error(
        await api.http.post(f'{url}/reject', json={'reason': ''}, headers=nesimi), 422, 'note_required', 'reason'
    )
    assert_error(
        await api.http.post(f'{url}/reject', json={'reason': 'x' * 2001}, headers=nesimi), 422, 'too_long', 'reason'
    )
    assert_error(
        await api.http.post(
            f'{url}/reject', content=b'{"reason": ', headers={**nesimi, 'Content-Type': 'application/json'}
        ),
        400,
        'malformed_json',
    )
    assert await snapshot() == before

    rejected = await api.http.post(f'{url}/reject', json={'reason': 'Sənəd çatışmır.'}, headers=nesimi)
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()['status'], rejected.json()['decision_certificate_id']) == ('rejected', None)
    assert rejected.json()['events'][-1]['note'] == 'Sənəd çatışmır.'
    assert (await api.http.get(APPLICATIONS, params={'open': 'true'}, headers=nesimi)).json()['total'] == 0


# --- the contract ---------------------------------------------------------------------------------------------------


async def test_openapi_documents_every_services_route(api: Api) -> None:
    spec = (await api.http.get(f'{PREFIX}/openapi.json')).json()
    operations = {
        (path, method): op
        for path, ops in spec['paths'].items()
        if path.startswith(('/services', '/certificates', '/applications'))
        for method, op in ops.items()
    }
    assert set(operations) == {
        ('/services', 'get'),
        ('/services/{code}', 'get'),
        ('/certificates/verify/{code}', 'get'),
        ('/certificates/verify', 'post'),
        ('/certificates/root.pem', 'get'),
        ('/certificates/{code}', 'get'),
        ('/certificates/{code}/revoke', 'post'),
        ('/applications', 'get'),
        ('/applications/{application_id}', 'get'),
        ('/applications/{application_id}/files/{file_id}', 'get'),
        ('/applications/{application_id}/review', 'post'),
        ('/applications/{application_id}/request-info', 'post'),
        ('/applications/{application_id}/approve', 'post'),
        ('/applications/{application_id}/reject', 'post'),
    }
    for (path, method), op in operations.items():
        assert op['description'] and '\n' not in op['description'], (path, method)
        if path.startswith('/applications'):
            assert {'401', '403', '404'} <= set(op['responses']), (path, method)
