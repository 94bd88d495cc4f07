"""Polls and anonymous votes: one vote per citizen per poll, the choice sealed apart from the voter, counted in
shuffled batches of at least ten, results shown only from ten counted votes (and only after closing if the executive
chose so).
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from portal import live
from portal.errors import N_, Forbidden, Invalid, NotFound
from portal.store.actors import Actor, Role, organisation_of, require_role
from portal.store.orgs import Organisation, OrgCategory
from portal.store.participation import ballot_box, sealing
from portal.store.participation.models import (
    OPTION_MAX,
    REASON_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Ballot,
    Participation,
    Poll,
    PollOption,
    PollState,
    SealedBallot,
)
from portal.store.workdays import TIMEZONE, local_date

SCOPE_WRITE = 'participation:write'
BATCH_MIN = 10
RESULTS_MIN = 10
OPTIONS_MIN, OPTIONS_MAX = 2, 10
MAX_DURATION = timedelta(days=180)
# the participation chart counts per hour up to this span, per day beyond it
HOURLY_SPAN = timedelta(days=3)
# batch order comes from the operating system's randomness, not from a seedable generator
_shuffle = random.SystemRandom().shuffle


@dataclass(frozen=True)
class OptionView:
    id: UUID
    label: str


@dataclass(frozen=True)
class PollView:
    id: UUID
    executive_code: str
    executive_name: str
    question: str
    description: str
    options: tuple[OptionView, ...]
    opens_at: datetime
    closes_at: datetime
    state: PollState
    live_results: bool
    from_proposal: bool
    closed_reason: str
    outcome: str = ''  # '' | a code of ``outcomes.OUTCOMES``, marked by the executive once closed
    outcome_note: str = ''

    def is_open(self, now: datetime) -> bool:
        return self.state is PollState.OPEN and self.opens_at <= now < self.closes_at


@dataclass(frozen=True)
class Results:
    poll_id: UUID
    participants: int
    counted: int
    waiting: int
    # None while results are withheld (fewer than ten counted votes, or shown only after closing)
    counts: tuple[tuple[OptionView, int], ...] | None
    withheld: str  # '' | 'too_few' | 'after_closing'


@dataclass(frozen=True)
class ParticipationOverTime:
    """How many citizens voted in each hour or day of a poll: counts only, never a voter or a choice."""

    poll_id: UUID
    unit: str  # 'hour' | 'day' (a Baku calendar day)
    # the start of each hour or day (UTC) from the poll's opening until now or its closing, and the votes in it
    points: tuple[tuple[datetime, int], ...]
    participants: int


# -- polls ----------------------------------------------------------------------------------------------------------


async def create_poll(
    *,
    actor: Actor,
    question: str,
    options: list[str],
    opens_at: datetime,
    closes_at: datetime,
    now: datetime,
    description: str = '',
    live_results: bool = True,
    proposal_id: UUID | None = None,
) -> PollView:
    """An executive's poll (its own project, or a citizen's proposal it approved)."""
    executive_id = organisation_of(actor, scope=SCOPE_WRITE, roles=(Role.EXECUTIVE_OFFICER,))
    if not await Organisation.exists(id=executive_id, category=OrgCategory.EXECUTIVE):  # an agency's key holds none
        raise Forbidden('not_an_executive', N_('You are not allowed to do this.'))
    text = _text(question, 'question', TITLE_MAX)
    about = _text(description, 'description', TEXT_MAX, required=False)
    labels = [_text(o, 'options', OPTION_MAX) for o in options] if isinstance(options, list) else []
    if not OPTIONS_MIN <= len(labels) <= OPTIONS_MAX or len(set(labels)) != len(labels):
        raise Invalid('invalid_options', N_('Give from 2 to 10 different options.'), field='options')
    if closes_at <= opens_at or closes_at <= now or closes_at - opens_at > MAX_DURATION:
        raise Invalid(
            'invalid_period', N_('A poll closes after it opens, in the future, within 180 days.'), field='closes_at'
        )
    # SQLite compares stored times as text: the jobs find polls opening and closing only among times kept in UTC
    opens_at, closes_at = opens_at.astimezone(UTC), closes_at.astimezone(UTC)
    async with in_transaction():
        poll = await Poll.create(
            executive_id=executive_id,
            question=text,
            description=about,
            proposal_id=proposal_id,
            opens_at=opens_at,
            closes_at=closes_at,
            state=PollState.OPEN,
            live_results=live_results,
            created_at=now,
        )
        for position, label in enumerate(labels):
            await PollOption.create(poll_id=poll.id, position=position, label=label)
    return await get_poll(poll_id=poll.id)


async def get_poll(*, poll_id: UUID) -> PollView:
    """Polls are public."""
    poll = await Poll.get_or_none(id=poll_id).prefetch_related('executive')
    if poll is None:
        raise NotFound('poll_not_found', N_('No such poll.'))
    options = await PollOption.filter(poll_id=poll.id).order_by('position')
    return _view(poll, options)


async def list_polls(
    *, executive_code: str | None = None, open_only: bool = False, now: datetime | None = None
) -> list[PollView]:
    query = Poll.all()
    if executive_code:
        query = query.filter(executive__code=executive_code.strip().upper())
    if open_only:
        query = query.filter(state=PollState.OPEN)
        if now is not None:  # past its closing time, a poll is closed even before the closing job ran
            query = query.filter(closes_at__gt=now)
    polls = await query.order_by('closes_at').prefetch_related('executive')
    options = await PollOption.filter(poll_id__in=[p.id for p in polls]).order_by('position')
    return [_view(p, [o for o in options if o.poll_id == p.id]) for p in polls]


# -- voting ---------------------------------------------------------------------------------------------------------


async def cast_vote(*, actor: Actor, poll_id: UUID, option_id: UUID, now: datetime) -> None:
    """One vote: the participation (who) and the sealed ballot (what) in one transaction; a second vote by the same
    citizen is refused by the database's unique constraint, however many arrive at once. Votes arriving together are
    written together (see ``ballot_box``). Nothing returned or logged carries the choice."""
    me = require_role(actor, Role.CITIZEN)
    try:
        option_id = option_id if isinstance(option_id, UUID) else UUID(str(option_id))
        poll_id = poll_id if isinstance(poll_id, UUID) else UUID(str(poll_id))
    except ValueError:
        raise Invalid('unknown_option', N_("This option is not one of the poll's."), field='option') from None
    await ballot_box.put(poll_id=poll_id, option_id=option_id, person_id=me.person_id, now=now)


async def has_voted(*, actor: Actor, poll_id: UUID) -> bool:
    me = require_role(actor, Role.CITIZEN)
    return await Participation.exists(poll_id=poll_id, person_id=me.person_id)


# -- counting -------------------------------------------------------------------------------------------------------


async def tally(*, now: datetime, key_file: Path | None = None) -> dict[str, int]:
    """Open the waiting ballots of each poll with at least ten waiting (all of them for a poll that is closing or
    closed), shuffle each batch and count it; one transaction per poll, so a crash leaves every ballot either waiting
    or counted."""
    private = sealing.load_or_create_private_key(key_file or ballot_box.tally_key_file())
    waiting = SealedBallot.all().annotate(n=Count('id')).group_by('poll_id').values_list('poll_id', 'n')
    per_poll = {UUID(str(poll_id)): int(n) for poll_id, n in await waiting}
    closing = set(
        UUID(str(i)) for i in await Poll.filter(id__in=list(per_poll), closes_at__lte=now).values_list('id', flat=True)
    )
    closing |= set(
        UUID(str(i))
        for i in await Poll.filter(id__in=list(per_poll), state=PollState.CLOSED).values_list('id', flat=True)
    )
    counted = batches = 0
    for waiting_poll, count in per_poll.items():
        if count < BATCH_MIN and waiting_poll not in closing:
            continue
        counted += await _count_batch(waiting_poll, private)
        batches += 1
        live.publish(live.Event(f'poll:{waiting_poll}', 'poll.results', {}))
    return {'batches': batches, 'ballots': counted}


async def _count_batch(poll_id: UUID, private: X25519PrivateKey) -> int:
    async with in_transaction():
        rows = await SealedBallot.select_for_update().filter(poll_id=poll_id)
        options = [sealing.open_sealed(bytes(r.sealed), private) for r in rows]
        _shuffle(options)
        await Ballot.bulk_create(
            [
                Ballot(id=uuid.UUID(bytes=secrets.token_bytes(16), version=4), poll_id=poll_id, option_id=o)
                for o in options
            ]
        )
        await SealedBallot.filter(id__in=[r.id for r in rows]).delete()
    return len(options)


async def close_due(*, now: datetime, key_file: Path | None = None) -> int:
    """Close the polls whose time has come: count every waiting ballot, then freeze."""
    due = await Poll.filter(state=PollState.OPEN, closes_at__lte=now).values_list('id', flat=True)
    for poll_id in due:
        await Poll.filter(id=poll_id, state=PollState.OPEN).update(state=PollState.CLOSED, closed_at=now)
    if due:
        await tally(now=now, key_file=key_file)
    return len(due)


async def close_early(*, actor: Actor, poll_id: UUID, reason: str, now: datetime) -> PollView:
    executive_id = organisation_of(actor, scope=SCOPE_WRITE, roles=(Role.EXECUTIVE_OFFICER,))
    text = _text(reason, 'reason', REASON_MAX)
    done = await Poll.filter(id=poll_id, executive_id=executive_id, state=PollState.OPEN).update(
        state=PollState.CLOSED, closed_at=now, closed_reason=text
    )
    if not done:
        if await Poll.exists(id=poll_id, executive_id=executive_id):
            raise Invalid('poll_closed', N_('This poll is closed.'))
        raise NotFound('poll_not_found', N_('No such poll.'))
    live.publish(live.Event(f'poll:{poll_id}', 'poll.closed', {}))
    return await get_poll(poll_id=poll_id)


async def results(*, poll_id: UUID, now: datetime) -> Results:
    """Public results: counts per option once ten votes are counted (and, if so chosen, once the poll closed)."""
    view = await get_poll(poll_id=poll_id)
    participants = await Participation.filter(poll_id=poll_id).count()
    waiting = await SealedBallot.filter(poll_id=poll_id).count()
    rows = (
        await Ballot.filter(poll_id=poll_id).annotate(n=Count('id')).group_by('option_id').values_list('option_id', 'n')
    )
    tally_ = {UUID(str(option_id)): int(n) for option_id, n in rows}
    counted = sum(tally_.values())
    closed = view.state is PollState.CLOSED or now >= view.closes_at
    if counted < RESULTS_MIN:
        return Results(poll_id, participants, counted, waiting, None, 'too_few')
    if not view.live_results and not closed:
        return Results(poll_id, participants, counted, waiting, None, 'after_closing')
    return Results(poll_id, participants, counted, waiting, tuple((o, tally_.get(o.id, 0)) for o in view.options), '')


async def participation_over_time(*, actor: Actor, poll_id: UUID, now: datetime) -> ParticipationOverTime:
    """Votes per hour (over up to three days) or per day of one of the executive's own polls, from its opening until
    now or its closing; another executive's poll is not found. One GROUP BY over the participations' hours."""
    executive_id = organisation_of(actor, scope=SCOPE_WRITE, roles=(Role.EXECUTIVE_OFFICER,))
    try:
        poll_id = poll_id if isinstance(poll_id, UUID) else UUID(str(poll_id))
    except ValueError:
        raise NotFound('poll_not_found', N_('No such poll.')) from None
    poll = await Poll.get_or_none(id=poll_id, executive_id=executive_id)
    if poll is None:
        raise NotFound('poll_not_found', N_('No such poll.'))
    rows = await Participation.filter(poll_id=poll.id).annotate(n=Count('id')).group_by('hour').values_list('hour', 'n')
    per_hour: Counter[datetime] = Counter()
    for hour, n in rows:
        per_hour[_utc(hour)] += int(n)
    start = poll.opens_at.astimezone(UTC)
    end = min(now, poll.closed_at or poll.closes_at, poll.closes_at).astimezone(UTC)
    if per_hour:  # every counted hour is shown, whatever ``now`` the caller gave
        start, end = min(start, *per_hour), max(end, *per_hour)
    if end < start:
        return ParticipationOverTime(poll.id, 'hour', (), 0)
    unit = 'hour' if end - start <= HOURLY_SPAN else 'day'
    counts: Counter[datetime] = Counter()
    for hour, n in per_hour.items():
        counts[_bucket(hour, unit)] += n
    points = tuple((at, counts.get(at, 0)) for at in _buckets(_bucket(start, unit), _bucket(end, unit), unit))
    return ParticipationOverTime(poll.id, unit, points, sum(per_hour.values()))


# -- helpers --------------------------------------------------------------------------------------------------------


def _text(value: object, field: str, limit: int, *, required: bool = True) -> str:
    text = ' '.join(str(value or '').split()) if field != 'description' else str(value or '').strip()
    if required and not text:
        raise Invalid('required', N_('This field is required.'), field=field)
    if len(text) > limit:
        raise Invalid('too_long', N_('At most {limit} characters.'), field=field, limit=limit)
    return text


def _view(poll: Poll, options: list[PollOption]) -> PollView:
    executive: Organisation = poll.executive
    return PollView(
        id=poll.id,
        executive_code=executive.code,
        executive_name=executive.name_az,
        question=poll.question,
        description=poll.description,
        options=tuple(OptionView(o.id, o.label) for o in options),
        opens_at=poll.opens_at,
        closes_at=poll.closes_at,
        state=poll.state,
        live_results=poll.live_results,
        from_proposal=poll.proposal_id is not None,
        closed_reason=poll.closed_reason,
        outcome=poll.outcome,
        outcome_note=poll.outcome_note,
    )


def _utc(value: datetime | str) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _bucket(moment: datetime, unit: str) -> datetime:
    """The start of the hour, or of the Baku day, that a moment falls in (UTC)."""
    if unit == 'hour':
        return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return datetime.combine(local_date(moment), time(), TIMEZONE).astimezone(UTC)


def _buckets(first: datetime, last: datetime, unit: str) -> list[datetime]:
    if unit == 'hour':
        return [first + timedelta(hours=i) for i in range(int((last - first) / timedelta(hours=1)) + 1)]
    day, until = local_date(first), local_date(last)
    return [
        datetime.combine(day + timedelta(days=i), time(), TIMEZONE).astimezone(UTC)
        for i in range((until - day).days + 1)
    ]
