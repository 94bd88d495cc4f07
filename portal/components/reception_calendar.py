"""The executive's reception settings on the desk: weekly hours (one line per weekday, e.g.
``10:00-13:00, 14:00-17:00``), the length of a meeting, the place, the officials who receive; and the desk's figures
(requests per topic, median time from a request to its meeting, no-show rate)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from nicegui import ui

from portal.components.errors import error_text, show_error, show_problem
from portal.components.reception_view import topic_label
from portal.errors import N_, DomainError, Invalid
from portal.i18n import _
from portal.store.actors import PersonActor
from portal.store.reception import calendar, desk
from portal.store.reception.calendar import SLOT_MINUTES, CalendarView
from portal.store.reception.desk import Statistics
from portal.store.reception.models import NAME_MAX, PLACE_MAX, POSITION_MAX

WEEKDAY_NAMES = {
    1: N_('Monday'),
    2: N_('Tuesday'),
    3: N_('Wednesday'),
    4: N_('Thursday'),
    5: N_('Friday'),
    6: N_('Saturday'),
    7: N_('Sunday'),
}


class reception_settings(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, first: CalendarView) -> None:
        super().__init__()
        self.actor = actor
        self.classes('w-full gap-3').mark('reception-settings')
        with self:
            with ui.card().classes('w-full gap-2').mark('reception-hours'):
                ui.label(_('Reception hours')).classes('text-h6')
                ui.label(
                    _(
                        'Baku time; several intervals separated by commas; leave a day empty when there is no '
                        'reception. Public holidays are closed.'
                    )
                ).classes('text-caption text-grey-8')
                self.days: dict[int, ui.input] = {}
                self.errors: dict[str, ui.label] = {}
                for weekday, name in WEEKDAY_NAMES.items():
                    text = ', '.join(f'{a:%H:%M}-{b:%H:%M}' for a, b in first.hours.get(weekday, ()))
                    self.days[weekday] = ui.input(_(name), value=text, placeholder='10:00-13:00, 14:00-17:00')
                    self.days[weekday].classes('w-full max-w-md').mark(f'hours-{weekday}')
                    self.errors[f'day-{weekday}'] = _error(f'hours-error-{weekday}')
                minutes = {m: _('{minutes} minutes', minutes=m) for m in SLOT_MINUTES}
                self.length = ui.select(minutes, value=first.slot_minutes, label=_('Length of a meeting'))
                self.length.classes('min-w-48').mark('slot-minutes')
                self.place = ui.input(_('Place of reception'), value=first.place).props(f'maxlength={PLACE_MAX}')
                self.place.classes('w-full').mark('reception-place-input')
                self.errors['place'] = _error('place-error')
                self.error = _error('hours-error')
                ui.button(_('Save the hours'), icon='save', on_click=self._save).mark('hours-save')
            with ui.card().classes('w-full gap-2').mark('reception-officials'):
                ui.label(_('Who receives citizens')).classes('text-h6')
                self.officials = ui.column().classes('w-full gap-1')
                with ui.row().classes('w-full items-end gap-2'):
                    self.name = ui.input(_('Full name')).props(f'maxlength={NAME_MAX}').mark('official-name')
                    self.position = ui.input(_('Position')).props(f'maxlength={POSITION_MAX}').classes('grow')
                    self.position.mark('official-position')
                    ui.button(_('Add'), icon='person_add', on_click=self._add).mark('official-add')
                self.official_error = _error('official-error')
        self._show_officials(first)

    async def _save(self) -> None:
        for label in [*self.errors.values(), self.error]:
            label.set_visibility(False)
        try:
            hours = {d: calendar.parse_intervals(e.value or '', weekday=d) for d, e in self.days.items()}
            view = await calendar.set_calendar(
                actor=self.actor,
                hours=hours,
                slot_minutes=int(self.length.value or 0),
                place=self.place.value or '',
                now=datetime.now(UTC),
            )
        except Invalid as exc:
            self._refused(exc)
            return
        except DomainError as exc:
            show_error(exc, self.error)
            return
        self._show_officials(view)
        ui.notify(_('The reception hours are saved.'), type='positive')

    def _refused(self, exc: DomainError) -> None:
        target = self.errors.get(exc.field or '')
        if target is None:
            show_error(exc, self.error)
        else:
            show_problem(error_text(exc), target)

    async def _add(self) -> None:
        self.official_error.set_visibility(False)
        try:
            await calendar.add_official(
                actor=self.actor, name=self.name.value or '', position=self.position.value or '', now=datetime.now(UTC)
            )
        except DomainError as exc:
            show_error(exc, self.official_error)
            return
        self.name.value = self.position.value = ''
        self._show_officials(await calendar.my_calendar(actor=self.actor))

    async def _toggle(self, official_id: UUID, active: bool) -> None:
        try:
            await calendar.set_official_active(actor=self.actor, official_id=official_id, active=active)
        except DomainError as exc:
            show_error(exc, self.official_error)
            return
        self._show_officials(await calendar.my_calendar(actor=self.actor))

    def _show_officials(self, view: CalendarView) -> None:
        self.officials.clear()
        with self.officials:
            if not view.officials:
                ui.label(_('Nobody yet: add the officials who receive citizens.')).classes('text-grey-8')
            for o in view.officials:
                with ui.row().classes('w-full items-center gap-2').mark('official-row'):
                    text = ui.label(f'{o.name}, {o.position}').classes('grow')
                    if not o.active:
                        text.classes('text-grey-6 line-through')
                    ui.button(
                        _('Stops receiving') if o.active else _('Receives again'),
                        on_click=lambda i=o.id, a=not o.active: self._toggle(i, a),
                    ).props('flat dense').mark('official-toggle')


def reception_figures(figures: Statistics) -> None:
    with ui.card().classes('w-full gap-2').mark('reception-figures'):
        ui.label(_('Figures')).classes('text-h6')
        median = _('{days} days', days=figures.median_days) if figures.median_days is not None else '—'
        rate = f'{figures.no_show_rate:.0%}' if figures.no_show_rate is not None else '—'
        ui.label(_('Requests: {count}', count=figures.total)).mark('figures-total')
        ui.label(_('Median time from request to meeting: {median}', median=median)).mark('figures-median')
        ui.label(_('No-show rate: {rate}', rate=rate)).mark('figures-no-show')
        rows = [{'topic': topic_label(code), 'count': n} for code, n in figures.by_topic.items()]
        columns = [
            {'name': 'topic', 'label': _('Topic'), 'field': 'topic', 'align': 'left'},
            {'name': 'count', 'label': _('Requests'), 'field': 'count'},
        ]
        ui.table(columns=columns, rows=rows, row_key='topic').props('dense flat').classes('w-full max-w-md').mark(
            'figures-topics'
        )


async def load_figures(actor: PersonActor) -> Statistics:
    return await desk.reception_statistics(actor=actor)


def _error(mark: str) -> ui.label:
    error = ui.label().classes('text-negative text-caption').mark(mark)
    error.set_visibility(False)
    return error
