"""The citizen's side of reception: asking the local executive for a meeting (a topic, a summary, files, one to three
preferred days), following the request, cancelling it until 24 hours before the meeting; reading its files."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from portal.errors import N_, Conflict, Invalid, NotFound, Throttled
from portal.store import throttle
from portal.store.actors import Actor, Role, require_role
from portal.store.audit import HistoryKind, record_event
from portal.store.letters import files
from portal.store.letters.common import files_written
from portal.store.letters.files import CheckedFile, Upload
from portal.store.orgs import Organisation, OrgCategory
from portal.store.reception.calendar import get_calendar
from portal.store.reception.common import (
    TOPICS,
    FileView,
    RequestView,
    add_step,
    is_desk,
    load,
    may_read,
    not_found,
    publish,
    utc,
    view_of,
)
from portal.store.reception.models import (
    OPEN_STATES,
    SUMMARY_MAX,
    ReceptionEventKind,
    ReceptionFile,
    ReceptionRequest,
    ReceptionState,
)
from portal.store.workdays import local_date

PREFERRED_MAX = 3
# how far ahead a preferred day may be
AHEAD_DAYS = 60
# a citizen cancels a meeting until this long before it
CANCEL_BEFORE = timedelta(hours=24)
DAILY_REQUESTS = 5
NUMBER_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
NUMBER_TRIES = 5


class _DailyCap(throttle.Policy):
    """``free`` requests, then none until the window has passed (not the login's doubling back-off)."""

    def delay(self, attempts: int) -> int:
        return 0 if attempts < self.free else self.cap_seconds


DAILY = _DailyCap(free=DAILY_REQUESTS, cap_seconds=24 * 3600, window=timedelta(hours=24))


@dataclass(frozen=True)
class NewRequest:
    executive_code: str
    topic: str
    summary: str
    preferred_days: list[date]
    uploads: list[Upload]


async def request_meeting(*, actor: Actor, new: NewRequest, now: datetime) -> RequestView:
    """Check everything first (executive, topic, summary, days, files, the open request), count it against the daily
    limit, then write the files and record the request in one transaction."""
    me = require_role(actor, Role.CITIZEN)
    executive = await Organisation.get_or_none(
        code=str(new.executive_code or '').strip().upper(), category=OrgCategory.EXECUTIVE
    )
    if executive is None:
        raise Invalid('executive_required', N_('Choose the local executive.'), field='executive')
    if new.topic not in TOPICS:
        raise Invalid('topic_required', N_('Choose what the meeting is about.'), field='topic')
    summary = (new.summary or '').replace('\r\n', '\n').strip()
    if not summary:
        raise Invalid('summary_required', N_('Describe briefly what you want to discuss.'), field='summary')
    if len(summary) > SUMMARY_MAX:
        raise Invalid('too_long', N_('At most {limit} characters.'), field='summary', limit=SUMMARY_MAX)
    days = await _check_days(executive, new.preferred_days, now)
    checked = [files.check_upload(u) for u in new.uploads]
    files.check_set([c.size for c in checked])
    open_key = f'{me.person_id}:{executive.id}'
    if await ReceptionRequest.exists(open_key=open_key):
        raise _already_open()
    limit_key = f'reception-request:{me.person_id}'
    try:
        await throttle.claim(limit_key, DAILY, utc(now))
    except Throttled as exc:
        raise _too_many(exc.retry_after) from None
    try:
        request = await _write(
            me.person_id,
            executive=executive,
            summary=summary,
            topic=new.topic,
            days=days,
            checked=checked,
            open_key=open_key,
            now=now,
        )
    except IntegrityError:
        await throttle.refund(limit_key)
        raise _already_open() from None
    await publish(request, executive)
    return await load(request.id, for_desk=False)


async def cancel_request(*, actor: Actor, request_id: UUID, now: datetime) -> RequestView:
    """The citizen withdraws a request, or cancels a meeting until 24 hours before it; the slot is free again."""
    me = require_role(actor, Role.CITIZEN)
    now = utc(now)
    async with in_transaction():
        request = await ReceptionRequest.select_for_update().get_or_none(id=request_id, person_id=me.person_id)
        if request is None:
            raise not_found()
        if request.state not in OPEN_STATES:
            raise wrong_state(request)
        if request.starts_at is not None and utc(request.starts_at) - now < CANCEL_BEFORE:
            raise Invalid(
                'too_late_to_cancel',
                N_('A meeting can be cancelled until 24 hours before it starts. Please contact the executive.'),
            )
        close(request, ReceptionState.CANCELLED, now=now)
        await request.save()
        await add_step(request, ReceptionEventKind.CANCELLED, by='citizen', note='', now=now)
    await publish(request)
    return await load(request.id, for_desk=False)


async def list_my_requests(*, actor: Actor) -> list[RequestView]:
    """The citizen's own requests, newest first."""
    me = require_role(actor, Role.CITIZEN)
    rows = (
        await ReceptionRequest.filter(person_id=me.person_id)
        .prefetch_related('executive', 'person', 'official')
        .order_by('-created_at')
    )
    return [view_of(r, for_desk=False) for r in rows]


async def get_request(*, actor: Actor, request_id: UUID) -> RequestView:
    """One request with its files and timeline, for its citizen or the executive that received it."""
    request = await ReceptionRequest.get_or_none(id=request_id)
    if request is None or not may_read(actor, request):
        raise not_found()
    return await load(request.id, for_desk=is_desk(actor))


async def read_file(*, actor: Actor, request_id: UUID, file_id: UUID) -> tuple[FileView, bytes]:
    request = await ReceptionRequest.get_or_none(id=request_id)
    if request is None or not may_read(actor, request):
        raise not_found()
    row = await ReceptionFile.get_or_none(id=file_id, request_id=request_id)
    if row is None:
        raise NotFound('file_not_found', N_('No such file.'))
    view = FileView(row.id, row.filename, row.content_type, row.size, row.added_at)
    return view, await asyncio.to_thread(files.read_bytes, row.storage_name)


def close(request: ReceptionRequest, state: ReceptionState, *, now: datetime, reason: str = '') -> None:
    """Leave the open states: the request no longer blocks a new one, nor (unless it took place) its slot."""
    request.state = state
    request.open_key = None
    request.slot_key = None
    request.closed_at = utc(now)
    request.reason = reason


def wrong_state(request: ReceptionRequest) -> Invalid:
    return Invalid(
        'wrong_state',
        N_('This step is not possible now: the request has moved on or is closed.'),
        state=request.state.value,
    )


# -- rules and writing ------------------------------------------------------------------------------------------------


async def _check_days(executive: Organisation, days: list[date], now: datetime) -> list[date]:
    chosen = sorted(set(days))
    if not 1 <= len(chosen) <= PREFERRED_MAX:
        raise Invalid(
            'days_required', N_('Choose one to three preferred days.'), field='preferred_days', limit=PREFERRED_MAX
        )
    today = local_date(now)
    calendar = await get_calendar(executive_id=executive.id)
    for day in chosen:
        if day <= today:
            raise Invalid('day_in_past', N_('Choose days after today.'), field='preferred_days')
        if day > today + timedelta(days=AHEAD_DAYS):
            raise Invalid('day_too_far', N_('Choose days within {days} days.'), field='preferred_days', days=AHEAD_DAYS)
        if not calendar.receives_on(day):
            raise Invalid(
                'not_a_reception_day',
                N_('The executive does not receive citizens on {day} (a holiday or a day without reception hours).'),
                field='preferred_days',
                day=day.strftime('%d.%m.%Y'),
            )
    return chosen


async def _write(
    person_id: UUID,
    *,
    executive: Organisation,
    summary: str,
    topic: str,
    days: list[date],
    checked: list[CheckedFile],
    open_key: str,
    now: datetime,
) -> ReceptionRequest:
    now = utc(now)
    async with files_written(checked) as names:
        async with in_transaction():
            request = await _create(
                person_id=person_id,
                executive_id=executive.id,
                topic=topic,
                summary=summary,
                preferred_days=[d.isoformat() for d in days],
                state=ReceptionState.REQUESTED,
                open_key=open_key,
                created_at=now,
            )
            for position, (c, name) in enumerate(zip(checked, names, strict=True)):
                await ReceptionFile.create(
                    request_id=request.id,
                    filename=c.filename,
                    content_type=c.content_type,
                    size=c.size,
                    sha256=c.sha256,
                    storage_name=name,
                    position=position,
                    added_at=now,
                )
            await add_step(request, ReceptionEventKind.REQUESTED, by='citizen', note='', now=now)
            await record_event(
                person_id=person_id,
                kind=HistoryKind.SERVICE_USED,
                now=now,
                organisation_id=executive.id,
                detail={'service': 'reception', 'number': request.number},
            )
    return request


async def _create(*, created_at: datetime, **values: Any) -> ReceptionRequest:
    """A new request with a random number (a taken number is tried again; a taken ``open_key`` is not)."""
    for _ in range(NUMBER_TRIES):
        number = f'Q-{local_date(created_at).year}-' + ''.join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
        if await ReceptionRequest.exists(number=number):
            continue
        return await ReceptionRequest.create(number=number, created_at=created_at, **values)
    raise RuntimeError('no free request number')  # 40 random bits, five times: not expected


def _already_open() -> Conflict:
    return Conflict(
        'request_open',
        N_('You already have an open request with this local executive. Wait for it, or cancel it first.'),
        field='executive',
    )


def _too_many(retry_after: int) -> Throttled:
    exc = Throttled(
        'too_many_requests',
        N_('At most {limit} reception requests can be made in 24 hours. Try again in {hours} hours.'),
        retry_after=retry_after,
    )
    exc.params.update(limit=DAILY_REQUESTS, hours=max(1, (retry_after + 3599) // 3600))
    return exc
