"""One section of the cabinet: the records of one kind, refreshed live when its owning agency changes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from nicegui import ui

from portal.components.live import subscribe
from portal.i18n import _, current_language, fmt_date, fmt_datetime
from portal.live import Event
from portal.store import registry
from portal.store.actors import PersonActor
from portal.store.registry import RecordView
from portal.store.registry_kinds import FieldSpec, KindSpec

EXPIRY_WARNING_DAYS = 90


class record_section(ui.card):
    def __init__(self, *, actor: PersonActor, spec: KindSpec, records: list[RecordView], extra: dict[str, str]) -> None:
        super().__init__()
        self.actor, self.spec, self.records, self.extra = actor, spec, records, extra
        self.updated = False
        self.classes('w-full').mark(f'section-{spec.name}')
        with self:
            self.render()
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    @ui.refreshable_method
    def render(self) -> None:
        with ui.row().classes('items-center gap-2'):
            ui.label(_(self.spec.title)).classes('text-h6')
            if self.updated:
                ui.badge(_('updated'), color='positive').mark(f'updated-{self.spec.name}')
        if not self.records:
            ui.label(_('No record in the registry.')).classes('text-grey-8')
        for record in self.records:
            self._record(record)

    def _record(self, record: RecordView) -> None:
        with ui.grid(columns='minmax(10rem, auto) 1fr').classes('w-full gap-x-6 gap-y-1'):
            for label, text in self.extra.items():
                ui.label(_(label)).classes('text-grey-8')
                ui.label(text).mark(f'{self.spec.name}-extra')
            for field in self.spec.fields:
                value = record.data.get(field.name)
                if value in (None, ''):
                    continue
                ui.label(_(field.label)).classes('text-grey-8')
                ui.label(_format(field, value)).mark(f'{self.spec.name}-{field.name}')
        with ui.row().classes('items-center gap-3 text-caption text-grey-8'):
            lang = current_language()
            source = record.source_name_en if lang == 'en' and record.source_name_en else record.source_name_az
            ui.label(_('Source: {agency}', agency=source)).mark(f'{self.spec.name}-source')
            ui.label(_('Updated: {time}', time=fmt_datetime(record.updated_at))).mark(f'{self.spec.name}-time')
            if record.valid_until is not None:
                validity_badge(record.valid_until, datetime.now(UTC).date())

    async def _on_event(self, event: Event) -> None:
        if event.kind != 'registry.updated' or event.data.get('kind') != self.spec.name:
            return
        self.records = await registry.list_records(
            actor=self.actor, person_id=self.actor.person_id, kind=self.spec.name
        )
        self.updated = True
        self.render.refresh()


def validity_badge(valid_until: date, today: date) -> None:
    days = (valid_until - today).days
    if days < 0:
        ui.badge(_('expired'), color='negative').mark('validity')
    elif days <= EXPIRY_WARNING_DAYS:
        ui.badge(_('expires in {days} days', days=days), color='warning').mark('validity')
    else:
        ui.badge(_('valid'), color='positive').mark('validity')


def _format(field: FieldSpec, value: Any) -> str:
    if field.kind == 'date':
        return fmt_date(date.fromisoformat(str(value)))
    if field.kind == 'gender':
        return _('male') if value == 'M' else _('female')
    return str(value)
