"""The desk's queue of incoming letters: open ones by default, nearest deadline first, overdue ones highlighted.

The queue follows the organisation's topic live. A letter that arrives or changes is put in its place, a closed one
leaves, and the other rows and the filters stay as they are. Other views (a status, closed ones, all, overdue only,
a search) use the same store listing with another filter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from nicegui import ui

from portal.components.errors import show_error
from portal.components.letter_status import STATUS_LABELS, org_name, status_badge
from portal.components.live import FoldedReload, subscribe
from portal.errors import N_, DomainError
from portal.i18n import _, fmt_date, fmt_datetime
from portal.live import Event
from portal.store import letters
from portal.store.actors import PersonActor
from portal.store.letters import LetterFilter, LetterPage, LetterStatus, LetterSummary

QUEUE_SIZE = 50
OPEN, ALL = 'open', 'all'
VIEWS = {OPEN: N_('Open letters'), ALL: N_('All letters')}


async def load_queue(actor: PersonActor, *, view: str = OPEN, query: str = '', overdue: bool = False) -> LetterPage:
    """The first ``QUEUE_SIZE`` incoming letters of a view, nearest deadline first."""
    now = datetime.now(UTC)
    if overdue:  # open letters past their deadline
        where = LetterFilter(query=query, overdue=True)
        return await letters.list_incoming(actor=actor, now=now, where=where, limit=QUEUE_SIZE)
    if view != OPEN:
        where = LetterFilter(query=query, status=None if view == ALL else LetterStatus(view))
        return await letters.list_incoming(actor=actor, now=now, where=where, limit=QUEUE_SIZE)
    where = LetterFilter(query=query, open_only=True)
    return await letters.list_incoming(actor=actor, now=now, where=where, limit=QUEUE_SIZE)


class letter_queue(ui.card):  # an element-like component
    def __init__(self, *, actor: PersonActor, topic: str, first: LetterPage) -> None:
        super().__init__()
        self.actor = actor
        self.rows: dict[UUID, tuple[LetterSummary, ui.element]] = {}
        # calls during a reload are folded into one more
        self.reload = FoldedReload(self._load)
        self.classes('w-full').mark('letter-queue')
        with self:
            with ui.row().classes('w-full items-center gap-2'):
                ui.label(_('Letters')).classes('text-h6')
                self.count = ui.badge('0').mark('letter-queue-count')
                ui.space()
                ui.button(
                    _('Write to a citizen'), icon='edit', on_click=lambda: ui.navigate.to('/desk/letters/new')
                ).mark('write-to-citizen')
            self._filters()
            self.empty = ui.label(_('No letters here.')).classes('text-grey-8').mark('letter-queue-empty')
            self.more = ui.label().classes('text-caption').mark('letter-queue-more')
            self.list = ui.column().classes('w-full gap-0')
        self.show(first)
        subscribe(topic, self._on_event)

    def _filters(self) -> None:
        options = {OPEN: _(VIEWS[OPEN])}
        options |= {s.value: _(STATUS_LABELS[s]) for s in LetterStatus if s is not LetterStatus.DRAFT}
        options[ALL] = _(VIEWS[ALL])
        with ui.row().classes('w-full items-end gap-3'):
            self.view = ui.select(options, value=OPEN, label=_('Show'), on_change=self.reload)
            self.view.classes('min-w-48').mark('letter-queue-view')
            self.query = ui.input(_('Search'), placeholder=_('Title or text')).props('clearable maxlength=200')
            self.query.classes('min-w-64').mark('letter-queue-query')
            self.query.on('keydown.enter', self.reload).on('clear', self.reload)
            self.overdue = ui.checkbox(_('Overdue only'), on_change=self.reload).mark('letter-queue-overdue-only')
        self.error = ui.label().classes('text-negative').mark('letter-queue-error')
        self.error.set_visibility(False)

    def show(self, page: LetterPage) -> None:
        """Show these letters: drop the rows that left, redraw the ones that changed, put each in its place."""
        wanted = {item.id: item for item in page.items}
        for letter_id in [i for i in self.rows if i not in wanted]:
            self.rows.pop(letter_id)[1].delete()
        for index, item in enumerate(page.items):
            known = self.rows.get(item.id)
            if known is not None and known[0] != item:
                known[1].delete()
                known = None
            if known is None:
                with self.list:
                    known = self.rows[item.id] = (item, _queue_row(item))
            row = known[1]
            if self.list.default_slot.children.index(row) != index:
                row.move(self.list, target_index=index)
        self.count.set_text(str(page.total))
        self.empty.set_visibility(not page.items)
        self.more.set_text(
            _('The first {shown} of {total} letters are shown.', shown=len(page.items), total=page.total)
        )
        self.more.set_visibility(page.total > len(page.items))

    async def _load(self) -> None:
        """Read the queue once with the filters as they are."""
        self.error.set_visibility(False)
        try:
            page = await load_queue(
                self.actor,
                view=self.view.value or OPEN,
                query=(self.query.value or '').strip(),
                overdue=bool(self.overdue.value),
            )
        except DomainError as exc:
            show_error(exc, self.error)
            return
        self.show(page)

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'letter.updated' and event.data.get('direction') == 'inbound':
            await self.reload()


def _queue_row(item: LetterSummary) -> ui.element:
    markers = ['letter-queue-row', f'letter-queue-{item.id}'] + (['letter-queue-overdue'] if item.overdue else [])
    with ui.row().classes('w-full items-center gap-3 py-2 border-b sm:flex-nowrap').mark(*markers) as row:
        if item.overdue:
            row.classes('bg-red-1')
        with ui.column().classes('gap-0 grow min-w-0'):
            ui.link(item.title or _('(no title)'), f'/letters/{item.id}').mark('letter-queue-link')
            details = [f'{item.citizen_name} · {item.citizen_fin}']
            if item.forwarded_from is not None:
                details.append(_('forwarded from {organisation}', organisation=org_name(item.forwarded_from)))
            ui.label(' · '.join(details)).classes('text-caption text-grey-8').mark('letter-queue-citizen')
        if item.delivered_at is not None:
            received = _('received {time}', time=fmt_datetime(item.delivered_at))
            ui.label(received).classes('text-caption text-grey-8').mark('letter-queue-received')
        if item.due_on is not None:
            due = ui.label(_('due {date}', date=fmt_date(item.due_on))).mark('letter-queue-due')
            due.classes('text-caption text-negative text-weight-bold' if item.overdue else 'text-caption')
        if item.investigation:
            ui.badge(_('investigation'), color='warning').props('outline').mark('letter-queue-investigation')
        if item.overdue:
            ui.badge(_('overdue'), color='negative').mark('letter-overdue')
        status_badge(item.status)
    return row
