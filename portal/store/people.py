"""People: citizens, officers and admins, identified by their FIN."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from portal.errors import N_, Invalid, NotFound
from portal.store.actors import Actor, PersonActor, Role, require_role

FIN_PATTERN = re.compile(r'[A-Z0-9]{7}')


class Person(Model):
    id = fields.UUIDField(primary_key=True)
    fin = fields.CharField(max_length=7, unique=True)
    role = fields.CharEnumField(Role, max_length=24, default=Role.CITIZEN)
    first_name = fields.CharField(max_length=80)
    last_name = fields.CharField(max_length=80)
    patronymic = fields.CharField(max_length=80, default='')
    birth_date = fields.DateField(null=True, db_index=True)
    password_hash = fields.CharField(max_length=255, null=True)
    # Ed25519 public key of the citizen's mobile signature (ASAN İmza / SİMA), raw 32 bytes
    public_key = fields.BinaryField(null=True)
    organisation: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        'portal.Organisation', related_name='staff', null=True, on_delete=fields.RESTRICT
    )
    organisation_id: UUID | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = 'people'

    @property
    def full_name(self) -> str:
        return f'{self.first_name} {self.last_name}'

    @property
    def topic(self) -> str:
        return f'citizen:{self.id}'

    def as_actor(self) -> PersonActor:
        return PersonActor(
            person_id=self.id, role=self.role, full_name=self.full_name, organisation_id=self.organisation_id
        )


@dataclass(frozen=True)
class Profile:
    person_id: UUID
    fin: str
    full_name: str
    first_name: str
    last_name: str
    patronymic: str
    birth_date: date | None
    role: Role


def normalise_fin(raw: str) -> str:
    """A FIN is exactly seven Latin letters or digits; case and surrounding blanks are forgiven."""
    fin = (raw or '').strip().upper()
    if not FIN_PATTERN.fullmatch(fin):
        raise Invalid('fin_malformed', N_('A FIN is exactly 7 Latin letters or digits.'), field='fin')
    return fin


async def find_person(fin: str) -> Person | None:
    return await Person.get_or_none(fin=normalise_fin(fin))


async def get_citizen_by_fin(*, fin: str) -> Person:
    person = await find_person(fin)
    if person is None:
        raise NotFound('citizen_not_found', N_('No citizen has this FIN.'), field='fin')
    return person


async def get_profile(*, actor: Actor, person_id: UUID) -> Profile:
    """A person's own profile; nobody reads another person's profile through this."""
    me = require_role(actor, *Role)
    if me.person_id != person_id:
        raise NotFound('not_found', N_('Not found.'))
    person = await Person.get(id=person_id)
    return Profile(
        person_id=person.id,
        fin=person.fin,
        full_name=person.full_name,
        first_name=person.first_name,
        last_name=person.last_name,
        patronymic=person.patronymic,
        birth_date=person.birth_date,
        role=person.role,
    )


@dataclass(frozen=True)
class StaffMember:
    full_name: str
    role: Role


async def list_staff(*, actor: Actor, organisation_id: UUID) -> list[StaffMember]:
    """The officers of an organisation, for its own officers and for admins."""
    me = require_role(actor, Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER, Role.ADMIN)
    if me.role is not Role.ADMIN and me.organisation_id != organisation_id:
        raise NotFound('not_found', N_('Not found.'))
    staff = await Person.filter(organisation_id=organisation_id).order_by('last_name', 'first_name')
    return [StaffMember(full_name=p.full_name, role=p.role) for p in staff]


async def count_people(*, actor: Actor) -> dict[Role, int]:
    require_role(actor, Role.ADMIN)
    return {role: await Person.filter(role=role).count() for role in Role}
