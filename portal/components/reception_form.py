"""The citizen's request for a meeting with a local executive: the executive, the topic, a short summary, one to three
preferred days and optional files. The store decides; a refusal naming a field is shown under it, nothing typed is
lost."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

from nicegui import ui

from portal.components.errors import error_text, show_error, show_problem
from portal.components.pending_files import pending_files
from portal.errors import DomainError
from portal.i18n import _
from portal.store.actors import PersonActor
from portal.store.letters.files import MAX_FILE_BYTES, MAX_FILES
from portal.store.reception import requests
from portal.store.reception.common import TOPICS, RequestView
from portal.store.reception.models import SUMMARY_MAX
from portal.store.reception.requests import PREFERRED_MAX, NewRequest


class reception_form(ui.card):  # an element-like component
    def __init__(
        self,
        *,
        actor: PersonActor,
        executives: dict[str, str],
        home: str | None,
        on_done: Callable[[RequestView], Awaitable[None]],
    ) -> None:
        super().__init__()
        self.actor, self.on_done = actor, on_done
        self.classes('w-full gap-2').mark('reception-form')
        with self:
            ui.label(_('Request a meeting')).classes('text-h6')
            ui.label(
                _(
                    'The local executive reviews the request and sets the time, the place and who receives you; '
                    'you see it here and get a notice.'
                )
            ).classes('text-caption text-grey-8')
            self.executive = ui.select(
                executives, label=_('Local executive') + ' *', value=home, with_input=True
            ).classes('w-full max-w-xl')
            self.executive.mark('reception-executive')
            self.errors = {'executive': _error('reception-error-executive')}
            topics = {code: _(label) for code, label in TOPICS.items()}
            self.topic = ui.select(topics, label=_('Topic') + ' *').classes('w-full max-w-xl').mark('reception-topic')
            self.errors['topic'] = _error('reception-error-topic')
            self.summary = ui.textarea(_('What would you like to discuss?') + ' *')
            self.summary.props(f'maxlength={SUMMARY_MAX} counter autogrow').classes('w-full').mark('reception-summary')
            self.errors['summary'] = _error('reception-error-summary')
            ui.label(_('Preferred days (one to three)')).classes('text-weight-medium')
            with ui.row().classes('gap-3'):
                self.days = [
                    ui.input(_('Day {n}', n=n + 1)).props('type=date stack-label').mark(f'reception-day-{n + 1}')
                    for n in range(PREFERRED_MAX)
                ]
            self.errors['preferred_days'] = _error('reception-error-days')
            ui.label(
                _(
                    'Files (optional): PDF, JPEG, PNG or DOCX; at most {count} files, {size} MB each.',
                    count=MAX_FILES,
                    size=MAX_FILE_BYTES // 2**20,
                )
            ).classes('text-caption text-grey-8')
            self.errors['attachments'] = _error('reception-error-files')
            self.files = pending_files(
                label=_('Upload a file'),
                error=self.errors['attachments'],
                upload_mark='reception-upload',
                item_mark='reception-file',
            )
            self.error = _error('reception-error')
            self.send = ui.button(_('Send the request'), icon='send', on_click=self._send).mark('reception-send')

    def chosen_days(self) -> list[date] | None:
        """The days filled in, or None when one is not a date."""
        days = []
        for element in self.days:
            value = str(element.value or '').strip()
            if not value:
                continue
            try:
                days.append(date.fromisoformat(value))
            except ValueError:
                return None
        return days

    async def _send(self) -> None:
        for label in [*self.errors.values(), self.error]:
            label.set_visibility(False)
        days = self.chosen_days()
        if days is None:
            show_problem(_('Choose the days from the calendar.'), self.errors['preferred_days'])
            return
        new = NewRequest(
            executive_code=str(self.executive.value or ''),
            topic=str(self.topic.value or ''),
            summary=self.summary.value or '',
            preferred_days=days,
            uploads=list(self.files.uploads),
        )
        self.send.disable()
        try:
            view = await requests.request_meeting(actor=self.actor, new=new, now=datetime.now(UTC))
        except DomainError as exc:
            target = self.errors.get(exc.field or '')
            if target is None:
                show_error(exc, self.error)
            else:
                show_problem(error_text(exc), target)
            return
        finally:
            self.send.enable()
        self.summary.value = ''
        self.topic.value = None
        for element in self.days:
            element.value = ''
        self.files.forget()
        ui.notify(_('Your request was sent.'), type='positive')
        await self.on_done(view)


def _error(mark: str) -> ui.label:
    error = ui.label().classes('text-negative text-caption').mark(mark)
    error.set_visibility(False)
    return error
