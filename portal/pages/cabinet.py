"""Şəxsi kabinet: the citizen's own state data, one tab per section, each section live."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.responses import RedirectResponse
from nicegui import ui

from portal.components.corrections import preload_corrections
from portal.components.frame import frame
from portal.components.registry_section import registry_section
from portal.errors import N_
from portal.i18n import _
from portal.pages.guard import require
from portal.store import people, registry
from portal.store.actors import Role
from portal.store.registry_kinds import SECTIONS


async def cabinet_page() -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    profile = await people.get_profile(actor=actor, person_id=actor.person_id)
    records = await registry.list_records(actor=actor, person_id=actor.person_id)
    children = await registry.list_children_records(
        actor=actor, person_id=actor.person_id, today=datetime.now(UTC).date()
    )
    await preload_corrections(actor)  # one query for the correction state of every record on the page
    with frame(_('Personal cabinet'), actor):
        ui.label(_('Welcome, {name}', name=profile.full_name)).classes('text-subtitle1').mark('welcome')
        with ui.tabs().props('inline-label outside-arrows mobile-arrows').classes('w-full') as tabs:
            for section in SECTIONS:
                ui.tab(section.name, _(section.title)).mark(f'tab-{section.name}')
        with ui.tab_panels(tabs, value=SECTIONS[0].name).classes('w-full bg-transparent'):
            for section in SECTIONS:
                with ui.tab_panel(section.name).classes('p-0'):
                    registry_section(
                        actor=actor,
                        section=section,
                        records=[r for r in records if r.kind in section.kinds],
                        extra={N_('FIN'): profile.fin} if section.name == 'personal' else None,
                        children=children if section.name == 'health' else None,
                    )
    return None
