"""Official letters: an organisation's system reads the letters citizens sent it, moves them through their states,
answers, forwards, and writes to citizens. Every letter is limited to the key's own organisation (the store decides).

POSTs take an optional ``Idempotency-Key`` header: a retried request gets the first request's letter back and does
nothing twice; the same key with a different request is refused (409 ``idempotency_key_reused``).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from portal.api.deps import CurrentClient
from portal.downloads import attachment_response
from portal.errors import N_, Invalid
from portal.store import letters
from portal.store.idempotency import KEY_MAX, Idempotency
from portal.store.letters import (
    AttachmentView,
    Direction,
    EventView,
    LetterFilter,
    LetterStatus,
    LetterSummary,
    LetterView,
    SignatureState,
    Upload,
)
from portal.store.letters.listing import PAGE_MAX
from portal.store.letters.models import ActorKind, EventKind
from portal.store.letters.views import OrgRef, Signer

router = APIRouter(prefix='/letters', tags=['letters'])


async def clock() -> datetime:
    """The moment a request is handled (a dependency, so that tests can set the clock the legal deadlines run on)."""
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(clock)]
IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias='Idempotency-Key',
        description=f'Any unique string of up to {KEY_MAX} printable characters; a retry with the same key and the '
        'same request returns the first result and does nothing twice',
    ),
]

READ_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `letters:read`'},
    404: {'description': "`letter_not_found`: no such letter among the key's organisation's letters"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `letters:write`'},
    404: {'description': "`letter_not_found`: no such letter among the key's organisation's incoming letters"},
    409: {'description': '`idempotency_key_reused`: the Idempotency-Key was used for a different request'},
    422: {
        'description': 'Invalid input, named in `field`: e.g. `illegal_transition`, `text_required`, '
        '`reason_required`, `too_many_files`, `file_too_large`, `file_type_not_allowed`, `filename_invalid`, '
        '`invalid_base64`, `idempotency_key_invalid`'
    },
}


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


# --- routes ---------------------------------------------------------------------------------------------------------


@router.get('', response_model=LetterPageOut, responses=READ_ERRORS)
async def list_letters(
    *,
    client: CurrentClient,
    now: Now,
    status: Annotated[LetterStatus | None, Query(description='Only letters in this status')] = None,
    q: Annotated[str, Query(description='Search in titles and texts')] = '',
    since: Annotated[date | None, Query(description='Received on or after this day (Baku)')] = None,
    until: Annotated[date | None, Query(description='Received on or before this day (Baku)')] = None,
    overdue: Annotated[bool, Query(description='Only open letters past their deadline')] = False,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> LetterPageOut:
    """List the letters citizens sent the key's organisation, nearest deadline first; needs `letters:read`."""
    where = LetterFilter(query=q, status=status, since=since, until=until, overdue=overdue)
    page = await letters.list_incoming(actor=client, now=now, where=where, limit=limit, offset=offset)
    return LetterPageOut(items=[_summary(s) for s in page.items], total=page.total)


@router.get('/outgoing', response_model=LetterPageOut, responses=READ_ERRORS)
async def list_outgoing_letters(
    *,
    client: CurrentClient,
    now: Now,
    q: Annotated[str, Query(description='Search in titles and texts')] = '',
    since: Annotated[date | None, Query(description='Sent on or after this day (Baku)')] = None,
    until: Annotated[date | None, Query(description='Sent on or before this day (Baku)')] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> LetterPageOut:
    """List the letters the key's organisation wrote to citizens, answers included, newest first."""
    where = LetterFilter(query=q, since=since, until=until)
    page = await letters.list_outgoing(actor=client, now=now, where=where, limit=limit, offset=offset)
    return LetterPageOut(items=[_summary(s) for s in page.items], total=page.total)


@router.post('', response_model=LetterOut, status_code=201, responses=WRITE_ERRORS)
async def send_letter(
    body: LetterIn, request: Request, client: CurrentClient, now: Now, idempotency_key: IdempotencyHeader = None
) -> LetterOut:
    """Write a letter from the key's organisation to a citizen, into their cabinet's inbox; needs `letters:write`."""
    idem = _idempotency(client.client_id, idempotency_key, 'POST /letters', body)
    view = await letters.send_to_citizen(
        actor=client,
        fin=body.fin,
        title=body.title,
        body=body.body,
        uploads=_uploads(body.attachments),
        now=now,
        idem=idem,
    )
    return _letter(view, request)


@router.get('/{letter_id}', response_model=LetterOut, responses=READ_ERRORS)
async def get_letter(letter_id: UUID, request: Request, client: CurrentClient, now: Now) -> LetterOut:
    """Get a letter with its files' metadata, timeline, deadlines, signer, forwarding and answer."""
    return _letter(await letters.get_letter(actor=client, letter_id=letter_id, now=now), request)


@router.get(
    '/{letter_id}/attachments/{attachment_id}',
    response_class=Response,
    responses={
        200: {'description': 'The file, as a download', 'content': {'application/octet-stream': {}}},
        **READ_ERRORS,
        404: {'description': '`letter_not_found` or `attachment_not_found`'},
    },
)
async def download_attachment(letter_id: UUID, attachment_id: UUID, client: CurrentClient) -> Response:
    """Download a file of a letter (always as an attachment, never shown inline); needs `letters:read`."""
    view, content = await letters.read_attachment(actor=client, letter_id=letter_id, attachment_id=attachment_id)
    return attachment_response(content, filename=view.filename, content_type=view.content_type)


@router.get('/{letter_id}/signature', response_model=SignatureOut, responses=READ_ERRORS)
async def verify_signature(letter_id: UUID, client: CurrentClient) -> SignatureOut:
    """Check the citizen's signature against the letter's text and files as they are stored now."""
    report = await letters.verify_letter(actor=client, letter_id=letter_id)
    return SignatureOut(state=report.state, valid=report.valid, signer=_signer(report.signer), digest=report.digest)


@router.post('/{letter_id}/status', response_model=LetterOut, responses=WRITE_ERRORS)
async def set_letter_status(
    *,
    letter_id: UUID,
    body: LetterStatusIn,
    request: Request,
    client: CurrentClient,
    now: Now,
    idempotency_key: IdempotencyHeader = None,
) -> LetterOut:
    """Mark a letter received, under review (optionally investigated: 30 working days) or rejected (with a reason)."""
    idem = _idempotency(client.client_id, idempotency_key, f'POST /letters/{letter_id}/status', body)
    view = await letters.set_status(
        actor=client,
        letter_id=letter_id,
        status=LetterStatus(body.status),
        reason=body.reason,
        investigation_reason=body.investigation_reason,
        now=now,
        idem=idem,
    )
    return _letter(view, request)


@router.post('/{letter_id}/forward', response_model=LetterOut, responses=WRITE_ERRORS)
async def forward_letter(
    *,
    letter_id: UUID,
    body: ForwardIn,
    request: Request,
    client: CurrentClient,
    now: Now,
    idempotency_key: IdempotencyHeader = None,
) -> LetterOut:
    """Forward a letter to the organisation it belongs to (within 3 working days); the copy keeps its own clock."""
    idem = _idempotency(client.client_id, idempotency_key, f'POST /letters/{letter_id}/forward', body)
    view = await letters.forward_letter(
        actor=client, letter_id=letter_id, to_code=body.to, note=body.note, now=now, idem=idem
    )
    return _letter(view, request)


@router.post('/{letter_id}/answer', response_model=LetterOut, responses=WRITE_ERRORS)
async def answer_letter(
    *,
    letter_id: UUID,
    body: AnswerIn,
    request: Request,
    client: CurrentClient,
    now: Now,
    idempotency_key: IdempotencyHeader = None,
) -> LetterOut:
    """Answer a letter with text and files: the answer goes to the citizen's inbox; returns the answered letter."""
    idem = _idempotency(client.client_id, idempotency_key, f'POST /letters/{letter_id}/answer', body)
    view = await letters.answer_letter(
        actor=client, letter_id=letter_id, text=body.text, uploads=_uploads(body.attachments), now=now, idem=idem
    )
    return _letter(view, request)


# --- helpers --------------------------------------------------------------------------------------------------------


def _idempotency(client_id: UUID, key: str | None, operation: str, body: BaseModel) -> Idempotency | None:
    if key is None:
        return None
    return Idempotency.of(client_id=client_id, key=key, operation=operation, payload=body.model_dump(mode='json'))


def _uploads(attachments: list[AttachmentIn]) -> list[Upload]:
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


def _org(org: OrgRef | None) -> OrganisationOut | None:
    return OrganisationOut(code=org.code, name_az=org.name_az, name_en=org.name_en) if org else None


def _signer(signer: Signer | None) -> SignerOut | None:
    return SignerOut(name=signer.full_name, method=signer.method, signed_at=signer.signed_at) if signer else None


def _summary_fields(s: LetterSummary) -> dict[str, Any]:
    return {
        'id': s.id,
        'direction': s.direction,
        'status': s.status,
        'title': s.title,
        'organisation': _org(s.organisation),
        'fin': s.citizen_fin,
        'citizen_name': s.citizen_name,
        'delivered_at': s.delivered_at,
        'due_on': s.due_on,
        'overdue': s.overdue,
        'investigation': s.investigation,
        'unread': s.unread,
        'reply_to_id': s.reply_to_id,
        'forwarded_from': _org(s.forwarded_from),
        'created_at': s.created_at,
        'closed_at': s.closed_at,
    }


def _summary(s: LetterSummary) -> LetterSummaryOut:
    return LetterSummaryOut(**_summary_fields(s))


def _letter(v: LetterView, request: Request) -> LetterOut:
    forwarded = None
    if v.forwarded_to_id is not None and (to := _org(v.forwarded_to)) is not None:
        forwarded = ForwardedOut(letter_id=v.forwarded_to_id, organisation=to)
    return LetterOut(
        **_summary_fields(v.summary),
        body=v.body,
        attachments=[_attachment(v.id, a, request) for a in v.attachments],
        signer=_signer(v.signer),
        forward_due_on=v.forward_due_on,
        investigation_reason=v.investigation_reason,
        closing_note=v.closing_note,
        forwarded_to=forwarded,
        origin_id=v.origin_id,
        read_at=v.read_at,
        answer=_letter(v.answer, request) if v.answer else None,
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
