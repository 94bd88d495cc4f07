"""The officer writes to a citizen chosen by FIN: the letter lands in the citizen's "Gələn" folder.

Files are kept in memory until the letter is sent; the store checks each (name, size, content) and the set again
when sending, and writes nothing when anything is wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.responses import RedirectResponse
from nicegui import ui

from portal.components.errors import show_error
from portal.components.frame import frame
from portal.components.pending_files import pending_files
from portal.errors import DomainError
from portal.i18n import _, current_language
from portal.pages.guard import require
from portal.store import letters, orgs
from portal.store.actors import PersonActor, Role
from portal.store.letters import LetterView, files
from portal.store.letters.models import BODY_MAX, TITLE_MAX

MB = files.MAX_FILE_BYTES // (1024 * 1024)


async def new_letter_page() -> RedirectResponse | None:
    actor = await require(Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    assert actor.organisation_id is not None
    org = await orgs.get_organisation_by_id(actor.organisation_id)
    with frame(_('Write to a citizen'), actor):
        ui.label(_('From: {organisation}', organisation=org.display_name(current_language()))).mark('to-from')
        _letter_form(actor)
        ui.link(_('Back to the desk'), '/desk').mark('to-back')
    return None


class _letter_form(ui.column):
    def __init__(self, actor: PersonActor) -> None:
        super().__init__()
        self.actor = actor
        self.classes('w-full max-w-3xl')
        with self:
            with ui.card().classes('w-full') as self.form:
                self.fin = ui.input(_('FIN of the citizen'), placeholder='5ZK2M7R').props('maxlength=7').mark('to-fin')
                self.title = ui.input(_('Title')).props(f'maxlength={TITLE_MAX} counter').classes('w-full')
                self.title.mark('to-title')
                self.body = ui.textarea(_('Text')).props(f'maxlength={BODY_MAX} autogrow').classes('w-full')
                self.body.mark('to-body')
                hint = _('PDF, JPEG, PNG or DOCX; up to {count} files, {size} MB each.', count=files.MAX_FILES, size=MB)
                ui.label(hint).classes('text-caption text-grey-8')
                self.error = ui.label().classes('text-negative').mark('to-error')
                self.error.set_visibility(False)
                self.attached = pending_files(
                    label=_('Attach files'), error=self.error, upload_mark='to-files', item_mark='to-file'
                )
                self.button = ui.button(_('Send'), icon='send', on_click=self._send).mark('to-send')
            self.done = ui.card().classes('w-full').props('flat bordered')
            self.done.set_visibility(False)

    async def _send(self) -> None:
        self.error.set_visibility(False)
        inputs = {'fin': self.fin, 'title': self.title, 'body': self.body}
        for element in inputs.values():
            element.props(remove='error')
        self.button.disable()  # a second click while sending is ignored
        try:
            view = await letters.send_to_citizen(
                actor=self.actor,
                fin=self.fin.value or '',
                title=self.title.value or '',
                body=self.body.value or '',
                uploads=list(self.attached.uploads),
                now=datetime.now(UTC),
            )
        except DomainError as exc:
            if exc.field and exc.field in inputs:
                inputs[exc.field].props('error')
            show_error(exc, self.error)
            self.button.enable()
            return
        self._sent(view)

    def _sent(self, view: LetterView) -> None:
        self.form.set_visibility(False)
        self.done.set_visibility(True)
        with self.done:
            ui.label(_('The letter was sent to {name}.', name=view.summary.citizen_name)).mark('to-sent')
            ui.link(_('Open the letter'), f'/letters/{view.id}').mark('to-sent-link')
            again = ui.button(_('Write another letter'), on_click=lambda: ui.navigate.to('/desk/letters/new'))
            again.props('flat').mark('to-another')
        ui.notify(_('The letter was sent.'), type='positive')
