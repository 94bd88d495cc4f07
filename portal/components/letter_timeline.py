"""A letter's timeline: every step with its time, where it happened and the actor's role (an officer's name only
where the store gives it, i.e. on the organisation's own side)."""

from __future__ import annotations

from nicegui import ui

from portal.components.letter_status import org_name
from portal.errors import N_
from portal.i18n import _, fmt_datetime
from portal.store.letters import EventView
from portal.store.letters.models import ActorKind, EventKind

EVENT_LABELS = {
    EventKind.SENT: N_('Letter sent'),
    EventKind.RECEIVED: N_('Received'),
    EventKind.UNDER_REVIEW: N_('Under review'),
    EventKind.INVESTIGATION: N_('Investigation needed: the deadline is 30 working days'),
    EventKind.ANSWERED: N_('Answered'),
    EventKind.FORWARDED: N_('Forwarded'),
    EventKind.REJECTED: N_('Rejected'),
    EventKind.READ: N_('Read by the citizen'),
}
EVENT_ICONS = {
    EventKind.SENT: 'send',
    EventKind.RECEIVED: 'inbox',
    EventKind.UNDER_REVIEW: 'manage_search',
    EventKind.INVESTIGATION: 'schedule',
    EventKind.ANSWERED: 'reply',
    EventKind.FORWARDED: 'forward',
    EventKind.REJECTED: 'block',
    EventKind.READ: 'drafts',
}
ACTOR_LABELS = {
    ActorKind.CITIZEN: N_('citizen'),
    ActorKind.OFFICER: N_('officer'),
    ActorKind.INTEGRATION: N_("agency's system"),
    ActorKind.SYSTEM: N_('system'),
}


def letter_timeline(events: list[EventView]) -> None:
    with ui.column().classes('w-full gap-0').mark('letter-timeline'):
        for event in events:
            with ui.row().classes('w-full items-start gap-3 py-1 no-wrap').mark('timeline-step', f'step-{event.kind}'):
                ui.icon(EVENT_ICONS[event.kind], color='grey-8').classes('mt-1')
                with ui.column().classes('gap-0'):
                    headline = _(EVENT_LABELS[event.kind])
                    if event.kind is EventKind.FORWARDED and event.other_organisation is not None:
                        headline = _('Forwarded to {organisation}', organisation=org_name(event.other_organisation))
                    ui.label(headline).classes('text-weight-medium')
                    who = _(ACTOR_LABELS[event.actor_kind])
                    if event.actor_name:
                        who = f'{who}: {event.actor_name}'
                    details = [fmt_datetime(event.created_at), who]
                    if event.organisation is not None:
                        details.insert(1, org_name(event.organisation))
                    ui.label(' · '.join(details)).classes('text-caption text-grey-8').mark('step-details')
                    if event.note:
                        ui.label(event.note).classes('text-caption whitespace-pre-wrap').mark('step-note')
