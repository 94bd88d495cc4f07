"""A poll's opening, told to its district: every citizen whose registered place of residence lies in the executive's
region gets the notice "A new poll in your district" (type 15), linking to the poll, in the cabinet and by the
channels they chose for that type.

The ``poll-opening`` job tells each minute of the polls that opened since its last run, so a poll that opens at a later
time is told of when it opens, never before, and creating a poll costs the officer nothing however large the district.
The district is read a page at a time through the residence index and each page's notices are written in one
transaction (``notify_many``: unique keys, ``INSERT … ON CONFLICT DO NOTHING``): a run costs a few queries per page,
never one per citizen, and a run cut short or run twice at once writes nothing twice. The poll is marked told
(``notified_at``) once its whole district is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from tortoise.transactions import in_transaction

from portal.store import residence
from portal.store.notices.outbox import NewNotice, announce, notify_many
from portal.store.orgs import Organisation
from portal.store.participation.models import Poll, PollState

NOTICE_TYPE = 'new_poll'


async def notify_opened(*, now: datetime) -> dict[str, int]:
    """Tell the districts of the open polls not told yet; returns the polls told and the notices written."""
    now = now.astimezone(UTC)  # SQLite compares stored times as text: keep every compared time in UTC
    due = (
        await Poll.filter(state=PollState.OPEN, notified_at=None, opens_at__lte=now, closes_at__gt=now)
        .order_by('opens_at')
        .prefetch_related('executive')
    )
    notices = 0
    for poll in due:
        notices += await _notify_district(poll, poll.executive, now)
        await Poll.filter(id=poll.id, notified_at=None).update(notified_at=now)
    return {'polls': len(due), 'notices': notices}


async def _notify_district(poll: Poll, executive: Organisation, now: datetime) -> int:
    params = {'executive': executive.name_az, 'title': poll.question}
    link = f'/participation/polls/{poll.id}'
    written = 0
    after: UUID | None = None
    while True:
        page = await residence.residents(executive=executive, after=after, limit=residence.PAGE)
        if not page:
            return written
        async with in_transaction():
            told = await notify_many(
                [NewNotice(p, NOTICE_TYPE, f'new-poll:{poll.id}:{p}', params, link, executive.id) for p in page],
                now=now,
            )
        announce(told)
        written += len(told)
        if len(page) < residence.PAGE:
            return written
        after = page[-1]
