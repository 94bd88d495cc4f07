"""Declared kinds of registry record: one schema per kind validates API input and drives the cabinet.

Adding a kind means adding a declaration here, not a new table or code path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from portal.errors import N_

Text = Field(min_length=1, max_length=120)


class _Schema(BaseModel):
    model_config = ConfigDict(extra='forbid', str_strip_whitespace=True)


class Identity(_Schema):
    first_name: str = Field(min_length=1, max_length=80)
    last_name: str = Field(min_length=1, max_length=80)
    patronymic: str = Field(default='', max_length=80)
    birth_date: date
    birth_place: str = Field(default='', max_length=120)
    gender: Literal['M', 'F']


class RegisteredAddress(_Schema):
    region: str = Text
    city: str = Field(default='', max_length=120)
    street: str = Text
    building: str = Field(min_length=1, max_length=20)
    apartment: str = Field(default='', max_length=20)
    registered_on: date


class IdCard(_Schema):
    series: Literal['AA', 'AZE']
    number: str = Field(pattern=r'^\d{7,8}$')
    issued_on: date
    expires_on: date
    issued_by: str = Text

    @field_validator('expires_on')
    @classmethod
    def _expires_after_issue(cls, value: date, info: ValidationInfo) -> date:
        issued = info.data.get('issued_on')
        if issued is not None and value <= issued:
            raise ValueError('must be after issued_on')
        return value


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: Literal['text', 'date', 'gender'] = 'text'


@dataclass(frozen=True)
class KindSpec:
    name: str
    title: str
    schema: type[_Schema]
    fields: tuple[FieldSpec, ...]
    # agency codes allowed to write this kind (the owning registries)
    sources: frozenset[str]
    # data field that gives the record's validity end, if any
    valid_until_field: str | None = None


KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (
        KindSpec(
            name='identity',
            title=N_('Personal data'),
            schema=Identity,
            fields=(
                FieldSpec('last_name', N_('Surname')),
                FieldSpec('first_name', N_('First name')),
                FieldSpec('patronymic', N_('Patronymic')),
                FieldSpec('birth_date', N_('Date of birth'), 'date'),
                FieldSpec('birth_place', N_('Place of birth')),
                FieldSpec('gender', N_('Sex'), 'gender'),
            ),
            sources=frozenset({'MOJ', 'MIA', 'DMX'}),
        ),
        KindSpec(
            name='address',
            title=N_('Registered address'),
            schema=RegisteredAddress,
            fields=(
                FieldSpec('region', N_('Region')),
                FieldSpec('city', N_('City or village')),
                FieldSpec('street', N_('Street')),
                FieldSpec('building', N_('Building')),
                FieldSpec('apartment', N_('Apartment')),
                FieldSpec('registered_on', N_('Registered on'), 'date'),
            ),
            sources=frozenset({'MIA'}),
        ),
        KindSpec(
            name='id_card',
            title=N_('Identity card'),
            schema=IdCard,
            fields=(
                FieldSpec('series', N_('Series')),
                FieldSpec('number', N_('Number')),
                FieldSpec('issued_on', N_('Issued on'), 'date'),
                FieldSpec('expires_on', N_('Valid until'), 'date'),
                FieldSpec('issued_by', N_('Issued by')),
            ),
            sources=frozenset({'MIA'}),
            valid_until_field='expires_on',
        ),
    )
}


def format_address(data: dict[str, str]) -> str:
    parts = [data.get('region', ''), data.get('city', ''), data.get('street', ''), data.get('building', '')]
    text = ', '.join(p for p in parts if p)
    return f'{text}, m. {data["apartment"]}' if data.get('apartment') else text
