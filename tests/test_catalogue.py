"""The e-service catalogue: shipped as data, loaded idempotently, browsed by agency and category, searched."""

from __future__ import annotations

from typing import Any

import pytest

from portal.errors import Invalid, NotFound
from portal.store.orgs import Organisation, reference_organisations
from portal.store.registry_kinds import KINDS
from portal.store.services import catalogue
from portal.store.services.forms import FORMS
from portal.store.services.models import Service, ServiceKind
from portal.store.services.templates import TEMPLATES

pytestmark = pytest.mark.usefixtures('store_db')


async def _organisations() -> None:
    await Organisation.bulk_create(
        [
            Organisation(**{k: r[k] for k in ('code', 'category', 'kind', 'name_az', 'name_en', 'region')})
            for r in reference_organisations()
        ]
    )


def _entry(**overrides: Any) -> dict[str, Any]:
    entry = {
        'code': 'mia-test-service',
        'provider': 'MIA',
        'category': 'identity',
        'kind': 'external',
        'action': '',
        'title_az': 'Sınaq xidməti',
        'title_en': 'Test service',
        'summary_az': 'Xülasə',
        'summary_en': 'Summary',
        'requirements': {'az': ['Şəxsiyyət vəsiqəsi'], 'en': ['Identity card']},
        'duration_days': 3,
        'url': 'https://www.mia.gov.az',
    }
    entry.update(overrides)
    return entry


async def test_the_shipped_catalogue_loads_with_every_working_service() -> None:
    await _organisations()
    loaded = await catalogue.load_catalogue()
    assert loaded == await catalogue.count_all() >= 400
    assert await catalogue.count_working() >= 60
    certificates = await catalogue.services_for_action('certificate:')
    assert set(certificates) == set(TEMPLATES)
    assert set(await catalogue.services_for_action('application:')) == set(FORMS)
    assert set(await catalogue.services_for_action('records:')) == set(KINDS)
    assert set(await catalogue.services_for_action('payment:')) == {k for k, s in KINDS.items() if s.payable}
    assert certificates['idp_status'].provider_code == 'QMIDK'
    assert certificates['idp_status'].title_az == 'Məcburi köçkün statusu haqqında arayış'
    for service in await catalogue.list_services():
        if service.kind is ServiceKind.EXTERNAL:
            assert service.url.startswith('https://'), service.code
        else:
            assert service.url == '', service.code
    counts = await catalogue.category_counts()
    assert sum(counts.values()) == loaded and set(counts) <= set(catalogue.CATEGORIES)


async def test_loading_twice_creates_nothing_twice_and_updates_in_place() -> None:
    await _organisations()
    entries = [_entry(), _entry(code='mia-other', title_az='Başqa xidmət', title_en='Another service')]
    assert await catalogue.load_catalogue(entries=entries) == 2
    first = {s.code: s.id for s in await Service.all()}
    await catalogue.load_catalogue(entries=entries)
    await catalogue.load_catalogue(entries=[_entry(title_az='Yeni ad')])
    assert {s.code: s.id for s in await Service.all()} == first
    assert (await catalogue.get_service(code='mia-test-service')).title_az == 'Yeni ad'


@pytest.mark.parametrize(
    'bad',
    [
        {'provider': 'NOPE'},
        {'category': 'weather'},
        {'url': ''},
        {'url': 'http://www.mia.gov.az'},
        {'kind': 'application', 'action': '', 'url': ''},
        {'kind': 'application', 'action': 'application:moon_landing', 'url': ''},
        {'kind': 'certificate', 'action': 'application:housing_queue', 'url': ''},
        {'code': 'Bad Code'},
        {'title_az': ''},
        {'surprise': 1},
    ],
)
async def test_a_bad_entry_is_refused_by_name_and_nothing_is_written(bad: dict[str, Any]) -> None:
    await _organisations()
    entries = [_entry(code='mia-good'), _entry(**bad)]
    with pytest.raises(Invalid) as caught:
        await catalogue.load_catalogue(entries=entries)
    assert caught.value.code == 'catalogue_invalid'
    assert caught.value.params['service'] in ('mia-test-service', 'Bad Code')
    assert await Service.all().count() == 0


async def test_a_code_used_twice_is_refused() -> None:
    await _organisations()
    with pytest.raises(Invalid) as caught:
        await catalogue.load_catalogue(entries=[_entry(), _entry(title_az='Eyni kod')])
    assert caught.value.params['service'] == 'mia-test-service'
    assert await Service.all().count() == 0


async def test_search_folds_azerbaijani_case_and_ands_the_words() -> None:
    await _organisations()
    await catalogue.load_catalogue()
    for query in ('köçkün', 'KÖÇKÜN', 'Köçkün statusu'):
        found = await catalogue.search_services(query=query)
        assert 'qmidk-idp-status-certificate' in [s.code for s in found], query
    work = await catalogue.search_services(query='İŞ YERİNƏ')
    assert work[0].action == 'certificate:employment'
    both = await catalogue.search_services(query='sürücülük arayış')
    assert both and all('sürücülük' in s.title_az.lower() or 'sürücülük' in s.summary_az.lower() for s in both)
    assert both[0].action == 'certificate:driving_licence'
    assert await catalogue.search_services(query='qwertyzxcv') == []
    english = await catalogue.search_services(query='internally displaced')
    assert any(s.action == 'certificate:idp_status' for s in english)
    for empty in ('', '   '):
        with pytest.raises(Invalid) as caught:
            await catalogue.search_services(query=empty)
        assert caught.value.code == 'empty_query'
    with pytest.raises(Invalid):
        await catalogue.search_services(query='a' * 201)


async def test_browsing_by_agency_and_category() -> None:
    await _organisations()
    await catalogue.load_catalogue()
    providers = await catalogue.providers_with_services()
    by_code = {p.code: p for p in providers}
    assert by_code['QMIDK'].services == len(await catalogue.list_services(provider_code='QMIDK'))
    assert by_code[catalogue.LOCAL].services == len(await catalogue.list_services(provider_code='IH')) >= 9
    assert sum(p.services for p in providers) == await catalogue.count_all()
    local = await catalogue.list_services(category='local')
    assert all(s.local and s.provider_code == 'IH' for s in local)
    with pytest.raises(Invalid) as caught:
        await catalogue.list_services(category='weather')
    assert caught.value.code == 'unknown_category'
    with pytest.raises(NotFound):
        await catalogue.get_service(code='no-such-service')
    idp = await catalogue.get_service(code='QMIDK-IDP-STATUS-CERTIFICATE')
    assert idp.target == 'idp_status' and idp.duration_days == 0 and idp.working
    assert idp.title('en') != idp.title('az') and idp.requirement_lines('ru') == idp.requirements['az']


async def test_a_new_portal_gets_its_organisations_and_catalogue_once() -> None:
    from portal.app import _reference_data
    from portal.store.orgs import ensure_reference_organisations

    await _reference_data()
    organisations = await Organisation.all().count()
    assert organisations == len(reference_organisations())
    services = await catalogue.count_all()
    assert services >= 400
    # the next start creates nothing, and leaves an organisation the operator renamed alone
    await Organisation.filter(code='MIA').update(name_az='Daxili İşlər Nazirliyi (yeni)')
    assert await ensure_reference_organisations() == 0
    await _reference_data()
    assert (await Organisation.all().count(), await catalogue.count_all()) == (organisations, services)
    assert (await Organisation.get(code='MIA')).name_az == 'Daxili İşlər Nazirliyi (yeni)'
