"""The executive's side of reception: its requests, giving a request an official and a free slot, moving or
cancelling the meeting, declining a request, marking a meeting done or missed, and the desk's figures.

A slot is given under ``slot_key`` (the executive and the start), unique in the database: when two officers (or an
officer and an integration) give the same slot at once, exactly one wins and the other is told ``slot_taken``; the
loser's transaction is rolled back whole.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from portal.errors import N_, Conflict, Invalid
from portal.store.actors import Actor
from portal.store.notices.outbox import NewNotice, announce, notify
from portal.store.orgs import Organisation
from portal.store.reception.calendar import active_official, get_calendar, slot_at
from portal.store.reception.common import (
    SERVICE_WORD,
    STATE_WORDS,
    TOPICS,
    RequestView,
    add_step,
    desk_of,
    load,
    not_found,
    publish,
    utc,
    view_of,
)
from portal.store.reception.models import (
    REASON_MAX,
    ReceptionEvent,
    ReceptionEventKind,
    ReceptionRequest,
    ReceptionState,
)
from portal.store.reception.requests import close, wrong_state
from portal.store.workdays import TIMEZONE

PAGE_MAX = 100
LINK = '/reception'
MET = (ReceptionState.SCHEDULED, ReceptionState.DONE, ReceptionState.NO_SHOW)


@dataclass(frozen=True)
class DeskPage:
    items: list[RequestView]
    total: int


@dataclass(frozen=True)
class Statistics:
    total: int
    by_topic: dict[str, int]  # every topic, 0 included
    by_state: dict[str, int]
    median_days: float | None  # from the request to the meeting, over the requests given a time
    no_show_rate: float | None  # of the meetings that were due (done or missed)


async def list_desk(*, actor: Actor, state: ReceptionState | None = None, offset: int = 0, limit: int = 50) -> DeskPage:
    """The executive's requests: waiting ones oldest first, meetings soonest first, closed ones newest first; without
    a state, the open ones (waiting, then given a time)."""
    executive_id = desk_of(actor)
    if not 0 < limit <= PAGE_MAX or offset < 0:
        raise Invalid('bad_page', N_('The page is out of range.'))
    query = ReceptionRequest.filter(executive_id=executive_id)
    if state is None:
        query = query.filter(state__in=[ReceptionState.REQUESTED, ReceptionState.SCHEDULED])
        order = ('state', 'created_at')  # 'requested' sorts before 'scheduled': waiting ones first
    elif state is ReceptionState.REQUESTED:
        query, order = query.filter(state=state), ('created_at', 'number')
    elif state is ReceptionState.SCHEDULED:
        query, order = query.filter(state=state), ('starts_at', 'created_at')
    else:
        query, order = query.filter(state=state), ('-closed_at', '-created_at')
    total = await query.count()
    rows = await query.prefetch_related('executive', 'person', 'official').order_by(*order).offset(offset).limit(limit)
    return DeskPage([view_of(r, for_desk=True) for r in rows], total)


async def schedule_meeting(
    *, actor: Actor, request_id: UUID, official_id: UUID, starts_at: datetime, now: datetime
) -> RequestView:
    """Give a waiting request an official and a free slot; the citizen is told (notice ``appointment``)."""
    return await _give_slot(actor, request_id, official_id, starts_at, now=now, expected=ReceptionState.REQUESTED)


async def reschedule_meeting(
    *, actor: Actor, request_id: UUID, starts_at: datetime, now: datetime, official_id: UUID | None = None
) -> RequestView:
    """Move a meeting to another free slot (and official); the citizen is told, and reminded again before it."""
    return await _give_slot(actor, request_id, official_id, starts_at, now=now, expected=ReceptionState.SCHEDULED)


async def decline_request(*, actor: Actor, request_id: UUID, reason: str, now: datetime) -> RequestView:
    return await _close(
        actor, request_id, (ReceptionState.REQUESTED, ReceptionState.DECLINED), reason=_reason(reason), now=now
    )


async def cancel_meeting(*, actor: Actor, request_id: UUID, reason: str, now: datetime) -> RequestView:
    """The executive cancels a meeting it gave, with a reason the citizen reads."""
    return await _close(
        actor, request_id, (ReceptionState.SCHEDULED, ReceptionState.CANCELLED), reason=_reason(reason), now=now
    )


async def mark_done(*, actor: Actor, request_id: UUID, now: datetime) -> RequestView:
    return await _close(actor, request_id, (ReceptionState.SCHEDULED, ReceptionState.DONE), reason='', now=now)


async def mark_no_show(*, actor: Actor, request_id: UUID, now: datetime) -> RequestView:
    return await _close(actor, request_id, (ReceptionState.SCHEDULED, ReceptionState.NO_SHOW), reason='', now=now)


async def reception_statistics(*, actor: Actor) -> Statistics:
    executive_id = desk_of(actor)
    base = ReceptionRequest.filter(executive_id=executive_id)
    topics = {code: 0 for code in TOPICS}
    for row in await base.annotate(n=Count('id')).group_by('topic').values('topic', 'n'):
        topics[str(row['topic'])] = int(row['n'])
    states = {s.value: 0 for s in ReceptionState}
    for row in await base.annotate(n=Count('id')).group_by('state').values('state', 'n'):
        states[str(getattr(row['state'], 'value', row['state']))] = int(row['n'])
    waits = await base.filter(state__in=list(MET), starts_at__not_isnull=True).values_list('created_at', 'starts_at')
    days = [(utc(b) - utc(a)).total_seconds() / 86400 for a, b in waits]
    due = states['done'] + states['no_show']
    return Statistics(
        total=sum(states.values()),
        by_topic=topics,
        by_state=states,
        median_days=round(statistics.median(days), 1) if days else None,
        no_show_rate=states['no_show'] / due if due else None,
    )


def when_text(moment: datetime) -> str:
    """A meeting's time as the notices carry it: Baku time, the same in every language."""
    return utc(moment).astimezone(TIMEZONE).strftime('%d.%m.%Y %H:%M')


# -- moves ----------------------------------------------------------------------------------------------------------


async def _give_slot(
    actor: Actor,
    request_id: UUID,
    official_id: UUID | None,
    starts_at: datetime,
    *,
    now: datetime,
    expected: ReceptionState,
) -> RequestView:
    executive_id = desk_of(actor)
    now = utc(now)
    calendar = await get_calendar(executive_id=executive_id)
    slot = slot_at(calendar, starts_at)
    if slot is None:
        raise Invalid(
            'not_a_slot',
            N_('This time is not a reception slot: outside the hours, on a holiday, or not at the start of a slot.'),
            field='starts_at',
        )
    if slot.starts_at <= now:
        raise Invalid('slot_in_past', N_('Choose a time in the future.'), field='starts_at')
    official = await active_official(executive_id, official_id) if official_id is not None else None
    executive = await Organisation.get(id=executive_id)
    try:
        async with in_transaction():
            request = await ReceptionRequest.select_for_update().get_or_none(id=request_id, executive_id=executive_id)
            if request is None:
                raise not_found()
            if request.state is not expected:
                raise wrong_state(request)
            if official is None and request.official_id is None:
                raise Invalid('official_required', N_('Choose who receives the citizen.'), field='official')
            taken = await (
                ReceptionRequest.filter(
                    executive_id=executive_id,
                    state=ReceptionState.SCHEDULED,
                    starts_at__lt=slot.ends_at,
                    ends_at__gt=slot.starts_at,
                )
                .exclude(id=request.id)
                .exists()
            )
            if taken:
                raise _slot_taken()
            moved = request.state is ReceptionState.SCHEDULED
            request.state = ReceptionState.SCHEDULED
            request.official_id = official.id if official else request.official_id
            request.starts_at, request.ends_at = slot.starts_at, slot.ends_at
            request.place = calendar.place
            request.slot_key = f'{executive_id}:{slot.starts_at:%Y%m%dT%H%M%SZ}'
            request.scheduled_at = now
            request.reminded_at = None  # a moved meeting is reminded of again
            await request.save()
            kind = ReceptionEventKind.RESCHEDULED if moved else ReceptionEventKind.SCHEDULED
            await add_step(request, kind, by='executive', note=when_text(slot.starts_at), now=now)
            step = await ReceptionEvent.filter(request_id=request.id).count()
            params = {'executive': executive.name_az, 'when': when_text(slot.starts_at)}
            key = f'reception:{request.id}:{kind.value}:{step}'
            await notify(NewNotice(request.person_id, 'appointment', key, params, LINK, executive_id), now=now)
    except IntegrityError:  # the same slot given at the same moment by someone else: all of this is rolled back
        raise _slot_taken() from None
    await publish(request, executive)
    announce([request.person_id])
    return await load(request.id, for_desk=True)


async def _close(
    actor: Actor, request_id: UUID, move: tuple[ReceptionState, ReceptionState], *, reason: str, now: datetime
) -> RequestView:
    expected, target = move
    executive_id = desk_of(actor)
    now = utc(now)
    told = False
    async with in_transaction():
        request = await ReceptionRequest.select_for_update().get_or_none(id=request_id, executive_id=executive_id)
        if request is None:
            raise not_found()
        if request.state is not expected:
            raise wrong_state(request)
        if target in (ReceptionState.DONE, ReceptionState.NO_SHOW) and (
            request.starts_at is None or utc(request.starts_at) > now
        ):
            raise Invalid('meeting_not_started', N_('This can be marked only once the meeting has started.'))
        close(request, target, now=now, reason=reason)
        await request.save()
        await add_step(request, ReceptionEventKind(target.value), by='executive', note=reason, now=now)
        if target in (ReceptionState.DECLINED, ReceptionState.CANCELLED):
            params = {'number': request.number, 'service': SERVICE_WORD, 'status': STATE_WORDS[target]}
            key = f'reception:{request.id}:{target.value}'
            told = await notify(
                NewNotice(request.person_id, 'application_status', key, params, LINK, executive_id), now=now
            )
    await publish(request)
    if told:
        announce([request.person_id])
    return await load(request.id, for_desk=True)


def _reason(value: str) -> str:
    text = (value or '').replace('\r\n', '\n').strip()
    if not text:
        raise Invalid('reason_required', N_('Please give a reason.'), field='reason')
    if len(text) > REASON_MAX:
        raise Invalid('too_long', N_('At most {limit} characters.'), field='reason', limit=REASON_MAX)
    return text


def _slot_taken() -> Conflict:
    return Conflict(
        'slot_taken', N_('This time has just been given to another citizen. Choose another slot.'), field='starts_at'
    )
