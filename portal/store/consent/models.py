"""Data sharing with consent ("İcazələrin idarə edilməsi") and the data tracker ("Məlumatlarıma kim baxıb").

An organisation asks (a ``DataRequest``) or the citizen shares in advance; either way what is granted is a
``Permission``: subject, organisation, categories, purpose, period, state and how often it was used. Every read under
a permission is written to the ``AccessEntry`` log before the data is returned; the log is append-only and chained by
hashes (each entry carries the previous one's), so a changed or removed row shows when the chain is verified.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

PURPOSE_MAX = 500
URL_MAX = 500


class RequestState(StrEnum):
    PENDING = 'pending'
    APPROVED = 'approved'  # all categories asked for
    PARTIAL = 'partial'  # some of them
    REFUSED = 'refused'
    EXPIRED = 'expired'  # not answered before its period ended


class PermissionState(StrEnum):
    ACTIVE = 'active'
    REVOKED = 'revoked'
    EXPIRED = 'expired'


class DataRequest(Model):
    id = fields.UUIDField(primary_key=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='data_requests', on_delete=fields.CASCADE
    )
    person_id: UUID
    organisation: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='data_requests', on_delete=fields.RESTRICT
    )
    organisation_id: UUID
    categories: list[str] = fields.JSONField()
    purpose = fields.CharField(max_length=PURPOSE_MAX)
    valid_from = fields.DateField()
    valid_until = fields.DateField()
    state = fields.CharEnumField(RequestState, max_length=12, db_index=True)
    granted: list[str] = fields.JSONField(default=list)
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'data_requests'
        indexes = (('person_id', 'state'), ('organisation_id', 'created_at'))


class Permission(Model):
    id = fields.UUIDField(primary_key=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='permissions', on_delete=fields.CASCADE
    )
    person_id: UUID
    organisation: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='permissions', on_delete=fields.RESTRICT
    )
    organisation_id: UUID
    categories: list[str] = fields.JSONField()
    purpose = fields.CharField(max_length=PURPOSE_MAX)
    valid_from = fields.DateField()
    valid_until = fields.DateField(db_index=True)
    state = fields.CharEnumField(PermissionState, max_length=12)
    # the request it answers, or none when the citizen shared in advance
    request: fields.ForeignKeyNullableRelation[DataRequest] = fields.ForeignKeyField(
        'portal.DataRequest', related_name='permissions', null=True, on_delete=fields.SET_NULL
    )
    request_id: UUID | None
    uses = fields.IntField(default=0)
    last_used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'permissions'
        indexes = (('person_id', 'organisation_id', 'state'),)


class AccessEntry(Model):
    """One read of a citizen's data by an organisation: append-only, each entry chained to the one before."""

    seq = fields.BigIntField(primary_key=True, generated=True)
    id = fields.UUIDField(unique=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='accesses', on_delete=fields.RESTRICT
    )
    person_id: UUID
    organisation: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='accesses', on_delete=fields.RESTRICT
    )
    organisation_id: UUID
    permission: fields.ForeignKeyRelation[Permission] = fields.ForeignKeyField(
        'portal.Permission', related_name='accesses', on_delete=fields.RESTRICT
    )
    permission_id: UUID
    categories: list[str] = fields.JSONField()
    purpose = fields.CharField(max_length=PURPOSE_MAX)
    at = fields.DatetimeField()
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64, unique=True)

    class Meta:
        table = 'access_log'
        indexes = (('person_id', 'at'),)


class ChainHead(Model):
    """The newest hash of each chain ('access', 'history'): appending locks this row, so entries link one by one."""

    name = fields.CharField(max_length=16, primary_key=True)
    hash = fields.CharField(max_length=64)
    count = fields.BigIntField(default=0)

    class Meta:
        table = 'chain_heads'


class DisputeState(StrEnum):
    OPEN = 'open'
    CLOSED = 'closed'


class AccessDispute(Model):
    id = fields.UUIDField(primary_key=True)
    entry: fields.ForeignKeyRelation[AccessEntry] = fields.ForeignKeyField(
        'portal.AccessEntry', related_name='disputes', on_delete=fields.RESTRICT
    )
    entry_id: int
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='disputes', on_delete=fields.CASCADE
    )
    person_id: UUID
    reason = fields.TextField()
    state = fields.CharEnumField(DisputeState, max_length=8, default=DisputeState.OPEN)
    created_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)
    answer = fields.TextField(default='')

    class Meta:
        table = 'access_disputes'
        unique_together = (('entry', 'person'),)


class Webhook(Model):
    """Where an organisation hears of its requests' decisions: an http(s) URL and the secret that signs the calls."""

    id = fields.UUIDField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='webhooks', on_delete=fields.CASCADE
    )
    organisation_id: UUID
    url = fields.CharField(max_length=URL_MAX)
    secret = fields.CharField(max_length=128)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = 'webhooks'


class WebhookCall(Model):
    """One event to post to a webhook (an outbox row, claimed and retried like a notice's delivery)."""

    id = fields.UUIDField(primary_key=True)
    webhook: fields.ForeignKeyRelation[Webhook] = fields.ForeignKeyField(
        'portal.Webhook', related_name='calls', on_delete=fields.CASCADE
    )
    webhook_id: UUID
    # unique per event and webhook, e.g. 'request:<id>:decided'
    key = fields.CharField(max_length=160, unique=True)
    payload: dict[str, Any] = fields.JSONField()
    state = fields.CharField(max_length=12, default='queued')  # queued | sending | sent | failed
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    lease_until = fields.DatetimeField(null=True)
    version = fields.IntField(default=0)
    last_error = fields.CharField(max_length=500, default='')
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'webhook_calls'
        indexes = (('state', 'next_attempt_at'),)
