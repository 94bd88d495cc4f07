"""Folders and queues: the citizen's "Göndərilən" and "Gələn", the organisation's incoming letters.

Every list can be searched (title and text) and filtered by organisation, status and the day it was sent, in the
portal's time zone (both ends included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from tortoise.connection import connections
from tortoise.queryset import QuerySet

from portal.db import parameter_marks
from portal.errors import N_, Invalid
from portal.store.actors import Actor
from portal.store.letters import views
from portal.store.letters.common import READ_SCOPE, citizen_of, desk_of, today_of
from portal.store.letters.models import OPEN_STATUSES, Direction, Letter, LetterStatus, search_key
from portal.store.letters.views import LetterSummary
from portal.store.orgs import Organisation
from portal.store.people import Person
from portal.store.workdays import TIMEZONE

PAGE_MAX = 200
QUERY_MAX = 200


@dataclass(frozen=True)
class LetterFilter:
    query: str = ''
    organisation_code: str | None = None
    status: LetterStatus | None = None
    since: date | None = None
    until: date | None = None
    # only open letters past their deadline
    overdue: bool = False
    # only letters still with the organisation (sent, received, under review)
    open_only: bool = False

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise Invalid('invalid_range', N_('The start date must not be after the end date.'), field='since')
        if len(self.query) > QUERY_MAX:
            raise Invalid(
                'query_too_long', N_('The text is too long: at most {limit} characters.'), field='q', limit=QUERY_MAX
            )


@dataclass(frozen=True)
class LetterPage:
    items: list[LetterSummary]
    total: int


async def list_sent(
    *, actor: Actor, now: datetime, where: LetterFilter | None = None, limit: int = 50, offset: int = 0
) -> LetterPage:
    """ "Göndərilən": the citizen's signed letters, each where it is now (a forwarded letter at its new address)."""
    me = citizen_of(actor)
    query = Letter.filter(
        person_id=me.person_id, direction=Direction.INBOUND, forwarded_to_id=None, status__not=LetterStatus.DRAFT
    )
    return await _page(query, where, now=now, limit=limit, offset=offset, order=('-delivered_at', '-id'))


async def list_inbox(
    *, actor: Actor, now: datetime, where: LetterFilter | None = None, limit: int = 50, offset: int = 0
) -> LetterPage:
    """ "Gələn": letters from organisations to the citizen, answers included, newest first."""
    me = citizen_of(actor)
    query = Letter.filter(person_id=me.person_id, direction=Direction.OUTBOUND)
    return await _page(query, where, now=now, limit=limit, offset=offset, order=('-delivered_at', '-id'))


async def count_unread(*, actor: Actor) -> int:
    me = citizen_of(actor)
    return await Letter.filter(person_id=me.person_id, direction=Direction.OUTBOUND, read_at=None).count()


async def list_incoming(
    *, actor: Actor, now: datetime, where: LetterFilter | None = None, limit: int = 50, offset: int = 0
) -> LetterPage:
    """The letters addressed to the actor's organisation, nearest deadline first."""
    desk = await desk_of(actor, READ_SCOPE)
    query = Letter.filter(
        organisation_id=desk.organisation_id, direction=Direction.INBOUND, status__not=LetterStatus.DRAFT
    )
    return await _page(query, where, now=now, limit=limit, offset=offset, order=('due_on', 'delivered_at', 'id'))


async def list_outgoing(
    *, actor: Actor, now: datetime, where: LetterFilter | None = None, limit: int = 50, offset: int = 0
) -> LetterPage:
    """The letters the actor's organisation wrote to citizens (answers included), newest first."""
    desk = await desk_of(actor, READ_SCOPE)
    query = Letter.filter(organisation_id=desk.organisation_id, direction=Direction.OUTBOUND)
    return await _page(query, where, now=now, limit=limit, offset=offset, order=('-delivered_at', '-id'))


async def _page(
    query: QuerySet[Letter],
    where: LetterFilter | None,
    *,
    now: datetime,
    limit: int,
    offset: int,
    order: tuple[str, ...],
) -> LetterPage:
    today = today_of(now)
    query = await _filtered(query, where or LetterFilter(), today)
    total = await query.count()
    page = query.order_by(*order).offset(max(offset, 0)).limit(min(max(limit, 1), PAGE_MAX))
    rows = await _summary_rows([i for (i,) in await page.values_list('id')])
    return LetterPage(items=[views.summary_of_row(row, today=today) for row in rows], total=total)


# A page's rows, found by their ids (the filters, the order and the page are the query's above): only the columns a
# summary shows, with the organisation, the citizen and a forwarded copy's previous leg joined (a copy has one, made by
# the forwarding that created it), as plain values. The statement is the same for every list; written out, it costs
# a fraction of what assembling it field by field through the ORM did.
_SUMMARY_ROWS = (
    'SELECT l.id, l.direction, l.status, l.title, l.delivered_at, l.due_on, l.investigation_reason, l.read_at, '
    'l.reply_to_id, l.created_at, l.closed_at, l.organisation_id, o.code AS organisation_code, '
    'o.name_az AS organisation_name_az, o.name_en AS organisation_name_en, p.fin, p.first_name, p.last_name, '
    'f.organisation_id AS previous_organisation_id, fo.code AS previous_organisation_code, '
    'fo.name_az AS previous_organisation_name_az, fo.name_en AS previous_organisation_name_en '
    f'FROM {Letter._meta.db_table} l JOIN {Person._meta.db_table} p ON p.id = l.person_id '
    f'LEFT JOIN {Organisation._meta.db_table} o ON o.id = l.organisation_id '
    f'LEFT JOIN {Letter._meta.db_table} f ON f.forwarded_to_id = l.id '
    f'LEFT JOIN {Organisation._meta.db_table} fo ON fo.id = f.organisation_id '
    'WHERE l.id IN ({})'
)


async def _summary_rows(ids: list[UUID]) -> list[dict[str, Any]]:
    """The rows of these letters, in the order of ``ids``."""
    if not ids:
        return []
    keys = [str(i) for i in ids]
    statement = _SUMMARY_ROWS.format(', '.join(parameter_marks(len(keys))))
    rows = await connections.get('default').execute_query_dict(statement, keys)
    by_id = {str(row['id']): row for row in rows}
    # the id as the page's query gave it: not parsed a second time; a letter gone since (a draft deleted) is left out
    return [{**by_id[key], 'id': i} for key, i in zip(keys, ids, strict=True) if key in by_id]


async def _filtered(query: QuerySet[Letter], where: LetterFilter, today: date) -> QuerySet[Letter]:
    if where.query.strip():
        query = query.filter(search_text__contains=search_key(where.query.strip()))
    if where.organisation_code:
        org = await Organisation.get_or_none(code=where.organisation_code.strip().upper())
        query = query.filter(organisation_id=org.id if org else None)
    if where.status is not None:
        query = query.filter(status=where.status)
    if where.since:
        start = datetime.combine(where.since, time.min, TIMEZONE).astimezone(UTC)
        query = query.filter(delivered_at__gte=start)
    if where.until:
        end = datetime.combine(where.until + timedelta(days=1), time.min, TIMEZONE).astimezone(UTC)
        query = query.filter(delivered_at__lt=end)
    if where.open_only or where.overdue:
        query = query.filter(status__in=list(OPEN_STATUSES))
    if where.overdue:
        query = query.filter(due_on__lt=today)
    return query
