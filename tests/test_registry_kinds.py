"""Every declared kind of registry record: an agency's valid example goes through, a missing field is named.

The declarations themselves are checked too: sections cover the kinds, the cabinet's fields exist in the
schemas, and a ``choice`` field offers exactly the values its schema accepts.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any, Literal, get_args, get_origin

import pytest

from portal.errors import Invalid, NotFound
from portal.store import apikeys, registry
from portal.store.actors import ApiActor
from portal.store.audit import HistoryEvent
from portal.store.orgs import reference_organisations
from portal.store.registry import RegistryRecord
from portal.store.registry_kinds import KINDS, SECTIONS
from tests.factories import ADDRESS, NOW, make_citizen, make_key

FIN = '5ABC123'
KIND_NAMES = sorted(KINDS)
REF_KINDS = sorted(k for k, spec in KINDS.items() if spec.ref_field)

# one valid record per kind, as an owning agency's system would send it
EXAMPLES: dict[str, dict[str, Any]] = {
    'identity': {
        'first_name': 'Leyla',
        'last_name': 'Məmmədova',
        'patronymic': 'Rauf qızı',
        'birth_date': '1990-05-17',
        'birth_place': 'Şəki',
        'gender': 'F',
    },
    'id_card': {
        'series': 'AZE',
        'number': '12345678',
        'issued_on': '2018-01-10',
        'expires_on': '2028-01-10',
        'issued_by': 'Daxili İşlər Nazirliyi',
    },
    'passport': {
        'number': 'C01234567',
        'issued_on': '2019-03-04',
        'expires_on': '2029-03-04',
        'issued_by': 'Dövlət Miqrasiya Xidməti',
    },
    'address': dict(ADDRESS),
    'family': {
        'members': [
            {
                'fin': '2HT8P4N',
                'first_name': 'Rəşad',
                'last_name': 'Əliyev',
                'relation': 'spouse',
                'birth_date': '1988-02-11',
            }
        ]
    },
    'marital_status': {'status': 'married', 'since': '2014-06-21', 'certificate_no': 'NK-0012345'},
    'employment': {
        'contract_no': 'EM-0000001',
        'employer': 'Azərsu ASC',
        'position': 'mühəndis',
        'started_on': '2016-09-01',
    },
    'social_benefit': {
        'benefit_no': 'SB-0000001',
        'benefit': 'child_allowance',
        'monthly_amount': '75.50',
        'since': '2022-01-01',
    },
    'tax': {'year': 2025, 'tin': '1234567890', 'declared_income': '24000.00', 'tax_paid': '3360.00'},
    'fine': {
        'protocol_no': 'DYP-00000001',
        'issued_on': '2026-10-02',
        'article': 'İXM 327.1',
        'description': 'Sürət həddinin aşılması',
        'plate': '10-AB-123',
        'amount': '23.40',
        'due_on': '2026-11-01',
        'status': 'unpaid',
    },
    'state_fee': {
        'fee_no': 'RS-00000001',
        'purpose': 'Pasportun verilməsi',
        'amount': '15.00',
        'due_on': '2026-12-01',
        'status': 'unpaid',
    },
    'utility_debt': {
        'subscriber_no': 'E000000001',
        'service': 'electricity',
        'period': '2026-10',
        'amount': '31.75',
        'due_on': '2026-11-25',
        'status': 'unpaid',
    },
    'diploma': {
        'diploma_no': 'BD-0000001',
        'institution': 'Bakı Dövlət Universiteti',
        'speciality': 'İqtisadiyyat',
        'degree': 'master',
        'issued_on': '2013-07-01',
    },
    'student_record': {
        'student_no': 'ST-00000001',
        'institution': 'ADA Universiteti',
        'faculty': 'Kompüter elmləri',
        'year_of_study': 2,
        'admitted_on': '2025-09-15',
        'status': 'studying',
    },
    'driving_licence': {
        'number': 'AZ123456',
        'categories': 'B,C',
        'issued_on': '2017-05-05',
        'expires_on': '2027-05-05',
    },
    'vehicle': {
        'plate': '90-HK-321',
        'make': 'Toyota',
        'model': 'Camry',
        'year': 2019,
        'registered_on': '2020-02-14',
        'certificate_no': 'AZ1234567',
    },
    'military_registration': {
        'status': 'reserve',
        'office': 'Nəsimi rayon Səfərbərlik və Hərbi Xidmətə Çağırış şöbəsi',
        'registered_on': '2007-03-01',
    },
    'military_service': {
        'service_no': 'HX-0000001',
        'unit': 'N saylı hərbi hissə (1234)',
        'rank': 'çavuş',
        'started_on': '2008-07-01',
        'ended_on': '2009-12-31',
    },
    'power_of_attorney': {
        'register_no': 'EV-00000001',
        'direction': 'given',
        'counterpart': 'Elnur Həsənov',
        'scope': 'Avtomobilin idarə edilməsi',
        'notary': 'Bakı şəhəri 3 saylı Dövlət notariat kontoru',
        'issued_on': '2025-04-01',
        'expires_on': '2028-04-01',
        'status': 'active',
    },
    'court_case': {
        'case_no': '2-1(101)-1234/2026',
        'court': 'Bakı şəhəri Yasamal Rayon Məhkəməsi',
        'kind': 'civil',
        'role': 'plaintiff',
        'started_on': '2026-03-10',
        'status': 'open',
    },
    'travel_restriction': {
        'order_no': 'IC-0000001',
        'reason': 'Alimentin ödənilməməsi üzrə borc',
        'imposed_on': '2026-02-01',
        'status': 'active',
    },
    'vaccination': {
        'record_no': 'VX-00000001',
        'vaccine': 'Qızılca, məxmərək, parotit (MMR)',
        'dose': 2,
        'given_on': '2024-04-12',
        'clinic': '1 saylı uşaq poliklinikası',
    },
    'idp_status': {
        'status': 'idp',
        'card_series': 'MK',
        'card_number': '1234567',
        'origin': 'Füzuli',
        'issued_on': '2022-06-01',
        'expires_on': '2027-06-01',
    },
}

# a second value of the distinguishing field, for the kinds that keep several records
OTHER_REF: dict[str, Any] = {
    'employment': 'EM-0000002',
    'social_benefit': 'SB-0000002',
    'tax': 2024,
    'fine': 'DYP-00000002',
    'state_fee': 'RS-00000002',
    'utility_debt': 'W000000002',
    'diploma': 'BD-0000002',
    'student_record': 'ST-00000002',
    'vehicle': '10-AA-777',
    'military_service': 'HX-0000002',
    'power_of_attorney': 'EV-00000002',
    'court_case': '2-2(202)-5678/2025',
    'travel_restriction': 'IC-0000002',
    'vaccination': 'VX-00000002',
}


def owner(kind: str) -> str:
    """One agency that keeps records of this kind."""
    return next(iter(sorted(KINDS[kind].sources)))


async def owner_actor(kind: str) -> ApiActor:
    return await apikeys.authenticate(key=await make_key(owner(kind)), now=NOW)


def stored(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """What the registry keeps of valid input: the sent fields, and the schema's defaults for the others."""
    defaults = {name: f.default for name, f in KINDS[kind].schema.model_fields.items() if not f.is_required()}
    return {**defaults, **data}


def required_fields(kind: str) -> list[str]:
    return [name for name, f in KINDS[kind].schema.model_fields.items() if f.is_required()]


def literal_values(annotation: Any) -> set[Any]:
    """The values a ``Literal`` annotation allows (also inside ``X | None``)."""
    if get_origin(annotation) is Literal:
        return set(get_args(annotation))
    return {value for arg in get_args(annotation) if arg is not type(None) for value in literal_values(arg)}


def test_every_kind_has_an_example() -> None:
    assert set(EXAMPLES) == set(KINDS)
    assert set(OTHER_REF) == set(REF_KINDS)


# --- through the API path ----------------------------------------------------------------------------------------


@pytest.mark.parametrize('kind', KIND_NAMES)
async def test_a_valid_example_is_stored_and_listed(store_db: str, kind: str) -> None:
    spec = KINDS[kind]
    leyla = await make_citizen(FIN, password=None)
    example = EXAMPLES[kind]

    result = await registry.upsert_record(actor=await owner_actor(kind), fin=FIN, kind=kind, data=example, now=NOW)

    assert result.created is True
    assert result.person_id == leyla.id
    expected_ref = str(example[spec.ref_field]) if spec.ref_field else ''
    expected_until = date.fromisoformat(example[spec.valid_until_field]) if spec.valid_until_field else None
    view = result.record
    assert (view.kind, view.ref, view.data, view.source_code) == (
        kind,
        expected_ref,
        stored(kind, example),
        owner(kind),
    )
    assert view.valid_until == expected_until
    assert (await RegistryRecord.get(id=view.id)).valid_until == expected_until

    listed = await registry.list_records(actor=leyla.as_actor(), person_id=leyla.id)
    assert [(r.id, r.kind, r.ref, r.data, r.valid_until) for r in listed] == [
        (view.id, kind, expected_ref, stored(kind, example), expected_until)
    ]
    assert [r.id for r in await registry.list_records(actor=leyla.as_actor(), person_id=leyla.id, kind=kind)] == [
        view.id
    ]


@pytest.mark.parametrize('kind', REF_KINDS)
async def test_records_with_different_refs_coexist(store_db: str, kind: str) -> None:
    ref_field = KINDS[kind].ref_field
    assert ref_field is not None
    leyla = await make_citizen(FIN, password=None)
    actor = await owner_actor(kind)
    first, second = EXAMPLES[kind], {**EXAMPLES[kind], ref_field: OTHER_REF[kind]}

    # the ref an integrator passes is ignored: the data field tells the records apart
    one = await registry.upsert_record(actor=actor, fin=FIN, kind=kind, data=first, ref='ignored', now=NOW)
    two = await registry.upsert_record(actor=actor, fin=FIN, kind=kind, data=second, now=NOW)
    again = await registry.upsert_record(actor=actor, fin=FIN, kind=kind, data=first, now=NOW)

    assert (one.created, two.created, again.created) == (True, True, False)
    assert again.record.id == one.record.id
    assert again.record.version == 2
    records = await registry.list_records(actor=leyla.as_actor(), person_id=leyla.id, kind=kind)
    assert sorted(r.ref for r in records) == sorted([str(first[ref_field]), str(second[ref_field])])
    for record in records:
        assert record.ref == str(record.data[ref_field])
    assert await RegistryRecord.filter(person_id=leyla.id, kind=kind).count() == 2


@pytest.mark.parametrize('kind', KIND_NAMES)
async def test_a_missing_required_field_is_named(store_db: str, kind: str) -> None:
    await make_citizen(FIN, password=None)
    actor = await owner_actor(kind)
    assert required_fields(kind), f'{kind} has no required field'
    for name in required_fields(kind):
        data = {k: v for k, v in EXAMPLES[kind].items() if k != name}
        with pytest.raises(Invalid) as exc:
            await registry.upsert_record(actor=actor, fin=FIN, kind=kind, data=data, now=NOW)
        assert exc.value.code == 'invalid_record'
        assert exc.value.field is not None
        assert exc.value.field.startswith('data.')
        assert exc.value.field == f'data.{name}'
    assert await RegistryRecord.all().count() == 0
    assert await HistoryEvent.all().count() == 0


async def test_unknown_kind_is_not_found(store_db: str) -> None:
    await make_citizen(FIN, password=None)
    actor = await owner_actor('address')
    with pytest.raises(NotFound) as exc:
        await registry.upsert_record(actor=actor, fin=FIN, kind='submarine', data=EXAMPLES['address'], now=NOW)
    assert exc.value.code == 'unknown_kind'
    assert exc.value.field == 'kind'
    assert await RegistryRecord.all().count() == 0


# --- the declarations --------------------------------------------------------------------------------------------


def test_sections_cover_every_kind_exactly_once() -> None:
    counts = Counter(kind for section in SECTIONS for kind in section.kinds)
    assert set(counts) == set(KINDS)
    assert [kind for kind, n in counts.items() if n != 1] == []
    assert len({section.name for section in SECTIONS}) == len(SECTIONS)
    for section in SECTIONS:
        for kind in section.kinds:
            assert KINDS[kind].section == section.name


@pytest.mark.parametrize('kind', KIND_NAMES)
def test_every_field_spec_names_a_schema_field(kind: str) -> None:
    spec = KINDS[kind]
    schema_fields = spec.schema.model_fields
    assert [f.name for f in spec.fields if f.name not in schema_fields] == []
    assert len({f.name for f in spec.fields}) == len(spec.fields)
    for field in spec.fields:
        annotation = schema_fields[field.name].annotation
        if field.kind == 'date':
            assert annotation in (date, date | None), field.name
        elif field.kind == 'money':
            assert annotation is Decimal, field.name
        elif field.kind == 'gender':
            assert literal_values(annotation) == {'M', 'F'}, field.name
    # the fields that give a record its ref and its validity are always there
    if spec.ref_field:
        assert spec.ref_field in required_fields(kind)
    if spec.valid_until_field:
        assert spec.valid_until_field in required_fields(kind)
        assert schema_fields[spec.valid_until_field].annotation is date


@pytest.mark.parametrize('kind', KIND_NAMES)
def test_choice_fields_offer_exactly_the_schemas_values(kind: str) -> None:
    spec = KINDS[kind]
    for field in spec.fields:
        if field.kind != 'choice':
            continue
        allowed = literal_values(spec.schema.model_fields[field.name].annotation)
        assert allowed, f'{kind}.{field.name} is a choice but its schema field is no Literal'
        assert set(field.choices) == allowed, f'{kind}.{field.name}'


def test_every_source_is_a_known_agency() -> None:
    codes = {row['code'] for row in reference_organisations()}
    for kind, spec in KINDS.items():
        assert spec.sources, kind
        assert spec.sources <= codes, f'{kind}: {sorted(spec.sources - codes)}'
