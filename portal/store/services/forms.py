"""Application forms of the local executives' e-services, declared as data: fields, required documents, the legal
term, and whether only the executive of the applicant's registered place of residence may receive them.

The applicant's own data (name, FIN, date of birth, registered address) is never a field: it is taken from the
registry when the application is made.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from portal.errors import N_, Invalid

FieldKind = Literal['text', 'long_text', 'date', 'integer', 'decimal', 'choice', 'fin', 'boolean']
RegionRule = Literal['residence', 'any']
FIN_RE = re.compile(r'^[A-Z0-9]{7}$')


@dataclass(frozen=True)
class FormField:
    name: str
    label: str  # msgid
    kind: FieldKind = 'text'
    required: bool = True
    choices: dict[str, str] = field(default_factory=dict)  # value → msgid
    max_length: int = 200
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    hint: str | None = None  # msgid


@dataclass(frozen=True)
class FormDocument:
    name: str
    label: str  # msgid
    required: bool = True


@dataclass(frozen=True)
class Form:
    code: str
    title: str  # msgid
    fields: tuple[FormField, ...]
    documents: tuple[FormDocument, ...]
    due_days: int  # working days the executive has to decide
    region_rule: RegionRule

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)


def _t(name: str, label: str, **kw: Any) -> FormField:
    return FormField(name, label, **kw)


HOUSING_REASONS = {
    'no_housing': N_('has no housing of their own'),
    'overcrowded': N_('less than the norm of living space per person'),
    'unfit': N_('the dwelling is unfit to live in'),
    'idp': N_('internally displaced person'),
    'veteran': N_('war veteran or family of a martyr'),
}
CROPS = {
    'wheat': N_('wheat'),
    'barley': N_('barley'),
    'cotton': N_('cotton'),
    'tobacco': N_('tobacco'),
    'sugar_beet': N_('sugar beet'),
    'vegetables': N_('vegetables'),
    'orchard': N_('orchard'),
}
_ID = FormDocument('identity_document', N_('Copy of the identity card'))

FORMS: dict[str, Form] = {
    f.code: f
    for f in (
        Form(
            'housing_queue',
            N_('Registration in the housing queue'),
            (
                _t('reason', N_('Reason'), kind='choice', choices=HOUSING_REASONS),
                _t(
                    'household_size',
                    N_('Members of the household'),
                    kind='integer',
                    minimum=Decimal(1),
                    maximum=Decimal(30),
                ),
                _t(
                    'living_space',
                    N_('Current living space, m²'),
                    kind='decimal',
                    minimum=Decimal(0),
                    maximum=Decimal(10_000),
                ),
                _t('details', N_('Explanation'), kind='long_text', required=False, max_length=2000),
            ),
            (FormDocument('housing_statement', N_('Statement of the present dwelling')), _ID),
            due_days=30,
            region_rule='residence',
        ),
        Form(
            'guardianship_opinion',
            N_('Opinion of the guardianship authority'),
            (
                _t('ward_name', N_('Full name of the child or ward')),
                _t('ward_fin', N_("Ward's FIN"), kind='fin'),
                _t('ward_birth_date', N_("Ward's date of birth"), kind='date'),
                _t('purpose', N_('What the opinion is needed for'), kind='long_text', max_length=2000),
            ),
            (
                FormDocument('birth_certificate', N_("Copy of the ward's birth certificate")),
                FormDocument('court_request', N_("Court's or notary's request"), required=False),
            ),
            due_days=15,
            region_rule='residence',
        ),
        Form(
            'child_name_change',
            N_("Consent to change a child's name or surname"),
            (
                _t('child_fin', N_("Child's FIN"), kind='fin'),
                _t('current_name', N_("Child's current full name")),
                _t('new_name', N_('Requested full name')),
                _t('other_parent_agrees', N_('The other parent agrees'), kind='boolean', required=False),
                _t('reason', N_('Reason'), kind='long_text', max_length=2000),
            ),
            (
                FormDocument('birth_certificate', N_("Copy of the child's birth certificate")),
                FormDocument('other_parent_consent', N_("The other parent's notarised consent"), required=False),
            ),
            due_days=15,
            region_rule='residence',
        ),
        Form(
            'minor_property_consent',
            N_("Consent to a transaction with a minor's property"),
            (
                _t('child_fin', N_("Child's FIN"), kind='fin'),
                _t(
                    'transaction',
                    N_('Transaction'),
                    kind='choice',
                    choices={
                        'sale': N_('sale'),
                        'exchange': N_('exchange'),
                        'gift': N_('gift'),
                        'mortgage': N_('mortgage'),
                    },
                ),
                _t('property_address', N_('Address of the property')),
                _t('registry_no', N_('Real estate register number')),
                _t('child_gets', N_('What the child receives in return'), kind='long_text', max_length=2000),
            ),
            (
                FormDocument('property_extract', N_('Extract from the real estate register')),
                FormDocument('birth_certificate', N_("Copy of the child's birth certificate")),
            ),
            due_days=15,
            region_rule='residence',
        ),
        Form(
            'farm_subsidy',
            N_('Confirmation of a sown area for the farm subsidy'),
            (
                _t('village', N_('Village or settlement')),
                _t('plot_no', N_('Land plot number')),
                _t(
                    'area_ha',
                    N_('Sown area, hectares'),
                    kind='decimal',
                    minimum=Decimal('0.01'),
                    maximum=Decimal(10_000),
                ),
                _t('crop', N_('Crop'), kind='choice', choices=CROPS),
                _t('sown_on', N_('Sown on'), kind='date'),
            ),
            (FormDocument('land_document', N_('Document of ownership or lease of the land')),),
            due_days=10,
            region_rule='any',
        ),
        Form(
            'construction_permit',
            N_('Permit to build an individual house'),
            (
                _t('plot_address', N_('Address of the land plot')),
                _t('cadastre_no', N_('Cadastral number')),
                _t('floors', N_('Number of floors'), kind='integer', minimum=Decimal(1), maximum=Decimal(3)),
                _t('built_area', N_('Built area, m²'), kind='decimal', minimum=Decimal(10), maximum=Decimal(1000)),
            ),
            (
                FormDocument('land_document', N_('Document of ownership of the land')),
                FormDocument('project', N_('Sketch project of the house')),
            ),
            due_days=20,
            region_rule='any',
        ),
        Form(
            'address_assignment',
            N_('Assigning an address to a building'),
            (
                _t('location', N_('Where the building stands')),
                _t('cadastre_no', N_('Cadastral number')),
                _t(
                    'building_use',
                    N_('Use of the building'),
                    kind='choice',
                    choices={
                        'house': N_('dwelling house'),
                        'shop': N_('shop or office'),
                        'other': N_('other'),
                    },
                ),
            ),
            (FormDocument('ownership', N_('Document of ownership of the building')),),
            due_days=10,
            region_rule='any',
        ),
        Form(
            'outdoor_advertising',
            N_('Permit to place an outdoor advertising structure'),
            (
                _t('location', N_('Place of the structure')),
                _t(
                    'structure',
                    N_('Kind of structure'),
                    kind='choice',
                    choices={
                        'billboard': N_('billboard'),
                        'sign': N_('shop sign'),
                        'banner': N_('banner'),
                        'screen': N_('LED screen'),
                    },
                ),
                _t('width_m', N_('Width, m'), kind='decimal', minimum=Decimal('0.1'), maximum=Decimal(50)),
                _t('height_m', N_('Height, m'), kind='decimal', minimum=Decimal('0.1'), maximum=Decimal(50)),
                _t('until', N_('Placed until'), kind='date'),
            ),
            (FormDocument('design', N_('Design and placement scheme')),),
            due_days=15,
            region_rule='any',
        ),
        Form(
            'land_plot',
            N_('Allocation of a land plot for an individual house'),
            (
                _t('settlement', N_('Settlement where the plot is wanted')),
                _t('area_m2', N_('Area wanted, m²'), kind='decimal', minimum=Decimal(100), maximum=Decimal(1200)),
                _t('has_land', N_('I already own a land plot for a house'), kind='boolean', required=False),
                _t('reason', N_('Reason'), kind='long_text', max_length=2000),
            ),
            (_ID,),
            due_days=30,
            region_rule='residence',
        ),
    )
}


def get_form(code: str) -> Form:
    form = FORMS.get(code)
    if form is None:
        raise Invalid('unknown_form', N_('There is no such application form.'))
    return form


def clean_answers(form: Form, raw: dict[str, Any], *, today: date) -> dict[str, Any]:
    """The form's values checked against its schema; the first bad field is named in the error."""
    unknown = sorted(set(raw) - {f.name for f in form.fields})
    if unknown:
        raise Invalid('unknown_field', N_('This form has no such field.'), field=unknown[0])
    clean: dict[str, Any] = {}
    for spec in form.fields:
        value = raw.get(spec.name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, '') or (spec.kind == 'boolean' and value is False and not spec.required):
            if spec.required and spec.kind != 'boolean':
                raise Invalid('required', N_('This field is required.'), field=spec.name)
            if spec.kind == 'boolean':
                clean[spec.name] = False
            continue
        clean[spec.name] = _clean(spec, value, today)
    return clean


def _clean(spec: FormField, value: Any, today: date) -> Any:
    return _CLEANERS[spec.kind](spec, value, today)


def _bad(spec: FormField) -> Invalid:
    return Invalid('invalid_value', N_('This value is not valid.'), field=spec.name)


def _text(spec: FormField, value: Any, today: date) -> str:
    text = str(value) if spec.kind == 'long_text' else ' '.join(str(value).split())
    if len(text) > spec.max_length:
        raise Invalid('too_long', N_('At most {limit} characters.'), field=spec.name, limit=spec.max_length)
    if any(ord(ch) < 32 and ch not in '\n\t' for ch in text):
        raise _bad(spec)
    return text


def _fin(spec: FormField, value: Any, today: date) -> str:
    fin = str(value).upper()
    if not FIN_RE.fullmatch(fin):
        raise Invalid('invalid_fin', N_('A FIN has 7 letters and digits.'), field=spec.name)
    return fin


def _date(spec: FormField, value: Any, today: date) -> str:
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise _bad(spec) from None
    if abs((day - today).days) > 150 * 365:
        raise _bad(spec)
    return day.isoformat()


def _choice(spec: FormField, value: Any, today: date) -> str:
    if str(value) not in spec.choices:
        raise _bad(spec)
    return str(value)


def _boolean(spec: FormField, value: Any, today: date) -> bool:
    if not isinstance(value, bool):
        raise _bad(spec)
    return value


def _numeric(spec: FormField, value: Any, today: date) -> int | str:
    number = _number(value, integer=spec.kind == 'integer')
    if number is None:
        raise _bad(spec)
    if (spec.minimum is not None and number < spec.minimum) or (spec.maximum is not None and number > spec.maximum):
        raise Invalid(
            'out_of_range',
            N_('Enter a number from {minimum} to {maximum}.'),
            field=spec.name,
            minimum=str(spec.minimum),
            maximum=str(spec.maximum),
        )
    return int(number) if spec.kind == 'integer' else format(number, 'f')


_CLEANERS: dict[str, Callable[[FormField, Any, date], Any]] = {
    'text': _text,
    'long_text': _text,
    'fin': _fin,
    'date': _date,
    'choice': _choice,
    'boolean': _boolean,
    'integer': _numeric,
    'decimal': _numeric,
}


def _number(value: Any, *, integer: bool) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).replace(',', '.'))
    except InvalidOperation:
        return None
    if not number.is_finite() or (integer and number != number.to_integral_value()):
        return None
    return number.quantize(Decimal(1)) if integer else number.normalize()
