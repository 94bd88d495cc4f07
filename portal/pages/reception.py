"""Vətəndaş qəbulu: the citizen asks a local executive for a meeting and follows it live; the executive's officers
schedule, move, decline and close requests and keep the reception hours; files and calendar files as downloads."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi.responses import RedirectResponse, Response
from nicegui import app, ui

from portal.components.frame import frame
from portal.components.reception_calendar import load_figures, reception_figures, reception_settings
from portal.components.reception_desk import load_desk, reception_desk
from portal.components.reception_form import reception_form
from portal.components.reception_list import reception_list
from portal.config import Settings
from portal.i18n import _, current_language
from portal.pages.files import guarded_download
from portal.pages.guard import require
from portal.pages.route import page
from portal.store import orgs
from portal.store.actors import PersonActor, Role
from portal.store.reception import calendar, ics, requests
from portal.store.reception.ics import CONTENT_TYPE
from portal.store.services import applications


def register(settings: Settings) -> None:
    page('/reception')(reception_page)  # the citizen's requests for a meeting, live, and the form
    page('/desk/reception')(desk_page)  # executive officers: requests, reception hours and officials, figures
    app.get('/files/reception/{request_id}/meeting.ics')(download_calendar)  # a scheduled meeting, for a calendar
    app.get('/files/reception/{request_id}/{file_id}')(download_file)  # a request's files, for the citizen or desk


async def reception_page() -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    lang = current_language()
    executives = {o.code: o.display_name(lang) for o in await calendar.list_executives()}
    home = await applications.home_executive(actor=actor)
    first = await requests.list_my_requests(actor=actor)
    with frame(_('Citizen reception'), actor):
        above = ui.column().classes('w-full')
        shown = reception_list(actor=actor, first=first)
        with above:
            code = home.code if home else None
            reception_form(actor=actor, executives=executives, home=code, on_done=lambda _view: shown.reload())
    return None


async def desk_page() -> RedirectResponse | None:
    actor = await require(Role.EXECUTIVE_OFFICER)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    assert actor.organisation_id is not None  # officers belong to an organisation
    topic = (await orgs.get_organisation_by_id(actor.organisation_id)).topic
    first = await load_desk(actor)
    settings = await calendar.my_calendar(actor=actor)
    figures = await load_figures(actor)
    with frame(_('Citizen reception'), actor):
        with ui.tabs().classes('w-full') as tabs:
            requests_tab = ui.tab(_('Requests')).mark('tab-requests')
            settings_tab = ui.tab(_('Reception hours')).mark('tab-hours')
            figures_tab = ui.tab(_('Figures')).mark('tab-figures')
        with ui.tab_panels(tabs, value=requests_tab).classes('w-full'):
            with ui.tab_panel(requests_tab):
                reception_desk(actor=actor, topic=topic, first=first)
            with ui.tab_panel(settings_tab):
                reception_settings(actor=actor, first=settings)
            with ui.tab_panel(figures_tab):
                reception_figures(figures)
    return None


async def download_file(request_id: str, file_id: str) -> Response:
    async def read(actor: PersonActor) -> tuple[str, str, bytes]:
        view, content = await requests.read_file(actor=actor, request_id=UUID(request_id), file_id=UUID(file_id))
        return view.filename, view.content_type, content

    return await guarded_download(read)


async def download_calendar(request_id: str) -> Response:
    async def read(actor: PersonActor) -> tuple[str, str, bytes]:
        lang = str(app.storage.user.get('lang', 'az'))
        name, content = await ics.meeting_calendar(
            actor=actor, request_id=UUID(request_id), now=datetime.now(UTC), lang=lang
        )
        return name, CONTENT_TYPE, content

    return await guarded_download(read)
