"""Landing desks of officers and admins; the capability issues fill them with their work queues."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from portal.components.correction_queue import QUEUE_SIZE, correction_queue
from portal.components.frame import frame
from portal.components.letter_queue import letter_queue, load_queue
from portal.errors import N_
from portal.i18n import _, current_language, fmt_datetime
from portal.pages.guard import require
from portal.store import apikeys, corrections, orgs, people, registry
from portal.store.actors import Role
from portal.store.orgs import OrgCategory
from portal.store.registry_kinds import KINDS

ROLE_LABELS = {
    Role.CITIZEN: N_('Citizen'),
    Role.AGENCY_OFFICER: N_('Agency officer'),
    Role.EXECUTIVE_OFFICER: N_('Local executive officer'),
    Role.ADMIN: N_('Administrator'),
}


async def desk_page() -> RedirectResponse | None:
    actor = await require(Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    assert actor.organisation_id is not None
    org = await orgs.get_organisation_by_id(actor.organisation_id)
    staff = await people.list_staff(actor=actor, organisation_id=org.id)
    kept = await registry.count_records_by_source(organisation_id=org.id)
    works_corrections = actor.role is Role.AGENCY_OFFICER and org.category is OrgCategory.AGENCY
    pending = await corrections.list_agency_corrections(actor=actor, limit=QUEUE_SIZE) if works_corrections else []
    incoming = await load_queue(actor)  # letters go to agencies and local executives alike
    title = _('Agency desk') if org.category is OrgCategory.AGENCY else _('Local executive desk')
    with frame(title, actor):
        with ui.card().classes('w-full').mark('desk-organisation'):
            ui.label(org.display_name(current_language())).classes('text-h6').mark('desk-org-name')
            ui.label(_('Code: {code}', code=org.code))
            if org.region:
                ui.label(_('Region: {region}', region=org.region))
            ui.link(_('Public statistics of our letters'), f'/statistics/letters/{org.code}').mark('desk-letter-stats')
        letter_queue(actor=actor, topic=org.topic, first=incoming)
        if org.category is OrgCategory.AGENCY:
            with ui.card().classes('w-full').mark('desk-registry'):
                ui.label(_('Registry')).classes('text-h6')
                owned = [_(k.title) for k in KINDS.values() if org.code in k.sources]
                ui.label(_('Kinds of record kept: {kinds}', kinds=', '.join(owned) or '—'))
                ui.label(_('Records kept for citizens: {count}', count=kept)).mark('desk-record-count')
        if works_corrections:
            correction_queue(actor=actor, items=pending)
        with ui.card().classes('w-full'):
            ui.label(_('Staff')).classes('text-h6')
            for member in staff:
                ui.label(f'{member.full_name} — {_(ROLE_LABELS[member.role])}')
    return None


async def admin_page() -> RedirectResponse | None:
    actor = await require(Role.ADMIN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    counts = await people.count_people(actor=actor)
    organisations = await orgs.list_organisations()
    clients = await apikeys.list_api_clients(actor=actor)
    with frame(_('Administration'), actor):
        ui.link(_('Notification outbox'), '/admin/outbox').mark('admin-outbox-link')
        ui.link(_('Data sharing: disputes and webhooks'), '/admin/consent').mark('admin-consent-link')
        with ui.card().classes('w-full').mark('admin-people'):
            ui.label(_('Accounts')).classes('text-h6')
            for role, count in counts.items():
                ui.label(f'{_(ROLE_LABELS[role])}: {count}')
        with ui.card().classes('w-full').mark('admin-clients'):
            ui.label(_('API clients')).classes('text-h6')
            ui.label(_('Create keys with: python -m portal api-key create --agency CODE --scope SCOPE'))
            rows = [
                {
                    'name': c.name,
                    'org': c.organisation_code,
                    'scopes': ', '.join(c.scopes),
                    'created': fmt_datetime(c.created_at),
                    'used': fmt_datetime(c.last_used_at) if c.last_used_at else '—',
                    'state': _('revoked') if c.revoked_at else _('active'),
                }
                for c in clients
            ]
            ui.table(
                columns=[
                    {'name': 'name', 'label': _('Name'), 'field': 'name'},
                    {'name': 'org', 'label': _('Organisation'), 'field': 'org'},
                    {'name': 'scopes', 'label': _('Scopes'), 'field': 'scopes'},
                    {'name': 'created', 'label': _('Created'), 'field': 'created'},
                    {'name': 'used', 'label': _('Last used'), 'field': 'used'},
                    {'name': 'state', 'label': _('State'), 'field': 'state'},
                ],
                rows=rows,
            ).classes('w-full')
        with ui.card().classes('w-full').mark('admin-organisations'):
            ui.label(_('Agencies and local executives: {count}', count=len(organisations))).classes('text-h6')
            ui.table(
                columns=[
                    {'name': 'code', 'label': _('Code'), 'field': 'code', 'sortable': True},
                    {'name': 'name', 'label': _('Name'), 'field': 'name', 'sortable': True},
                    {'name': 'kind', 'label': _('Kind'), 'field': 'kind', 'sortable': True},
                ],
                rows=[
                    {'code': o.code, 'name': o.display_name(current_language()), 'kind': o.kind} for o in organisations
                ],
                pagination=15,
            ).classes('w-full')
    return None
