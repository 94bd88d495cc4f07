"""Votes that arrive together are written together (group commit, see ``portal.store.grouping``).

Each vote waits for the transaction that holds it: while one group is being written, the votes arriving meanwhile
gather into the next group, so one fsynced commit carries as many votes as came in during the previous one. A vote is
answered only after its group committed, and each vote gets its own answer (an unknown poll, a closed poll, an option
from another poll or a second vote refuses that vote alone).

Uniqueness stays the database's: within a group a citizen's second vote in a poll is refused before writing; the
group's participations are inserted skipping any that the unique constraint on (poll, citizen) already holds (written
earlier, or meanwhile by another process), and only the votes whose participation was inserted get their sealed
ballot, in the same transaction; the others are refused as a second vote. Each ballot is sealed to the tally key as
it is written, and the sealed ballots of a group are shuffled before they are written.
"""

from __future__ import annotations

import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from portal import live
from portal.db import in_list, select, uuid_of
from portal.errors import N_, Invalid, NotFound
from portal.store.grouping import Call, Grouped
from portal.store.participation import sealing
from portal.store.participation.models import Participation, Poll, PollOption, PollState, SealedBallot, TallyKey

GROUP_MAX = 500
KEY_NAME = 'current'
_shuffle = random.SystemRandom().shuffle


@dataclass(frozen=True)
class Vote:
    poll_id: UUID
    option_id: UUID
    person_id: UUID
    now: datetime


VoteCall = Call[Vote, None]


async def _write_group(group: list[VoteCall]) -> None:
    accepted = await _check(group)
    if not accepted:
        return
    written = await _insert(accepted)
    for call in accepted:
        if call in written:
            call.answer(None)
        else:  # another request or process wrote this citizen's vote first
            call.refuse(Invalid('already_voted', N_('You have voted in this poll already.')))
    for poll_id in {c.item.poll_id for c in written}:
        live.publish(live.Event(f'poll:{poll_id}', 'poll.participation', {}))


async def _check(group: list[VoteCall]) -> list[VoteCall]:
    """The votes of the group that may be written; the others are answered with their reason. Whether a citizen
    voted before is the database's to say, when the group is written."""
    votes = [c.item for c in group]
    # each option with its poll's state, in one statement; a poll none of whose options came is read on its own
    polls: dict[UUID, tuple[PollState, datetime, datetime]] = {}
    options: dict[UUID, UUID] = {}
    moment = Poll._meta.fields_map['opens_at'].to_python_value  # as the ORM reads a moment
    option_ids = list({str(v.option_id) for v in votes})
    for row in await select(_OPTIONS.format(ids=in_list(len(option_ids))), option_ids):
        options[uuid_of(row['option_id'])] = of_poll = uuid_of(row['poll_id'])
        polls[of_poll] = (PollState(row['state']), moment(row['opens_at']), moment(row['closes_at']))
    unread = {v.poll_id for v in votes} - polls.keys()
    if unread:
        for poll_id, state, opens_at, closes_at in await Poll.filter(id__in=unread).values_list(
            'id', 'state', 'opens_at', 'closes_at'
        ):
            polls[uuid_of(poll_id)] = (PollState(state), opens_at, closes_at)
    seen: set[tuple[UUID, UUID]] = set()
    accepted: list[VoteCall] = []
    for call in group:
        vote, poll = call.item, polls.get(call.item.poll_id)
        if poll is None:
            call.refuse(NotFound('poll_not_found', N_('No such poll.')))
        elif poll[0] is not PollState.OPEN or vote.now >= poll[2]:
            call.refuse(Invalid('poll_closed', N_('This poll is closed.')))
        elif vote.now < poll[1]:
            call.refuse(Invalid('poll_not_open', N_('This poll has not opened yet.')))
        elif options.get(vote.option_id) != vote.poll_id:
            call.refuse(Invalid('unknown_option', N_("This option is not one of the poll's."), field='option'))
        elif (vote.poll_id, vote.person_id) in seen:
            call.refuse(Invalid('already_voted', N_('You have voted in this poll already.')))
        else:
            seen.add((vote.poll_id, vote.person_id))
            accepted.append(call)
    return accepted


async def _insert(calls: list[VoteCall]) -> set[VoteCall]:
    """Write the participations a citizen does not have yet and, in the same transaction, a sealed ballot for each of
    them; the calls whose vote was written."""
    # in (poll, citizen) order: concurrent groups take the unique index's locks in one order (no deadlock on
    # PostgreSQL), and the order of arrival is not kept
    calls = sorted(calls, key=lambda c: (c.item.poll_id, c.item.person_id))
    key = await public_key(now=calls[0].item.now)
    ids = {uuid.uuid4(): call for call in calls}
    async with in_transaction():
        await Participation.bulk_create(
            [
                Participation(
                    id=id_,
                    poll_id=call.item.poll_id,
                    person_id=call.item.person_id,
                    hour=call.item.now.astimezone(UTC).replace(minute=0, second=0, microsecond=0),
                )
                for id_, call in ids.items()
            ],
            ignore_conflicts=True,  # a citizen who has voted already keeps their one participation
        )
        inserted = [str(i) for i in ids]
        written = {ids[uuid_of(row['id'])] for row in await select(_WRITTEN.format(ids=in_list(len(ids))), inserted)}
        votes = [c.item for c in calls if c in written]
        if votes:
            sealed = [
                SealedBallot(id=uuid.UUID(bytes=secrets.token_bytes(16), version=4), poll_id=v.poll_id, sealed=s)
                for v, s in zip(votes, sealing.seal_many([v.option_id for v in votes], key), strict=True)
            ]
            _shuffle(sealed)
            await SealedBallot.bulk_create(sealed)
    return written


# the statements a group runs on every vote, written out: assembling them through the ORM cost more than running them
_OPTIONS = (
    'SELECT o.id AS option_id, o.poll_id, p.state, p.opens_at, p.closes_at '
    f'FROM {PollOption._meta.db_table} o JOIN {Poll._meta.db_table} p ON p.id = o.poll_id WHERE o.id IN ({{ids}})'
)
_WRITTEN = f'SELECT id FROM {Participation._meta.db_table} WHERE id IN ({{ids}})'


# -- the tally key --------------------------------------------------------------------------------------------------


async def public_key(*, now: datetime, key_file: Path | None = None) -> bytes:
    """The key ballots are sealed to; created (with its private file) the first time, where the file is at hand."""
    row = await TallyKey.get_or_none(name=KEY_NAME)
    if row is not None:
        return bytes(row.public_key)
    private = sealing.load_or_create_private_key(key_file or tally_key_file())
    try:
        await TallyKey.create(name=KEY_NAME, public_key=sealing.public_bytes(private), created_at=now)
    except IntegrityError:
        pass  # created by another process meanwhile
    return bytes((await TallyKey.get(name=KEY_NAME)).public_key)


def tally_key_file() -> Path:
    from portal.config import get_settings

    return get_settings().tally_key_file


async def put(*, poll_id: UUID, option_id: UUID, person_id: UUID, now: datetime) -> None:
    """Hand in one vote; returns once it is written (or raises why it was refused)."""
    await _box(Vote(poll_id, option_id, person_id, now))


_box: Grouped[Vote, None] = Grouped(_write_group, name='ballot box', largest=GROUP_MAX)
