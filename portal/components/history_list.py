"""The operation history: filters by kind and dates, pages, CSV export; refreshed live on new operations."""

from __future__ import annotations

import csv
import io
from datetime import date

from nicegui import ui

from portal.components.errors import show_error
from portal.components.live import subscribe
from portal.errors import N_, DomainError
from portal.i18n import _, current_language, fmt_datetime
from portal.live import Event
from portal.store import audit
from portal.store.actors import PersonActor
from portal.store.audit import HistoryFilter, HistoryKind, HistoryPage, HistoryView
from portal.store.registry_kinds import KINDS
from portal.store.services.forms import FORMS
from portal.store.services.templates import TEMPLATES

PAGE = 25
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
    HistoryKind.LETTER_SENT: N_('Letter sent'),
    HistoryKind.LETTER_RECEIVED: N_('Letter received'),
    HistoryKind.CONSENT_GRANTED: N_('Permission given'),
    HistoryKind.CONSENT_REFUSED: N_('Data request refused'),
    HistoryKind.CONSENT_REVOKED: N_('Permission revoked'),
    HistoryKind.DATA_SHARED: N_('Shared in advance'),
}
METHOD_LABELS = {'password': N_('password'), 'asan': 'ASAN İmza', 'sima': 'SİMA'}


class history_list(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, first: HistoryPage) -> None:
        super().__init__()
        self.actor, self.result = actor, first
        self.where, self.page = HistoryFilter(), 1
        self.classes('w-full gap-2').mark('history')
        with self:
            self._filters()
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    def _filters(self) -> None:
        with ui.row().classes('w-full items-end gap-4'):
            options = {k.value: _(label) for k, label in KIND_LABELS.items()}
            self.kinds = ui.select(options, multiple=True, label=_('Operation')).props('use-chips clearable')
            self.kinds.classes('min-w-64').mark('history-kinds')
            self.since = ui.input(_('From')).props('type=date clearable').mark('history-since')
            self.until = ui.input(_('To')).props('type=date clearable').mark('history-until')
            ui.button(_('Show'), icon='filter_list', on_click=self._apply).mark('history-apply')
            ui.button(_('Download CSV'), icon='download', on_click=self._export).props('outline').mark('history-csv')

    def _render(self) -> None:
        ui.label(_('Operations found: {count}', count=self.result.total)).classes('text-caption').mark('history-total')
        if not self.result.events:
            ui.label(_('No operations yet.'))
        for event in self.result.events:
            with ui.row().classes('w-full items-baseline gap-4 py-2 border-b').mark('history-row'):
                ui.label(fmt_datetime(event.created_at)).classes('text-grey-8 w-36')
                ui.label(_(KIND_LABELS[event.kind])).classes('text-weight-medium').mark(f'history-{event.kind}')
                ui.label(describe(event)).classes('text-grey-9')
        pages = max((self.result.total + PAGE - 1) // PAGE, 1)
        if pages > 1:
            ui.pagination(1, pages, direction_links=True, value=self.page, on_change=self._turn).mark('history-pages')

    async def _apply(self) -> None:
        try:
            self.where = HistoryFilter(
                kinds=frozenset(HistoryKind(k) for k in self.kinds.value or ()),
                since=_parse(self.since.value),
                until=_parse(self.until.value),
            )
        except DomainError as exc:
            show_error(exc)
            return
        self.page = 1
        await self._load()

    async def _turn(self, e: object) -> None:
        self.page = int(getattr(e, 'value', 1) or 1)
        await self._load()

    async def _load(self) -> None:
        self.result = await audit.page_history(
            actor=self.actor,
            person_id=self.actor.person_id,
            limit=PAGE,
            offset=(self.page - 1) * PAGE,
            where=self.where,
        )
        self.render.refresh()

    async def _export(self) -> None:
        everything = await audit.page_history(
            actor=self.actor, person_id=self.actor.person_id, limit=audit.EXPORT_MAX, where=self.where
        )
        csv_bytes = history_csv(everything.events).encode('utf-8')
        ui.download.content(csv_bytes, 'kabinet-history.csv', 'text/csv; charset=utf-8')

    async def _on_event(self, _event: Event) -> None:
        await self._load()


def history_csv(events: list[HistoryView]) -> str:
    """The rows as a spreadsheet opens them: UTF-8 with BOM, local time, translated operation names."""
    out = io.StringIO()
    out.write('\ufeff')
    writer = csv.writer(out)
    writer.writerow([_('Time'), _('Operation'), _('Details')])
    for event in events:
        writer.writerow([fmt_datetime(event.created_at), _(KIND_LABELS[event.kind]), describe(event)])
    return out.getvalue()


def describe(event: HistoryView) -> str:
    if event.kind in (HistoryKind.LETTER_SENT, HistoryKind.LETTER_RECEIVED):
        return _describe_letter(event)
    if event.kind is HistoryKind.SERVICE_USED and event.detail.get('service') in ('certificate', 'application'):
        return _describe_service(event)
    if event.method:
        return _('Method: {method}', method=_(METHOD_LABELS.get(event.method, event.method)))
    kind = KINDS.get(str(event.detail.get('record_kind') or event.detail.get('kind') or ''))
    what = _(kind.title) if kind else ''
    agency = _agency(event)
    if event.kind is HistoryKind.DATA_UPDATED:
        return _('{what}, updated by {agency}', what=what, agency=agency)
    if event.kind is HistoryKind.PAYMENT_SUCCEEDED and event.detail.get('receipt_no'):
        return _(
            '{what}: {amount} AZN, receipt {receipt}',
            what=what,
            amount=event.detail.get('amount', ''),
            receipt=event.detail['receipt_no'],
        )
    return ', '.join(p for p in (what, agency) if p)


def _describe_letter(event: HistoryView) -> str:
    title, agency = str(event.detail.get('title') or ''), _agency(event)
    if event.kind is HistoryKind.LETTER_RECEIVED:
        return _('“{title}” from {agency}', title=title, agency=agency)
    method = _(METHOD_LABELS.get(event.method or '', event.method or ''))
    return _('“{title}” to {agency}, signed with {method}', title=title, agency=agency, method=method)


def _describe_service(event: HistoryView) -> str:
    """A certificate or decision issued (with its verification code), or an application made (with its number)."""
    detail, agency = event.detail, _agency(event)
    if detail.get('service') == 'application':
        form = FORMS.get(str(detail.get('form')))
        title = _(form.title) if form else str(detail.get('form') or '')
        return _(
            'Application {number} “{title}” to {agency}', number=detail.get('number', ''), title=title, agency=agency
        )
    template = TEMPLATES.get(str(detail.get('template')))
    title = _(template.title) if template else str(detail.get('title') or '')
    return _('“{title}” issued by {agency}, code {code}', title=title, agency=agency, code=detail.get('code', ''))


def _agency(event: HistoryView) -> str:
    if current_language() == 'en' and event.organisation_name_en:
        return event.organisation_name_en
    return event.organisation_name_az or ''


def _parse(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
