"""Consent in the browser: an organisation's request arrives live and is approved in part, the tracker shows every read
live and takes disputes, revoking stops the next read, sharing in advance works without a request and names a bad
field; nobody sees another citizen's requests, permissions or reads; officers are sent away.

The organisation acts through the store with an API actor, as its system would through the API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from nicegui import ui
from nicegui.testing import User

from portal.i18n import fmt_datetime
from portal.store import apikeys
from portal.store.actors import ApiActor, Role
from portal.store.consent import permissions
from portal.store.consent.permissions import CATEGORIES
from portal.store.workdays import local_date
from tests.builders import make_key_with_scopes, use_fast_hashing
from tests.factories import make_citizen, make_org
from tests.test_ui_login import WAIT, login
from tests.ui_kit import az, count, says, texts

LEYLA, RASHAD, OFFICER = '5ABC123', '2HT8P4N', '4MD5R1X'
MIA = 'Daxili İşlər Nazirliyi'
PURPOSE = 'Pensiya hesablanması üçün'


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)


def category(code: str) -> str:
    return az(CATEGORIES[code][0])


def now() -> datetime:
    return datetime.now(UTC)


def in_days(days: int) -> date:
    return local_date(now()) + timedelta(days=days)


async def organisation(code: str = 'MIA') -> ApiActor:
    """An organisation's system with a key to ask for and read citizens' data."""
    key = await make_key_with_scopes(code, [permissions.SCOPE_REQUEST, permissions.SCOPE_READ])
    return await apikeys.authenticate(key=key, now=now())


async def ask(api: ApiActor, fin: str = LEYLA, categories: tuple[str, ...] = ('personal', 'employment')) -> None:
    await permissions.request_data(
        actor=api, fin=fin, categories=list(categories), purpose=PURPOSE, valid_until=in_days(90), now=now()
    )


async def read(api: ApiActor, *categories: str, fin: str = LEYLA) -> permissions.DataRead:
    return await permissions.read_data(actor=api, fin=fin, categories=list(categories), now=now())


async def test_a_request_arrives_live_and_is_approved_in_part(user: User) -> None:
    leyla = await make_citizen(LEYLA)
    mia = await organisation()
    await login(user, LEYLA)
    nav = [e for e in user.find(kind=ui.link).elements if e.props.get('href') == '/permissions']
    assert [e.text for e in nav] == [az('Permissions')]
    await user.open('/permissions')
    await user.should_see(marker='requests-empty')
    await user.should_see(marker='permissions-empty')

    await ask(mia)  # while the page is open
    await count(user, 'request-pending', 1)
    await user.should_not_see(marker='requests-empty')
    assert texts(user, 'request-organisation') == [MIA]
    assert texts(user, 'request-purpose') == [az('Purpose: {purpose}', purpose=PURPOSE)]
    boxes = sorted(user.find(kind=ui.checkbox, marker='request-category').elements, key=lambda e: e.id)
    assert [(b.text, b.value) for b in boxes] == [(category('personal'), True), (category('employment'), True)]

    # nothing ticked is not an approval: the citizen is told, and nothing is decided
    user.find(marker='request-category category-personal').click()
    user.find(marker='request-category category-employment').click()
    user.find(marker='request-approve').click()
    await user.should_see(az('Choose at least one category, or refuse the request.'), retries=WAIT)
    assert (await permissions.list_requests(actor=leyla.as_actor(), pending_only=True))[0].granted == ()

    user.find(marker='request-category category-personal').click()  # only the personal data
    user.find(marker='request-approve').click()
    await user.should_see(marker='request-partial', retries=WAIT)
    await user.should_not_see(marker='request-pending')
    assert texts(user, 'request-granted') == [az('Granted: {categories}', categories=category('personal'))]
    await count(user, 'permission-active', 1)
    assert texts(user, 'permission-categories') == [category('personal')]
    assert texts(user, 'permission-uses') == [az('Not used yet')]

    served = await read(mia, 'personal')
    assert served.categories == ('personal',)
    with pytest.raises(permissions.Forbidden) as refused:
        await read(mia, 'employment')
    assert refused.value.code == 'category_not_granted'
    # the use is counted on the open page, live
    [given] = await permissions.list_permissions(actor=leyla.as_actor())
    assert given.last_used_at is not None
    await says(
        user,
        'permission-uses',
        az('Uses: {count}, the last on {time}', count=1, time=fmt_datetime(given.last_used_at, 'az')),
    )

    # a second request, refused
    await ask(mia, categories=('transport',))
    await count(user, 'request-pending', 1)
    user.find(marker='request-refuse').click()
    await user.should_see(marker='request-refused', retries=WAIT)
    states = {r.categories: r.state.value for r in await permissions.list_requests(actor=leyla.as_actor())}
    assert states == {('transport',): 'refused', ('personal', 'employment'): 'partial'}
    with pytest.raises(permissions.Forbidden):
        await read(mia, 'transport')


async def test_the_tracker_shows_each_read_live_and_takes_a_dispute(user: User) -> None:
    leyla = await make_citizen(LEYLA)
    mia = await organisation()
    await permissions.share_in_advance(
        actor=leyla.as_actor(),
        organisation_code='MIA',
        categories=['personal', 'family'],
        purpose='Ailə vəziyyətinin yoxlanması',
        valid_until=in_days(30),
        now=now(),
    )
    await login(user, LEYLA)
    await user.open('/permissions')
    user.find(marker='tracker-link').click()
    await user.should_see(marker='tracker-empty', retries=WAIT)

    await read(mia, 'family')  # while the tracker is open
    await count(user, 'access', 1)
    assert texts(user, 'access-organisation') == [MIA]
    assert texts(user, 'access-categories') == [category('family')]
    assert texts(user, 'access-purpose') == [az('Purpose: {purpose}', purpose='Ailə vəziyyətinin yoxlanması')]
    [under] = texts(user, 'access-permission')
    assert 'Ailə vəziyyətinin yoxlanması' in under and in_days(30).strftime('%d.%m.%Y') in under
    await read(mia, 'personal', 'family')
    await count(user, 'access', 2)

    # the reason is required, and named under its field; then the row shows "disputed"
    newest = (await permissions.list_accesses(actor=leyla.as_actor()))[0]
    user.find(marker=f'dispute-{newest.id}').click()
    await user.should_see(marker='dispute-dialog', retries=WAIT)
    user.find(marker='dispute-send').click()
    await user.should_see(marker='dispute-error-reason', retries=WAIT)
    assert texts(user, 'dispute-error-reason') == [az('Say what is wrong with this access.')]
    assert not any(a.disputed for a in await permissions.list_accesses(actor=leyla.as_actor()))
    user.find(marker='dispute-reason').type('Bu sorğunu mən təsdiq etməmişəm')
    user.find(marker='dispute-send').click()
    await count(user, 'access-disputed', 1)
    await user.should_see(marker=f'disputed-{newest.id}')
    await count(user, 'access-dispute', 1)  # the other read can still be disputed
    accesses = await permissions.list_accesses(actor=leyla.as_actor())
    assert [(a.id, a.disputed) for a in accesses] == [(newest.id, True), (accesses[1].id, False)]


async def test_revoking_in_the_page_stops_the_next_read(user: User) -> None:
    leyla = await make_citizen(LEYLA)
    mia = await organisation()
    await ask(mia)
    request = (await permissions.list_requests(actor=leyla.as_actor()))[0]
    await permissions.decide_request(actor=leyla.as_actor(), request_id=request.id, grant=['personal'], now=now())
    await read(mia, 'personal')
    await login(user, LEYLA)
    await user.open('/permissions')
    await count(user, 'permission-active', 1)
    assert texts(user, 'permission-uses') != [az('Not used yet')]

    # asked first; "cancel" keeps it
    user.find(marker='permission-revoke').click()
    await user.should_see(marker='revoke-dialog', retries=WAIT)
    assert texts(user, 'revoke-text') == [f'{MIA}: {category("personal")}']
    user.find(marker='revoke-cancel').click()
    await read(mia, 'personal')
    await count(user, 'permission-active', 1)

    user.find(marker='permission-revoke').click()
    user.find(marker='revoke-confirm').click()
    await user.should_see(marker='permission-revoked', retries=WAIT)
    await user.should_not_see(marker='permission-revoke')
    with pytest.raises(permissions.Forbidden) as refused:
        await read(mia, 'personal')
    assert refused.value.code == 'permission_revoked'


async def test_sharing_in_advance_names_a_bad_field_and_then_works_without_a_request(user: User) -> None:
    leyla = await make_citizen(LEYLA)
    mia = await organisation()
    await make_org('MOJ')
    await login(user, LEYLA)
    await user.open('/permissions')
    await user.should_see(marker='share')

    async def refused(field: str, message: str) -> None:
        user.find(marker='share-send').click()
        await says(user, f'share-error-{field}', message)
        others = [f for f in ('organisation', 'categories', 'purpose', 'valid_until') if f != field]
        assert not any(texts(user, f'share-error-{f}') for f in others)
        assert await permissions.list_permissions(actor=leyla.as_actor()) == []  # nothing half-written

    await refused('categories', az('Choose at least one category of data.'))
    user.find(marker='share-category category-transport').click()
    user.find(marker='share-category category-communications').click()
    await refused('purpose', az('Say what the data is for.'))
    user.find(marker='share-purpose').type('Sürücülük vəsiqəsinin yoxlanması')
    await refused('valid_until', az('Give a date like 2027-01-31.'))
    user.find(marker='share-until').type((local_date(now()) - timedelta(days=1)).isoformat())
    await refused('valid_until', az('The period must end today or later.'))
    user.find(marker='share-until').clear().type(in_days(60).isoformat())
    await refused('organisation', az('Choose the organisation.'))

    select = user.find(kind=ui.select, marker='share-organisation').elements.pop()
    assert set(select.options) == {'MIA', 'MOJ'}
    select.set_value('MIA')
    user.find(marker='share-send').click()
    await count(user, 'permission-active', 1)
    await user.should_see(marker='permission-shared')
    assert texts(user, 'permission-categories') == [f'{category("transport")}, {category("communications")}']
    assert not any(texts(user, f'share-error-{f}') for f in ('organisation', 'categories', 'purpose', 'valid_until'))
    assert select.value is None  # the form is ready for the next one

    served = await read(mia, 'transport')  # no request was ever made
    assert served.categories == ('transport',)
    assert await permissions.list_requests(actor=leyla.as_actor()) == []
    with pytest.raises(permissions.Forbidden):
        await read(mia, 'personal')


async def test_a_citizen_never_sees_another_citizens_requests_permissions_or_reads(
    user: User, create_user: Callable[[], User]
) -> None:
    leyla = await make_citizen(LEYLA)
    await make_citizen(RASHAD, first='Rəşad')
    mia = await organisation()
    await ask(mia)
    request = (await permissions.list_requests(actor=leyla.as_actor()))[0]
    await permissions.decide_request(actor=leyla.as_actor(), request_id=request.id, grant=['personal'], now=now())
    await read(mia, 'personal')
    await login(user, LEYLA)
    await user.open('/permissions')
    await count(user, 'permission-active', 1)

    rashad = create_user()
    await login(rashad, RASHAD)
    await rashad.open('/permissions')
    await rashad.should_see(marker='requests-empty')
    await rashad.should_see(marker='permissions-empty')
    await rashad.should_not_see(PURPOSE)
    await rashad.should_not_see(marker='request')
    await rashad.should_not_see(marker='permission')

    await ask(mia, categories=('education',))  # Leyla's new request reaches her page, not his
    await count(user, 'request-pending', 1)
    await rashad.should_see(marker='requests-empty')
    await rashad.should_not_see(marker='request-pending')

    await rashad.open('/permissions/tracker')
    await rashad.should_see(marker='tracker-empty')
    await rashad.should_not_see(marker='access')
    # and the store refuses his hand on her things
    rashad_actor = (await permissions.get_citizen_by_fin(fin=RASHAD)).as_actor()
    with pytest.raises(permissions.NotFound):
        await permissions.decide_request(actor=rashad_actor, request_id=request.id, grant=['personal'], now=now())
    access = (await permissions.list_accesses(actor=leyla.as_actor()))[0]
    with pytest.raises(permissions.NotFound):
        await permissions.dispute_access(actor=rashad_actor, access_id=access.id, reason='mənim deyil', now=now())


async def test_an_officer_is_sent_away_and_a_stranger_to_login(user: User) -> None:
    await make_citizen(OFFICER, first='Tural', last='Quliyev', role=Role.AGENCY_OFFICER, org=await make_org('MIA'))
    await user.open('/permissions')
    await user.should_see(marker='login')
    await user.open('/permissions/tracker')
    await user.should_see(marker='login')
    await login(user, OFFICER)
    for path in ('/permissions', '/permissions/tracker'):
        await user.open(path)
        await user.should_see(marker='desk-organisation')
        await user.should_not_see(marker='consent')
        await user.should_not_see(marker='tracker')
