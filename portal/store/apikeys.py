"""API keys of integrators: one organisation, a set of scopes, only a hash stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from portal.db import select
from portal.errors import N_, Invalid, Unauthorized
from portal.store.actors import Actor, ApiActor, PersonActor, Role, require_role
from portal.store.orgs import Organisation, get_organisation

SCOPES: dict[str, str] = {
    'registry:write': N_("Create and update citizens' registry records"),
    'letters:read': N_("Read the letters addressed to the key's organisation, their files and signatures"),
    'letters:write': N_('Move letters through their states, answer and forward them, write to citizens'),
    'certificates:write': N_("Find and revoke the e-certificates the key's organisation issued"),
    'applications:read': N_("Read the applications made to the key's local executive, with their files"),
    'applications:write': N_('Review, approve or reject applications, or ask the applicant for more information'),
    'notifications:write': N_('Send notices of the types agencies may send to citizens, by FIN'),
    'data:request': N_("Ask citizens for categories of their data, and follow the requests' decisions"),
    'data:read': N_('Read the categories of data a citizen has granted, while the permission lasts'),
    'participation:write': N_("Create the key's local executive's polls and close them"),
    'news:write': N_("Publish, edit and withdraw the key's local executive's news, announcements and works done"),
    'reception:write': N_("Work the citizen reception requests of the key's local executive: schedule, decline, mark"),
}
KEY_PREFIX = 'kab'
TOUCH_EVERY = timedelta(minutes=1)


class ApiClient(Model):
    id = fields.UUIDField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        'portal.Organisation', related_name='api_clients', on_delete=fields.RESTRICT
    )
    organisation_id: UUID
    name = fields.CharField(max_length=120)
    # public part of the key, used to find the row; the secret part is only stored as a hash
    lookup = fields.CharField(max_length=16, unique=True)
    key_hash = fields.CharField(max_length=64)
    scopes: list[str] = fields.JSONField()
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'api_clients'


async def create_api_key(
    *, organisation_code: str, scopes: list[str], now: datetime, name: str = ''
) -> tuple[ApiClient, str]:
    """Create a key and return it in clear exactly once."""
    unknown = sorted(set(scopes) - SCOPES.keys())
    if not scopes or unknown:
        raise Invalid(
            'unknown_scope',
            N_('Unknown scope: {scopes}. Known scopes: {known}.'),
            field='scope',
            scopes=', '.join(unknown) or '-',
            known=', '.join(sorted(SCOPES)),
        )
    org = await get_organisation(code=organisation_code)
    lookup, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    client = await ApiClient.create(
        organisation_id=org.id,
        name=name or f'{org.code} integration',
        lookup=lookup,
        key_hash=_digest(secret),
        scopes=sorted(set(scopes)),
        created_at=now,
    )
    return client, f'{KEY_PREFIX}_{lookup}_{secret}'


async def authenticate(*, key: str, now: datetime) -> ApiActor:
    parts = key.split('_', 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise Unauthorized('invalid_api_key', N_('The API key is not valid.'))
    # what a request needs of the key, with its organisation's code, in one written-out statement: no row is built
    rows = await select(_KEY_ROW, [parts[1]])
    if len(rows) != 1 or not hmac.compare_digest(rows[0]['key_hash'], _digest(parts[2])):
        raise Unauthorized('invalid_api_key', N_('The API key is not valid.'))
    columns, row = ApiClient._meta.fields_map, rows[0]
    client_id: UUID = columns['id'].to_python_value(row['id'])
    last_used_at: datetime | None = columns['last_used_at'].to_python_value(row['last_used_at'])
    if last_used_at is None or now - last_used_at >= TOUCH_EVERY:
        await ApiClient.filter(id=client_id).update(last_used_at=now)
    return ApiActor(
        client_id=client_id,
        organisation_id=columns['organisation_id'].to_python_value(row['organisation_id']),
        organisation_code=row['organisation_code'],
        scopes=frozenset(columns['scopes'].to_python_value(row['scopes'])),
    )


# ``lookup`` is unique: one row, or none
_KEY_ROW = (
    'SELECT k.id, k.key_hash, k.scopes, k.last_used_at, k.organisation_id, o.code AS organisation_code '
    f'FROM {ApiClient._meta.db_table} k JOIN {Organisation._meta.db_table} o ON o.id = k.organisation_id '
    'WHERE k.lookup = {} AND k.revoked_at IS NULL'
)


async def revoke_api_key(*, lookup: str, now: datetime) -> bool:
    return bool(await ApiClient.filter(lookup=lookup, revoked_at=None).update(revoked_at=now))


@dataclass(frozen=True)
class ApiClientView:
    name: str
    lookup: str
    organisation_code: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


async def list_api_clients(*, actor: Actor) -> list[ApiClientView]:
    require_role(actor, Role.ADMIN)
    clients = await ApiClient.all().prefetch_related('organisation').order_by('-created_at')
    return [
        ApiClientView(
            name=c.name,
            lookup=c.lookup,
            organisation_code=c.organisation.code,
            scopes=c.scopes,
            created_at=c.created_at,
            last_used_at=c.last_used_at,
            revoked_at=c.revoked_at,
        )
        for c in clients
    ]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def acting_name(actor: Actor) -> str:
    """Who acted, as shown on records of the work: an officer's name, an integration's name, or a job's."""
    if isinstance(actor, ApiActor):
        client = await ApiClient.get_or_none(id=actor.client_id)
        return (client.name if client else actor.organisation_code)[:160]
    if isinstance(actor, PersonActor):
        return actor.full_name[:160]
    return actor.name[:160]
