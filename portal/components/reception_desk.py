"""The executive's reception requests on the desk, live on its topic: filtered by state, each with the citizen's
preferred days and the officer's moves — schedule (an official and a free slot), move, decline or cancel with a
reason, mark done or no-show. Only the moves of the request's state are offered; the store decides in the end."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from uuid import UUID

from nicegui import ui

from portal.components.errors import show_error
from portal.components.live import FoldedReload, subscribe
from portal.components.reception_view import calendar_url, request_card
from portal.errors import DomainError
from portal.i18n import _, fmt_datetime
from portal.live import Event
from portal.store.actors import PersonActor
from portal.store.reception import calendar, desk
from portal.store.reception.common import EVENT, STATE_WORDS, RequestView
from portal.store.reception.desk import DeskPage
from portal.store.reception.models import REASON_MAX, ReceptionState

OPEN = 'open'
SHOWN = 50


async def load_desk(actor: PersonActor, view: str = OPEN) -> DeskPage:
    state = None if view == OPEN else ReceptionState(view)
    return await desk.list_desk(actor=actor, state=state, limit=SHOWN)


class reception_desk(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, topic: str, first: DeskPage) -> None:
        super().__init__()
        self.actor, self.page = actor, first
        self.reload = FoldedReload(self._load)
        self.classes('w-full gap-3').mark('reception-desk')
        options = {OPEN: _('Open requests')} | {s.value: _(STATE_WORDS[s]) for s in ReceptionState}
        with self:
            with ui.row().classes('w-full items-center gap-2'):
                ui.label(_('Requests')).classes('text-h6')
                self.count = ui.badge('0').mark('reception-desk-count')
                ui.space()
                self.view = ui.select(options, value=OPEN, label=_('Show'), on_change=self.reload)
                self.view.classes('min-w-48').mark('reception-desk-view')
            self.error = _error('reception-desk-error')
            self.slot_dialog = slot_dialog(actor=actor, on_done=self._done)
            self.reason_dialog = reason_dialog(actor=actor, on_done=self._done)
            self.render = ui.refreshable(self._render)
            self.render()
        subscribe(topic, self._on_event)

    async def _load(self) -> None:
        self.error.set_visibility(False)
        try:
            self.page = await load_desk(self.actor, str(self.view.value or OPEN))
        except DomainError as exc:
            show_error(exc, self.error)
            return
        self.render.refresh()

    async def _on_event(self, event: Event) -> None:
        if event.kind == EVENT:
            await self.reload()

    async def _done(self) -> None:
        ui.notify(_('Done'), type='positive')
        await self.reload()

    def _render(self) -> None:
        self.count.set_text(str(self.page.total))
        if not self.page.items:
            ui.label(_('No requests here.')).classes('text-grey-8').mark('reception-desk-empty')
        for view in self.page.items:
            with request_card(view, desk=True), ui.row().classes('gap-2 pt-1'):
                self._actions(view)

    def _actions(self, view: RequestView) -> None:
        if view.state is ReceptionState.REQUESTED:
            ui.button(_('Schedule'), icon='event', on_click=lambda v=view: self.slot_dialog.start(v)).mark(
                'reception-schedule'
            )
            ui.button(
                _('Decline'),
                icon='block',
                on_click=lambda v=view: self.reason_dialog.start(v, _('Decline the request'), desk.decline_request),
            ).props('outline').mark('reception-decline')
        elif view.state is ReceptionState.SCHEDULED:
            ui.button(_('Move'), icon='update', on_click=lambda v=view: self.slot_dialog.start(v)).mark(
                'reception-reschedule'
            )
            ui.button(
                _('Cancel the meeting'),
                icon='event_busy',
                on_click=lambda v=view: self.reason_dialog.start(v, _('Cancel the meeting'), desk.cancel_meeting),
            ).props('outline').mark('reception-desk-cancel')
            ui.button(_('Held'), icon='check', on_click=lambda v=view: self._mark(v.id, desk.mark_done)).props(
                'outline color=positive'
            ).mark('reception-done')
            ui.button(
                _('Did not come'), icon='person_off', on_click=lambda v=view: self._mark(v.id, desk.mark_no_show)
            ).props('outline color=warning').mark('reception-no-show')
            ui.link(_('Calendar file (.ics)'), calendar_url(view.id)).classes('self-center')

    async def _mark(self, request_id: UUID, move: Callable[..., Awaitable[RequestView]]) -> None:
        self.error.set_visibility(False)
        try:
            await move(actor=self.actor, request_id=request_id, now=datetime.now(UTC))
        except DomainError as exc:
            show_error(exc, self.error)
            return
        await self._done()


class slot_dialog(ui.dialog):  # an element-like component
    """Choose an official and a free slot of a day, for a waiting request or to move a meeting. Built once."""

    def __init__(self, *, actor: PersonActor, on_done: Callable[[], Awaitable[None]]) -> None:
        super().__init__()
        self.actor, self.on_done = actor, on_done
        self.view: RequestView | None = None
        with self, ui.card().classes('w-full max-w-xl gap-2').mark('slot-dialog'):
            self.title = ui.label().classes('text-h6')
            self.official = ui.select({}, label=_('Who receives')).classes('w-full').mark('slot-official')
            self.day = ui.input(_('Day'), on_change=self._day_changed).props('type=date stack-label').mark('slot-day')
            self.slot = ui.select({}, label=_('Free time')).classes('w-full').mark('slot-time')
            self.none = ui.label(_('No free time on this day.')).classes('text-grey-8').mark('slot-none')
            self.none.set_visibility(False)
            self.error = _error('slot-error')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Close'), on_click=self.close).props('flat')
                self.send = ui.button(_('Save'), on_click=self._send).mark('slot-send')

    async def start(self, view: RequestView) -> None:
        self.view = view
        self.error.set_visibility(False)
        moving = view.state is ReceptionState.SCHEDULED
        self.title.set_text(_('Move the meeting') if moving else _('Schedule the meeting'))
        try:
            current = await calendar.my_calendar(actor=self.actor)
        except DomainError as exc:
            show_error(exc, self.error)
            return
        officials = {str(o.id): f'{o.name}, {o.position}' for o in current.officials if o.active}
        chosen = str(view.official_id) if view.official_id else next(iter(officials), None)
        self.official.set_options(officials, value=chosen if chosen in officials else None)
        first = view.preferred_days[0] if view.preferred_days else None
        self.day.value = first.isoformat() if first else ''
        await self._day_changed()
        self.open()

    async def _day_changed(self) -> None:
        self.slot.set_options({}, value=None)
        try:
            day = date.fromisoformat(str(self.day.value or ''))
        except ValueError:
            self.none.set_visibility(False)
            return
        try:
            slots = await calendar.free_slots(actor=self.actor, first=day, last=day, now=datetime.now(UTC))
        except DomainError as exc:
            show_error(exc, self.error)
            return
        options = {s.starts_at.isoformat(): fmt_datetime(s.starts_at)[-5:] for s in slots}
        self.slot.set_options(options, value=next(iter(options), None))
        self.none.set_visibility(not options)

    async def _send(self) -> None:
        assert self.view is not None
        self.error.set_visibility(False)
        if not self.official.value or not self.slot.value:
            self.error.set_text(_('Choose who receives and a free time.'))
            self.error.set_visibility(True)
            return
        starts = datetime.fromisoformat(str(self.slot.value))
        official = UUID(str(self.official.value))
        self.send.disable()
        try:
            if self.view.state is ReceptionState.SCHEDULED:
                await desk.reschedule_meeting(
                    actor=self.actor,
                    request_id=self.view.id,
                    starts_at=starts,
                    official_id=official,
                    now=datetime.now(UTC),
                )
            else:
                await desk.schedule_meeting(
                    actor=self.actor,
                    request_id=self.view.id,
                    official_id=official,
                    starts_at=starts,
                    now=datetime.now(UTC),
                )
        except DomainError as exc:
            show_error(exc, self.error)
            await self._day_changed()  # the slot may have just been given: offer what is free now
            return
        finally:
            self.send.enable()
        self.close()
        await self.on_done()


Move = Callable[..., Awaitable[RequestView]]


class reason_dialog(ui.dialog):  # an element-like component
    """A move that needs a reason the citizen reads (decline, cancel). Built once."""

    def __init__(self, *, actor: PersonActor, on_done: Callable[[], Awaitable[None]]) -> None:
        super().__init__()
        self.actor, self.on_done = actor, on_done
        self.view: RequestView | None = None
        self.step: Move | None = None
        with self, ui.card().classes('w-full max-w-xl gap-2').mark('reason-dialog'):
            self.title = ui.label().classes('text-h6')
            self.reason = ui.textarea(_('Reason (the citizen will read it)')).props(
                f'maxlength={REASON_MAX} counter autogrow'
            )
            self.reason.classes('w-full').mark('reason-text')
            self.error = _error('reason-error')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Close'), on_click=self.close).props('flat')
                self.send = ui.button(_('Confirm'), on_click=self._send).mark('reason-send')

    def start(self, view: RequestView, title: str, move: Move) -> None:
        self.view, self.step = view, move
        self.title.set_text(title)
        self.error.set_visibility(False)
        self.open()

    async def _send(self) -> None:
        assert self.view is not None and self.step is not None
        self.send.disable()
        try:
            await self.step(
                actor=self.actor, request_id=self.view.id, reason=self.reason.value or '', now=datetime.now(UTC)
            )
        except DomainError as exc:
            show_error(exc, self.error)
            return
        finally:
            self.send.enable()
        self.reason.value = ''
        self.close()
        await self.on_done()


def _error(mark: str) -> ui.label:
    error = ui.label().classes('text-negative').mark(mark)
    error.set_visibility(False)
    return error
