"""E-services: the public catalogue and certificate checks (no key), the issuer's view and revocation of its
e-certificates (``certificates:write``), and a local executive's desk of applications (``applications:read`` /
``applications:write``). Every object is limited to the key's own organisation (the store decides).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from portal.api.deps import CurrentClient, Now
from portal.api.service_schemas import (
    ApplicationOut,
    ApplicationPageOut,
    CertificateOut,
    DecisionIn,
    FileVerificationOut,
    NoteIn,
    RejectIn,
    RevokeIn,
    ServiceOut,
    ServicePageOut,
    VerificationOut,
    application_out,
    application_summary_out,
    certificate_out,
    service_out,
    verification_fields,
)
from portal.downloads import attachment_response
from portal.store.services import applications, catalogue, certificates
from portal.store.services.applications import PAGE_MAX
from portal.store.services.models import ApplicationStatus

router = APIRouter()


VERIFY_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {'description': '`unknown_code`: no certificate has this code'},
    422: {'description': '`malformed_code` (16 letters and digits, e.g. `K7QD-2M9X-P4TR-8ZHW`), named in `field`'},
    429: {'description': '`throttled`: too many checks from this address; wait `Retry-After` seconds'},
}
CERTIFICATE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `certificates:write`'},
    404: {'description': "`certificate_not_found`: the key's organisation issued no certificate with this code"},
    422: {'description': '`malformed_code`, `reason_required`, `too_long`, `already_revoked`; named in `field`'},
}
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `applications:read`'},
    404: {'description': "`application_not_found`: no such application among the key's executive's"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {'description': '`malformed_json`: the body is not JSON'},
    401: {'description': 'Missing or invalid API key'},
    403: {'description': '`insufficient_scope`: the key lacks `applications:write`'},
    404: {'description': "`application_not_found`: no such application among the key's executive's"},
    422: {'description': '`wrong_status`: not possible in its status; `note_required`, `too_long`, named in `field`'},
}


# --- the catalogue (public) -----------------------------------------------------------------------------------------


@router.get(
    '/services',
    response_model=ServicePageOut,
    tags=['services'],
    responses={422: {'description': '`unknown_category`, `too_long` (the search), named in `field`'}},
)
async def list_services(
    q: Annotated[str, Query(description='Search in titles and summaries, in Azerbaijani or English')] = '',
    category: Annotated[str | None, Query(description='Only services of this category', examples=['family'])] = None,
    provider: Annotated[
        str | None, Query(description="Only this agency's services; `IH` for the local executives'", examples=['MIA'])
    ] = None,
) -> ServicePageOut:
    """List the portal's services: all of them, one category's or one agency's, or those matching a search."""
    found = await catalogue.list_services(category=category, provider_code=provider)
    if q.strip():
        allowed = {s.code for s in found}
        found = [s for s in await catalogue.search_services(query=q) if s.code in allowed]
    return ServicePageOut(items=[service_out(s) for s in found], total=len(found))


@router.get(
    '/services/{code}',
    response_model=ServiceOut,
    tags=['services'],
    responses={404: {'description': '`service_not_found`'}},
)
async def get_service(code: str) -> ServiceOut:
    """Get one service: who provides it, what it needs, how long it takes and where it is done."""
    return service_out(await catalogue.get_service(code=code))


# --- certificates: anyone checks one --------------------------------------------------------------------------------


@router.get(
    '/certificates/verify/{code}', response_model=VerificationOut, tags=['certificates'], responses=VERIFY_ERRORS
)
async def verify_certificate(code: str, request: Request, now: Now) -> VerificationOut:
    """Check a verification code: the certificate's kind, issuer, dates, state and the holder's initials."""
    found = await certificates.verify_code(code=code, address=_address(request), now=now)
    return VerificationOut(**verification_fields(found))


@router.post(
    '/certificates/verify',
    response_model=FileVerificationOut,
    tags=['certificates'],
    responses={
        **VERIFY_ERRORS,
        400: {'description': '`malformed_form`: the body is not a multipart form'},
        422: {'description': '`not_pdf`, `not_issued` (changed or never issued), `file_too_large`, `malformed_code`'},
    },
)
async def verify_certificate_file(
    request: Request,
    now: Now,
    file: Annotated[UploadFile, File(description='The PDF to check (at most 10 MB)')],
    code: Annotated[str, Form(description='The code printed on it; without it the file itself is looked up')] = '',
) -> FileVerificationOut:
    """Check a PDF: is it, byte for byte, a certificate the portal issued (the one with this code, if given)?"""
    content = await file.read(certificates.PDF_MAX_BYTES + 1)  # one byte more tells the store it is too large
    found = await certificates.verify_file(
        content=content, address=_address(request), now=now, code=code.strip() or None
    )
    return FileVerificationOut(**verification_fields(found), file_matches=bool(found.file_matches))


@router.get(
    '/certificates/root.pem',
    response_class=Response,
    tags=['certificates'],
    responses={200: {'description': 'The root certificate (PEM)', 'content': {'application/x-pem-file': {}}}},
)
async def download_root_certificate(now: Now) -> Response:
    """Download the portal's root certificate, with which anyone can check the signatures on certificates."""
    pem = await certificates.root_certificate(now=now)
    return attachment_response(pem, filename='kabinet-root.pem', content_type='application/x-pem-file')


# --- certificates: the issuer ---------------------------------------------------------------------------------------


@router.get('/certificates/{code}', response_model=CertificateOut, tags=['certificates'], responses=CERTIFICATE_ERRORS)
async def get_certificate(code: str, client: CurrentClient, now: Now) -> CertificateOut:
    """Get a certificate the key's organisation issued, by its code; needs `certificates:write`."""
    return certificate_out(await certificates.find_issued(actor=client, code=code), now)


@router.post(
    '/certificates/{code}/revoke',
    response_model=CertificateOut,
    tags=['certificates'],
    responses={**CERTIFICATE_ERRORS, 400: {'description': '`malformed_json`: the body is not JSON'}},
)
async def revoke_certificate(code: str, body: RevokeIn, client: CurrentClient, now: Now) -> CertificateOut:
    """Revoke a certificate the key's organisation issued: from now on it is checked as revoked."""
    view = await certificates.revoke_certificate(actor=client, code=code, reason=body.reason, now=now)
    return certificate_out(view, now)


# --- applications: a local executive's desk -------------------------------------------------------------------------


@router.get('/applications', response_model=ApplicationPageOut, tags=['applications'], responses=READ_ERRORS)
async def list_applications(
    *,
    client: CurrentClient,
    now: Now,
    status: Annotated[ApplicationStatus | None, Query(description='Only applications in this status')] = None,
    open_only: Annotated[bool, Query(alias='open', description='Only applications not yet decided')] = False,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
) -> ApplicationPageOut:
    """List the applications made to the key's local executive, nearest deadline first; needs `applications:read`."""
    page = await applications.list_desk(actor=client, status=status, open_only=open_only, offset=offset, limit=limit)
    return ApplicationPageOut(items=[application_summary_out(a, now) for a in page.items], total=page.total)


@router.get(
    '/applications/{application_id}', response_model=ApplicationOut, tags=['applications'], responses=READ_ERRORS
)
async def get_application(application_id: UUID, request: Request, client: CurrentClient, now: Now) -> ApplicationOut:
    """Get an application with the applicant, the answers, the files' metadata and the timeline."""
    view = await applications.get_application(actor=client, application_id=application_id)
    return application_out(view, request, now)


@router.get(
    '/applications/{application_id}/files/{file_id}',
    response_class=Response,
    tags=['applications'],
    responses={
        200: {'description': 'The file, as a download', 'content': {'application/octet-stream': {}}},
        **READ_ERRORS,
        404: {'description': '`application_not_found` or `file_not_found`'},
    },
)
async def download_application_file(application_id: UUID, file_id: UUID, client: CurrentClient) -> Response:
    """Download a file of an application (always as an attachment, never shown inline)."""
    view, content = await applications.read_file(actor=client, application_id=application_id, file_id=file_id)
    return attachment_response(content, filename=view.filename, content_type=view.content_type)


@router.post(
    '/applications/{application_id}/review',
    response_model=ApplicationOut,
    tags=['applications'],
    responses=WRITE_ERRORS,
)
async def review_application(application_id: UUID, request: Request, client: CurrentClient, now: Now) -> ApplicationOut:
    """Take an application for review; needs `applications:write`."""
    view = await applications.take_for_review(actor=client, application_id=application_id, now=now)
    return application_out(view, request, now)


@router.post(
    '/applications/{application_id}/request-info',
    response_model=ApplicationOut,
    tags=['applications'],
    responses=WRITE_ERRORS,
)
async def request_information(
    application_id: UUID, body: NoteIn, request: Request, client: CurrentClient, now: Now
) -> ApplicationOut:
    """Ask the applicant for more information; their answer puts the application back under review."""
    view = await applications.request_information(actor=client, application_id=application_id, note=body.note, now=now)
    return application_out(view, request, now)


@router.post(
    '/applications/{application_id}/approve',
    response_model=ApplicationOut,
    tags=['applications'],
    responses=WRITE_ERRORS,
)
async def approve_application(
    application_id: UUID, body: DecisionIn, request: Request, client: CurrentClient, now: Now
) -> ApplicationOut:
    """Approve an application under review: the executive's signed decision is issued to the applicant."""
    view = await applications.approve_application(
        actor=client, application_id=application_id, decision=body.decision, now=now
    )
    return application_out(view, request, now)


@router.post(
    '/applications/{application_id}/reject',
    response_model=ApplicationOut,
    tags=['applications'],
    responses=WRITE_ERRORS,
)
async def reject_application(
    application_id: UUID, body: RejectIn, request: Request, client: CurrentClient, now: Now
) -> ApplicationOut:
    """Reject an open application, with the reason the applicant reads."""
    view = await applications.reject_application(
        actor=client, application_id=application_id, reason=body.reason, now=now
    )
    return application_out(view, request, now)


# --- helpers --------------------------------------------------------------------------------------------------------


def _address(request: Request) -> str | None:
    """The caller's address, by which public checks are counted (the proxy in front sets the real one)."""
    return request.client.host if request.client else None
