"""The agency desk's queue of correction requests: oldest first, each accepted with corrected data or rejected.

The queue follows the agency's topic live: a new request is added and an answered one removed without redrawing the
others, so a form an officer is filling in stays as it is.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from nicegui import ui

from portal.components.errors import show_error, show_problem
from portal.components.live import subscribe
from portal.components.registry_section import field_grid
from portal.errors import DomainError
from portal.i18n import _, fmt_datetime
from portal.live import Event
from portal.store import corrections
from portal.store.actors import PersonActor
from portal.store.corrections import REASON_MAX, CorrectionView
from portal.store.registry_kinds import KINDS, FieldSpec, KindSpec

QUEUE_SIZE = 50
# an input of the accept form: ui.input, ui.textarea or ui.select
Input = Any


class correction_queue(ui.card):
    def __init__(self, *, actor: PersonActor, items: list[CorrectionView]) -> None:
        super().__init__()
        self.actor = actor
        self.cards: dict[UUID, ui.card] = {}
        self.classes('w-full').mark('correction-queue')
        with self:
            with ui.row().classes('items-center gap-2'):
                ui.label(_('Correction requests')).classes('text-h6')
                self.count = ui.badge('0').mark('queue-count')
            self.empty = ui.label(_('No correction requests are waiting.')).classes('text-grey-8').mark('queue-empty')
            self.more = ui.label(_('The oldest {count} requests are shown.', count=QUEUE_SIZE)).classes('text-caption')
            self.list = ui.column().classes('w-full gap-3')
        self.show(items)
        assert actor.organisation_id is not None
        subscribe(f'agency:{actor.organisation_id}', self._on_event)

    def show(self, items: list[CorrectionView]) -> None:
        """Show these pending requests: drop the cards of answered ones, add new ones, keep the rest untouched."""
        wanted = {item.id for item in items}
        for correction_id in [c for c in self.cards if c not in wanted]:
            self.drop(correction_id)
        for index, item in enumerate(items):
            card = self.cards.get(item.id)
            if card is None:
                with self.list:
                    card = self.cards[item.id] = _request_card(self, item)
            if self.list.default_slot.children.index(card) != index:
                card.move(self.list, target_index=index)
        self.count.set_text(str(len(items)))
        self.empty.set_visibility(not items)
        self.more.set_visibility(len(items) >= QUEUE_SIZE)

    def drop(self, correction_id: UUID) -> None:
        card = self.cards.pop(correction_id, None)
        if card is not None:
            card.delete()
        self.count.set_text(str(len(self.cards)))
        self.empty.set_visibility(not self.cards)

    async def _on_event(self, event: Event) -> None:
        if event.kind != 'correction.updated':
            return
        self.show(await corrections.list_agency_corrections(actor=self.actor, limit=QUEUE_SIZE))


def _request_card(queue: correction_queue, item: CorrectionView) -> ui.card:
    spec = KINDS[item.record_kind]
    with ui.card().classes('w-full').props('flat bordered').mark('correction-item', f'correction-{item.id}') as card:
        with ui.row().classes('w-full items-baseline gap-3'):
            title = _(spec.title) + (f' · {item.record_ref}' if item.record_ref else '')
            ui.label(title).classes('text-subtitle1 text-weight-medium').mark('correction-kind')
            ui.label(item.citizen_name).mark('correction-citizen')
            ui.space()
            ui.label(_('Received {time}', time=fmt_datetime(item.created_at))).classes('text-caption text-grey-8')
        ui.label(_("Citizen's comment:")).classes('text-caption text-grey-8')
        ui.label(item.comment).classes('whitespace-pre-wrap').mark('correction-comment')
        ui.label(_('Current values:')).classes('text-caption text-grey-8')
        field_grid(spec, item.record_data, mark='current')
        dialogs: dict[str, ui.dialog] = {}

        def open_dialog(name: str) -> None:
            if name not in dialogs:
                with card:
                    build = _accept_dialog if name == 'accept' else _reject_dialog
                    dialogs[name] = build(queue, item, spec)
            dialogs[name].open()

        with ui.row().classes('gap-2'):
            ui.button(_('Accept'), icon='check', on_click=lambda: open_dialog('accept')).mark(
                'accept', f'accept-{item.id}'
            )
            ui.button(_('Reject'), icon='close', on_click=lambda: open_dialog('reject')).props('outline').mark(
                'reject', f'reject-{item.id}'
            )
    return card


def _accept_dialog(queue: correction_queue, item: CorrectionView, spec: KindSpec) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-2xl'):
        ui.label(_('Correct the record: {kind}', kind=_(spec.title))).classes('text-h6')
        ui.label(_('The form holds the current values; change what the citizen reported correctly.')).classes(
            'text-body2'
        )
        inputs = {field.name: _field_input(field, item.record_data.get(field.name)) for field in spec.fields}
        note = (
            ui.textarea(_('Note for the citizen (optional)'))
            .props(f'maxlength={REASON_MAX} counter autogrow')
            .classes('w-full')
            .mark('accept-note')
        )
        error = ui.label().classes('text-negative').mark('accept-error')
        error.set_visibility(False)

        async def submit() -> None:
            error.set_visibility(False)
            for element in inputs.values():
                element.props(remove='error')
            data = _form_data(spec, item.record_data, inputs)
            if isinstance(data, str):  # a field that could not be read: its name
                _mark_error(inputs.get(data))
                show_problem(_('The field {field} is not valid JSON.', field=_(_label(spec, data))), error)
                return
            try:
                await corrections.accept_correction(
                    actor=queue.actor, correction_id=item.id, data=data, note=note.value, now=datetime.now(UTC)
                )
            except DomainError as exc:
                _mark_error(inputs.get((exc.field or '').removeprefix('data.').split('.')[0]))
                show_error(exc, error)
                return
            dialog.close()
            queue.drop(item.id)
            ui.notify(_('Correction request accepted; the record is updated.'), type='positive')

        with ui.row().classes('w-full justify-end'):
            ui.button(_('Cancel'), on_click=dialog.close).props('flat')
            ui.button(_('Accept and update the record'), icon='check', on_click=submit).mark('accept-send')
    return dialog


def _reject_dialog(queue: correction_queue, item: CorrectionView, spec: KindSpec) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-lg'):
        ui.label(_('Reject the correction request: {kind}', kind=_(spec.title))).classes('text-h6')
        reason = (
            ui.textarea(_('Reason (the citizen will read it)'))
            .props(f'maxlength={REASON_MAX} counter autogrow')
            .classes('w-full')
            .mark('reject-reason')
        )
        error = ui.label().classes('text-negative').mark('reject-error')
        error.set_visibility(False)

        async def submit() -> None:
            error.set_visibility(False)
            try:
                await corrections.reject_correction(
                    actor=queue.actor, correction_id=item.id, reason=reason.value, now=datetime.now(UTC)
                )
            except DomainError as exc:
                show_error(exc, error)
                return
            dialog.close()
            queue.drop(item.id)
            ui.notify(_('Correction request rejected.'), type='positive')

        with ui.row().classes('w-full justify-end'):
            ui.button(_('Cancel'), on_click=dialog.close).props('flat')
            ui.button(_('Reject'), icon='close', on_click=submit).props('color=negative').mark('reject-send')
    return dialog


def _field_input(field: FieldSpec, current: Any) -> Input:
    """An input for one declared field, holding its current value."""
    label = _(field.label)
    element: Input
    if field.kind in ('choice', 'gender'):
        options = {'M': _('male'), 'F': _('female')} if field.kind == 'gender' else field.choices
        options = {key: _(text) for key, text in options.items()}
        element = ui.select(options, label=label, value=current if current in options else None, clearable=True)
    elif field.kind == 'members':
        text = json.dumps(current or [], ensure_ascii=False, indent=1)
        element = ui.textarea(label, value=text).props('autogrow').classes('font-mono')
    elif field.kind == 'date':
        element = ui.input(label, value=str(current or '')).props('type=date stack-label')
    else:
        element = ui.input(label, value='' if current is None else str(current))
        if field.kind == 'money':
            element.props('inputmode=decimal')
    return element.classes('w-full').mark('accept-field', f'accept-{field.name}')


def _form_data(spec: KindSpec, current: dict[str, Any], inputs: dict[str, Input]) -> dict[str, Any] | str:
    """The record data from the form, or the name of a field that is not readable. Empty inputs are left out,
    so optional fields get their defaults and required ones are named by the schema's validation."""
    data = dict(current)
    for field in spec.fields:
        value = inputs[field.name].value
        if field.kind == 'members':
            try:
                value = json.loads(value or '[]')
            except json.JSONDecodeError:
                return field.name
        elif isinstance(value, str):
            value = value.strip()
        if value in (None, ''):
            data.pop(field.name, None)
        else:
            data[field.name] = value
    return data


def _label(spec: KindSpec, name: str) -> str:
    return next((f.label for f in spec.fields if f.name == name), name)


def _mark_error(element: Input | None) -> None:
    if element is not None:
        element.props('error')
