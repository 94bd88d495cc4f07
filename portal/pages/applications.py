"""The citizen's applications to local executives: one application, followed live, and its files as downloads.

Whoever may not read an application gets the same answer as for one that does not exist ("not found", or 404).
"""

from __future__ import annotations

from uuid import UUID

from fastapi.responses import RedirectResponse, Response
from nicegui import app, ui

from portal.components.application_view import application_view, information_answer
from portal.components.frame import frame
from portal.config import Settings
from portal.errors import DomainError
from portal.i18n import _, current_language
from portal.pages.files import guarded_download
from portal.pages.guard import require
from portal.pages.route import page
from portal.store.actors import PersonActor, Role
from portal.store.services import applications, catalogue
from portal.store.services.applications import ApplicationView


def register(settings: Settings) -> None:
    page('/applications/{application_id}')(application_page)  # one application, for its citizen, live
    app.get('/files/applications/{application_id}/{file_id}')(download_file)  # its files, for the citizen or desk


async def application_page(application_id: str) -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    view = await open_application(actor, application_id)
    title = await service_title(view)
    with frame(_('Application'), actor):
        if view is None:  # missing, malformed or somebody else's: the same answer
            ui.label(_('Application not found.')).mark('application-not-found')
            ui.link(_('Back to my documents'), '/documents')
            return None
        shown = application_view(actor=actor, view=view, topic=f'citizen:{actor.person_id}', title=title)
        answer = information_answer(actor=actor, view=view, on_done=shown.show)
        shown.listeners.append(answer.follow)
    return None


async def open_application(actor: PersonActor, application_id: str) -> ApplicationView | None:
    try:
        return await applications.get_application(actor=actor, application_id=UUID(application_id))
    except (ValueError, DomainError):
        return None


async def service_title(view: ApplicationView | None) -> str | None:
    """The title of the service the application was made through (None when the catalogue no longer has it)."""
    if view is None:
        return None
    try:
        service = await catalogue.get_service(code=view.service_code)
    except DomainError:
        return None
    return service.title(current_language())


async def download_file(application_id: str, file_id: str) -> Response:
    async def read(actor: PersonActor) -> tuple[str, str, bytes]:
        view, content = await applications.read_file(
            actor=actor, application_id=UUID(application_id), file_id=UUID(file_id)
        )
        return view.filename, view.content_type, content

    return await guarded_download(read)
