"""How a citizen receives notices: contacts, the language of SMS and e-mails, quiet hours for SMS, the daily digest,
and for each of the 19 types whether it also goes by SMS and by e-mail (the cabinet always shows it).

The store checks every value and names the field it refuses; the message goes under that field.
"""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui import ui

from portal.components.errors import error_text, show_error, show_problem
from portal.errors import DomainError
from portal.i18n import LANGUAGES, _
from portal.store.actors import PersonActor
from portal.store.notices import cabinet
from portal.store.notices.models import Channel
from portal.store.notices.outbox import Preferences, known_types
from portal.store.notices.types import NoticeType

HOURS = {h: f'{h:02d}:00' for h in range(24)}


class notice_settings(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, preferences: Preferences) -> None:
        super().__init__()
        self.actor = actor
        self.errors: dict[str, ui.label] = {}
        self.choices: dict[str, dict[Channel, ui.checkbox]] = {}
        self.classes('w-full gap-4').mark('notice-settings')
        with self:
            self._contacts(preferences)
            self._timing(preferences)
            self._types(preferences)
            self.error = ui.label().classes('text-negative').props('role=alert').mark('settings-error')
            self.error.set_visibility(False)
            self.save_button = ui.button(_('Save'), icon='save', on_click=self.save).mark('settings-save')

    def _contacts(self, prefs: Preferences) -> None:
        with ui.card().classes('w-full').mark('settings-contacts'):
            ui.label(_('Contacts')).classes('text-h6')
            with ui.row().classes('w-full gap-4 items-start'):
                with ui.column().classes('gap-0'):
                    self.email = ui.input(_('E-mail'), value=prefs.email, placeholder='ad@example.az')
                    self.email.props('type=email maxlength=255 autocomplete=email').classes('min-w-72')
                    self.email.mark('settings-email')
                    self._error_line('email')
                with ui.column().classes('gap-0'):
                    self.phone = ui.input(_('Mobile number'), value=prefs.phone, placeholder='+994501234567')
                    self.phone.props('type=tel maxlength=20 autocomplete=tel').classes('min-w-64')
                    self.phone.mark('settings-phone')
                    self._error_line('phone')
                with ui.column().classes('gap-0'):
                    self.lang = ui.select(LANGUAGES, value=prefs.lang, label=_('Language of SMS and e-mails'))
                    self.lang.classes('min-w-64').mark('settings-lang')
                    self._error_line('lang')

    def _timing(self, prefs: Preferences) -> None:
        with ui.card().classes('w-full').mark('settings-timing'):
            ui.label(_('Quiet hours and digest')).classes('text-h6')
            with ui.row().classes('gap-4 items-start'):
                with ui.column().classes('gap-0'):
                    self.quiet_from = ui.select(HOURS, value=prefs.quiet_from, label=_('No SMS from'))
                    self.quiet_from.classes('min-w-32').mark('settings-quiet-from')
                    self.quiet_from.on_value_change(self._explain_quiet)
                    self._error_line('quiet_from')
                with ui.column().classes('gap-0'):
                    self.quiet_until = ui.select(HOURS, value=prefs.quiet_until, label=_('until'))
                    self.quiet_until.classes('min-w-32').mark('settings-quiet-until')
                    self.quiet_until.on_value_change(self._explain_quiet)
                    self._error_line('quiet_until')
            self.quiet_hint = ui.label().classes('text-caption text-grey-8').mark('settings-quiet-hint')
            self._explain_quiet()
            self.digest = ui.switch(_('One e-mail a day (digest)'), value=prefs.digest).mark('settings-digest')
            ui.label(_('E-mails are gathered into one message a day instead of one for each notice.')).classes(
                'text-caption text-grey-8'
            )

    def _types(self, prefs: Preferences) -> None:
        with ui.card().classes('w-full').mark('settings-types'):
            ui.label(_('Notice types')).classes('text-h6')
            ui.label(_('The cabinet shows every notice; choose which also come by SMS and by e-mail.')).classes(
                'text-caption text-grey-8'
            )
            with ui.grid(columns='minmax(12rem, 1fr) repeat(3, auto)').classes('w-full items-center gap-x-4 gap-y-1'):
                # headings for the eye; each checkbox names its channel and type itself
                for heading in (_('Notice type'), _('Cabinet'), _('SMS'), _('E-mail')):
                    ui.label(heading).classes('text-weight-bold')
                for spec in known_types():
                    self._type_row(spec, prefs)
            self._error_line('channels')

    def _type_row(self, spec: NoticeType, prefs: Preferences) -> None:
        title = _(spec.title)
        with ui.column().classes('gap-0'):
            ui.label(f'{spec.number}. {title}').mark(f'type-{spec.code}')
            if spec.opt_in:
                ui.label(_('Only on request: choose SMS or e-mail to receive it.')).classes('text-caption text-grey-8')
        cabinet = _('Cabinet')
        cabinet_box = ui.checkbox(value=True).props(f'aria-label="{cabinet}: {title}"').mark(f'cabinet-{spec.code}')
        cabinet_box.disable()
        boxes: dict[Channel, ui.checkbox] = {}
        for channel, label in ((Channel.SMS, _('SMS')), (Channel.EMAIL, _('E-mail'))):
            box = ui.checkbox(value=prefs.wants(spec, channel)).props(f'aria-label="{label}: {title}"')
            boxes[channel] = box.mark(f'{channel.value}-{spec.code}')
        self.choices[spec.code] = boxes
        if spec.opt_in:  # an opt-in type reaches even the cabinet only when asked for by SMS or e-mail
            asked = lambda: any(b.value for b in boxes.values())  # noqa: E731
            cabinet_box.set_value(asked())
            for box in boxes.values():
                box.on_value_change(lambda: cabinet_box.set_value(asked()))

    def _error_line(self, field: str) -> None:
        line = ui.label().classes('text-negative text-caption').props('role=alert').mark(f'settings-error-{field}')
        line.set_visibility(False)
        self.errors[field] = line

    def _explain_quiet(self) -> None:
        start, end = self.quiet_from.value, self.quiet_until.value
        if start == end:
            text = _('SMS are sent at any hour.')
        else:
            text = _(
                'No SMS between {start} and {end}; they are held until the morning.',
                start=HOURS.get(start, '—'),
                end=HOURS.get(end, '—'),
            )
        self.quiet_hint.set_text(text)

    async def save(self) -> None:
        for line in (*self.errors.values(), self.error):
            line.set_visibility(False)
        self.save_button.disable()
        try:
            await cabinet.save_preferences(
                actor=self.actor,
                email=self.email.value or '',
                phone=self.phone.value or '',
                channels={
                    code: {c.value: bool(b.value) for c, b in boxes.items()} for code, boxes in self.choices.items()
                },
                quiet_from=_hour(self.quiet_from.value),
                quiet_until=_hour(self.quiet_until.value),
                digest=bool(self.digest.value),
                lang=str(self.lang.value or ''),
                now=datetime.now(UTC),
            )
        except DomainError as exc:
            self._refused(exc)
            return
        finally:
            self.save_button.enable()
        ui.notify(_('Notice settings saved.'), type='positive', position='top')

    def _refused(self, exc: DomainError) -> None:
        line = self.errors.get(exc.field or '')
        if line is None:
            show_error(exc, self.error)
            return
        line.set_text(error_text(exc))
        line.set_visibility(True)
        show_problem(error_text(exc))
        element = {'email': self.email, 'phone': self.phone}.get(exc.field or '')
        if element is not None:
            element.run_method('focus')


def _hour(value: object) -> int:
    return value if isinstance(value, int) else -1  # nothing chosen: the store names the field
