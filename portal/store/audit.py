"""The operation history ("Əməliyyatlar tarixçəsi"): what happened to a person's account and data.

The history is an append-only, hash-chained log ('history' chain, portal/store/chain.py): every event gets the next
sequence number and a hash over the previous one, so a changed, removed or inserted row is found by ``verify_history``.
Rows written before the chain existed have no ``seq`` and stay outside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, cast
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from portal.errors import N_, Invalid, NotFound
from portal.store import chain
from portal.store.actors import Actor, Role, require_role

# days are cut in the portal's time zone
TIMEZONE = ZoneInfo('Asia/Baku')
# the most operations one request returns (a CSV export of a whole history)
EXPORT_MAX = 10_000
HISTORY_CHAIN = 'history'


class HistoryKind(StrEnum):
    LOGIN = 'login'
    LOGOUT = 'logout'
    SESSION_EXPIRED = 'session_expired'
    DATA_UPDATED = 'data_updated'
    DATA_CONFIRMED = 'data_confirmed'
    CORRECTION_REQUESTED = 'correction_requested'
    CORRECTION_RESOLVED = 'correction_resolved'
    PAYMENT_SUCCEEDED = 'payment_succeeded'
    PAYMENT_FAILED = 'payment_failed'
    SERVICE_USED = 'service_used'
    LETTER_SENT = 'letter_sent'
    LETTER_RECEIVED = 'letter_received'
    CONSENT_GRANTED = 'consent_granted'
    CONSENT_REFUSED = 'consent_refused'
    CONSENT_REVOKED = 'consent_revoked'
    DATA_SHARED = 'data_shared'


class HistoryEvent(Model):
    id = fields.UUIDField(primary_key=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='history', on_delete=fields.CASCADE
    )
    person_id: UUID
    kind = fields.CharEnumField(HistoryKind, max_length=24)
    method = fields.CharField(max_length=16, null=True)
    organisation: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='history_events', null=True, on_delete=fields.RESTRICT
    )
    organisation_id: UUID | None
    detail: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    # its place in the history's hash chain (portal/store/chain.py)
    seq = fields.BigIntField(null=True, unique=True)
    prev_hash = fields.CharField(max_length=64, default='')
    hash = fields.CharField(max_length=64, default='')

    class Meta:
        table = 'history_events'
        indexes = (('person_id', 'created_at'),)


@dataclass(frozen=True)
class HistoryView:
    id: UUID
    kind: HistoryKind
    method: str | None
    organisation_code: str | None
    organisation_name_az: str | None
    organisation_name_en: str | None
    detail: dict[str, Any]
    created_at: datetime


async def record_event(
    *,
    person_id: UUID,
    kind: HistoryKind,
    now: datetime,
    method: str | None = None,
    organisation_id: UUID | None = None,
    detail: dict[str, Any] | None = None,
) -> HistoryEvent:
    """Append to a person's history; called by other use cases inside their transaction (a savepoint of it then), so
    the chain's head stays locked until the caller commits and the event is chained only if the caller's work is."""
    event = HistoryEvent(
        id=uuid4(),
        person_id=person_id,
        kind=kind,
        method=method,
        organisation_id=organisation_id,
        detail=detail or {},
        created_at=now,
    )
    async with in_transaction():
        links = await chain.hold(HISTORY_CHAIN)
        _link(event, links)
        await event.save(force_create=True)
        await chain.release(links)
    return event


async def record_events(events: list[HistoryEvent]) -> None:
    """Append unsaved events in the given order under one hold of the chain's head (bulk writers such as the demo)."""
    if not events:
        return
    async with in_transaction():
        links = await chain.hold(HISTORY_CHAIN)
        for event in events:
            _link(event, links)
        await HistoryEvent.bulk_create(events, batch_size=1000)
        await chain.release(links)


async def verify_history() -> chain.Verdict:
    """Walk the chained history in order of seq and recompute every hash."""

    async def rows(after: int, limit: int) -> Any:
        for event in await HistoryEvent.filter(seq__gt=after).order_by('seq').limit(limit):
            yield event.seq, event.prev_hash, event.hash, _content(event)

    return await chain.verify(HISTORY_CHAIN, rows)


def _link(event: HistoryEvent, links: chain.Links) -> None:
    """Give an event its place in the chain, first making its values what reading the row back gives: the detail
    through the column's own JSON encoder and decoder, the time in UTC (Tortoise takes a naive time as UTC)."""
    field = cast(fields.JSONField[Any], HistoryEvent._meta.fields_map['detail'])
    event.detail = field.decoder(field.encoder(event.detail))
    at = event.created_at
    event.created_at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    event.seq, event.prev_hash, event.hash = links.next(_content(event))


def _content(event: HistoryEvent) -> dict[str, Any]:
    """What an event's hash covers: every column but the chain's own."""
    return {
        'id': event.id,
        'person_id': event.person_id,
        'kind': str(event.kind),
        'method': event.method,
        'organisation_id': event.organisation_id,
        'detail': event.detail,
        'created_at': event.created_at,
    }


@dataclass(frozen=True)
class HistoryFilter:
    """Which operations to show: some kinds, and a date range in the portal's time zone (both ends included)."""

    kinds: frozenset[HistoryKind] = frozenset()
    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise Invalid('invalid_range', N_('The start date must not be after the end date.'), field='since')


@dataclass(frozen=True)
class HistoryPage:
    events: list[HistoryView]
    total: int


async def list_history(
    *, actor: Actor, person_id: UUID, limit: int = 50, offset: int = 0, where: HistoryFilter | None = None
) -> list[HistoryView]:
    """A person's own history, newest first."""
    return (await page_history(actor=actor, person_id=person_id, limit=limit, offset=offset, where=where)).events


async def page_history(
    *, actor: Actor, person_id: UUID, limit: int = 50, offset: int = 0, where: HistoryFilter | None = None
) -> HistoryPage:
    """One page of a person's own history, newest first, with the number of matching operations."""
    me = require_role(actor, *Role)
    if me.person_id != person_id:
        raise NotFound('not_found', N_('Not found.'))
    query = _filtered(HistoryEvent.filter(person_id=person_id), where or HistoryFilter())
    total = await query.count()
    events = (
        await query.prefetch_related('organisation')
        .order_by('-created_at', '-id')
        .offset(max(offset, 0))
        .limit(min(max(limit, 1), EXPORT_MAX))
    )
    return HistoryPage(events=[_view(e) for e in events], total=total)


def _filtered(query: QuerySet[HistoryEvent], where: HistoryFilter) -> QuerySet[HistoryEvent]:
    if where.kinds:
        query = query.filter(kind__in=list(where.kinds))
    if where.since:
        query = query.filter(created_at__gte=datetime.combine(where.since, time.min, TIMEZONE).astimezone(UTC))
    if where.until:
        end = datetime.combine(where.until + timedelta(days=1), time.min, TIMEZONE)
        query = query.filter(created_at__lt=end.astimezone(UTC))  # stored in UTC: SQLite compares text
    return query


def _view(e: HistoryEvent) -> HistoryView:
    return HistoryView(
        id=e.id,
        kind=e.kind,
        method=e.method,
        organisation_code=e.organisation.code if e.organisation else None,
        organisation_name_az=e.organisation.name_az if e.organisation else None,
        organisation_name_en=e.organisation.name_en if e.organisation else None,
        detail=e.detail,
        created_at=e.created_at,
    )
