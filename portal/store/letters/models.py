"""Official letters ("Dövlət qurumlarına rəsmi məktub"): the tables and the state machine.

A letter goes one way: from a citizen to an organisation (``inbound``: signed by the citizen, with a legal answer
deadline) or from an organisation to a citizen (``outbound``: into the citizen's "Gələn" folder; an answer is an
outbound letter that replies to an inbound one). A citizen's letter is a draft until it is signed; forwarding
makes a copy addressed to the other organisation, which keeps its own clock and points at the signed original.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from tortoise import fields
from tortoise.models import Model

from portal.errors import N_

TITLE_MAX = 200
BODY_MAX = 20_000
NOTE_MAX = 2_000
FILENAME_MAX = 160


class Direction(StrEnum):
    INBOUND = 'inbound'  # citizen → organisation
    OUTBOUND = 'outbound'  # organisation → citizen


class LetterStatus(StrEnum):
    DRAFT = 'draft'
    SENT = 'sent'
    RECEIVED = 'received'
    UNDER_REVIEW = 'under_review'
    ANSWERED = 'answered'
    FORWARDED = 'forwarded'
    REJECTED = 'rejected'


# the legal moves of an inbound letter; the agency's desk and its API follow the same table
TRANSITIONS: dict[LetterStatus, frozenset[LetterStatus]] = {
    LetterStatus.DRAFT: frozenset({LetterStatus.SENT}),
    LetterStatus.SENT: frozenset(
        {
            LetterStatus.RECEIVED,
            LetterStatus.UNDER_REVIEW,
            LetterStatus.ANSWERED,
            LetterStatus.FORWARDED,
            LetterStatus.REJECTED,
        }
    ),
    LetterStatus.RECEIVED: frozenset(
        {LetterStatus.UNDER_REVIEW, LetterStatus.ANSWERED, LetterStatus.FORWARDED, LetterStatus.REJECTED}
    ),
    LetterStatus.UNDER_REVIEW: frozenset({LetterStatus.ANSWERED, LetterStatus.FORWARDED, LetterStatus.REJECTED}),
    LetterStatus.ANSWERED: frozenset(),
    LetterStatus.FORWARDED: frozenset(),
    LetterStatus.REJECTED: frozenset(),
}
# the words a status is shown with (msgids), on pages and in notices alike
STATUS_WORDS: dict[LetterStatus, str] = {
    LetterStatus.DRAFT: N_('draft'),
    LetterStatus.SENT: N_('sent'),
    LetterStatus.RECEIVED: N_('accepted'),  # 'received' is taken: a power of attorney received
    LetterStatus.UNDER_REVIEW: N_('under review'),
    LetterStatus.ANSWERED: N_('answered'),
    LetterStatus.FORWARDED: N_('forwarded'),
    LetterStatus.REJECTED: N_('rejected'),
}
OPEN_STATUSES = frozenset({LetterStatus.SENT, LetterStatus.RECEIVED, LetterStatus.UNDER_REVIEW})
CLOSED_STATUSES = frozenset({LetterStatus.ANSWERED, LetterStatus.FORWARDED, LetterStatus.REJECTED})


class EventKind(StrEnum):
    """One step of a letter's timeline."""

    SENT = 'sent'
    RECEIVED = 'received'
    UNDER_REVIEW = 'under_review'
    INVESTIGATION = 'investigation'
    ANSWERED = 'answered'
    FORWARDED = 'forwarded'
    REJECTED = 'rejected'
    READ = 'read'


class ActorKind(StrEnum):
    """Who took a step, as the citizen sees it (a role, never an officer's account)."""

    CITIZEN = 'citizen'
    OFFICER = 'officer'
    INTEGRATION = 'integration'
    SYSTEM = 'system'


# Azerbaijani (and Turkish) casing: dotted İ lowers to i, dotless I to ı; Python's lower() knows neither rule
_TURKIC_LOWER = str.maketrans({'İ': 'i', 'I': 'ı'})


def search_key(*texts: str) -> str:
    """Texts as they are searched: lower case by Azerbaijani rules, on both databases (SQLite's LIKE only folds
    ASCII letters)."""
    return ' '.join(t.translate(_TURKIC_LOWER).lower() for t in texts if t)


class Letter(Model):
    id = fields.UUIDField(primary_key=True)
    direction = fields.CharEnumField(Direction, max_length=16)
    person: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        'portal.Person', related_name='letters', on_delete=fields.RESTRICT
    )
    person_id: UUID
    # the addressee of an inbound letter, the sender of an outbound one (null only on a draft not yet addressed)
    organisation: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='letters', null=True, on_delete=fields.RESTRICT
    )
    organisation_id: UUID | None
    title = fields.CharField(max_length=TITLE_MAX, default='')
    body = fields.TextField(default='')
    # the title and the text as searched (``search_key``), kept with every write of either
    search_text = fields.TextField(default='')
    status = fields.CharEnumField(LetterStatus, max_length=16)
    # the signed original a forwarded copy continues (its signature and attachments live there)
    origin: fields.ForeignKeyNullableRelation[Letter] = fields.ForeignKeyField(
        'portal.Letter', related_name='copies', null=True, on_delete=fields.RESTRICT
    )
    origin_id: UUID | None
    # an outbound letter that answers an inbound one
    reply_to: fields.ForeignKeyNullableRelation[Letter] = fields.ForeignKeyField(
        'portal.Letter', related_name='replies', null=True, on_delete=fields.RESTRICT
    )
    reply_to_id: UUID | None
    # the signature of an inbound original: the exact bytes the device signed, the key it was checked against
    signed_method = fields.CharField(max_length=16, null=True)
    signed_digest = fields.CharField(max_length=64, null=True)
    signed_message = fields.BinaryField(null=True)
    signature = fields.BinaryField(null=True)
    signer_key = fields.BinaryField(null=True)
    signed_at = fields.DatetimeField(null=True)
    # the clock: when it reached the organisation, and the last days to forward and to answer (Baku dates)
    delivered_at = fields.DatetimeField(null=True, db_index=True)
    # the days (in Baku) it reached the organisation and was closed: what the statistics count by
    delivered_on = fields.DateField(null=True)
    closed_on = fields.DateField(null=True)
    forward_due_on = fields.DateField(null=True)
    due_on = fields.DateField(null=True)
    investigation_reason = fields.CharField(max_length=NOTE_MAX, default='')
    # the outcome: an answer letter, a copy at the other organisation, or the reason of a rejection
    answer: fields.ForeignKeyNullableRelation[Letter] = fields.ForeignKeyField(
        'portal.Letter', related_name='answered', null=True, on_delete=fields.RESTRICT
    )
    answer_id: UUID | None
    # looked up backwards too (which leg came before this one): indexed
    forwarded_to: fields.ForeignKeyNullableRelation[Letter] = fields.ForeignKeyField(
        'portal.Letter', related_name='forwarded_from', null=True, on_delete=fields.RESTRICT, db_index=True
    )
    forwarded_to_id: UUID | None
    closing_note = fields.CharField(max_length=NOTE_MAX, default='')
    closed_at = fields.DatetimeField(null=True)
    # the citizen opened an outbound letter (the inbox's unread count)
    read_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = 'letters'
        indexes = (
            ('person_id', 'direction', 'status'),
            ('organisation_id', 'direction', 'status'),
            ('organisation_id', 'due_on'),
            # an organisation's incoming queue, nearest deadline first: its outbound letters (no deadline) are not
            # walked through on the way to the first page
            ('organisation_id', 'direction', 'due_on'),
        )


class LetterEvent(Model):
    id = fields.UUIDField(primary_key=True)
    letter: fields.ForeignKeyRelation[Letter] = fields.ForeignKeyField(
        'portal.Letter', related_name='events', on_delete=fields.CASCADE
    )
    letter_id: UUID
    kind = fields.CharEnumField(EventKind, max_length=16)
    actor_kind = fields.CharEnumField(ActorKind, max_length=16)
    # an officer's or integration's name, shown on the agency's side only
    actor_name = fields.CharField(max_length=160, default='')
    note = fields.CharField(max_length=NOTE_MAX, default='')
    # the other organisation of a forwarding step
    other_organisation: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        'portal.Organisation', related_name='letter_events', null=True, on_delete=fields.RESTRICT
    )
    other_organisation_id: UUID | None
    created_at = fields.DatetimeField()

    class Meta:
        table = 'letter_events'
        indexes = (('letter_id', 'created_at'),)


class Attachment(Model):
    id = fields.UUIDField(primary_key=True)
    letter: fields.ForeignKeyRelation[Letter] = fields.ForeignKeyField(
        'portal.Letter', related_name='attachments', on_delete=fields.RESTRICT
    )
    letter_id: UUID
    position = fields.IntField()
    # the name the sender gave, checked (no path parts, no control characters); never used on disk
    filename = fields.CharField(max_length=FILENAME_MAX)
    content_type = fields.CharField(max_length=100)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    # random, unrelated to the filename
    storage_name = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = 'letter_attachments'
        unique_together = (('letter', 'position'),)
