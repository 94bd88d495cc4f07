"""Administration of consent: the citizens' disputes of accesses to their data, and the organisations' webhooks."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from portal.components.admin_consent import dispute_list, webhook_list
from portal.components.frame import frame
from portal.config import Settings
from portal.i18n import _, current_language
from portal.pages.guard import require
from portal.pages.route import page
from portal.store import orgs
from portal.store.actors import Role
from portal.store.consent import permissions, webhooks


def register(settings: Settings) -> None:
    page('/admin/consent')(consent_page)  # administrators: open disputes (closed with an answer), live; webhooks


async def consent_page() -> RedirectResponse | None:
    actor = await require(Role.ADMIN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    # read before the frame: its timers let the response go at the next await
    disputes = await permissions.list_disputes(actor=actor)
    hooks = await webhooks.list_webhooks(actor=actor)
    lang = current_language()
    organisations = {o.code: f'{o.display_name(lang)} ({o.code})' for o in await orgs.list_organisations()}
    with frame(_('Data sharing: disputes and webhooks'), actor):
        ui.link(_('Administration'), '/admin').mark('admin-link')
        dispute_list(actor=actor, first=disputes)
        webhook_list(actor=actor, first=hooks, organisations=organisations)
    return None
