"""The operation history list, newest first, refreshed live when something new happens to the person."""

from __future__ import annotations

from nicegui import ui

from portal.components.live import subscribe
from portal.errors import N_
from portal.i18n import _, current_language, fmt_datetime
from portal.live import Event
from portal.store import audit
from portal.store.actors import PersonActor
from portal.store.audit import HistoryKind, HistoryView
from portal.store.registry_kinds import KINDS

PAGE = 50
KIND_LABELS = {
    HistoryKind.LOGIN: N_('Login'),
    HistoryKind.LOGOUT: N_('Logout'),
    HistoryKind.SESSION_EXPIRED: N_('Session ended after inactivity'),
    HistoryKind.DATA_UPDATED: N_('Data updated'),
    HistoryKind.DATA_CONFIRMED: N_('Data confirmed as correct'),
    HistoryKind.CORRECTION_REQUESTED: N_('Correction requested'),
    HistoryKind.CORRECTION_RESOLVED: N_('Correction request answered'),
    HistoryKind.PAYMENT_SUCCEEDED: N_('Payment'),
    HistoryKind.PAYMENT_FAILED: N_('Payment failed'),
    HistoryKind.SERVICE_USED: N_('Service used'),
}
METHOD_LABELS = {'password': N_('password'), 'asan': 'ASAN İmza', 'sima': 'SİMA'}


class history_list(ui.column):
    def __init__(self, *, actor: PersonActor, events: list[HistoryView]) -> None:
        super().__init__()
        self.actor, self.events = actor, events
        self.classes('w-full gap-0').mark('history')
        with self:
            self.render()
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    @ui.refreshable_method
    def render(self) -> None:
        if not self.events:
            ui.label(_('No operations yet.'))
        for event in self.events:
            with ui.row().classes('w-full items-baseline gap-4 py-2 border-b').mark('history-row'):
                ui.label(fmt_datetime(event.created_at)).classes('text-grey-8 w-36')
                ui.label(_(KIND_LABELS[event.kind])).classes('text-weight-medium').mark(f'history-{event.kind}')
                ui.label(_detail(event)).classes('text-grey-9')
        if len(self.events) % PAGE == 0 and self.events:
            ui.button(_('Show more'), on_click=self._more).props('flat').mark('history-more')

    async def _more(self) -> None:
        self.events += await audit.list_history(
            actor=self.actor, person_id=self.actor.person_id, limit=PAGE, offset=len(self.events)
        )
        self.render.refresh()

    async def _on_event(self, _event: Event) -> None:
        self.events = await audit.list_history(
            actor=self.actor, person_id=self.actor.person_id, limit=max(len(self.events), PAGE)
        )
        self.render.refresh()


def _detail(event: HistoryView) -> str:
    if event.method:
        method = METHOD_LABELS.get(event.method, event.method)
        return _('Method: {method}', method=_(method))
    if event.kind is HistoryKind.DATA_UPDATED:
        agency = event.organisation_name_az
        if current_language() == 'en' and event.organisation_name_en:
            agency = event.organisation_name_en
        kind = KINDS.get(str(event.detail.get('record_kind', '')))
        what = _(kind.title) if kind else str(event.detail.get('record_kind', ''))
        return _('{what}, updated by {agency}', what=what, agency=agency or '')
    return ''
