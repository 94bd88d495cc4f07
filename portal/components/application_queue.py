"""The executive's queue of applications: open ones first, nearest deadline first, overdue ones highlighted, with the
count; a status filter; live on the executive's topic (a new or moved application is shown without a reload)."""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui import ui

from portal.components.application_view import STATUS_LABELS, application_status, application_title
from portal.components.errors import show_error
from portal.components.live import FoldedReload, subscribe
from portal.errors import N_, DomainError
from portal.i18n import _, fmt_date, fmt_datetime
from portal.live import Event
from portal.store.actors import PersonActor
from portal.store.services import applications
from portal.store.services.applications import ApplicationView, DeskPage
from portal.store.services.models import OPEN_APPLICATION_STATUSES, ApplicationStatus
from portal.store.workdays import local_date

QUEUE_SIZE = 50
OPEN, ALL = 'open', 'all'
VIEWS = {OPEN: N_('Open applications'), ALL: N_('All applications')}
CLOSED = tuple(s for s in ApplicationStatus if s not in OPEN_APPLICATION_STATUSES)


async def load_queue(actor: PersonActor, view: str = OPEN) -> DeskPage:
    """The first ``QUEUE_SIZE`` applications of a view: open ones first, each group by its deadline."""
    if view == OPEN:
        return await applications.list_desk(actor=actor, open_only=True, limit=QUEUE_SIZE)
    if view != ALL:
        return await applications.list_desk(actor=actor, status=ApplicationStatus(view), limit=QUEUE_SIZE)
    first = await applications.list_desk(actor=actor, open_only=True, limit=QUEUE_SIZE)
    items, total = list(first.items), first.total
    closed: list[ApplicationView] = []
    for status in CLOSED:
        page = await applications.list_desk(actor=actor, status=status, limit=QUEUE_SIZE)
        closed.extend(page.items)
        total += page.total
    closed.sort(key=lambda a: (a.due_on, a.submitted_at))
    return DeskPage((items + closed)[:QUEUE_SIZE], total)


class application_queue(ui.card):  # an element-like component
    def __init__(self, *, actor: PersonActor, topic: str, first: DeskPage) -> None:
        super().__init__()
        self.actor = actor
        # calls during a reload are folded into one more
        self.reload = FoldedReload(self._load)
        self.classes('w-full').mark('application-queue')
        options = {OPEN: _(VIEWS[OPEN])} | {s.value: _(STATUS_LABELS[s]) for s in ApplicationStatus}
        options[ALL] = _(VIEWS[ALL])
        with self:
            with ui.row().classes('w-full items-center gap-2'):
                ui.label(_('Applications')).classes('text-h6')
                self.count = ui.badge('0').mark('application-queue-count')
                ui.space()
                self.view = ui.select(options, value=OPEN, label=_('Show'), on_change=self.reload)
                self.view.classes('min-w-48').mark('application-queue-view')
            self.error = ui.label().classes('text-negative').mark('application-queue-error')
            self.error.set_visibility(False)
            self.empty = ui.label(_('No applications here.')).classes('text-grey-8').mark('application-queue-empty')
            self.more = ui.label().classes('text-caption').mark('application-queue-more')
            self.list = ui.column().classes('w-full gap-0')
        self.show(first)
        subscribe(topic, self._on_event)

    def show(self, page: DeskPage) -> None:
        today = local_date(datetime.now(UTC))
        self.list.clear()
        with self.list:
            for item in page.items:
                _queue_row(item, overdue=item.overdue(today))
        self.count.set_text(str(page.total))
        self.empty.set_visibility(not page.items)
        self.more.set_text(
            _('The first {shown} of {total} applications are shown.', shown=len(page.items), total=page.total)
        )
        self.more.set_visibility(page.total > len(page.items))

    async def _load(self) -> None:
        """Read the queue once with the filters as they are."""
        self.error.set_visibility(False)
        try:
            page = await load_queue(self.actor, self.view.value or OPEN)
        except DomainError as exc:
            show_error(exc, self.error)
            return
        self.show(page)

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'application.updated':
            await self.reload()


def _queue_row(item: ApplicationView, *, overdue: bool) -> None:
    markers = ['application-queue-row', f'application-queue-{item.id}'] + (
        ['application-queue-overdue'] if overdue else []
    )
    with ui.row().classes('w-full items-center gap-3 py-2 border-b sm:flex-nowrap').mark(*markers) as row:
        if overdue:
            row.classes('bg-red-1')
        with ui.column().classes('gap-0 grow min-w-0'):
            ui.link(f'{item.number} · {application_title(item.form)}', f'/desk/applications/{item.id}').mark(
                'application-queue-link'
            )
            applicant = f'{item.applicant.get("full_name", "")} · {item.applicant.get("fin", "")}'
            ui.label(applicant).classes('text-caption text-grey-8').mark('application-queue-applicant')
        ui.label(_('submitted {time}', time=fmt_datetime(item.submitted_at))).classes('text-caption text-grey-8')
        due = ui.label(_('due {date}', date=fmt_date(item.due_on))).mark('application-queue-due')
        due.classes('text-caption text-negative text-weight-bold' if overdue else 'text-caption')
        if overdue:
            ui.badge(_('overdue'), color='negative').mark('application-overdue')
        application_status(item.status)
