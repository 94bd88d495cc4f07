"""Public certificate verification (no login): by code — typed, or from the QR code's link — or by the PDF itself;
and the portal's root certificate, with which anyone can check the agencies' signatures offline.

Every check goes through the store, which counts them per address before it looks anything up.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.responses import Response
from nicegui import app, events, ui

from portal.components.accessible import upload_header
from portal.components.certificate_view import verification_result
from portal.components.errors import show_error, show_problem
from portal.components.frame import frame
from portal.components.letter_compose import read_at_most
from portal.config import Settings
from portal.documents.signing import certificate_fingerprint
from portal.downloads import attachment_response
from portal.errors import DomainError
from portal.i18n import _
from portal.pages.guard import current_actor
from portal.pages.route import page
from portal.store.services import certificates
from portal.store.services.certificates import PDF_MAX_BYTES, Verification

ROOT_FILENAME = 'kabinet-root-ca.crt'
ROOT_MEDIA_TYPE = 'application/x-x509-ca-cert'


def register(settings: Settings) -> None:
    page('/verify')(verify_page)  # check a certificate by its code or its PDF
    page('/verify/{code}')(verify_page)  # where the certificate's QR code leads: checked at once
    app.get('/pki/root.crt')(root_certificate)  # the portal's root certificate (PEM)


async def verify_page(code: str = '') -> None:
    actor = await current_actor()
    address = _client_address()
    first: Verification | DomainError | None = None
    if code:
        try:
            first = await certificates.verify_code(code=code, address=address, now=datetime.now(UTC))
        except DomainError as exc:
            first = exc
    fingerprint = certificate_fingerprint(await certificates.root_certificate(now=datetime.now(UTC)))
    with frame(_('Verify a certificate'), actor):
        _checker(address, code, first)
        with ui.card().classes('w-full gap-1'):
            ui.link(_("Download the portal's root certificate"), '/pki/root.crt').mark('root-certificate')
            ui.label(_('SHA-256 fingerprint: {fingerprint}', fingerprint=fingerprint)).classes(
                'text-caption font-mono break-all'
            ).mark('root-fingerprint')


async def root_certificate() -> Response:
    pem = await certificates.root_certificate(now=datetime.now(UTC))
    return attachment_response(pem, filename=ROOT_FILENAME, content_type=ROOT_MEDIA_TYPE)


def _checker(address: str, code: str, first: Verification | DomainError | None) -> None:
    # the handlers read the elements built below when they run
    def show(outcome: Verification | DomainError) -> None:
        result.clear()
        if isinstance(outcome, DomainError):
            show_error(outcome, error)
            return
        error.set_visibility(False)
        with result:
            verification_result(outcome)

    async def check_code() -> None:
        try:
            show(await certificates.verify_code(code=typed.value or '', address=address, now=datetime.now(UTC)))
        except DomainError as exc:
            show(exc)

    async def check_file(e: events.UploadEventArguments) -> None:
        content = await read_at_most(e.file, PDF_MAX_BYTES + 1)  # more than the limit is refused by the store
        upload.reset()
        given = (typed.value or '').strip() or None  # with a code: is this file the one issued with it?
        try:
            show(await certificates.verify_file(content=content, address=address, now=datetime.now(UTC), code=given))
        except DomainError as exc:
            show(exc)

    def too_large() -> None:
        show_problem(_('The file is larger than {limit} MB.', limit=PDF_MAX_BYTES // 2**20), error)

    with ui.card().classes('w-full gap-3'):
        ui.label(_('Enter the verification code printed on the certificate, or check the PDF file itself.'))
        with ui.row().classes('w-full items-center gap-3 no-wrap'):
            typed = ui.input(_('Verification code'), value=code, placeholder='K7QD-2M9X-P4TR-8ZHW')
            typed.props('clearable maxlength=40 autocomplete=off').classes('grow').mark('verify-code')
            typed.on('keydown.enter', check_code)
            ui.button(_('Check'), icon='fact_check', on_click=check_code).mark('verify-check')
        upload = ui.upload(
            label=_('Check a PDF file'),
            auto_upload=True,
            max_file_size=PDF_MAX_BYTES,
            on_upload=check_file,
            on_rejected=too_large,
        )
        upload.props('accept=".pdf,application/pdf"').classes('w-full max-w-md').mark('verify-upload')
        upload_header(upload, _('Check a PDF file'))
    error = ui.label().classes('text-negative').mark('verify-error')
    error.set_visibility(False)
    result = ui.column().classes('w-full').mark('verify-result')
    if first is not None:
        show(first)


def _client_address() -> str:
    request = ui.context.client.request
    return request.client.host if request and request.client else 'unknown'
