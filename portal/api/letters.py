"""Official letters: an organisation's system reads the letters citizens sent it, moves them through their states,
answers, forwards, and writes to citizens. Every letter is limited to the key's own organisation (the store decides).

POSTs take an optional ``Idempotency-Key`` header: a retried request gets the first request's letter back and does
nothing twice; the same key with a different request is refused (409 ``idempotency_key_reused``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from portal.api.deps import CurrentClient, IdempotencyHeader, Now
from portal.api.letter_schemas import (
    AnswerIn,
    ForwardIn,
    LetterIn,
    LetterOut,
    LetterPageOut,
    LetterStatusIn,
    SignatureOut,
    letter_out,
    signer_out,
    summary_out,
    uploads_of,
)
from portal.downloads import attachment_response
from portal.store import letters
from portal.store.idempotency import Idempotency
from portal.store.letters import (
    LetterFilter,
    LetterStatus,
)
from portal.store.letters.listing import PAGE_MAX

router = APIRouter(prefix='/letters', tags=['letters'])


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
    return LetterPageOut(items=[summary_out(s) for s in page.items], total=page.total)


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
    return LetterPageOut(items=[summary_out(s) for s in page.items], total=page.total)


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
        uploads=uploads_of(body.attachments),
        now=now,
        idem=idem,
    )
    return letter_out(view, request)


@router.get('/{letter_id}', response_model=LetterOut, responses=READ_ERRORS)
async def get_letter(letter_id: UUID, request: Request, client: CurrentClient, now: Now) -> LetterOut:
    """Get a letter with its files' metadata, timeline, deadlines, signer, forwarding and answer."""
    return letter_out(await letters.get_letter(actor=client, letter_id=letter_id, now=now), request)


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
    return SignatureOut(state=report.state, valid=report.valid, signer=signer_out(report.signer), digest=report.digest)


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
    return letter_out(view, request)


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
    return letter_out(view, request)


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
        actor=client, letter_id=letter_id, text=body.text, uploads=uploads_of(body.attachments), now=now, idem=idem
    )
    return letter_out(view, request)


# --- helpers --------------------------------------------------------------------------------------------------------


def _idempotency(client_id: UUID, key: str | None, operation: str, body: BaseModel) -> Idempotency | None:
    if key is None:
        return None
    return Idempotency.of(client_id=client_id, key=key, operation=operation, payload=body.model_dump(mode='json'))
