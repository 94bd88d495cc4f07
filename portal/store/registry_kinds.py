"""Declared kinds of registry record and the cabinet sections they belong to.

One declaration per kind: its schema (``registry_schemas``) validates API input, its fields drive the cabinet,
``sources`` name the agencies that own it. Adding a kind means adding a declaration, not a code path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from portal.errors import N_
from portal.store import registry_schemas as s

FieldKind = Literal['text', 'date', 'gender', 'money', 'choice', 'members']


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: FieldKind = 'text'
    choices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KindSpec:
    name: str
    title: str
    section: str
    schema: type[s.Schema]
    fields: tuple[FieldSpec, ...]
    sources: frozenset[str]
    # data field that gives the record's validity end, if any
    valid_until_field: str | None = None
    # data field that tells several records of the kind apart (e.g. a fine's protocol number)
    ref_field: str | None = None
    # a debt the citizen can pay: data has amount, due_on and status
    payable: bool = False


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    kinds: tuple[str, ...]


def _f(name: str, label: str, kind: FieldKind = 'text', **choices: str) -> FieldSpec:
    return FieldSpec(name, label, kind, dict(choices))


DEBT_STATUS = {'unpaid': N_('unpaid'), 'paid': N_('paid')}
_DEBT = (
    _f('amount', N_('Amount'), 'money'),
    _f('due_on', N_('Due date'), 'date'),
    _f('status', N_('Status'), 'choice', **DEBT_STATUS),
)

SECTIONS: tuple[Section, ...] = (
    Section(
        'personal', N_('Personal data'), ('identity', 'id_card', 'passport', 'address', 'family', 'marital_status')
    ),
    Section('work', N_('Work and social protection'), ('employment', 'social_benefit')),
    Section('financial', N_('Taxes, fines and debts'), ('tax', 'fine', 'state_fee', 'utility_debt')),
    Section('education', N_('Education'), ('diploma', 'student_record')),
    Section('transport', N_('Transport'), ('driving_licence', 'vehicle')),
    Section('military', N_('Military service'), ('military_registration', 'military_service')),
    Section('legal', N_('Legal'), ('power_of_attorney', 'court_case', 'travel_restriction')),
    Section('health', N_('Health'), ('vaccination',)),
    Section('idp', N_('IDP status'), ('idp_status',)),
)

_KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        'identity',
        N_('Personal data'),
        'personal',
        s.Identity,
        (
            _f('last_name', N_('Surname')),
            _f('first_name', N_('First name')),
            _f('patronymic', N_('Patronymic')),
            _f('birth_date', N_('Date of birth'), 'date'),
            _f('birth_place', N_('Place of birth')),
            _f('gender', N_('Sex'), 'gender'),
        ),
        frozenset({'MOJ', 'MIA', 'DMX'}),
    ),
    KindSpec(
        'id_card',
        N_('Identity card'),
        'personal',
        s.IdCard,
        (
            _f('series', N_('Series')),
            _f('number', N_('Number')),
            _f('issued_on', N_('Issued on'), 'date'),
            _f('expires_on', N_('Valid until'), 'date'),
            _f('issued_by', N_('Issued by')),
        ),
        frozenset({'MIA'}),
        valid_until_field='expires_on',
    ),
    KindSpec(
        'passport',
        N_('Passport'),
        'personal',
        s.Passport,
        (
            _f('number', N_('Number')),
            _f('issued_on', N_('Issued on'), 'date'),
            _f('expires_on', N_('Valid until'), 'date'),
            _f('issued_by', N_('Issued by')),
        ),
        frozenset({'MIA', 'DMX'}),
        valid_until_field='expires_on',
    ),
    KindSpec(
        'address',
        N_('Registered address'),
        'personal',
        s.RegisteredAddress,
        (
            _f('region', N_('Region')),
            _f('city', N_('City or village')),
            _f('street', N_('Street')),
            _f('building', N_('Building')),
            _f('apartment', N_('Apartment')),
            _f('registered_on', N_('Registered on'), 'date'),
        ),
        frozenset({'MIA'}),
    ),
    KindSpec(
        'family',
        N_('Family composition'),
        'personal',
        s.Family,
        (_f('members', N_('Members'), 'members'),),
        frozenset({'MOJ'}),
    ),
    KindSpec(
        'marital_status',
        N_('Marital status'),
        'personal',
        s.MaritalStatus,
        (
            _f(
                'status',
                N_('Status'),
                'choice',
                single=N_('single'),
                married=N_('married'),
                divorced=N_('divorced'),
                widowed=N_('widowed'),
            ),
            _f('since', N_('Since'), 'date'),
            _f('certificate_no', N_('Certificate number')),
        ),
        frozenset({'MOJ'}),
    ),
    KindSpec(
        'employment',
        N_('Employment record'),
        'work',
        s.Employment,
        (
            _f('employer', N_('Employer')),
            _f('position', N_('Position')),
            _f('contract_no', N_('Contract number')),
            _f('started_on', N_('Started on'), 'date'),
            _f('ended_on', N_('Ended on'), 'date'),
        ),
        frozenset({'MLSPP'}),
        ref_field='contract_no',
    ),
    KindSpec(
        'social_benefit',
        N_('Pension or social benefit'),
        'work',
        s.SocialBenefit,
        (
            _f(
                'benefit',
                N_('Benefit'),
                'choice',
                old_age_pension=N_('old-age pension'),
                disability_pension=N_('disability pension'),
                survivor_pension=N_("survivor's pension"),
                child_allowance=N_('child allowance'),
                targeted_aid=N_('targeted social assistance'),
            ),
            _f('monthly_amount', N_('Monthly amount'), 'money'),
            _f('since', N_('Since'), 'date'),
            _f('until', N_('Until'), 'date'),
            _f('benefit_no', N_('Number')),
        ),
        frozenset({'MLSPP', 'DSMF'}),
        ref_field='benefit_no',
    ),
    KindSpec(
        'tax',
        N_('Income tax'),
        'financial',
        s.Tax,
        (
            _f('year', N_('Year')),
            _f('tin', N_('Taxpayer identification number')),
            _f('declared_income', N_('Declared income'), 'money'),
            _f('tax_paid', N_('Tax paid'), 'money'),
        ),
        frozenset({'DVX'}),
        ref_field='year',
    ),
    KindSpec(
        'fine',
        N_('Fine'),
        'financial',
        s.Fine,
        (
            _f('protocol_no', N_('Protocol number')),
            _f('issued_on', N_('Issued on'), 'date'),
            _f('article', N_('Article')),
            _f('description', N_('Description')),
            _f('plate', N_('Registration plate')),
            *_DEBT,
        ),
        frozenset({'DYP'}),
        ref_field='protocol_no',
        payable=True,
    ),
    KindSpec(
        'state_fee',
        N_('State fee'),
        'financial',
        s.StateFee,
        (
            _f('fee_no', N_('Number')),
            _f('purpose', N_('Purpose')),
            *_DEBT,
        ),
        frozenset({'MOJ', 'MIA', 'DMX', 'ASAN'}),
        ref_field='fee_no',
        payable=True,
    ),
    KindSpec(
        'utility_debt',
        N_('Utility debt'),
        'financial',
        s.UtilityDebt,
        (
            _f('service', N_('Service'), 'choice', electricity=N_('electricity'), water=N_('water'), gas=N_('gas')),
            _f('subscriber_no', N_('Subscriber number')),
            _f('period', N_('Period')),
            *_DEBT,
        ),
        frozenset({'AZERISIQ', 'AZERSU', 'AZERIQAZ'}),
        ref_field='subscriber_no',
        payable=True,
    ),
    KindSpec(
        'diploma',
        N_('Diploma'),
        'education',
        s.Diploma,
        (
            _f('institution', N_('Institution')),
            _f('speciality', N_('Speciality')),
            _f(
                'degree',
                N_('Degree'),
                'choice',
                vocational=N_('vocational'),
                bachelor=N_("bachelor's"),
                master=N_("master's"),
                doctorate=N_('doctorate'),
            ),
            _f('diploma_no', N_('Diploma number')),
            _f('issued_on', N_('Issued on'), 'date'),
        ),
        frozenset({'MSE'}),
        ref_field='diploma_no',
    ),
    KindSpec(
        'student_record',
        N_('Student record'),
        'education',
        s.StudentRecord,
        (
            _f('institution', N_('Institution')),
            _f('faculty', N_('Faculty')),
            _f('year_of_study', N_('Year of study')),
            _f(
                'status',
                N_('Status'),
                'choice',
                studying=N_('studying'),
                academic_leave=N_('academic leave'),
                graduated=N_('graduated'),
                expelled=N_('expelled'),
            ),
            _f('student_no', N_('Student number')),
            _f('admitted_on', N_('Admitted on'), 'date'),
        ),
        frozenset({'MSE'}),
        ref_field='student_no',
    ),
    KindSpec(
        'driving_licence',
        N_('Driving licence'),
        'transport',
        s.DrivingLicence,
        (
            _f('number', N_('Number')),
            _f('categories', N_('Categories')),
            _f('issued_on', N_('Issued on'), 'date'),
            _f('expires_on', N_('Valid until'), 'date'),
        ),
        frozenset({'MIA', 'DYP'}),
        valid_until_field='expires_on',
    ),
    KindSpec(
        'vehicle',
        N_('Vehicle'),
        'transport',
        s.Vehicle,
        (
            _f('plate', N_('Registration plate')),
            _f('make', N_('Make')),
            _f('model', N_('Model')),
            _f('year', N_('Year of manufacture')),
            _f('registered_on', N_('Registered on'), 'date'),
            _f('certificate_no', N_('Registration certificate')),
        ),
        frozenset({'DYP'}),
        ref_field='plate',
    ),
    KindSpec(
        'military_registration',
        N_('Military registration'),
        'military',
        s.MilitaryRegistration,
        (
            _f(
                'status',
                N_('Status'),
                'choice',
                registered=N_('registered'),
                conscript=N_('conscript'),
                reserve=N_('reserve'),
                exempt=N_('exempt'),
            ),
            _f('office', N_('Office')),
            _f('registered_on', N_('Registered on'), 'date'),
        ),
        frozenset({'SHXCDX'}),
    ),
    KindSpec(
        'military_service',
        N_('Military service'),
        'military',
        s.MilitaryService,
        (
            _f('unit', N_('Unit')),
            _f('rank', N_('Rank')),
            _f('started_on', N_('Started on'), 'date'),
            _f('ended_on', N_('Ended on'), 'date'),
            _f('service_no', N_('Number')),
        ),
        frozenset({'MOD', 'SHXCDX'}),
        ref_field='service_no',
    ),
    KindSpec(
        'power_of_attorney',
        N_('Power of attorney'),
        'legal',
        s.PowerOfAttorney,
        (
            _f('direction', N_('Direction'), 'choice', given=N_('given'), received=N_('received')),
            _f('counterpart', N_('Other party')),
            _f('scope', N_('Scope')),
            _f('notary', N_('Notary')),
            _f('register_no', N_('Register number')),
            _f('issued_on', N_('Issued on'), 'date'),
            _f('expires_on', N_('Valid until'), 'date'),
            _f('status', N_('Status'), 'choice', active=N_('active'), revoked=N_('revoked'), expired=N_('expired')),
        ),
        frozenset({'MOJ'}),
        valid_until_field='expires_on',
        ref_field='register_no',
    ),
    KindSpec(
        'court_case',
        N_('Court proceedings'),
        'legal',
        s.CourtCase,
        (
            _f('case_no', N_('Case number')),
            _f('court', N_('Court')),
            _f(
                'kind',
                N_('Kind'),
                'choice',
                civil=N_('civil'),
                administrative=N_('administrative'),
                criminal=N_('criminal'),
                economic=N_('economic'),
            ),
            _f(
                'role',
                N_('Role'),
                'choice',
                plaintiff=N_('plaintiff'),
                defendant=N_('defendant'),
                third_party=N_('third party'),
            ),
            _f('started_on', N_('Started on'), 'date'),
            _f('status', N_('Status'), 'choice', open=N_('open'), closed=N_('closed')),
        ),
        frozenset({'MOJ'}),
        ref_field='case_no',
    ),
    KindSpec(
        'travel_restriction',
        N_("Debtor's travel restriction"),
        'legal',
        s.TravelRestriction,
        (
            _f('order_no', N_('Order number')),
            _f('reason', N_('Reason')),
            _f('imposed_on', N_('Imposed on'), 'date'),
            _f('status', N_('Status'), 'choice', active=N_('active'), lifted=N_('lifted')),
            _f('lifted_on', N_('Lifted on'), 'date'),
        ),
        frozenset({'MOJ'}),
        ref_field='order_no',
    ),
    KindSpec(
        'vaccination',
        N_('Vaccination'),
        'health',
        s.Vaccination,
        (
            _f('vaccine', N_('Vaccine')),
            _f('dose', N_('Dose')),
            _f('given_on', N_('Given on'), 'date'),
            _f('clinic', N_('Clinic')),
            _f('record_no', N_('Number')),
        ),
        frozenset({'MOH', 'TABIB'}),
        ref_field='record_no',
    ),
    KindSpec(
        'idp_status',
        N_('Internally displaced person'),
        'idp',
        s.IdpStatus,
        (
            _f('status', N_('Status'), 'choice', idp=N_('internally displaced person'), none=N_('none')),
            _f('card_series', N_('Card series')),
            _f('card_number', N_('IDP card number')),
            _f('origin', N_('Displaced from')),
            _f('issued_on', N_('Issued on'), 'date'),
            _f('expires_on', N_('Valid until'), 'date'),
        ),
        frozenset({'QMIDK'}),
        valid_until_field='expires_on',
    ),
)
KINDS: dict[str, KindSpec] = {spec.name: spec for spec in _KINDS}
SECTION_OF: dict[str, Section] = {kind: section for section in SECTIONS for kind in section.kinds}

assert set(SECTION_OF) == set(KINDS), 'every kind belongs to exactly one section'
assert all(KINDS[k].section == SECTION_OF[k].name for k in KINDS)
