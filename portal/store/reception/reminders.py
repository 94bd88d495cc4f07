"""The reminder of the day before: a citizen whose meeting is tomorrow (Baku date) gets an ``appointment`` notice.

A request is reminded of once per meeting time: ``reminded_at`` is claimed with a conditional update (two schedulers
running at once remind once), the notice's key names the request and the time, and moving the meeting clears
``reminded_at`` so the new time is reminded of again.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from tortoise.transactions import in_transaction

from portal.store.notices.outbox import NewNotice, announce, notify
from portal.store.reception.common import add_step, publish, utc
from portal.store.reception.desk import LINK, when_text
from portal.store.reception.models import ReceptionEventKind, ReceptionRequest, ReceptionState
from portal.store.workdays import TIMEZONE, local_date

BATCH = 500


async def remind_tomorrow(*, now: datetime) -> int:
    """Remind the citizens whose meetings are tomorrow and who were not reminded yet; returns how many."""
    now = utc(now)
    tomorrow = local_date(now) + timedelta(days=1)
    start = utc(datetime.combine(tomorrow, time(0), TIMEZONE))
    end = utc(datetime.combine(tomorrow + timedelta(days=1), time(0), TIMEZONE))
    due = (
        await ReceptionRequest.filter(
            state=ReceptionState.SCHEDULED, reminded_at__isnull=True, starts_at__gte=start, starts_at__lt=end
        )
        .prefetch_related('executive')
        .order_by('starts_at')
        .limit(BATCH)
    )
    reminded = 0
    for request in due:
        assert request.starts_at is not None
        async with in_transaction():
            won = await ReceptionRequest.filter(
                id=request.id, state=ReceptionState.SCHEDULED, reminded_at__isnull=True, starts_at=request.starts_at
            ).update(reminded_at=now)
            if not won:  # moved, cancelled or reminded by a twin run meanwhile
                continue
            await add_step(request, ReceptionEventKind.REMINDED, by='portal', note='', now=now)
            key = f'reception-reminder:{request.id}:{utc(request.starts_at):%Y%m%dT%H%M%SZ}'
            params = {'executive': request.executive.name_az, 'when': when_text(request.starts_at)}
            await notify(NewNotice(request.person_id, 'appointment', key, params, LINK, request.executive_id), now=now)
        reminded += 1
        await publish(request, request.executive)
        announce([request.person_id])
    return reminded
