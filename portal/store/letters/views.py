"""What the faces get of a letter: plain views, built from the tables, with the clock worked out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from portal.db import uuid_of
from portal.store.letters.models import (
    OPEN_STATUSES,
    ActorKind,
    Attachment,
    Direction,
    EventKind,
    Letter,
    LetterEvent,
    LetterStatus,
)
from portal.store.orgs import Organisation
from portal.store.people import Person
from portal.store.workdays import local_date


@dataclass(frozen=True)
class OrgRef:
    id: UUID
    code: str
    name_az: str
    name_en: str | None

    def display_name(self, lang: str) -> str:
        return self.name_en if lang == 'en' and self.name_en else self.name_az


@dataclass(frozen=True)
class AttachmentView:
    id: UUID
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class EventView:
    kind: EventKind
    actor_kind: ActorKind
    # an officer's or integration's name: filled for the organisation's side only
    actor_name: str
    note: str
    organisation: OrgRef | None
    other_organisation: OrgRef | None
    created_at: datetime


@dataclass(frozen=True)
class Signer:
    full_name: str
    method: str
    signed_at: datetime


@dataclass(frozen=True)
class LetterSummary:
    """A row of a folder or a queue."""

    id: UUID
    direction: Direction
    status: LetterStatus
    title: str
    organisation: OrgRef | None
    citizen_name: str
    citizen_fin: str
    delivered_at: datetime | None
    due_on: date | None
    investigation: bool
    overdue: bool
    # an outbound letter the citizen has not opened yet
    unread: bool
    # the letter this one answers (outbound answers only)
    reply_to_id: UUID | None
    forwarded_from: OrgRef | None
    created_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class LetterView:
    summary: LetterSummary
    body: str
    attachments: list[AttachmentView]
    signer: Signer | None
    forward_due_on: date | None
    investigation_reason: str
    closing_note: str
    # where the letter went on: the copy's id and the organisation it went to
    forwarded_to_id: UUID | None
    forwarded_to: OrgRef | None
    # the answer (an outbound letter) of an answered inbound letter
    answer: LetterView | None
    timeline: list[EventView]
    # the signed original, for a forwarded copy (attachments and signature are the original's)
    origin_id: UUID | None
    read_at: datetime | None

    @property
    def id(self) -> UUID:
        return self.summary.id

    @property
    def status(self) -> LetterStatus:
        return self.summary.status


def org_ref(org: Organisation | None) -> OrgRef | None:
    if org is None:
        return None
    return OrgRef(id=org.id, code=org.code, name_az=org.name_az, name_en=org.name_en)


def is_overdue(letter: Letter, today: date) -> bool:
    return _overdue(letter.direction, letter.status, letter.due_on, today)


def _overdue(direction: Direction, status: LetterStatus, due_on: date | None, today: date) -> bool:
    return direction is Direction.INBOUND and status in OPEN_STATUSES and due_on is not None and today > due_on


def answered_late(letter: Letter) -> bool:
    return (
        letter.status is LetterStatus.ANSWERED
        and letter.due_on is not None
        and letter.closed_at is not None
        and local_date(letter.closed_at) > letter.due_on
    )


def summary(letter: Letter, *, today: date, forwarded_from: Organisation | None = None) -> LetterSummary:
    """``letter`` with ``organisation`` and ``person`` fetched."""
    person: Person = letter.person
    return LetterSummary(
        id=letter.id,
        direction=Direction(letter.direction),
        status=LetterStatus(letter.status),
        title=letter.title,
        organisation=org_ref(letter.organisation),
        citizen_name=person.full_name,
        citizen_fin=person.fin,
        delivered_at=letter.delivered_at,
        due_on=letter.due_on,
        investigation=bool(letter.investigation_reason),
        overdue=is_overdue(letter, today),
        unread=letter.direction is Direction.OUTBOUND and letter.read_at is None,
        reply_to_id=letter.reply_to_id,
        forwarded_from=org_ref(forwarded_from),
        created_at=letter.created_at,
        closed_at=letter.closed_at,
    )


def summary_of_row(row: Mapping[str, Any], *, today: date) -> LetterSummary:
    """A list's row as the database gives it (``listing._SUMMARY_ROWS``), made the summary ``summary`` makes of the
    letter: the same types, each moment aware in the ORM's time zone."""
    direction, status, due_on = Direction(row['direction']), LetterStatus(row['status']), _day(row['due_on'])
    return LetterSummary(
        id=uuid_of(row['id']),
        direction=direction,
        status=status,
        title=row['title'],
        organisation=_joined_org(row, 'organisation'),
        citizen_name=f'{row["first_name"]} {row["last_name"]}',
        citizen_fin=row['fin'],
        delivered_at=_moment(row['delivered_at']),
        due_on=due_on,
        investigation=bool(row['investigation_reason']),
        overdue=_overdue(direction, status, due_on, today),
        unread=direction is Direction.OUTBOUND and row['read_at'] is None,
        reply_to_id=None if row['reply_to_id'] is None else uuid_of(row['reply_to_id']),
        forwarded_from=_joined_org(row, 'previous_organisation'),
        created_at=_moment(row['created_at']),
        closed_at=_moment(row['closed_at']),
    )


def _joined_org(row: Mapping[str, Any], prefix: str) -> OrgRef | None:
    org_id = row[f'{prefix}_id']
    if org_id is None:
        return None
    code, name_az, name_en = row[f'{prefix}_code'], row[f'{prefix}_name_az'], row[f'{prefix}_name_en']
    return OrgRef(id=uuid_of(org_id), code=code, name_az=name_az, name_en=name_en)


# as the ORM reads them: PostgreSQL's driver gives dates and datetimes, SQLite the text the ORM wrote; a moment comes
# back aware, in the ORM's time zone
_moment = Letter._meta.fields_map['created_at'].to_python_value
_day = Letter._meta.fields_map['due_on'].to_python_value


def attachment_view(a: Attachment) -> AttachmentView:
    return AttachmentView(id=a.id, filename=a.filename, content_type=a.content_type, size=a.size, sha256=a.sha256)


def event_view(e: LetterEvent, organisation: Organisation | None, *, with_names: bool) -> EventView:
    return EventView(
        kind=EventKind(e.kind),
        actor_kind=ActorKind(e.actor_kind),
        actor_name=e.actor_name if with_names else '',
        note=e.note,
        organisation=org_ref(organisation),
        other_organisation=org_ref(e.other_organisation),
        created_at=e.created_at,
    )
