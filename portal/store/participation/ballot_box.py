"""Votes that arrive together are written together (group commit, see ``portal.store.grouping``).

Each vote waits for the transaction that holds it: while one group is being written, the votes arriving meanwhile
gather into the next group, so one fsynced commit carries as many votes as came in during the previous one. A vote is
answered only after its group committed, and each vote gets its own answer (an unknown poll, a closed poll, an option
from another poll or a second vote refuses that vote alone).

Uniqueness stays the database's: within a group a citizen's second vote in a poll is refused before writing, votes
already in the database are looked up, and should another process have written the same citizen's vote between that
look-up and the insert, the unique constraint fails the group's transaction and its votes are written again one by
one, each in its own transaction. Either way a participation and its sealed ballot are written in the same
transaction. Each ballot is sealed to the tally key as it is written, and the sealed ballots of a group are
shuffled before they are written.
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
    written = await _check(group)
    if not written:
        return
    try:
        await _insert(written)
    except IntegrityError:  # another process wrote one of these citizens' votes meanwhile
        accepted, written = written, []
        for call in accepted:
            try:
                await _insert([call])
            except IntegrityError:
                call.refuse(Invalid('already_voted', N_('You have voted in this poll already.')))
            else:
                written.append(call)
    for call in written:
        call.answer(None)
    for poll_id in {c.item.poll_id for c in written}:
        live.publish(live.Event(f'poll:{poll_id}', 'poll.participation', {}))


async def _check(group: list[VoteCall]) -> list[VoteCall]:
    """The votes of the group that may be written; the others are answered with their reason."""
    votes = [c.item for c in group]
    poll_ids = {v.poll_id for v in votes}
    polls = {p.id: p for p in await Poll.filter(id__in=poll_ids)}
    options = dict(
        (UUID(str(o)), UUID(str(p)))
        for o, p in await PollOption.filter(id__in={v.option_id for v in votes}).values_list('id', 'poll_id')
    )
    voted = {
        (UUID(str(p)), UUID(str(c)))
        for p, c in await Participation.filter(
            poll_id__in=poll_ids, person_id__in={v.person_id for v in votes}
        ).values_list('poll_id', 'person_id')
    }
    accepted: list[VoteCall] = []
    for call in group:
        vote, poll = call.item, polls.get(call.item.poll_id)
        if poll is None:
            call.refuse(NotFound('poll_not_found', N_('No such poll.')))
        elif poll.state is not PollState.OPEN or vote.now >= poll.closes_at:
            call.refuse(Invalid('poll_closed', N_('This poll is closed.')))
        elif vote.now < poll.opens_at:
            call.refuse(Invalid('poll_not_open', N_('This poll has not opened yet.')))
        elif options.get(vote.option_id) != vote.poll_id:
            call.refuse(Invalid('unknown_option', N_("This option is not one of the poll's."), field='option'))
        elif (vote.poll_id, vote.person_id) in voted:
            call.refuse(Invalid('already_voted', N_('You have voted in this poll already.')))
        else:
            voted.add((vote.poll_id, vote.person_id))
            accepted.append(call)
    return accepted


async def _insert(calls: list[VoteCall]) -> None:
    votes = [c.item for c in calls]
    key = await public_key(now=votes[0].now)
    sealed = [
        SealedBallot(
            id=uuid.UUID(bytes=secrets.token_bytes(16), version=4),
            poll_id=v.poll_id,
            sealed=sealing.seal(v.option_id, key),
        )
        for v in votes
    ]
    _shuffle(sealed)
    async with in_transaction():
        await Participation.bulk_create(
            [
                Participation(
                    id=uuid.uuid4(),
                    poll_id=v.poll_id,
                    person_id=v.person_id,
                    hour=v.now.astimezone(UTC).replace(minute=0, second=0, microsecond=0),
                )
                for v in votes
            ]
        )
        await SealedBallot.bulk_create(sealed)


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
