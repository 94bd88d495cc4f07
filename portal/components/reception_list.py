"""The citizen's reception requests, newest first, redrawn live when the executive moves one (scheduled, moved,
declined, done): each with its meeting, a calendar file to download, and cancelling until 24 hours before."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from nicegui import ui

from portal.components.errors import show_error
from portal.components.live import FoldedReload, subscribe
from portal.components.reception_view import calendar_url, request_card
from portal.errors import DomainError
from portal.i18n import _
from portal.live import Event
from portal.store.actors import PersonActor
from portal.store.reception import requests
from portal.store.reception.common import EVENT, RequestView
from portal.store.reception.models import ReceptionState


class reception_list(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, first: list[RequestView]) -> None:
        super().__init__()
        self.actor, self.items = actor, first
        self.reload = FoldedReload(self._load)
        self.classes('w-full gap-3').mark('reception-list')
        with self:
            ui.label(_('My requests')).classes('text-h6')
            self.error = ui.label().classes('text-negative').mark('reception-list-error')
            self.error.set_visibility(False)
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    def show(self, items: list[RequestView]) -> None:
        self.items = items
        self.render.refresh()

    async def _load(self) -> None:
        try:
            items = await requests.list_my_requests(actor=self.actor)
        except DomainError:  # the session ended meanwhile: keep what is shown
            return
        self.show(items)

    async def _on_event(self, event: Event) -> None:
        if event.kind == EVENT:
            await self.reload()

    def _render(self) -> None:
        if not self.items:
            ui.label(_('You have no reception requests yet.')).classes('text-grey-8').mark('reception-empty')
        for view in self.items:
            with request_card(view, desk=False):
                if view.state is ReceptionState.SCHEDULED:
                    ui.link(_('Add to my calendar (.ics)'), calendar_url(view.id)).mark('reception-ics')
                if view.open:
                    ui.button(
                        _('Cancel the request') if view.starts_at is None else _('Cancel the meeting'),
                        icon='event_busy',
                        on_click=lambda v=view: self._cancel(v.id),
                    ).props('outline color=negative').mark('reception-cancel')

    async def _cancel(self, request_id: UUID) -> None:
        self.error.set_visibility(False)
        try:
            await requests.cancel_request(actor=self.actor, request_id=request_id, now=datetime.now(UTC))
        except DomainError as exc:
            show_error(exc, self.error)
            return
        ui.notify(_('Cancelled.'), type='positive')
        await self.reload()
