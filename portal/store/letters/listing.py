"""Folders and queues: the citizen's "Göndərilən" and "Gələn", the organisation's incoming letters.

Every list can be searched (title and text) and filtered by organisation, status and the day it was sent, in the
portal's time zone (both ends included).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise.filters import escape_like

from portal.db import in_list, select
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
    mine = _Conditions().equal('person_id', me.person_id).equal('direction', Direction.INBOUND)
    mine = mine.add('"forwarded_to_id" IS NULL').not_draft()
    return await _page(mine, where, now=now, limit=limit, offset=offset, order=NEWEST_FIRST)


async def list_inbox(
    *, actor: Actor, now: datetime, where: LetterFilter | None = None, limit: int = 50, offset: int = 0
) -> LetterPage:
    """ "Gələn": letters from organisations to the citizen, answers included, newest first."""
    me = citizen_of(actor)
    mine = _Conditions().equal('person_id', me.person_id).equal('direction', Direction.OUTBOUND)
    return await _page(mine, where, now=now, limit=limit, offset=offset, order=NEWEST_FIRST)


async def count_unread(*, actor: Actor) -> int:
    me = citizen_of(actor)
    return await Letter.filter(person_id=me.person_id, direction=Direction.OUTBOUND, read_at=None).count()


async def list_incoming(
    *, actor: Actor, now: datetime, where: LetterFilter | None = None, limit: int = 50, offset: int = 0
) -> LetterPage:
    """The letters addressed to the actor's organisation, nearest deadline first."""
    desk = await desk_of(actor, READ_SCOPE)
    queue = _Conditions().equal('organisation_id', desk.organisation_id).equal('direction', Direction.INBOUND)
    return await _page(queue.not_draft(), where, now=now, limit=limit, offset=offset, order=NEAREST_DEADLINE_FIRST)


async def list_outgoing(
    *, actor: Actor, now: datetime, where: LetterFilter | None = None, limit: int = 50, offset: int = 0
) -> LetterPage:
    """The letters the actor's organisation wrote to citizens (answers included), newest first."""
    desk = await desk_of(actor, READ_SCOPE)
    written = _Conditions().equal('organisation_id', desk.organisation_id).equal('direction', Direction.OUTBOUND)
    return await _page(written, where, now=now, limit=limit, offset=offset, order=NEWEST_FIRST)


# The lists' statements are written out: assembled through the ORM, condition by condition and column by column, a
# page's statements cost several times what running them does. The conditions are the ORM's own text for the same
# filters, so both databases read them alike.
NEWEST_FIRST = ('delivered_at', 'DESC'), ('id', 'DESC')
NEAREST_DEADLINE_FIRST = ('due_on', 'ASC'), ('delivered_at', 'ASC'), ('id', 'ASC')


class _Conditions:
    """A list's conditions on the letters table, each with ``{}`` for its parameters' marks, and the parameters."""

    def __init__(self) -> None:
        self.terms: list[str] = []
        self.params: list[Any] = []

    def add(self, term: str, *params: Any) -> _Conditions:
        self.terms.append(term)
        # a UUID as its text (SQLite's column holds it; PostgreSQL's driver takes it), an enum as its value
        self.params.extend(str(p) if isinstance(p, UUID | StrEnum) else p for p in params)
        return self

    def equal(self, column: str, value: Any) -> _Conditions:
        return self.add(f'"{column}"={{}}', value)

    def not_draft(self) -> _Conditions:
        return self.add('("status"<>{} OR "status" IS NULL)', LetterStatus.DRAFT)

    @property
    def sql(self) -> str:
        return ' AND '.join(self.terms)


async def _page(
    conditions: _Conditions,
    where: LetterFilter | None,
    *,
    now: datetime,
    limit: int,
    offset: int,
    order: tuple[tuple[str, str], ...],
) -> LetterPage:
    today = today_of(now)
    conditions = await _filtered(conditions, where or LetterFilter(), today)
    params = conditions.params
    count = f'SELECT COUNT(*) AS total FROM "letters" WHERE {conditions.sql}'
    [counted] = await select(count, params)
    # the page: its letters found by the conditions, in order, then their rows with what a summary shows of them
    page_params = [*params, min(max(limit, 1), PAGE_MAX), max(offset, 0)]
    inner = ','.join(f'"{column}" {way}' for column, way in order)
    ids = f'SELECT "id" FROM "letters" WHERE {conditions.sql} ORDER BY {inner} LIMIT {{}} OFFSET {{}}'
    outer = ','.join(f'l.{column} {way}' for column, way in order)
    page = f'{_SUMMARY_ROWS} WHERE l.id IN ({ids}) ORDER BY {outer}'
    rows = await select(page, page_params)
    return LetterPage(items=[views.summary_of_row(r, today=today) for r in rows], total=int(counted['total']))


# A page's rows: only the columns a summary shows, with the organisation, the citizen and a forwarded copy's previous
# leg joined (a copy has one, made by the forwarding that created it), as plain values.
_SUMMARY_ROWS = (
    'SELECT l.id, l.direction, l.status, l.title, l.delivered_at, l.due_on, l.investigation_reason, l.read_at, '
    'l.reply_to_id, l.created_at, l.closed_at, l.organisation_id, o.code AS organisation_code, '
    'o.name_az AS organisation_name_az, o.name_en AS organisation_name_en, p.fin, p.first_name, p.last_name, '
    'f.organisation_id AS previous_organisation_id, fo.code AS previous_organisation_code, '
    'fo.name_az AS previous_organisation_name_az, fo.name_en AS previous_organisation_name_en '
    f'FROM {Letter._meta.db_table} l JOIN {Person._meta.db_table} p ON p.id = l.person_id '
    f'LEFT JOIN {Organisation._meta.db_table} o ON o.id = l.organisation_id '
    f'LEFT JOIN {Letter._meta.db_table} f ON f.forwarded_to_id = l.id '
    f'LEFT JOIN {Organisation._meta.db_table} fo ON fo.id = f.organisation_id'
)


async def _filtered(conditions: _Conditions, where: LetterFilter, today: date) -> _Conditions:
    if where.query.strip():
        pattern = f'%{escape_like(search_key(where.query.strip()))}%'
        conditions.add('CAST("search_text" AS VARCHAR) LIKE {} ESCAPE \'\\\'', pattern)
    if where.organisation_code:
        org = await Organisation.get_or_none(code=where.organisation_code.strip().upper())
        if org is None:
            conditions.add('"organisation_id" IS NULL')
        else:
            conditions.equal('organisation_id', org.id)
    if where.status is not None:
        conditions.equal('status', where.status)
    if where.since:
        start = datetime.combine(where.since, time.min, TIMEZONE).astimezone(UTC)
        conditions.add('"delivered_at">={}', start)
    if where.until:
        end = datetime.combine(where.until + timedelta(days=1), time.min, TIMEZONE).astimezone(UTC)
        conditions.add('"delivered_at"<{}', end)
    if where.open_only or where.overdue:
        conditions.add(f'"status" IN ({in_list(len(OPEN_STATUSES))})', *OPEN_STATUSES)
    if where.overdue:
        conditions.add('"due_on"<{}', today)
    return conditions
