"""The cabinet in the browser: every kind rendered and formatted, validity badges, live sections, children.

Expected texts are built from the az catalog (``translate``) and Babel, never copied from the catalog by hand.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from babel.numbers import format_currency
from nicegui import ui
from nicegui.testing import User

from portal.store import apikeys, registry
from portal.store.actors import ApiActor
from portal.store.people import Person
from portal.store.registry_kinds import KINDS, SECTIONS, FieldSpec
from tests.builders import use_fast_hashing
from tests.factories import NOW, make_citizen
from tests.test_registry_kinds import EXAMPLES, owner
from tests.test_ui_login import WAIT, login

A_FIN, B_FIN = '5ABC123', '2HT8P4N'
CHILD_FIN, ADULT_CHILD_FIN = '3CH1LD7', '8GR0WN1'
LANG = 'az'


def az(msgid: str, **params: object) -> str:
    from portal.i18n import translate

    return translate(msgid, LANG, **params)


def today() -> date:
    return datetime.now(UTC).date()


def years_ago(years: int) -> date:
    day = today()
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def examples() -> dict[str, dict[str, Any]]:
    """EXAMPLES, with validity dates around today: one near its end, one past it, the others far from it."""
    day = today()
    return {
        **EXAMPLES,
        'id_card': {**EXAMPLES['id_card'], 'issued_on': '2018-01-10', 'expires_on': (day + timedelta(23)).isoformat()},
        'passport': {**EXAMPLES['passport'], 'issued_on': '2016-03-04', 'expires_on': (day - timedelta(5)).isoformat()},
        'driving_licence': {**EXAMPLES['driving_licence'], 'expires_on': (day + timedelta(3 * 365)).isoformat()},
        'power_of_attorney': {**EXAMPLES['power_of_attorney'], 'expires_on': (day + timedelta(2 * 365)).isoformat()},
        'idp_status': {**EXAMPLES['idp_status'], 'expires_on': (day + timedelta(400)).isoformat()},
    }


class Agencies:
    """The owning agencies' API actors, created on first use."""

    def __init__(self) -> None:
        self.actors: dict[str, ApiActor] = {}

    async def of(self, kind: str) -> ApiActor:
        from tests.factories import make_key

        code = owner(kind)
        if code not in self.actors:
            self.actors[code] = await apikeys.authenticate(key=await make_key(code), now=NOW)
        return self.actors[code]

    async def write(self, fin: str, kind: str, data: dict[str, Any]) -> registry.UpsertResult:
        return await registry.upsert_record(
            actor=await self.of(kind), fin=fin, kind=kind, data=data, now=datetime.now(UTC)
        )


@pytest.fixture
def agencies() -> Agencies:
    return Agencies()


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fast_hashing(monkeypatch)


async def citizen_with_every_kind(agencies: Agencies, fin: str = A_FIN) -> dict[str, dict[str, Any]]:
    await make_citizen(fin)
    data = examples()
    for kind, record in data.items():
        await agencies.write(fin, kind, record)
    return data


async def open_cabinet(user: User, fin: str) -> None:
    """Log in and wait until every section of the cabinet is on the page (some may be built after connecting)."""
    await login(user, fin)
    await user.should_see(marker='welcome')
    for section in SECTIONS:
        await user.should_see(marker=f'section-{section.name}', retries=WAIT)


def expected_text(field: FieldSpec, value: Any) -> str:
    """How the cabinet shows a value in Azerbaijani (dates dd.MM.yyyy, money in manat, translated choices)."""
    if field.kind == 'date':
        return date.fromisoformat(value).strftime('%d.%m.%Y')
    if field.kind == 'money':
        return format_currency(Decimal(value), 'AZN', locale=LANG)
    if field.kind == 'choice':
        return az(field.choices[value])
    if field.kind == 'gender':
        return az('female' if value == 'F' else 'male')
    if field.kind == 'members':
        return '; '.join(
            f'{m["first_name"]} {m["last_name"]} ({az(m["relation"])}, '
            f'{date.fromisoformat(m["birth_date"]).strftime("%d.%m.%Y")})'
            for m in value
        )
    return str(value)


def texts(user: User, marker: str) -> list[str]:
    """The texts of the visible labels carrying this marker (within the current scope)."""
    return sorted(str(getattr(e, 'text', '')) for e in user.find(marker=marker).elements)


def child_rows(user: User) -> list[dict[str, Any]]:
    return [row for table in user.find(kind=ui.table, marker='child-table').elements for row in table.rows]


async def until_child_rows(user: User, check: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    """The rows of the children's tables, once they pass the check (a live refresh runs in a background task)."""
    rows: list[dict[str, Any]] = []
    for _ in range(WAIT):
        rows = child_rows(user)
        if check(rows):
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f'children tables never passed the check: {rows}')


# --- every kind, formatted ---------------------------------------------------------------------------------------


async def test_every_kind_is_rendered_with_formatted_values(user: User, agencies: Agencies) -> None:
    data = await citizen_with_every_kind(agencies)
    await open_cabinet(user, A_FIN)

    for kind, spec in KINDS.items():
        await user.should_see(marker=f'kind-{kind}')
        with user.scope(marker=f'kind-{kind}'):
            await user.should_not_see(marker=f'empty-{kind}')
            for field in spec.fields:
                value = data[kind].get(field.name)
                if value in (None, '', []):
                    continue
                assert texts(user, f'{kind}-{field.name}') == [expected_text(field, value)], f'{kind}.{field.name}'
                await user.should_see(content=expected_text(field, value))

    # the characteristic formats, spelled out
    with user.scope(marker='kind-fine'):
        assert format_currency(Decimal('23.40'), 'AZN', locale='az') == '23,40\xa0₼'
        assert texts(user, 'fine-amount') == ['23,40\xa0₼']
        assert az('unpaid') != 'unpaid'  # the az catalog translates it
        assert texts(user, 'fine-status') == [az('unpaid')]
        assert texts(user, 'fine-issued_on') == ['02.10.2026']
    with user.scope(marker='kind-identity'):
        assert texts(user, 'identity-birth_date') == ['17.05.1990']
        assert texts(user, 'identity-gender') == [az('female')]
        assert texts(user, 'identity-extra') == [A_FIN]
    with user.scope(marker='kind-tax'):
        assert texts(user, 'tax-declared_income') == [format_currency(Decimal('24000'), 'AZN', locale='az')]


async def test_validity_badges(user: User, agencies: Agencies) -> None:
    await citizen_with_every_kind(agencies)
    await open_cabinet(user, A_FIN)

    expected = {
        'id_card': az('expires in {days} days', days=23),
        'passport': az('expired'),
        'driving_licence': az('valid'),
        'power_of_attorney': az('valid'),
        'idp_status': az('valid'),
    }
    assert '23' in expected['id_card']
    assert {k for k, spec in KINDS.items() if spec.valid_until_field} == set(expected)
    for kind, badge in expected.items():
        with user.scope(marker=f'kind-{kind}'):
            assert texts(user, 'validity') == [badge], kind
    # kinds without a validity end show no badge
    for kind in ('address', 'vehicle', 'fine'):
        with user.scope(marker=f'kind-{kind}'):
            await user.should_not_see(marker='validity')


# --- live --------------------------------------------------------------------------------------------------------

# per section: the kind updated, the field changed, its new value (distinct from everything on the page)
LIVE_UPDATES: dict[str, tuple[str, str, Any]] = {
    'personal': ('address', 'street', 'Azadlıq prospekti'),
    'work': ('social_benefit', 'monthly_amount', '512.75'),
    'financial': ('fine', 'description', 'Svetoforun qadağanedici siqnalı'),
    'education': ('diploma', 'speciality', 'Kompüter mühəndisliyi'),
    'transport': ('vehicle', 'model', 'Corolla'),
    'military': ('military_registration', 'office', 'Gəncə şəhər Səfərbərlik şöbəsi'),
    'legal': ('court_case', 'court', 'Sumqayıt Şəhər Məhkəməsi'),
    'health': ('vaccination', 'clinic', '7 saylı uşaq poliklinikası'),
    'idp': ('idp_status', 'origin', 'Şuşa'),
}


def test_live_updates_cover_every_section() -> None:
    assert set(LIVE_UPDATES) == {s.name for s in SECTIONS}
    for section in SECTIONS:
        assert LIVE_UPDATES[section.name][0] in section.kinds


@pytest.mark.parametrize('section', [s.name for s in SECTIONS])
async def test_a_section_follows_an_agency_update_live(user: User, agencies: Agencies, section: str) -> None:
    data = await citizen_with_every_kind(agencies)
    kind, field_name, new_value = LIVE_UPDATES[section]
    field = next(f for f in KINDS[kind].fields if f.name == field_name)
    new_text = expected_text(field, new_value)
    await open_cabinet(user, A_FIN)
    await user.should_not_see(new_text)
    await user.should_not_see(marker=f'updated-{kind}')

    await agencies.write(A_FIN, kind, {**data[kind], field_name: new_value})

    await user.should_see(new_text, retries=50)  # without reopening the page
    await user.should_see(marker=f'updated-{kind}', retries=50)
    with user.scope(marker=f'kind-{kind}'):
        assert texts(user, f'{kind}-{field_name}') == [new_text]
        assert texts(user, f'updated-{kind}') == [az('updated')]
    for other in KINDS:
        if other != kind:
            await user.should_not_see(marker=f'updated-{other}')


# --- isolation ---------------------------------------------------------------------------------------------------


async def test_citizen_b_never_sees_citizen_as_records(
    user: User, create_user: Callable[[], User], agencies: Agencies
) -> None:
    data = await citizen_with_every_kind(agencies, A_FIN)
    await make_citizen(B_FIN, first='Rəşad', last='Əliyev')
    await open_cabinet(user, B_FIN)

    for kind in KINDS:
        await user.should_see(marker=f'empty-{kind}')
    for kind, field_name in (
        ('address', 'street'),
        ('id_card', 'number'),
        ('passport', 'number'),
        ('vehicle', 'plate'),
        ('fine', 'protocol_no'),
        ('diploma', 'diploma_no'),
        ('court_case', 'case_no'),
        ('vaccination', 'vaccine'),
        ('idp_status', 'card_number'),
    ):
        await user.should_not_see(str(data[kind][field_name]))
    await user.should_not_see('Leyla')

    # an update of A's record does not reach B's open cabinet
    await agencies.write(A_FIN, 'address', {**data['address'], 'street': 'Azadlıq prospekti'})
    leyla = create_user()
    await open_cabinet(leyla, A_FIN)
    await leyla.should_see('Azadlıq prospekti')
    await user.should_not_see('Azadlıq prospekti')
    await user.should_not_see(marker='updated-address')


# --- children ----------------------------------------------------------------------------------------------------


async def family_with_children(agencies: Agencies) -> tuple[Person, Person]:
    """Leyla with a minor child (3) and a grown-up one (20) in her family record; each child has a vaccination."""
    await make_citizen(A_FIN)
    minor = await make_citizen(CHILD_FIN, first='Aylin', last='Əliyeva', password=None)
    adult = await make_citizen(ADULT_CHILD_FIN, first='Tural', last='Əliyev', password=None)
    for child, born in ((minor, years_ago(3)), (adult, years_ago(20))):
        child.birth_date = born
        await child.save(update_fields=['birth_date'])
    members = [
        {
            'fin': child.fin,
            'first_name': child.first_name,
            'last_name': child.last_name,
            'relation': 'child',
            'birth_date': born.isoformat(),
        }
        for child, born in ((minor, years_ago(3)), (adult, years_ago(20)))
    ]
    assert owner('family') == 'MOJ'
    await agencies.write(A_FIN, 'family', {'members': members})
    await agencies.write(CHILD_FIN, 'vaccination', vaccination('VX-10000001', 'Hepatit B (VHB)', years_ago(3)))
    await agencies.write(
        ADULT_CHILD_FIN, 'vaccination', vaccination('VX-20000001', 'Difteriya, tetanus (DT)', years_ago(14))
    )
    return minor, adult


def vaccination(record_no: str, vaccine: str, given_on: date, dose: int = 1) -> dict[str, Any]:
    return {
        'record_no': record_no,
        'vaccine': vaccine,
        'dose': dose,
        'given_on': given_on.isoformat(),
        'clinic': '1 saylı uşaq poliklinikası',
    }


async def test_a_parent_sees_a_minor_childs_vaccinations_but_not_a_grown_up_childs(
    user: User, agencies: Agencies
) -> None:
    minor, _ = await family_with_children(agencies)
    await open_cabinet(user, A_FIN)

    with user.scope(marker='section-health'):
        await user.should_see(marker='child-records')
        assert len(user.find(marker='child-records').elements) == 1  # the grown-up child is not shown
        assert minor.birth_date is not None
        await user.should_see(
            az('{name}, born {date}', name='Aylin Əliyeva', date=minor.birth_date.strftime('%d.%m.%Y'))
        )
        await user.should_not_see('Tural Əliyev')
        rows = child_rows(user)
    assert [(r['vaccine'], r['dose'], r['given_on']) for r in rows] == [
        ('Hepatit B (VHB)', '1', years_ago(3).strftime('%d.%m.%Y'))
    ]
    # the parent's own vaccination card stays empty: the child's records are not the parent's
    await user.should_see(marker='empty-vaccination')


async def test_another_citizen_does_not_see_the_childs_records(user: User, agencies: Agencies) -> None:
    await family_with_children(agencies)
    await make_citizen(B_FIN, first='Rəşad', last='Əliyev')
    await open_cabinet(user, B_FIN)
    await user.should_not_see(marker='child-records')
    await user.should_not_see(marker='child-table')
    await user.should_not_see('Aylin')


async def test_a_childs_new_vaccination_appears_live_for_the_parent(user: User, agencies: Agencies) -> None:
    await family_with_children(agencies)
    await open_cabinet(user, A_FIN)
    await user.should_see(marker='child-table')
    assert [r['vaccine'] for r in child_rows(user)] == ['Hepatit B (VHB)']

    given = today() - timedelta(days=10)
    await agencies.write(
        CHILD_FIN, 'vaccination', vaccination('VX-10000002', 'Qızılca, məxmərək, parotit (MMR)', given)
    )

    rows = await until_child_rows(user, lambda rows: len(rows) == 2)
    # newest first
    assert [(r['vaccine'], r['given_on']) for r in rows] == [
        ('Qızılca, məxmərək, parotit (MMR)', given.strftime('%d.%m.%Y')),
        ('Hepatit B (VHB)', years_ago(3).strftime('%d.%m.%Y')),
    ]
    # a change for the grown-up child is no reason to show them
    await agencies.write(
        ADULT_CHILD_FIN, 'vaccination', vaccination('VX-20000002', 'Qızılca, məxmərək, parotit (MMR)', given, 2)
    )
    await asyncio.sleep(0.3)
    assert len(user.find(marker='child-records').elements) == 1
    assert len(child_rows(user)) == 2
