"""Payments of debts (fines, state fees, utility debts) through a payment gateway, recorded exactly once."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model


class PaymentState(StrEnum):
    PENDING = 'pending'
    SUCCEEDED = 'succeeded'
    FAILED = 'failed'


class Payment(Model):
    id = fields.UUIDField(primary_key=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='payments', on_delete=fields.RESTRICT
    )
    person_id: UUID
    record: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.RegistryRecord', related_name='payments', on_delete=fields.RESTRICT
    )
    record_id: UUID
    record_version = fields.IntField()
    amount = fields.DecimalField(max_digits=12, decimal_places=2)
    currency = fields.CharField(max_length=3, default='AZN')
    # what was paid, frozen at payment time for the receipt (kind, reference, purpose, payee agency)
    summary: dict[str, Any] = fields.JSONField(default=dict)
    gateway = fields.CharField(max_length=32)
    # the gateway's own transaction id
    gateway_ref = fields.CharField(max_length=80, unique=True)
    state = fields.CharEnumField(PaymentState, max_length=16, default=PaymentState.PENDING)
    failure_reason = fields.CharField(max_length=200, default='')
    # set to the record's id when the payment succeeds: at most one successful payment settles a debt
    settles = fields.UUIDField(null=True, unique=True)
    receipt_no = fields.CharField(max_length=20, null=True, unique=True)
    created_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'payments'
        indexes = (('person_id', 'created_at'),)


class GatewayEvent(Model):
    """Every callback the gateway sent, accepted or not: duplicates are recognised, rejections are kept."""

    id = fields.UUIDField(primary_key=True)
    gateway = fields.CharField(max_length=32)
    # the gateway's event id, unique per gateway; null for a callback rejected before it could be trusted
    event_id = fields.CharField(max_length=80, null=True)
    payment_ref = fields.CharField(max_length=80, default='')
    outcome = fields.CharField(max_length=24)
    detail = fields.CharField(max_length=300, default='')
    received_at = fields.DatetimeField()

    class Meta:
        table = 'gateway_events'
        unique_together = (('gateway', 'event_id'),)
