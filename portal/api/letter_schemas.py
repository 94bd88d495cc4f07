"""The letters API's bodies: what integrators send (``…In``) and get back (``…Out``), built from store views."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from portal.errors import N_, Invalid
from portal.store.letters import (
    AttachmentView,
    Direction,
    EventView,
    LetterStatus,
    LetterSummary,
    LetterView,
    SignatureState,
    Upload,
)
from portal.store.letters.models import ActorKind, EventKind
from portal.store.letters.views import OrgRef, Signer

# --- input ----------------------------------------------------------------------------------------------------------


class AttachmentIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    filename: str = Field(description='The name shown to the reader; no folders, no control characters')
    content_base64: str = Field(
        description='The file in standard base64 (no line breaks): a PDF, JPEG, PNG or DOCX of at most 10 MB'
    )


class LetterStatusIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    status: Literal['received', 'under_review', 'rejected'] = Field(
        description='Answer and forward a letter with their own requests'
    )
    reason: str = Field(default='', description='A note on the step; required (the citizen reads it) for `rejected`')
    investigation_reason: str = Field(
        default='',
        description='With `under_review`: an investigation is needed, and the deadline becomes 30 working days',
    )

    @field_validator('investigation_reason')
    @classmethod
    def _only_under_review(cls, value: str, info: ValidationInfo) -> str:
        # refused rather than dropped: the caller meant to extend the deadline
        if value.strip() and info.data.get('status') != 'under_review':
            raise ValueError('an investigation goes with the status under_review only')
        return value


class ForwardIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    to: str = Field(description='The code of the agency or local executive the letter belongs to', examples=['MOJ'])
    note: str = Field(default='', description='Why it goes there (at most 2000 characters)')


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    text: str = Field(description='The answer the citizen reads (at most 20000 characters)')
    attachments: list[AttachmentIn] = Field(default_factory=list, description='At most 5 files, 25 MB in all')


class LetterIn(BaseModel):
    model_config = ConfigDict(extra='forbid')

    fin: str = Field(min_length=1, max_length=16, description="The citizen's FIN")
    title: str = Field(description='At most 200 characters')
    body: str = Field(description='At most 20000 characters')
    attachments: list[AttachmentIn] = Field(default_factory=list, description='At most 5 files, 25 MB in all')


# --- output ---------------------------------------------------------------------------------------------------------


class OrganisationOut(BaseModel):
    code: str
    name_az: str
    name_en: str | None


class AttachmentOut(BaseModel):
    id: UUID
    filename: str
    content_type: str = Field(description='The type the content really is (checked when it was uploaded)')
    size: int
    sha256: str
    download: str = Field(description='The API path that serves the file')


class EventOut(BaseModel):
    kind: EventKind
    actor_role: ActorKind
    actor_name: str = Field(description="An officer's or integration's name: on the key's organisation's steps only")
    note: str
    organisation: str | None = Field(description='The code of the organisation the step happened at')
    other_organisation: str | None = Field(description='The code of the organisation a letter was forwarded to')
    at: datetime


class SignerOut(BaseModel):
    name: str
    method: str = Field(description='`sima` or `asan` (ASAN İmza)')
    signed_at: datetime


class ForwardedOut(BaseModel):
    letter_id: UUID = Field(description='The copy of the letter at the other organisation')
    organisation: OrganisationOut


class LetterSummaryOut(BaseModel):
    id: UUID
    direction: Direction = Field(description='`inbound`: a citizen wrote to the organisation; `outbound`: the reverse')
    status: LetterStatus
    title: str
    organisation: OrganisationOut | None = Field(description='The addressee (inbound) or the sender (outbound)')
    fin: str = Field(description="The citizen's FIN")
    citizen_name: str
    delivered_at: datetime | None
    due_on: date | None = Field(description='The last day to answer (Baku date): 15 working days, 30 to investigate')
    overdue: bool
    investigation: bool
    unread: bool = Field(description='An outbound letter the citizen has not opened yet')
    reply_to_id: UUID | None = Field(description='The letter an answer answers')
    forwarded_from: OrganisationOut | None
    created_at: datetime
    closed_at: datetime | None


class LetterOut(LetterSummaryOut):
    body: str
    attachments: list[AttachmentOut] = Field(description="A forwarded copy's files are its signed original's")
    signer: SignerOut | None
    forward_due_on: date | None = Field(description='The last day to forward the letter (3 working days)')
    investigation_reason: str
    closing_note: str = Field(description='The reason of a rejection, or the note of a forwarding')
    forwarded_to: ForwardedOut | None
    origin_id: UUID | None = Field(description='The signed original of a forwarded copy')
    read_at: datetime | None
    answer: LetterOut | None = Field(description='The answer of an answered letter, with its files')
    timeline: list[EventOut]


class LetterPageOut(BaseModel):
    items: list[LetterSummaryOut]
    total: int


class SignatureOut(BaseModel):
    state: SignatureState = Field(
        description='`valid`; `unsigned`; `content_changed` (title, body or addressee); `attachment_changed`; '
        '`signature_invalid`'
    )
    valid: bool
    signer: SignerOut | None
    digest: str | None = Field(description='The SHA-256 of the canonical letter the citizen signed')


# --- from the store ----------------------------------------------------------------------------------------------


def uploads_of(attachments: list[AttachmentIn]) -> list[Upload]:
    uploads = []
    for index, a in enumerate(attachments):
        try:
            content = base64.b64decode(a.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Invalid(
                'invalid_base64',
                N_('The file is not valid base64.'),
                field=f'attachments.{index}.content_base64',
            ) from exc
        uploads.append(Upload(filename=a.filename, content=content))
    return uploads


def org_out(org: OrgRef | None) -> OrganisationOut | None:
    return OrganisationOut(code=org.code, name_az=org.name_az, name_en=org.name_en) if org else None


def signer_out(signer: Signer | None) -> SignerOut | None:
    return SignerOut(name=signer.full_name, method=signer.method, signed_at=signer.signed_at) if signer else None


def _summary_fields(s: LetterSummary) -> dict[str, Any]:
    return {
        'id': s.id,
        'direction': s.direction,
        'status': s.status,
        'title': s.title,
        'organisation': org_out(s.organisation),
        'fin': s.citizen_fin,
        'citizen_name': s.citizen_name,
        'delivered_at': s.delivered_at,
        'due_on': s.due_on,
        'overdue': s.overdue,
        'investigation': s.investigation,
        'unread': s.unread,
        'reply_to_id': s.reply_to_id,
        'forwarded_from': org_out(s.forwarded_from),
        'created_at': s.created_at,
        'closed_at': s.closed_at,
    }


def summary_out(s: LetterSummary) -> LetterSummaryOut:
    return LetterSummaryOut(**_summary_fields(s))


def letter_out(v: LetterView, request: Request) -> LetterOut:
    forwarded = None
    if v.forwarded_to_id is not None and (to := org_out(v.forwarded_to)) is not None:
        forwarded = ForwardedOut(letter_id=v.forwarded_to_id, organisation=to)
    return LetterOut(
        **_summary_fields(v.summary),
        body=v.body,
        attachments=[_attachment(v.id, a, request) for a in v.attachments],
        signer=signer_out(v.signer),
        forward_due_on=v.forward_due_on,
        investigation_reason=v.investigation_reason,
        closing_note=v.closing_note,
        forwarded_to=forwarded,
        origin_id=v.origin_id,
        read_at=v.read_at,
        answer=letter_out(v.answer, request) if v.answer else None,
        timeline=[_event(e) for e in v.timeline],
    )


def _attachment(letter_id: UUID, a: AttachmentView, request: Request) -> AttachmentOut:
    # the path through this letter: a forwarded copy serves its original's files to the organisation it reached
    path = request.url_for('download_attachment', letter_id=str(letter_id), attachment_id=str(a.id)).path
    return AttachmentOut(
        id=a.id, filename=a.filename, content_type=a.content_type, size=a.size, sha256=a.sha256, download=path
    )


def _event(e: EventView) -> EventOut:
    return EventOut(
        kind=e.kind,
        actor_role=e.actor_kind,
        actor_name=e.actor_name,
        note=e.note,
        organisation=e.organisation.code if e.organisation else None,
        other_organisation=e.other_organisation.code if e.other_organisation else None,
        at=e.created_at,
    )
