"""Reception calendars, the officials who receive, and citizens' meeting requests with their timeline and files."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

SUMMARY_MAX = 2000
REASON_MAX = 500
NAME_MAX = 120
POSITION_MAX = 160
PLACE_MAX = 200
FILENAME_MAX = 160


class ReceptionCalendar(Model):
    """An executive's reception hours: per ISO weekday (1 Monday … 7 Sunday) a list of [start, end] times ("10:00"),
    the length of one meeting and where meetings are held. Public holidays are closed whatever the hours say."""

    id = fields.UUIDField(primary_key=True)
    executive: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='reception_calendars', on_delete=fields.CASCADE, unique=True
    )
    executive_id: UUID
    hours: dict[str, list[list[str]]] = fields.JSONField(default=dict)
    slot_minutes = fields.IntField(default=20)
    place = fields.CharField(max_length=PLACE_MAX, default='')
    updated_at = fields.DatetimeField()

    class Meta:
        table = 'reception_calendars'


class ReceptionOfficial(Model):
    """A member of the executive's staff who receives citizens: a name and a position."""

    id = fields.UUIDField(primary_key=True)
    executive: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='reception_officials', on_delete=fields.CASCADE
    )
    executive_id: UUID
    name = fields.CharField(max_length=NAME_MAX)
    position = fields.CharField(max_length=POSITION_MAX)
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = 'reception_officials'


class ReceptionState(StrEnum):
    REQUESTED = 'requested'  # waiting for the executive's review
    SCHEDULED = 'scheduled'  # a time, a place and an official are set
    DONE = 'done'  # the meeting took place
    NO_SHOW = 'no_show'  # the citizen did not come
    CANCELLED = 'cancelled'  # by the citizen (until 24 hours before) or by the executive, with a reason
    DECLINED = 'declined'  # by the executive, with a reason


OPEN_STATES = (ReceptionState.REQUESTED, ReceptionState.SCHEDULED)


class ReceptionRequest(Model):
    """A citizen's request for a meeting. While it is open, ``open_key`` (citizen and executive) is set and unique,
    so a citizen has one open request per executive. While it holds a time, ``slot_key`` (executive and start) is set
    and unique, so a slot is never given to two people. Both are cleared when the request no longer holds them."""

    id = fields.UUIDField(primary_key=True)
    number = fields.CharField(max_length=24, unique=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='reception_requests', on_delete=fields.RESTRICT
    )
    person_id: UUID
    executive: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='reception_requests', on_delete=fields.RESTRICT
    )
    executive_id: UUID
    topic = fields.CharField(max_length=32)
    summary = fields.TextField()
    # up to three preferred days (ISO dates)
    preferred_days: list[str] = fields.JSONField(default=list)
    state = fields.CharEnumField(ReceptionState, max_length=16, db_index=True)
    open_key = fields.CharField(max_length=80, null=True, unique=True)
    official: fields.ForeignKeyNullableRelation[ReceptionOfficial] = fields.ForeignKeyField(
        'portal.ReceptionOfficial', related_name='requests', null=True, on_delete=fields.RESTRICT
    )
    official_id: UUID | None
    starts_at = fields.DatetimeField(null=True)
    ends_at = fields.DatetimeField(null=True)
    place = fields.CharField(max_length=PLACE_MAX, default='')
    slot_key = fields.CharField(max_length=80, null=True, unique=True)
    # why it was declined or cancelled
    reason = fields.CharField(max_length=REASON_MAX, default='')
    created_at = fields.DatetimeField()
    scheduled_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    # when the reminder of the day before went out (null until then; cleared when the meeting moves)
    reminded_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'reception_requests'
        indexes = (('executive_id', 'state'), ('person_id', 'created_at'), ('state', 'starts_at'))


class ReceptionFile(Model):
    """A document attached to a request, under the letters' rules for files."""

    id = fields.UUIDField(primary_key=True)
    request: fields.ForeignKeyRelation[ReceptionRequest] = fields.ForeignKeyField(
        'portal.ReceptionRequest', related_name='files', on_delete=fields.CASCADE
    )
    request_id: UUID
    filename = fields.CharField(max_length=FILENAME_MAX)
    content_type = fields.CharField(max_length=100)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    storage_name = fields.CharField(max_length=64, unique=True)
    position = fields.IntField()
    added_at = fields.DatetimeField()

    class Meta:
        table = 'reception_files'


class ReceptionEventKind(StrEnum):
    REQUESTED = 'requested'
    SCHEDULED = 'scheduled'
    RESCHEDULED = 'rescheduled'
    DECLINED = 'declined'
    CANCELLED = 'cancelled'
    DONE = 'done'
    NO_SHOW = 'no_show'
    REMINDED = 'reminded'


class ReceptionEvent(Model):
    """One step of a request's timeline, shown to both sides."""

    id = fields.UUIDField(primary_key=True)
    request: fields.ForeignKeyRelation[ReceptionRequest] = fields.ForeignKeyField(
        'portal.ReceptionRequest', related_name='events', on_delete=fields.CASCADE
    )
    request_id: UUID
    kind = fields.CharEnumField(ReceptionEventKind, max_length=16)
    at = fields.DatetimeField()
    # the meeting's time when it was set or moved, or the reason of a decline or cancellation
    note = fields.CharField(max_length=REASON_MAX, default='')
    # who acted: 'citizen', 'executive' or 'portal'
    by = fields.CharField(max_length=16)

    class Meta:
        table = 'reception_events'
        indexes = (('request_id', 'at'),)
