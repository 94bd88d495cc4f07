"""Notifications ("bildiriş"): the in-cabinet notice, its deliveries by SMS and e-mail (the outbox), the citizen's
contact details and preferences, and the parent–child links the vaccination reminders follow.

A notice is written in the transaction of the change that caused it, with one delivery row per outside channel;
``key`` makes a notice happen once (a reminder's key is its type, subject and threshold, e.g.
``doc-expiry:<record id>:30d``), and a delivery is unique per notice and channel.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

KEY_MAX = 160
ERROR_MAX = 500


class Channel(StrEnum):
    CABINET = 'cabinet'
    SMS = 'sms'
    EMAIL = 'email'


class DeliveryState(StrEnum):
    QUEUED = 'queued'  # waiting for its time (next_attempt_at), or for the next try after a failure
    SENDING = 'sending'  # claimed by a worker until lease_until
    SENT = 'sent'  # handed to the SMTP server or the SMS gateway
    DELIVERED = 'delivered'  # the gateway's receipt says it reached the phone
    FAILED = 'failed'  # given up (tries exhausted, no address, or the gateway says undeliverable)
    DIGEST = 'digest'  # waits for the citizen's daily e-mail digest
    DIGESTED = 'digested'  # went out inside a digest (see digest_id)


FINAL_STATES = frozenset({DeliveryState.DELIVERED, DeliveryState.FAILED, DeliveryState.DIGESTED})


class Notice(Model):
    id = fields.UUIDField(primary_key=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='notices', on_delete=fields.CASCADE
    )
    person_id: UUID
    # one of the declared types (portal/store/notices/types.py)
    type = fields.CharField(max_length=40)
    # what makes the notice happen once (unique across the portal)
    key = fields.CharField(max_length=KEY_MAX, unique=True)
    # the template's variables, as values (rendered in the reader's language when shown or sent)
    params: dict[str, Any] = fields.JSONField(default=dict)
    # a path in the portal the notice leads to ('' for none)
    link = fields.CharField(max_length=200, default='')
    # the organisation that caused or sent it, if any
    organisation: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='notices', null=True, on_delete=fields.RESTRICT
    )
    organisation_id: UUID | None
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'notices'
        indexes = (('person_id', 'created_at'), ('person_id', 'read_at'))


class Delivery(Model):
    """One message to send outside the cabinet: a notice by SMS or e-mail, or a day's digest e-mail."""

    id = fields.UUIDField(primary_key=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='deliveries', on_delete=fields.CASCADE
    )
    person_id: UUID
    # null for a digest (its notices point at it through digest_id)
    notice: fields.ForeignKeyNullableRelation[Notice] = fields.ForeignKeyField(
        'portal.Notice', related_name='deliveries', null=True, on_delete=fields.CASCADE
    )
    notice_id: UUID | None
    channel = fields.CharEnumField(Channel, max_length=8)
    # unique: '<notice key>:<channel>', or 'digest:<person id>:<day>'
    key = fields.CharField(max_length=KEY_MAX + 12, unique=True)
    state = fields.CharEnumField(DeliveryState, max_length=12)
    # the address it goes to, fixed when it is sent
    address = fields.CharField(max_length=255, default='')
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    lease_until = fields.DatetimeField(null=True)
    leased_by = fields.CharField(max_length=64, default='')
    # bumped by every claim: a claim is a compare-and-set on it
    version = fields.IntField(default=0)
    last_error = fields.CharField(max_length=ERROR_MAX, default='')
    # the gateway's or SMTP server's message id
    provider_id = fields.CharField(max_length=128, default='', db_index=True)
    digest: fields.ForeignKeyNullableRelation[Delivery] = fields.ForeignKeyField(
        'portal.Delivery', related_name='members', null=True, on_delete=fields.SET_NULL
    )
    digest_id: UUID | None
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'deliveries'
        indexes = (('state', 'next_attempt_at'), ('person_id', 'state'))


class NoticeSettings(Model):
    """A citizen's contact details and choices: which types go by SMS or e-mail, quiet hours, the daily digest."""

    person: fields.OneToOneRelation[Any] = fields.OneToOneField(
        'portal.Person', related_name='notice_settings', on_delete=fields.CASCADE, primary_key=True
    )
    person_id: UUID
    email = fields.CharField(max_length=255, default='')
    phone = fields.CharField(max_length=20, default='')
    # {type: {'sms': bool, 'email': bool}}; a type not named follows its declared defaults
    channels: dict[str, dict[str, bool]] = fields.JSONField(default=dict)
    # no SMS between these hours (Baku time); held until the end of the quiet time
    quiet_from = fields.IntField(default=22)
    quiet_until = fields.IntField(default=8)
    # e-mails gathered into one a day instead of one each
    digest = fields.BooleanField(default=False)
    # the language SMS and e-mails are written in
    lang = fields.CharField(max_length=8, default='az')
    updated_at = fields.DatetimeField()

    class Meta:
        table = 'notice_settings'


class Guardianship(Model):
    """A parent and a minor child, as the parent's family composition record says (kept with every write of it), so
    the vaccination reminders find parents without reading every family record."""

    id = fields.UUIDField(primary_key=True)
    parent: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='wards', on_delete=fields.CASCADE
    )
    parent_id: UUID
    child: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='guardians', on_delete=fields.CASCADE
    )
    child_id: UUID

    class Meta:
        table = 'guardianships'
        unique_together = (('parent', 'child'),)
        indexes = (('child_id',),)
