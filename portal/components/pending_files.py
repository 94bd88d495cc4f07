"""Files attached to something being written (an officer's answer or letter, a citizen's application or answer),
held in memory until it is sent. Each file is checked as it arrives, by the store's own rules (name, size, content,
the set's limits), so the writer hears at once; the store checks them all again when it is sent.
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import events, ui

from portal.components.accessible import upload_header
from portal.components.errors import show_error
from portal.components.letter_compose import ACCEPT, file_size, read_at_most, refused_in_browser
from portal.errors import DomainError
from portal.i18n import _
from portal.store.letters import Upload, files
from portal.store.letters.files import MAX_FILE_BYTES


class pending_files(ui.column):  # an element-like component
    def __init__(
        self,
        *,
        label: str,
        error: ui.label,
        upload_mark: str,
        item_mark: str,
        name_mark: str | None = None,
        remove_mark: str | None = None,
        held: Callable[[], list[int]] | None = None,
    ) -> None:
        """``held`` gives the sizes of every file of the set being written, when the set spans several of these
        (an application's documents); by default the set is this one's files."""
        super().__init__()
        self.uploads: list[Upload] = []
        self.error, self.item_mark = error, item_mark
        self.name_mark, self.remove_mark = name_mark, remove_mark
        self.held = held or (lambda: [len(u.content) for u in self.uploads])
        self.classes('w-full gap-1')
        with self:
            self.listed = ui.column().classes('w-full gap-1')
            self.uploader = ui.upload(
                label=label,
                multiple=True,
                auto_upload=True,
                max_file_size=MAX_FILE_BYTES,
                on_multi_upload=self._uploaded,
                on_rejected=lambda: refused_in_browser(error),
            )
            self.uploader.props(f'accept="{ACCEPT}"').classes('w-full').mark(upload_mark)
            upload_header(self.uploader, label)

    def forget(self) -> None:
        """Drop the files (the letter was sent)."""
        self.uploads.clear()
        self._show()

    async def _uploaded(self, e: events.MultiUploadEventArguments) -> None:
        self.error.set_visibility(False)
        for file in e.files:
            upload = Upload(filename=file.name, content=await read_at_most(file, MAX_FILE_BYTES + 1))
            try:
                checked = files.check_upload(upload)
                files.check_set([*self.held(), checked.size])
            except DomainError as exc:
                show_error(exc, self.error)
                continue
            self.uploads.append(upload)
        self.uploader.reset()
        self._show()

    def _remove(self, upload: Upload) -> None:
        self.uploads.remove(upload)
        self._show()

    def _show(self) -> None:
        self.listed.clear()
        remove_label = _('Remove')
        with self.listed:
            for upload in self.uploads:
                with ui.row().classes('items-center gap-2').mark(self.item_mark):
                    ui.icon('attach_file')
                    name = ui.label(upload.filename)
                    if self.name_mark:
                        name.mark(self.name_mark)
                    ui.label(file_size(len(upload.content))).classes('text-caption text-grey-8')
                    remove = ui.button(icon='delete', on_click=lambda u=upload: self._remove(u))
                    remove.props('flat dense round').props(f'aria-label="{remove_label}"')
                    if self.remove_mark:
                        remove.mark(self.remove_mark)
