"""'Yeni müraciət': writing a letter over the server-side draft, its files, the review, and signing.

Everything typed is saved to the draft a moment after the typing stops (and when a field loses focus), so a reload
or another device finds the letter as it was. Files go to the draft as they are uploaded; the store checks their
names, sizes and contents and refuses with a message. The review shows the letter exactly as the store will have
it signed; while it is shown the form is locked, and signing sends the letter.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from nicegui import events, ui

from portal.components.accessible import upload_header
from portal.components.errors import show_error, show_problem
from portal.components.letter_signing import letter_signing
from portal.components.letter_status import org_name
from portal.errors import DomainError
from portal.i18n import _, fmt_datetime
from portal.store import letters
from portal.store.actors import PersonActor
from portal.store.letters import AttachmentView, LetterView, Upload
from portal.store.letters.files import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES
from portal.store.letters.models import BODY_MAX, TITLE_MAX

# save this long after the last keystroke
QUIET_SECONDS = 0.8
ACCEPT = '.pdf,.jpg,.jpeg,.png,.docx'
# fields of the form, by the ``field`` a refusal of the store names
FIELDS = ('organisation', 'title', 'body')


class letter_compose(ui.column):  # an element-like component
    error: ui.label  # below the form and the review, shared by both

    def __init__(self, *, actor: PersonActor, draft: LetterView, organisations: dict[str, str]) -> None:
        super().__init__()
        self.actor, self.draft = actor, draft
        self.attachments: list[AttachmentView] = list(draft.attachments)
        self.changed_at: float | None = None
        self.lock = asyncio.Lock()
        self.classes('w-full gap-3').mark('letter-compose')
        org = draft.summary.organisation
        with self:
            with ui.column().classes('w-full gap-3') as self.form:
                self.agency = (
                    ui.select(
                        organisations,
                        label=_('Agency or local executive'),
                        value=org.code if org and org.code in organisations else None,
                        with_input=True,
                        clearable=True,
                        on_change=self._changed,
                    )
                    .classes('w-full')
                    .mark('letter-agency')
                )
                self.title = ui.input(_('Title'), value=draft.summary.title, on_change=self._changed)
                self.title.props(f'maxlength={TITLE_MAX} counter').classes('w-full').mark('letter-title')
                self.body = ui.textarea(_('Letter'), value=draft.body, on_change=self._changed)
                self.body.props(f'maxlength={BODY_MAX} counter autogrow').classes('w-full').mark('letter-body')
                for element in (self.agency, self.title, self.body):
                    element.on('blur', self.save)
                ui.label(
                    _(
                        'Files: PDF, JPEG, PNG or DOCX; at most {count} files, {size} MB each, {total} MB in all.',
                        count=MAX_FILES,
                        size=MAX_FILE_BYTES // 2**20,
                        total=MAX_TOTAL_BYTES // 2**20,
                    )
                ).classes('text-caption text-grey-8')
                self.files = ui.column().classes('w-full gap-1').mark('letter-files')
                self.upload = ui.upload(
                    label=_('Upload a file'),
                    multiple=True,
                    auto_upload=True,
                    max_file_size=MAX_FILE_BYTES,
                    on_multi_upload=self._uploaded,
                    on_rejected=lambda: refused_in_browser(self.error),
                )
                self.upload.props(f'accept="{ACCEPT}"').classes('w-full max-w-md').mark('letter-upload')
                upload_header(self.upload, _('Upload a file'))
                with ui.row().classes('w-full items-center gap-3'):
                    ui.button(_('Review'), icon='visibility', on_click=self._review).mark('letter-review')
                    self.saved = ui.label().classes('text-caption text-grey-8').mark('draft-saved')
                    self.saved.set_visibility(False)
            self.review = ui.column().classes('w-full gap-3').mark('letter-review-panel')
            self.review.set_visibility(False)
            self.error = ui.label().classes('text-negative').mark('compose-error')
            self.error.set_visibility(False)
            ui.timer(QUIET_SECONDS / 2, self._autosave)
        self._show_files()

    def _changed(self) -> None:
        self.changed_at = time.monotonic()

    async def _autosave(self) -> None:
        if self.changed_at is not None and time.monotonic() - self.changed_at >= QUIET_SECONDS:
            await self.save()

    async def save(self) -> bool:
        """Keep the form in the draft; False (with the store's message shown) when it was refused."""
        async with self.lock:
            self.changed_at = None
            try:
                self.draft = await letters.save_draft(
                    actor=self.actor,
                    letter_id=self.draft.id,
                    organisation_code=self.agency.value or None,
                    title=self.title.value or '',
                    body=self.body.value or '',
                    now=datetime.now(UTC),
                )
            except DomainError as exc:
                show_error(exc, self.error)
                return False
        self.saved.set_text(_('Draft saved at {time}', time=fmt_datetime(datetime.now(UTC))))
        self.saved.set_visibility(True)
        return True

    async def _uploaded(self, e: events.MultiUploadEventArguments) -> None:
        self.error.set_visibility(False)
        for file in e.files:  # one after the other: the store counts the draft's files
            content = await read_at_most(file, MAX_FILE_BYTES + 1)
            try:
                added = await letters.add_attachment(
                    actor=self.actor,
                    letter_id=self.draft.id,
                    upload=Upload(filename=file.name, content=content),
                    now=datetime.now(UTC),
                )
            except DomainError as exc:
                show_error(exc, self.error)
                continue
            self.attachments.append(added)
        self.upload.reset()
        self._show_files()

    async def _remove(self, attachment: AttachmentView) -> None:
        try:
            await letters.remove_attachment(
                actor=self.actor, letter_id=self.draft.id, attachment_id=attachment.id, now=datetime.now(UTC)
            )
        except DomainError as exc:
            show_error(exc, self.error)
            return
        self.attachments = [a for a in self.attachments if a.id != attachment.id]
        self._show_files()

    def _show_files(self) -> None:
        self.files.clear()
        remove_label = _('Remove')
        with self.files:
            for attachment in self.attachments:
                with ui.row().classes('items-center gap-2').mark('letter-file'):
                    ui.icon('attach_file')
                    ui.label(attachment.filename).mark('letter-file-name')
                    ui.label(file_size(attachment.size)).classes('text-caption text-grey-8')
                    ui.button(icon='delete', on_click=lambda a=attachment: self._remove(a)).props(
                        f'flat dense round aria-label="{remove_label}"'
                    ).mark('remove-file')

    async def _review(self) -> None:
        self.error.set_visibility(False)
        if not await self.save():
            return
        self.form.set_visibility(False)
        self.review.clear()
        with self.review:
            _letter_as_signed(self.draft)
            ui.label(
                _('Your phone signs this letter and its files as shown here; after signing it is sent at once.')
            ).classes('text-body2')
            letter_signing(
                actor=self.actor, letter_id=self.draft.id, error=self.error, on_refused_input=self._back_to_field
            )
            ui.button(_('Edit'), icon='edit', on_click=self._edit).props('flat').mark('letter-edit')
        self.review.set_visibility(True)

    def _edit(self) -> None:
        self.review.set_visibility(False)
        self.review.clear()
        self.form.set_visibility(True)

    def _back_to_field(self, exc: DomainError) -> bool:
        """A missing agency, title or text: back to the form, with the message."""
        if exc.field not in FIELDS:
            return False
        self._edit()
        show_error(exc, self.error)
        {'organisation': self.agency, 'title': self.title, 'body': self.body}[exc.field].run_method('focus')
        return True


def _letter_as_signed(draft: LetterView) -> None:
    with ui.card().classes('w-full').props('flat bordered').mark('letter-preview'):
        ui.label(_('To: {organisation}', organisation=org_name(draft.summary.organisation))).mark('preview-to')
        ui.label(draft.summary.title).classes('text-h6').mark('preview-title')
        ui.label(draft.body).classes('whitespace-pre-wrap').mark('preview-body')
        for attachment in draft.attachments:
            with ui.row().classes('items-center gap-2').mark('preview-file'):
                ui.icon('attach_file')
                ui.label(attachment.filename)
                ui.label(file_size(attachment.size)).classes('text-caption text-grey-8')


def refused_in_browser(error: ui.label) -> None:
    """The uploader turned a file away before sending it (the server would refuse it too)."""
    show_problem(_('A file was not added: each file can be at most {limit} MB.', limit=MAX_FILE_BYTES // 2**20), error)


def file_size(size: int) -> str:
    if size >= 2**20:
        return f'{size / 2**20:.1f} MB'
    return f'{max(size / 1024, 0.1):.1f} KB'


async def read_at_most(file: ui.upload.FileUpload, limit: int) -> bytes:
    """The file's bytes, but no more than ``limit``: a larger file is refused by the store without being held whole."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in file.iterate():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b''.join(chunks)[:limit]
