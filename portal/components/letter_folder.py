"""A citizen's letter folder — "Göndərilən" (sent) or "Gələn" (inbox): search, filters, pages; live.

The filters sit outside the refreshed list, so a live update (an officer moves a letter, an answer arrives) redraws
the rows and keeps what the citizen typed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from nicegui import ui

from portal.components.errors import show_error, show_problem
from portal.components.letter_status import STATUS_LABELS, org_name, reaches_inbox, short_date, status_badge
from portal.components.live import subscribe
from portal.errors import DomainError
from portal.i18n import _, fmt_datetime
from portal.live import Event
from portal.store import letters
from portal.store.actors import PersonActor
from portal.store.letters import LetterFilter, LetterPage, LetterStatus, LetterSummary

PAGE = 20
Folder = Literal['sent', 'inbox']


async def load_folder(
    actor: PersonActor, folder: Folder, *, where: LetterFilter | None = None, page: int = 1
) -> LetterPage:
    listing = letters.list_sent if folder == 'sent' else letters.list_inbox
    return await listing(actor=actor, now=datetime.now(UTC), where=where, limit=PAGE, offset=(page - 1) * PAGE)


class letter_folder(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, folder: Folder, first: LetterPage, organisations: dict[str, str]) -> None:
        super().__init__()
        self.actor, self.folder, self.result = actor, folder, first
        self.where, self.page = LetterFilter(), 1
        self.classes('w-full gap-2').mark(f'folder-{folder}')
        with self:
            self._filters(organisations)
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    def _filters(self, organisations: dict[str, str]) -> None:
        mark = self.folder
        with ui.row().classes('w-full items-end gap-3'):
            self.query = ui.input(_('Search'), placeholder=_('Title or text')).props('clearable maxlength=200')
            self.query.classes('min-w-48').mark(f'{mark}-query').on('keydown.enter', self._apply)
            self.agency = ui.select(organisations, label=_('Agency'), with_input=True, clearable=True)
            self.agency.classes('min-w-64').mark(f'{mark}-agency')
            self.status: ui.select | None = None
            if self.folder == 'sent':  # letters from agencies have no status of their own
                options = {s.value: _(label) for s, label in STATUS_LABELS.items() if s is not LetterStatus.DRAFT}
                self.status = ui.select(options, label=_('Status'), clearable=True).classes('min-w-40')
                self.status.mark(f'{mark}-status')
            self.since = ui.input(_('From')).props('type=date clearable stack-label').mark(f'{mark}-since')
            self.until = ui.input(_('To')).props('type=date clearable stack-label').mark(f'{mark}-until')
            ui.button(_('Show'), icon='filter_list', on_click=self._apply).mark(f'{mark}-apply')
        self.error = ui.label().classes('text-negative').mark(f'{mark}-error')
        self.error.set_visibility(False)

    def _render(self) -> None:
        total = self.result.total
        ui.label(_('Letters found: {count}', count=total)).classes('text-caption').mark(f'{self.folder}-total')
        if not self.result.items:
            ui.label(_('No letters here yet.')).classes('text-grey-8').mark(f'{self.folder}-empty')
        for item in self.result.items:
            _row(item, self.folder)
        pages = max((total + PAGE - 1) // PAGE, 1)
        if pages > 1:
            pagination = ui.pagination(1, pages, direction_links=True, value=self.page, on_change=self._turn)
            pagination.mark(f'{self.folder}-pages')

    async def _apply(self) -> None:
        self.error.set_visibility(False)
        try:
            status = self.status.value if self.status is not None else None
            self.where = LetterFilter(
                query=(self.query.value or '').strip(),
                organisation_code=self.agency.value or None,
                status=LetterStatus(status) if status else None,
                since=_parse(self.since.value),
                until=_parse(self.until.value),
            )
        except DomainError as exc:
            show_error(exc, self.error)
            return
        except ValueError:  # a date the browser let through but is not one
            show_problem(_('Enter a valid date.'), self.error)
            return
        self.page = 1
        await self.reload()

    async def _turn(self, e: object) -> None:
        self.page = int(getattr(e, 'value', 1) or 1)
        await self.reload()

    async def reload(self) -> None:
        self.result = await load_folder(self.actor, self.folder, where=self.where, page=self.page)
        if not self.result.items and self.page > 1:  # the page emptied meanwhile: show the last one there is
            self.page = max((self.result.total + PAGE - 1) // PAGE, 1)
            self.result = await load_folder(self.actor, self.folder, where=self.where, page=self.page)
        self.render.refresh()

    async def _on_event(self, event: Event) -> None:
        if event.kind != 'letter.updated':
            return
        if reaches_inbox(event.data) if self.folder == 'inbox' else event.data.get('direction') == 'inbound':
            await self.reload()


def _row(item: LetterSummary, folder: Folder) -> None:
    unread = folder == 'inbox' and item.unread
    with (
        ui.row()
        .classes('w-full items-center gap-3 py-2 border-b sm:flex-nowrap')
        .mark('letter-row', f'letter-{item.id}')
    ):
        with ui.column().classes('gap-0 grow min-w-0'):
            link = ui.link(item.title or _('(no title)'), f'/letters/{item.id}').mark('letter-link', f'link-{item.id}')
            link.classes('text-weight-bold' if unread else '')
            details = [org_name(item.organisation)]
            if item.forwarded_from is not None:
                details.append(_('forwarded from {organisation}', organisation=org_name(item.forwarded_from)))
            ui.label(' · '.join(details)).classes('text-caption text-grey-8')
        ui.label(fmt_datetime(item.delivered_at or item.created_at)).classes('text-caption text-grey-8')
        if folder == 'sent':
            if item.due_on is not None and item.closed_at is None:
                ui.label(_('due {date}', date=short_date(item.due_on))).classes(
                    'text-caption text-negative' if item.overdue else 'text-caption'
                )
            if item.overdue:
                ui.badge(_('overdue'), color='negative').mark('row-overdue')
            status_badge(item.status)
        elif unread:
            ui.badge(_('new'), color='primary').mark('row-unread')


def _parse(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
