"""One reception request as a card, for its citizen or for the executive's desk: number, executive, topic, state, the
meeting's time, place and official, the reason of a decline or cancellation, preferred days, files and timeline."""

from __future__ import annotations

from uuid import UUID

from nicegui import ui

from portal.errors import N_
from portal.i18n import _, fmt_date, fmt_datetime
from portal.store.reception.common import STATE_WORDS, TOPICS, RequestView, StepView
from portal.store.reception.models import ReceptionEventKind, ReceptionState

STATE_COLORS = {
    ReceptionState.REQUESTED: 'blue-8',
    ReceptionState.SCHEDULED: 'positive',
    ReceptionState.DONE: 'grey-8',
    ReceptionState.NO_SHOW: 'warning',
    ReceptionState.CANCELLED: 'grey-7',
    ReceptionState.DECLINED: 'negative',
}
STEP_LABELS = {
    ReceptionEventKind.REQUESTED: N_('Request sent'),
    ReceptionEventKind.SCHEDULED: N_('Meeting scheduled'),
    ReceptionEventKind.RESCHEDULED: N_('Meeting moved'),
    ReceptionEventKind.DECLINED: N_('Request declined'),
    ReceptionEventKind.CANCELLED: N_('Cancelled'),
    ReceptionEventKind.DONE: N_('Meeting held'),
    ReceptionEventKind.NO_SHOW: N_('The citizen did not come'),
    ReceptionEventKind.REMINDED: N_('Reminder sent'),
}
BY_LABELS = {'citizen': N_('citizen'), 'executive': N_('local executive'), 'portal': N_('portal')}


def topic_label(code: str) -> str:
    return _(TOPICS.get(code, code))


def file_url(request_id: UUID, file_id: UUID) -> str:
    return f'/files/reception/{request_id}/{file_id}'


def calendar_url(request_id: UUID) -> str:
    return f'/files/reception/{request_id}/meeting.ics'


class reception_state(ui.badge):  # an element-like component
    def __init__(self, state: ReceptionState) -> None:
        super().__init__(_(STATE_WORDS[state]), color=STATE_COLORS[state])
        self.mark('reception-state', f'reception-state-{state.value}')


def request_card(view: RequestView, *, desk: bool) -> ui.card:
    """The request's facts; the caller adds its actions inside the returned card."""
    with ui.card().classes('w-full gap-1').mark('reception-request', f'reception-request-{view.id}') as card:
        with ui.row().classes('w-full items-center gap-3'):
            title = view.citizen_name if desk else view.executive_name
            ui.label(title).classes('text-subtitle1 text-weight-medium grow').mark('reception-title')
            reception_state(view.state)
        line = f'{view.number} · {topic_label(view.topic)} · ' + _('sent {time}', time=fmt_datetime(view.created_at))
        ui.label(line).classes('text-caption text-grey-8').mark('reception-number')
        if desk:
            ui.label(_('FIN: {fin}', fin=view.citizen_fin)).classes('text-caption').mark('reception-fin')
        ui.label(view.summary).classes('whitespace-pre-wrap').mark('reception-summary-text')
        days = ', '.join(fmt_date(d) for d in view.preferred_days)
        ui.label(_('Preferred days: {days}', days=days)).classes('text-caption').mark('reception-days')
        if view.starts_at is not None and view.state in (
            ReceptionState.SCHEDULED,
            ReceptionState.DONE,
            ReceptionState.NO_SHOW,
        ):
            with ui.column().classes('gap-0 bg-green-1 p-2 rounded w-full').mark('reception-meeting'):
                ui.label(_('Meeting: {time}', time=fmt_datetime(view.starts_at))).classes('text-weight-medium').mark(
                    'reception-when'
                )
                ui.label(_('Place: {place}', place=view.place)).mark('reception-place')
                who = f'{view.official_name}, {view.official_position}'
                ui.label(_('Received by: {name}', name=who)).mark('reception-official')
        if view.reason:
            ui.label(_('Reason: {reason}', reason=view.reason)).classes('text-negative whitespace-pre-wrap').mark(
                'reception-reason'
            )
        for file in view.files:
            with ui.row().classes('items-center gap-2'):
                ui.icon('attach_file')
                ui.link(file.filename, file_url(view.id, file.id)).mark('reception-file-link')
        if view.steps:
            with ui.expansion(_('Timeline'), icon='timeline').classes('w-full').mark('reception-timeline'):
                for step in view.steps:
                    _step(step)
    return card


def _step(step: StepView) -> None:
    with ui.row().classes('items-start gap-2 no-wrap').mark('reception-step', f'reception-step-{step.kind.value}'):
        ui.icon('radio_button_checked', color='grey-8').classes('mt-1')
        with ui.column().classes('gap-0'):
            ui.label(_(STEP_LABELS[step.kind])).classes('text-weight-medium')
            who = _(BY_LABELS.get(step.by, N_('portal')))
            ui.label(f'{fmt_datetime(step.at)} · {who}').classes('text-caption text-grey-8')
            if step.note:
                ui.label(step.note).classes('text-caption whitespace-pre-wrap')
