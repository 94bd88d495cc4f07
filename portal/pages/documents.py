"""Sənədlərim: the citizen's issued certificates, decisions and applications; one certificate; its PDF download.

The download is checked against the session on every request: whoever may not read the certificate gets the same
404 as for one that does not exist.
"""

from __future__ import annotations

from uuid import UUID

from fastapi.responses import RedirectResponse, Response
from nicegui import app, ui

from portal.components.certificate_view import certificate_view, load_documents, my_documents
from portal.components.frame import frame
from portal.config import Settings
from portal.errors import DomainError
from portal.i18n import _
from portal.pages.files import guarded_download
from portal.pages.guard import require
from portal.pages.route import page
from portal.store import orgs
from portal.store.actors import PersonActor, Role
from portal.store.services import certificates
from portal.store.services.certificates import CertificateView

READERS = (Role.CITIZEN, Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER)


def register(settings: Settings) -> None:
    page('/documents')(documents_page)  # Sənədlərim: certificates, decisions, applications; live
    page('/documents/certificates/{certificate_id}')(certificate_page)  # one certificate, its QR code, Yüklə
    app.get('/files/certificates/{certificate_id}')(download_certificate)  # the signed PDF, for its holder or issuer


async def documents_page() -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    documents = await load_documents(actor)
    with frame(_('My documents'), actor):
        my_documents(actor=actor, documents=documents)
    return None


async def certificate_page(certificate_id: str) -> RedirectResponse | None:
    actor = await require(*READERS)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    view = await _open(actor, certificate_id)
    topic = await _topic(actor) if view else ''
    citizen = actor.role is Role.CITIZEN
    with frame(view.title if view else _('Certificate'), actor):
        if view is None:  # missing, malformed or somebody else's: the same answer
            ui.label(_('Certificate not found.')).mark('certificate-not-found')
            ui.link(_('My documents'), '/documents' if citizen else '/desk')
            return None
        certificate_view(actor=actor, view=view, topic=topic)
    return None


async def download_certificate(certificate_id: str) -> Response:
    async def read(actor: PersonActor) -> tuple[str, str, bytes]:
        filename, content = await certificates.read_certificate_pdf(actor=actor, certificate_id=UUID(certificate_id))
        return filename, 'application/pdf', content

    return await guarded_download(read)


async def _open(actor: PersonActor, certificate_id: str) -> CertificateView | None:
    try:
        return await certificates.get_certificate(actor=actor, certificate_id=UUID(certificate_id))
    except (ValueError, DomainError):
        return None


async def _topic(actor: PersonActor) -> str:
    """Where the certificate's revocation is published for this reader: the citizen's or the issuer's topic."""
    if actor.role is Role.CITIZEN or actor.organisation_id is None:
        return f'citizen:{actor.person_id}'
    return (await orgs.get_organisation_by_id(actor.organisation_id)).topic
