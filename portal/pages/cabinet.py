"""Şəxsi kabinet: the citizen's own state data, one tab per section, each section live.

The first response carries only the open tab's section; the other sections are built right after the browser
connects, so the first render stays cheap however many records a citizen has elsewhere.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi.responses import RedirectResponse
from nicegui import background_tasks, ui

from portal.components.corrections import preload_corrections
from portal.components.frame import frame
from portal.components.registry_section import registry_section
from portal.errors import N_
from portal.i18n import _
from portal.pages.guard import require
from portal.store import people, registry
from portal.store.actors import PersonActor, Role
from portal.store.people import Profile
from portal.store.registry import ChildRecords, RecordView
from portal.store.registry_kinds import SECTIONS, Section


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
    first = SECTIONS[0]
    built: set[str] = set()
    panels: dict[str, ui.tab_panel] = {}
    latest = _Loaded(records, children)

    def ensure(name: str) -> None:
        """Build a section once: the open one at first render, another when its tab is chosen or soon after."""
        if name not in built:
            built.add(name)
            section = next(s for s in SECTIONS if s.name == name)
            _build(
                panels[name],
                actor=actor,
                section=section,
                profile=profile,
                records=latest.records,
                children=latest.children,
            )

    with frame(_('Personal cabinet'), actor):
        ui.label(_('Welcome, {name}', name=profile.full_name)).classes('text-subtitle1').mark('welcome')
        with ui.tabs().props('inline-label outside-arrows mobile-arrows').classes('w-full') as tabs:
            for section in SECTIONS:
                ui.tab(section.name, _(section.title)).mark(f'tab-{section.name}')
        with ui.tab_panels(tabs, value=first.name, on_change=lambda e: ensure(e.value)).classes(
            'w-full bg-transparent'
        ):
            for section in SECTIONS:
                panels[section.name] = ui.tab_panel(section.name).classes('p-0')
    ensure(first.name)
    client = ui.context.client

    async def build_the_rest() -> None:
        await client.connected()
        # read again: an agency may have written since the first response, before these sections subscribed
        latest.records = await registry.list_records(actor=actor, person_id=actor.person_id)
        latest.children = await registry.list_children_records(
            actor=actor, person_id=actor.person_id, today=datetime.now(UTC).date()
        )
        for section in SECTIONS:
            with client:
                ensure(section.name)
            await asyncio.sleep(0)  # one section at a time: a tab the citizen opens meanwhile goes first

    background_tasks.create(build_the_rest(), name='cabinet sections')
    return None


@dataclass
class _Loaded:
    records: list[RecordView]
    children: list[ChildRecords]


def _build(
    panel: ui.tab_panel,
    *,
    actor: PersonActor,
    section: Section,
    profile: Profile,
    records: list[RecordView],
    children: list[ChildRecords],
) -> None:
    with panel:
        registry_section(
            actor=actor,
            section=section,
            records=[r for r in records if r.kind in section.kinds],
            extra={N_('FIN'): profile.fin} if section.name == 'personal' else None,
            children=children if section.name == 'health' else None,
        )
