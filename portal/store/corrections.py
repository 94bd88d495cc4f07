"""Corrections: a citizen reports a registry record as wrong; the owning agency accepts or rejects."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

COMMENT_MAX = 1000
REASON_MAX = 1000


class CorrectionState(StrEnum):
    PENDING = 'pending'
    ACCEPTED = 'accepted'
    REJECTED = 'rejected'


class CorrectionRequest(Model):
    id = fields.UUIDField(primary_key=True)
    record: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.RegistryRecord', related_name='corrections', on_delete=fields.CASCADE
    )
    record_id: UUID
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='corrections', on_delete=fields.CASCADE
    )
    person_id: UUID
    # the agency that owned the record when it was reported: its desk and its API key resolve the request
    organisation: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='corrections', on_delete=fields.RESTRICT
    )
    organisation_id: UUID
    record_version = fields.IntField()
    comment = fields.CharField(max_length=COMMENT_MAX)
    state = fields.CharEnumField(CorrectionState, max_length=16, default=CorrectionState.PENDING)
    reason = fields.CharField(max_length=REASON_MAX, default='')
    # who resolved it: an officer's name or an API client's name, as shown to the citizen
    resolved_by = fields.CharField(max_length=160, default='')
    created_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'correction_requests'
        indexes = (('organisation_id', 'state'), ('person_id', 'created_at'))
