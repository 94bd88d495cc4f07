"""Who is acting: every use case takes an explicit actor and checks it itself."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from portal.errors import N_, Forbidden


class Role(StrEnum):
    CITIZEN = 'citizen'
    AGENCY_OFFICER = 'agency_officer'
    EXECUTIVE_OFFICER = 'executive_officer'
    ADMIN = 'admin'


@dataclass(frozen=True)
class PersonActor:
    """A logged-in person (citizen, officer or admin), resolved from a live session."""

    person_id: UUID
    role: Role
    full_name: str
    organisation_id: UUID | None = None


@dataclass(frozen=True)
class ApiActor:
    """An integrator's system, authenticated by an API key of one organisation."""

    client_id: UUID
    organisation_id: UUID
    organisation_code: str
    scopes: frozenset[str]

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden('insufficient_scope', N_('This API key lacks the scope {scope}.'), scope=scope)


@dataclass(frozen=True)
class SystemActor:
    """A scheduled job or an operator's command."""

    name: str


Actor = PersonActor | ApiActor | SystemActor


def organisation_of(actor: Actor, *, scope: str, roles: tuple[Role, ...]) -> UUID:
    """The organisation an actor works for: an officer's (of one of these roles), or an integrator key's that has the
    scope; refused for anyone else."""
    if isinstance(actor, ApiActor):
        actor.require(scope)
        return actor.organisation_id
    me = require_role(actor, *roles)
    if me.organisation_id is None:
        raise Forbidden('forbidden', N_('You are not allowed to do this.'))
    return me.organisation_id


def require_role(actor: Actor, *roles: Role) -> PersonActor:
    if not isinstance(actor, PersonActor) or actor.role not in roles:
        raise Forbidden('forbidden', N_('You are not allowed to do this.'))
    return actor
