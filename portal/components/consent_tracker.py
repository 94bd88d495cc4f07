"""Məlumatlarıma kim baxıb: every read of the citizen's data — when, by whom, which categories, for what and under
which permission — with "Dispute this access"; live on ``consent.changed``.

The dispute dialog is built once beside the list, so a read arriving while the citizen writes a reason keeps it open.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from nicegui import ui

from portal.components.consent import PERMISSION_STATES, category_names, organisation_name, period
from portal.components.errors import error_text, show_error, show_problem
from portal.components.live import FoldedReload, subscribe
from portal.errors import DomainError
from portal.i18n import _, fmt_datetime
from portal.live import Event
from portal.store.actors import PersonActor
from portal.store.consent import permissions
from portal.store.consent.permissions import AccessView, PermissionView
from portal.store.workdays import local_date

REASON_MAX = 2000


@dataclass(frozen=True)
class Tracker:
    accesses: list[AccessView]
    permissions: dict[UUID, PermissionView]


async def load_tracker(actor: PersonActor) -> Tracker:
    accesses = await permissions.list_accesses(actor=actor)
    given = {p.id: p for p in await permissions.list_permissions(actor=actor)}
    return Tracker(accesses, given)


class access_tracker(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, first: Tracker) -> None:
        super().__init__()
        self.actor, self.data = actor, first
        self.classes('w-full gap-2').mark('tracker')
        with self:
            ui.label(
                _('Every time an organisation reads your data it is written here first. Something wrong? Dispute it.')
            ).classes('text-caption text-grey-8')
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
            self.dialog = dispute_dialog(actor=actor, on_done=self._disputed)
        self.reload = FoldedReload(self._reload)
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    def _render(self) -> None:
        ui.label(_('Accesses: {count}', count=len(self.data.accesses))).classes('text-caption').mark('tracker-total')
        if not self.data.accesses:
            ui.label(_('No organisation has read your data.')).classes('text-grey-8').mark('tracker-empty')
        today = local_date(datetime.now(UTC))
        for access in self.data.accesses:
            with ui.card().classes('w-full').props('flat bordered').mark('access', f'access-{access.id}'):
                with ui.row().classes('w-full items-center gap-2'):
                    ui.label(fmt_datetime(access.at)).classes('text-grey-8').mark('access-time')
                    ui.label(organisation_name(access)).classes('text-weight-bold').mark('access-organisation')
                    ui.space()
                    if access.disputed:
                        ui.badge(_('disputed'), color='warning').mark('access-disputed', f'disputed-{access.id}')
                    else:
                        ui.button(
                            _('Dispute this access'), icon='report', on_click=lambda a=access: self.dialog.ask(a)
                        ).props('flat dense no-caps color=negative').mark('access-dispute', f'dispute-{access.id}')
                ui.label(category_names(access.categories)).mark('access-categories')
                ui.label(_('Purpose: {purpose}', purpose=access.purpose)).classes('whitespace-pre-wrap').mark(
                    'access-purpose'
                )
                ui.label(self._permission(access, today)).classes('text-caption text-grey-8').mark('access-permission')

    def _permission(self, access: AccessView, today: date) -> str:
        permission = self.data.permissions.get(access.permission_id)
        if permission is None:
            return _('Under a permission that no longer exists')
        state = _(PERMISSION_STATES[permission.current_state(today)][0])
        return _(
            'Under the permission "{purpose}", {period} ({state})',
            purpose=permission.purpose,
            period=period(permission.valid_from, permission.valid_until),
            state=state,
        )

    async def _disputed(self) -> None:
        await self.reload()

    async def _reload(self) -> None:
        self.data = await load_tracker(self.actor)
        if not self.is_deleted:
            self.render.refresh()

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'consent.changed':
            await self.reload()


class dispute_dialog(ui.dialog):  # an element-like component
    """The reason for a dispute is required; the store names the field, and the message goes under it."""

    def __init__(self, *, actor: PersonActor, on_done: Callable[[], Awaitable[None]]) -> None:
        super().__init__()
        self.actor, self.on_done = actor, on_done
        self.target: AccessView | None = None
        with self, ui.card().classes('w-full max-w-lg').mark('dispute-dialog'):
            ui.label(_('Dispute this access')).classes('text-h6')
            self.what = ui.label().classes('text-body2').mark('dispute-what')
            ui.label(_('Say what is wrong: the administrators look into it and answer you.')).classes('text-body2')
            self.reason = ui.textarea(_('Reason')).props(f'maxlength={REASON_MAX} counter autogrow')
            self.reason.classes('w-full').mark('dispute-reason')
            self.error = ui.label().classes('text-negative text-caption').props('role=alert')
            self.error.mark('dispute-error-reason')
            self.error.set_visibility(False)
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Cancel'), on_click=self.close).props('flat').mark('dispute-cancel')
                ui.button(_('Send the dispute'), icon='send', on_click=self._send).mark('dispute-send')

    def ask(self, access: AccessView) -> None:
        self.target = access
        self.what.set_text(f'{fmt_datetime(access.at)} · {organisation_name(access)}')
        self.reason.set_value('')
        self.error.set_visibility(False)
        self.open()

    async def _send(self) -> None:
        if self.target is None:
            return
        self.error.set_visibility(False)
        try:
            await permissions.dispute_access(
                actor=self.actor, access_id=self.target.id, reason=self.reason.value or '', now=datetime.now(UTC)
            )
        except DomainError as exc:
            if exc.field == 'reason':
                self.error.set_text(error_text(exc))
                self.error.set_visibility(True)
                show_problem(error_text(exc))
            else:  # already disputed, or not this citizen's: nothing to write here
                show_error(exc)
                self.close()
                await self.on_done()
            return
        self.target = None
        self.close()
        ui.notify(_('Your dispute was sent to the administrators.'), type='positive')
        await self.on_done()
