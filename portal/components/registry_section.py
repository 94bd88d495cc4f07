"""One section of the cabinet (e.g. "Transport"): its records, refreshed live when an agency changes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from babel.numbers import format_currency
from nicegui import ui

from portal.components.live import subscribe
from portal.components.record_actions import record_actions
from portal.errors import N_
from portal.i18n import _, current_language, fmt_date, fmt_datetime
from portal.live import Event
from portal.store import registry
from portal.store.actors import PersonActor
from portal.store.registry import ChildRecords, RecordView
from portal.store.registry_kinds import KINDS, FieldSpec, KindSpec, Section

EXPIRY_WARNING_DAYS = 90
# events that change what a section shows
REFRESHING_EVENTS = frozenset({'registry.updated', 'correction.updated', 'payment.updated'})


class registry_section(ui.column):  # an element-like component
    def __init__(
        self,
        *,
        actor: PersonActor,
        section: Section,
        records: list[RecordView],
        extra: dict[str, str] | None = None,
        children: list[ChildRecords] | None = None,
    ) -> None:
        super().__init__()
        self.actor, self.section, self.records = actor, section, records
        self.extra, self.children = extra or {}, children
        self.updated: set[UUID] = set()
        self.classes('w-full gap-4').mark(f'section-{section.name}')
        with self:
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
        subscribe(f'citizen:{actor.person_id}', self._on_event)
        for child in children or ():
            subscribe(f'citizen:{child.person_id}', self._on_child_event)

    def _render(self) -> None:
        for kind in self.section.kinds:
            spec = KINDS[kind]
            records = sorted((r for r in self.records if r.kind == kind), key=_newest_first)
            with ui.card().classes('w-full').mark(f'kind-{kind}'):
                with ui.row().classes('items-center gap-2'):
                    ui.label(_(spec.title)).classes('text-h6')
                    if any(r.id in self.updated for r in records):
                        ui.badge(_('updated'), color='positive').mark(f'updated-{kind}')
                if not records:
                    ui.label(_('No record in the registry.')).classes('text-grey-8').mark(f'empty-{kind}')
                for i, record in enumerate(records):
                    if i:
                        ui.separator()
                    extra = self.extra if kind == 'identity' else {}
                    record_block(spec, record, extra=extra)
                    record_actions(self.actor, spec, record)
        if self.children:
            self._children()

    def _children(self) -> None:
        """A minor child's records as one table per child (read-only for the parent)."""
        assert self.children is not None
        for child in self.children:
            with ui.card().classes('w-full').mark('child-records'):
                ui.label(_('{name}, born {date}', name=child.full_name, date=fmt_date(child.birth_date))).classes(
                    'text-h6'
                )
                if not child.records:
                    ui.label(_('No record in the registry.')).classes('text-grey-8')
                    continue
                fields = KINDS[child.records[0].kind].fields
                records = sorted(child.records, key=lambda r: str(r.data.get('given_on', '')), reverse=True)
                ui.table(
                    columns=[{'name': f.name, 'label': _(f.label), 'field': f.name, 'align': 'left'} for f in fields],
                    rows=[{f.name: format_value(f, r.data.get(f.name, '')) for f in fields} for r in records],
                    row_key='record_no',
                    pagination=0,
                ).props('flat dense wrap-cells').classes('w-full').mark('child-table')

    async def _on_event(self, event: Event) -> None:
        if event.kind not in REFRESHING_EVENTS or event.data.get('kind') not in self.section.kinds:
            return
        self.records = await registry.list_records(
            actor=self.actor, person_id=self.actor.person_id, kinds=self.section.kinds
        )
        if event.kind == 'registry.updated' and event.data.get('record_id'):
            self.updated.add(UUID(str(event.data['record_id'])))
        self.render.refresh()

    async def _on_child_event(self, event: Event) -> None:
        if event.kind != 'registry.updated' or event.data.get('kind') not in self.section.kinds:
            return
        self.children = await registry.list_children_records(
            actor=self.actor, person_id=self.actor.person_id, today=datetime.now(UTC).date()
        )
        self.render.refresh()


def record_block(spec: KindSpec, record: RecordView, *, extra: dict[str, str] | None = None) -> None:
    """The fields of one record, with its source, last update and validity."""
    field_grid(spec, record.data, mark=spec.name, extra=extra)
    with ui.row().classes('items-center gap-3 text-caption text-grey-8'):
        english = current_language() == 'en' and record.source_name_en
        source = record.source_name_en if english else record.source_name_az
        ui.label(_('Source: {agency}', agency=source)).mark(f'{spec.name}-source')
        ui.label(_('Updated: {time}', time=fmt_datetime(record.updated_at))).mark(f'{spec.name}-time')
        if record.valid_until is not None:
            validity_badge(record.valid_until, datetime.now(UTC).date())


def _newest_first(record: RecordView) -> float:
    return -record.updated_at.timestamp()


def field_grid(spec: KindSpec, data: dict[str, Any], *, mark: str, extra: dict[str, str] | None = None) -> None:
    """Label and formatted value of every filled field of a record, in two aligned columns."""
    with ui.grid(columns='minmax(10rem, auto) 1fr').classes('w-full gap-x-6 gap-y-1'):
        for label, text in (extra or {}).items():
            ui.label(_(label)).classes('text-grey-8')
            ui.label(text).mark(f'{mark}-extra')
        for field in spec.fields:
            value = data.get(field.name)
            if value in (None, '', []):
                continue
            ui.label(_(field.label)).classes('text-grey-8')
            ui.label(format_value(field, value)).mark(f'{mark}-{field.name}')


def validity_badge(valid_until: date, today: date) -> None:
    days = (valid_until - today).days
    if days < 0:
        ui.badge(_('expired'), color='negative').mark('validity')
    elif days <= EXPIRY_WARNING_DAYS:
        ui.badge(_('expires in {days} days', days=days), color='warning').mark('validity')
    else:
        ui.badge(_('valid'), color='positive').mark('validity')


def format_value(field: FieldSpec, value: Any) -> str:
    if field.kind == 'date':
        return fmt_date(date.fromisoformat(str(value)))
    if field.kind == 'gender':
        return _('male') if value == 'M' else _('female')
    if field.kind == 'money':
        return format_currency(value, 'AZN', locale=current_language())
    if field.kind == 'choice':
        return _(field.choices.get(str(value), str(value)))
    if field.kind == 'members':
        return '; '.join(
            f'{m["first_name"]} {m["last_name"]} ({_(RELATIONS.get(m["relation"], m["relation"]))}, '
            f'{fmt_date(date.fromisoformat(m["birth_date"]))})'
            for m in value
        )
    return str(value)


RELATIONS = {'spouse': N_('spouse'), 'child': N_('child'), 'parent': N_('parent'), 'sibling': N_('brother or sister')}
