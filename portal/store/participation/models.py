"""E-participation ("E-iştirakçılıq"): citizens' proposals, local executives' polls, and anonymous votes.

Who voted and what was chosen are kept apart. A ``Participation`` says that a citizen voted in a poll (unique per
poll and citizen). The choice goes into a ``SealedBallot``: no citizen, no time, a random id, and the option sealed
to the tally key, which only the tally job holds. The tally job opens sealed ballots in batches of at least ten (or
all of them when the poll closes), shuffles each batch and writes it as ``Ballot`` rows, which carry only the poll
and the option. Participations = ballots counted + ballots waiting, in every transaction.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

TITLE_MAX = 200
TEXT_MAX = 5_000
OPTION_MAX = 200
REASON_MAX = 1_000


class ProposalState(StrEnum):
    PENDING = 'pending'
    APPROVED = 'approved'  # it became a poll
    REJECTED = 'rejected'
    HIDDEN = 'hidden'  # reported by three citizens: hidden until the executive reviews it


class Proposal(Model):
    id = fields.UUIDField(primary_key=True)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='proposals', on_delete=fields.CASCADE
    )
    person_id: UUID
    executive: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='proposals', on_delete=fields.RESTRICT
    )
    executive_id: UUID
    direction = fields.CharField(max_length=24)
    title = fields.CharField(max_length=TITLE_MAX)
    description = fields.TextField()
    state = fields.CharEnumField(ProposalState, max_length=12, db_index=True)
    reason = fields.CharField(max_length=REASON_MAX, default='')
    reports = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'proposals'
        indexes = (('executive_id', 'state'),)


class ProposalReport(Model):
    id = fields.UUIDField(primary_key=True)
    proposal: fields.ForeignKeyRelation[Proposal] = fields.ForeignKeyField(
        'portal.Proposal', related_name='report_rows', on_delete=fields.CASCADE
    )
    proposal_id: UUID
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='proposal_reports', on_delete=fields.CASCADE
    )
    person_id: UUID
    created_at = fields.DatetimeField()

    class Meta:
        table = 'proposal_reports'
        unique_together = (('proposal', 'person'),)


class PollState(StrEnum):
    OPEN = 'open'  # open from opens_at until closes_at
    CLOSED = 'closed'  # closed at its time, or early with a reason; results frozen


class Poll(Model):
    id = fields.UUIDField(primary_key=True)
    executive: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='polls', on_delete=fields.RESTRICT
    )
    executive_id: UUID
    question = fields.CharField(max_length=TITLE_MAX)
    description = fields.TextField(default='')
    # the citizen's proposal it comes from, or none for the executive's own project
    proposal: fields.ForeignKeyNullableRelation[Proposal] = fields.ForeignKeyField(
        'portal.Proposal', related_name='polls', null=True, on_delete=fields.SET_NULL
    )
    proposal_id: UUID | None
    opens_at = fields.DatetimeField()
    closes_at = fields.DatetimeField(db_index=True)
    state = fields.CharEnumField(PollState, max_length=8, db_index=True)
    # results shown while the poll runs (else only after it closes)
    live_results = fields.BooleanField(default=True)
    closed_at = fields.DatetimeField(null=True)
    closed_reason = fields.CharField(max_length=REASON_MAX, default='')
    outcome = fields.CharField(max_length=24, default='')
    outcome_note = fields.CharField(max_length=REASON_MAX, default='')
    created_at = fields.DatetimeField()
    # when the citizens of the executive's district were told that it opened (null until the opening job ran)
    notified_at = fields.DatetimeField(null=True)

    class Meta:
        table = 'polls'
        indexes = (('executive_id', 'state'),)


class PollOption(Model):
    id = fields.UUIDField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        'portal.Poll', related_name='options', on_delete=fields.CASCADE
    )
    poll_id: UUID
    position = fields.IntField()
    label = fields.CharField(max_length=OPTION_MAX)

    class Meta:
        table = 'poll_options'
        unique_together = (('poll', 'position'),)


class Participation(Model):
    """That a citizen voted in a poll, never what they chose. The hour is kept for the participation chart."""

    id = fields.UUIDField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        'portal.Poll', related_name='participations', on_delete=fields.CASCADE
    )
    poll_id: UUID
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='participations', on_delete=fields.CASCADE
    )
    person_id: UUID
    hour = fields.DatetimeField()

    class Meta:
        table = 'participations'
        unique_together = (('poll', 'person'),)
        # the participation chart groups a poll's votes by hour along this index
        indexes = (('poll_id', 'hour'),)


class SealedBallot(Model):
    """A choice waiting for its batch: a random id, the poll, and the option sealed to the tally key. No citizen, no
    time."""

    id = fields.UUIDField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        'portal.Poll', related_name='sealed_ballots', on_delete=fields.CASCADE
    )
    poll_id: UUID
    sealed = fields.BinaryField()

    class Meta:
        table = 'sealed_ballots'


class Ballot(Model):
    """A counted choice: the poll and the option, written in shuffled batches. No citizen, no time."""

    id = fields.UUIDField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        'portal.Poll', related_name='ballots', on_delete=fields.CASCADE
    )
    poll_id: UUID
    option: fields.ForeignKeyRelation[PollOption] = fields.ForeignKeyField(
        'portal.PollOption', related_name='ballots', on_delete=fields.CASCADE
    )
    option_id: UUID

    class Meta:
        table = 'ballots'
        indexes = (('poll_id', 'option_id'),)


class TallyKey(Model):
    """The public half of the tally key, which ballots are sealed to. The private half is only in the tally job's key
    file, never in the database."""

    name = fields.CharField(max_length=16, primary_key=True)
    public_key = fields.BinaryField()
    created_at = fields.DatetimeField()

    class Meta:
        table = 'tally_keys'
