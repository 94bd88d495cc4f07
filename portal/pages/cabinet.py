"""Şəxsi kabinet: the citizen's own registry data, each section live."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from portal.components.frame import frame
from portal.components.history_list import history_list
from portal.components.record_section import record_section
from portal.errors import N_
from portal.i18n import _
from portal.pages.guard import require
from portal.store import audit, people, registry
from portal.store.actors import Role
from portal.store.registry_kinds import KINDS


async def cabinet_page() -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    profile = await people.get_profile(actor=actor, person_id=actor.person_id)
    records = await registry.list_records(actor=actor, person_id=actor.person_id)
    with frame(_('Personal cabinet'), actor):
        ui.label(_('Welcome, {name}', name=profile.full_name)).classes('text-subtitle1').mark('welcome')
        for spec in KINDS.values():
            extra = {N_('FIN'): profile.fin} if spec.name == 'identity' else {}
            record_section(actor=actor, spec=spec, records=[r for r in records if r.kind == spec.name], extra=extra)
    return None


async def history_page() -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    events = await audit.list_history(actor=actor, person_id=actor.person_id)
    with frame(_('Operation history'), actor):
        history_list(actor=actor, events=events)
    return None
