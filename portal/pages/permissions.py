"""İcazələrin idarə edilməsi and Məlumatlarıma kim baxıb: the citizen's data requests, permissions and the tracker."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from portal.components.consent import consent_board, load_consent
from portal.components.consent_tracker import access_tracker, load_tracker
from portal.components.frame import frame
from portal.config import Settings
from portal.i18n import _, current_language
from portal.pages.guard import require
from portal.pages.route import page
from portal.store import orgs
from portal.store.actors import Role


def register(settings: Settings) -> None:
    page('/permissions')(permissions_page)  # requests (approve some or all, refuse), share in advance, revoke; live
    page('/permissions/tracker')(tracker_page)  # every read of the citizen's data, disputes; live


async def permissions_page() -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    first = await load_consent(actor)  # read before the frame: its timers let the response go at the next await
    lang = current_language()
    organisations = {o.code: o.display_name(lang) for o in await orgs.list_organisations()}
    with frame(_('Managing permissions'), actor):
        ui.link(_('Who looked at my data'), '/permissions/tracker').mark('tracker-link')
        consent_board(actor=actor, first=first, organisations=organisations)
    return None


async def tracker_page() -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    first = await load_tracker(actor)
    with frame(_('Who looked at my data'), actor):
        ui.link(_('Managing permissions'), '/permissions').mark('permissions-link')
        access_tracker(actor=actor, first=first)
    return None
