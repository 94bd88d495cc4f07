"""Idempotency keys of integrators' POST requests: a retried request never does its work twice.

The use case writes the key in the same transaction as its effect, so either both are there or neither. A retry
with the same key and the same request gets the resource of the first request back; the same key with another
request is refused. Two identical requests at once: the second one's insert hits the unique key (or it finds the
state the first one left, e.g. an answered letter), its transaction rolls back, and it answers like a retry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from uuid import UUID

import orjson
from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from portal.errors import N_, Conflict, DomainError, Invalid

KEY_MAX = 120
# how long a key is remembered (housekeeping drops older ones)
KEEP = timedelta(days=7)
T = TypeVar('T')


class IdempotencyKey(Model):
    id = fields.UUIDField(primary_key=True)
    client_id = fields.UUIDField()
    key = fields.CharField(max_length=KEY_MAX)
    # what was asked: the operation and a hash of the request
    fingerprint = fields.CharField(max_length=64)
    resource_id = fields.UUIDField()
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = 'idempotency_keys'
        unique_together = (('client_id', 'key'),)


@dataclass(frozen=True)
class Idempotency:
    client_id: UUID
    key: str
    fingerprint: str

    @classmethod
    def of(cls, *, client_id: UUID, key: str, operation: str, payload: object) -> Idempotency:
        """A key for one request: ``operation`` names what is done to what (e.g. ``POST /letters``)."""
        key = key.strip()
        if not key or len(key) > KEY_MAX or not key.isprintable():
            raise Invalid(
                'idempotency_key_invalid',
                N_('The Idempotency-Key must be 1 to {limit} printable characters.'),
                field='Idempotency-Key',
                limit=KEY_MAX,
            )
        body = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
        fingerprint = hashlib.sha256(operation.encode() + b'\n' + body).hexdigest()
        return cls(client_id=client_id, key=key, fingerprint=fingerprint)


async def earlier(idem: Idempotency) -> UUID | None:
    """The resource of an earlier request with this key; refused when that request was a different one."""
    row = await IdempotencyKey.get_or_none(client_id=idem.client_id, key=idem.key)
    if row is None:
        return None
    if row.fingerprint != idem.fingerprint:
        raise Conflict(
            'idempotency_key_reused',
            N_('This Idempotency-Key was already used for a different request.'),
            field='Idempotency-Key',
        )
    return row.resource_id


async def remember(idem: Idempotency | None, *, resource_id: UUID, now: datetime) -> None:
    """Write the key; call inside the transaction of the effect."""
    if idem is not None:
        await IdempotencyKey.create(
            client_id=idem.client_id,
            key=idem.key,
            fingerprint=idem.fingerprint,
            resource_id=resource_id,
            created_at=now,
        )


async def once(idem: Idempotency | None, run: Callable[[], Awaitable[T]], replay: Callable[[UUID], Awaitable[T]]) -> T:
    """Run the work, or replay the earlier result of the same request."""
    if idem is None:
        return await run()
    if (resource_id := await earlier(idem)) is not None:
        return await replay(resource_id)
    try:
        return await run()
    except (IntegrityError, DomainError):
        # a twin request won the race and this one rolled back: on the key's unique index, or on the state the
        # twin left behind (a letter it already answered)
        if (resource_id := await earlier(idem)) is None:
            raise
        return await replay(resource_id)


async def purge(*, now: datetime) -> int:
    return await IdempotencyKey.filter(created_at__lt=now - KEEP).delete()
