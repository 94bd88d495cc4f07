"""Bildirişlər: the citizen's notices and how they arrive; the administrators' view of the outbox."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from portal.components.frame import frame
from portal.components.notice_list import load_notices, notice_list
from portal.components.notice_settings import notice_settings
from portal.components.outbox import load_outbox, outbox_view
from portal.config import Settings
from portal.i18n import _
from portal.pages.guard import require
from portal.pages.route import page
from portal.store.actors import Role
from portal.store.notices import cabinet


def register(settings: Settings) -> None:
    page('/notifications')(notices_page)  # Bildirişlər: filters, "more", read marks, delivery per channel; live
    page('/notifications/settings')(settings_page)  # contacts, language, quiet hours, digest, channels per type
    page('/admin/outbox')(outbox_page)  # administrators: deliveries by channel and state, due, latest failures


async def notices_page() -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    first = await load_notices(actor)  # read before the frame: its timers let the response go at the next await
    with frame(_('Notices'), actor):
        notice_list(actor=actor, first=first)
    return None


async def settings_page() -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    preferences = await cabinet.get_preferences(actor=actor)
    with frame(_('Notice settings'), actor):
        ui.link(_('All notices'), '/notifications').mark('settings-back')
        notice_settings(actor=actor, preferences=preferences)
    return None


async def outbox_page() -> RedirectResponse | None:
    actor = await require(Role.ADMIN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    stats = await load_outbox(actor)
    with frame(_('Notification outbox'), actor):
        outbox_view(actor=actor, first=stats)
    return None
