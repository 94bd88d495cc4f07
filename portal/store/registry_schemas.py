"""Pydantic schemas of the registry kinds: what an agency may write, field by field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

Text = Annotated[str, Field(min_length=1, max_length=120)]
OptionalText = Annotated[str, Field(default='', max_length=120)]
Ref = Annotated[str, Field(min_length=1, max_length=40, pattern=r'^[A-Za-z0-9./()-]+$')]
Money = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
DebtStatus = Literal['unpaid', 'paid']
_CATEGORY = '(A|A1|B|B1|BE|C|C1|CE|C1E|D|D1|DE|D1E|F)'


class Schema(BaseModel):
    model_config = ConfigDict(extra='forbid', str_strip_whitespace=True)


def _after(first: str) -> classmethod:
    """A validator: this date field must come after the date field ``first``."""

    def check(cls: type, value: date | None, info: ValidationInfo) -> date | None:
        earlier = info.data.get(first)
        if value is not None and earlier is not None and value <= earlier:
            raise ValueError(f'must be after {first}')
        return value

    return classmethod(check)


class Identity(Schema):
    first_name: str = Field(min_length=1, max_length=80)
    last_name: str = Field(min_length=1, max_length=80)
    patronymic: str = Field(default='', max_length=80)
    birth_date: date
    birth_place: OptionalText
    gender: Literal['M', 'F']


class IdCard(Schema):
    series: Literal['AA', 'AZE']
    number: str = Field(pattern=r'^\d{7,8}$')
    issued_on: date
    expires_on: date
    issued_by: Text
    _expires = field_validator('expires_on')(_after('issued_on'))


class Passport(Schema):
    number: str = Field(pattern=r'^C\d{8}$')
    issued_on: date
    expires_on: date
    issued_by: Text
    _expires = field_validator('expires_on')(_after('issued_on'))


class RegisteredAddress(Schema):
    region: Text
    city: OptionalText
    street: Text
    building: str = Field(min_length=1, max_length=20)
    apartment: str = Field(default='', max_length=20)
    registered_on: date


class FamilyMember(Schema):
    fin: str = Field(pattern=r'^[A-Z0-9]{7}$')
    first_name: str = Field(min_length=1, max_length=80)
    last_name: str = Field(min_length=1, max_length=80)
    relation: Literal['spouse', 'child', 'parent', 'sibling']
    birth_date: date


class Family(Schema):
    members: list[FamilyMember] = Field(max_length=30)


class MaritalStatus(Schema):
    status: Literal['single', 'married', 'divorced', 'widowed']
    since: date | None = None
    certificate_no: str = Field(default='', max_length=40)


class Employment(Schema):
    contract_no: Ref
    employer: Text
    position: Text
    started_on: date
    ended_on: date | None = None
    _ended = field_validator('ended_on')(_after('started_on'))


class SocialBenefit(Schema):
    benefit_no: Ref
    benefit: Literal['old_age_pension', 'disability_pension', 'survivor_pension', 'child_allowance', 'targeted_aid']
    monthly_amount: Money
    since: date
    until: date | None = None
    _until = field_validator('until')(_after('since'))


class Tax(Schema):
    year: int = Field(ge=1991, le=2100)
    tin: str = Field(pattern=r'^\d{10}$')
    declared_income: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    tax_paid: Decimal = Field(ge=0, max_digits=14, decimal_places=2)


class Fine(Schema):
    protocol_no: Ref
    issued_on: date
    article: Text
    description: OptionalText
    plate: str = Field(default='', max_length=12)
    amount: Money
    due_on: date
    status: DebtStatus = 'unpaid'


class StateFee(Schema):
    fee_no: Ref
    purpose: Text
    amount: Money
    due_on: date
    status: DebtStatus = 'unpaid'


class UtilityDebt(Schema):
    subscriber_no: Ref
    service: Literal['electricity', 'water', 'gas']
    period: str = Field(pattern=r'^\d{4}-(0[1-9]|1[0-2])$')
    amount: Money
    due_on: date
    status: DebtStatus = 'unpaid'


class Diploma(Schema):
    diploma_no: Ref
    institution: Text
    speciality: Text
    degree: Literal['vocational', 'bachelor', 'master', 'doctorate']
    issued_on: date


class StudentRecord(Schema):
    student_no: Ref
    institution: Text
    faculty: Text
    year_of_study: int = Field(ge=1, le=7)
    admitted_on: date
    status: Literal['studying', 'academic_leave', 'graduated', 'expelled']


class DrivingLicence(Schema):
    number: str = Field(pattern=r'^[A-Z]{2}\d{6}$')
    categories: str = Field(pattern=rf'^{_CATEGORY}(,{_CATEGORY})*$')
    issued_on: date
    expires_on: date
    _expires = field_validator('expires_on')(_after('issued_on'))


class Vehicle(Schema):
    plate: str = Field(pattern=r'^\d{2}-[A-Z]{2}-\d{3}$')
    make: Text
    model: Text
    year: int = Field(ge=1900, le=2100)
    registered_on: date
    certificate_no: str = Field(default='', max_length=20)


class MilitaryRegistration(Schema):
    status: Literal['registered', 'conscript', 'reserve', 'exempt']
    office: Text
    registered_on: date


class MilitaryService(Schema):
    service_no: Ref
    unit: Text
    rank: Text
    started_on: date
    ended_on: date | None = None
    _ended = field_validator('ended_on')(_after('started_on'))


class PowerOfAttorney(Schema):
    register_no: Ref
    direction: Literal['given', 'received']
    counterpart: Text
    scope: str = Field(min_length=1, max_length=300)
    notary: Text
    issued_on: date
    expires_on: date
    status: Literal['active', 'revoked', 'expired'] = 'active'
    _expires = field_validator('expires_on')(_after('issued_on'))


class CourtCase(Schema):
    case_no: Ref
    court: Text
    kind: Literal['civil', 'administrative', 'criminal', 'economic']
    role: Literal['plaintiff', 'defendant', 'third_party']
    started_on: date
    status: Literal['open', 'closed']


class TravelRestriction(Schema):
    order_no: Ref
    reason: Text
    imposed_on: date
    status: Literal['active', 'lifted']
    lifted_on: date | None = None
    _lifted = field_validator('lifted_on')(_after('imposed_on'))


class Vaccination(Schema):
    record_no: Ref
    vaccine: Text
    dose: int = Field(ge=1, le=10)
    given_on: date
    clinic: Text


class IdpStatus(Schema):
    status: Literal['idp', 'none']
    card_series: Literal['MK']
    card_number: str = Field(pattern=r'^\d{7}$')
    origin: Text
    issued_on: date
    expires_on: date
    _expires = field_validator('expires_on')(_after('issued_on'))
