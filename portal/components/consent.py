"""İcazələrin idarə edilməsi: the organisations' requests for the citizen's data (approve all or some, refuse), sharing
in advance, and the permissions given (uses, last use, state, revoke); live on ``consent.changed``.

The lists are redrawn on every change, so what the citizen is choosing lives outside them: the categories ticked on a
pending request are kept by request, and the form and the revoke dialog are built once, beside the lists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from nicegui import ui

from portal.components.errors import error_text, show_error, show_problem
from portal.components.live import FoldedReload, subscribe
from portal.errors import N_, DomainError
from portal.i18n import _, current_language, fmt_date, fmt_datetime
from portal.live import Event
from portal.store.actors import PersonActor
from portal.store.consent import permissions
from portal.store.consent.models import PURPOSE_MAX, PermissionState, RequestState
from portal.store.consent.permissions import CATEGORIES, PermissionView, RequestView
from portal.store.workdays import local_date

PERMISSION_STATES = {
    PermissionState.ACTIVE: (N_('active'), 'positive'),
    PermissionState.EXPIRED: (N_('expired'), 'grey-7'),
    PermissionState.REVOKED: (N_('revoked'), 'negative'),
}
OUTCOMES = {
    RequestState.APPROVED: (N_('Approved'), 'positive'),
    RequestState.PARTIAL: (N_('Partly approved'), 'primary'),
    RequestState.REFUSED: (N_('Refused'), 'negative'),
    RequestState.EXPIRED: (N_('Not answered in time'), 'grey-7'),
}


@dataclass(frozen=True)
class Consent:
    requests: list[RequestView]
    permissions: list[PermissionView]


async def load_consent(actor: PersonActor) -> Consent:
    requests = await permissions.list_requests(actor=actor)
    # pending first (newest first within each group, as the store lists them)
    requests.sort(key=lambda r: r.state is not RequestState.PENDING)
    return Consent(requests, await permissions.list_permissions(actor=actor))


class consent_board(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, first: Consent, organisations: dict[str, str]) -> None:
        super().__init__()
        self.actor, self.data = actor, first
        self.chosen: dict[UUID, set[str]] = {}  # the categories ticked on each pending request
        self.classes('w-full gap-4').mark('consent')
        with self:
            with ui.card().classes('w-full').mark('requests'):
                ui.label(_('Requests for my data')).classes('text-h6')
                # per instance: a class-level refreshable would keep every client's targets in one list
                self.render_requests = ui.refreshable(self._requests)
                self.render_requests()
            share_form(actor=actor, organisations=organisations, on_shared=self.reload_now)
            with ui.card().classes('w-full').mark('permissions'):
                ui.label(_('Permissions given')).classes('text-h6')
                self.render_permissions = ui.refreshable(self._permissions)
                self.render_permissions()
            self.revoke_dialog = revoke_dialog(on_confirm=self._revoke)
        self.reload = FoldedReload(self._reload)
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    # -- requests -------------------------------------------------------------------------------------------------

    def _requests(self) -> None:
        if not self.data.requests:
            ui.label(_('No organisation has asked for your data.')).classes('text-grey-8').mark('requests-empty')
        today = _today()
        for request in self.data.requests:
            self._request(request, today)

    def _request(self, request: RequestView, today: date) -> None:
        pending = request.state is RequestState.PENDING and request.valid_until >= today
        marks = ('request', f'request-{request.id}', 'request-pending' if pending else 'request-decided')
        with ui.card().classes('w-full').props('flat bordered').mark(*marks):
            ui.label(organisation_name(request)).classes('text-weight-bold').mark('request-organisation')
            ui.label(_('Purpose: {purpose}', purpose=request.purpose)).classes('whitespace-pre-wrap').mark(
                'request-purpose'
            )
            ui.label(period(request.valid_from, request.valid_until)).classes('text-caption').mark('request-period')
            asked = _('Asked on {time}', time=fmt_datetime(request.created_at))
            ui.label(asked).classes('text-caption text-grey-8')
            if pending:
                self._choice(request)
            else:
                self._outcome(request)

    def _choice(self, request: RequestView) -> None:
        chosen = self.chosen.setdefault(request.id, set(request.categories))
        ui.label(_('The organisation asks for:')).classes('text-body2')
        with ui.row().classes('gap-2'):
            for code in request.categories:
                box = ui.checkbox(category_name(code), value=code in chosen)
                box.on_value_change(lambda e, c=code: chosen.add(c) if e.value else chosen.discard(c))
                box.mark('request-category', f'category-{code}')
        error = ui.label().classes('text-negative text-caption').props('role=alert').mark('request-error')
        error.set_visibility(False)
        with ui.row().classes('gap-2'):
            ui.button(
                _('Approve selected'), icon='check', on_click=lambda: self._approve(request, sorted(chosen), error)
            ).mark('request-approve')
            ui.button(_('Refuse'), icon='block', on_click=lambda: self._decide(request, [], error)).props(
                'outline color=negative'
            ).mark('request-refuse')

    def _outcome(self, request: RequestView) -> None:
        state = request.state if request.state is not RequestState.PENDING else RequestState.EXPIRED
        label, color = OUTCOMES[state]
        with ui.row().classes('items-center gap-2'):
            ui.badge(_(label), color=color).mark('request-outcome', f'request-{state.value}')
            if request.decided_at is not None:
                ui.label(fmt_datetime(request.decided_at)).classes('text-caption text-grey-8')
        ui.label(_('Asked for: {categories}', categories=category_names(request.categories))).classes(
            'text-caption'
        ).mark('request-asked')
        if request.granted:
            ui.label(_('Granted: {categories}', categories=category_names(request.granted))).classes(
                'text-caption'
            ).mark('request-granted')

    async def _approve(self, request: RequestView, grant: list[str], error: ui.label) -> None:
        if not grant:  # an empty grant would refuse: refusing is its own button
            show_problem(_('Choose at least one category, or refuse the request.'), error)
            return
        await self._decide(request, grant, error)

    async def _decide(self, request: RequestView, grant: list[str], error: ui.label) -> None:
        error.set_visibility(False)
        try:
            await permissions.decide_request(actor=self.actor, request_id=request.id, grant=grant, now=_now())
        except DomainError as exc:
            show_error(exc, error)
            return
        self.chosen.pop(request.id, None)
        ui.notify(_('Your answer was sent.') if grant else _('The request was refused.'), type='positive')
        await self.reload()

    # -- permissions ----------------------------------------------------------------------------------------------

    def _permissions(self) -> None:
        if not self.data.permissions:
            ui.label(_('You have given no permissions.')).classes('text-grey-8').mark('permissions-empty')
        today = _today()
        for permission in self.data.permissions:
            self._permission(permission, today)

    def _permission(self, permission: PermissionView, today: date) -> None:
        state = permission.current_state(today)
        label, color = PERMISSION_STATES[state]
        with ui.card().classes('w-full').props('flat bordered').mark('permission', f'permission-{permission.id}'):
            with ui.row().classes('w-full items-center gap-2'):
                ui.label(organisation_name(permission)).classes('text-weight-bold').mark('permission-organisation')
                ui.badge(_(label), color=color).mark('permission-state', f'permission-{state.value}')
                ui.space()
                if state is PermissionState.ACTIVE:
                    ui.button(
                        _('Revoke'), icon='link_off', on_click=lambda p=permission: self.revoke_dialog.ask(p)
                    ).props('flat color=negative no-caps').mark('permission-revoke')
            ui.label(category_names(permission.categories)).mark('permission-categories')
            ui.label(_('Purpose: {purpose}', purpose=permission.purpose)).classes('whitespace-pre-wrap').mark(
                'permission-purpose'
            )
            ui.label(period(permission.valid_from, permission.valid_until)).classes('text-caption').mark(
                'permission-period'
            )
            ui.label(uses(permission)).classes('text-caption text-grey-8').mark('permission-uses')
            if permission.request_id is None:
                ui.label(_('Shared in advance')).classes('text-caption text-grey-8').mark('permission-shared')
            if permission.revoked_at is not None:
                ui.label(_('Revoked on {time}', time=fmt_datetime(permission.revoked_at))).classes(
                    'text-caption text-grey-8'
                )

    async def _revoke(self, permission: PermissionView) -> bool:
        try:
            await permissions.revoke_permission(actor=self.actor, permission_id=permission.id, now=_now())
        except DomainError as exc:
            show_error(exc)
            await self.reload()
            return False
        ui.notify(_('The permission is revoked: the organisation can no longer read this data.'), type='positive')
        await self.reload()
        return True

    # -- live -----------------------------------------------------------------------------------------------------

    async def reload_now(self) -> None:
        await self.reload()

    async def _reload(self) -> None:
        self.data = await load_consent(self.actor)
        pending = {r.id for r in self.data.requests if r.state is RequestState.PENDING}
        self.chosen = {k: v for k, v in self.chosen.items() if k in pending}
        if not self.is_deleted:
            self.render_requests.refresh()
            self.render_permissions.refresh()

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'consent.changed':
            await self.reload()


class share_form(ui.card):  # an element-like component
    """Share in advance: an organisation, categories, a purpose and an end date; the store names a refused field."""

    def __init__(
        self, *, actor: PersonActor, organisations: dict[str, str], on_shared: Callable[[], Awaitable[None]]
    ) -> None:
        super().__init__()
        self.actor, self.on_shared = actor, on_shared
        self.errors: dict[str, ui.label] = {}
        self.classes('w-full').mark('share')
        with self:
            ui.label(_('Share in advance')).classes('text-h6')
            ui.label(_('Give an organisation access to your data before it asks.')).classes('text-caption text-grey-8')
            self.organisation = ui.select(organisations, label=_('Organisation'), with_input=True, clearable=True)
            self.organisation.classes('w-full max-w-xl').mark('share-organisation')
            self._error_line('organisation')
            ui.label(_('Categories of data')).classes('text-body2')
            with ui.row().classes('gap-2'):
                self.categories = {
                    code: ui.checkbox(_(title)).mark('share-category', f'category-{code}')
                    for code, (title, _kinds) in CATEGORIES.items()
                }
            self._error_line('categories')
            self.purpose = ui.textarea(_('What the data is for')).props(f'maxlength={PURPOSE_MAX} counter autogrow')
            self.purpose.classes('w-full max-w-xl').mark('share-purpose')
            self._error_line('purpose')
            today = _today()
            self.until = ui.input(_('Valid until')).props(
                f'type=date min={today.isoformat()} max={(today + timedelta(days=3 * 365)).isoformat()}'
            )
            self.until.classes('min-w-48').mark('share-until')
            self._error_line('valid_until')
            self.button = ui.button(_('Share'), icon='share', on_click=self.share).mark('share-send')

    def _error_line(self, field: str) -> None:
        line = ui.label().classes('text-negative text-caption').props('role=alert').mark(f'share-error-{field}')
        line.set_visibility(False)
        self.errors[field] = line

    async def share(self) -> None:
        for line in self.errors.values():
            line.set_visibility(False)
        self.button.disable()
        try:
            await permissions.share_in_advance(
                actor=self.actor,
                organisation_code=str(self.organisation.value or ''),
                categories=[code for code, box in self.categories.items() if box.value],
                purpose=self.purpose.value or '',
                valid_until=self.until.value or '',
                now=_now(),
            )
        except DomainError as exc:
            under = self.errors.get('valid_until' if exc.field == 'valid_from' else exc.field or '')
            if under is None:
                show_error(exc)
            else:
                under.set_text(error_text(exc))
                under.set_visibility(True)
                show_problem(error_text(exc))
            return
        finally:
            self.button.enable()
        self.organisation.set_value(None)
        for box in self.categories.values():
            box.set_value(False)
        self.purpose.set_value('')
        self.until.set_value('')
        ui.notify(_('The data is shared.'), type='positive')
        await self.on_shared()


class revoke_dialog(ui.dialog):  # an element-like component
    """Asks "are you sure?" before a permission is revoked; built once, so a live redraw never closes it."""

    def __init__(self, *, on_confirm: Callable[[PermissionView], Awaitable[bool]]) -> None:
        super().__init__()
        self.on_confirm = on_confirm
        self.target: PermissionView | None = None
        with self, ui.card().classes('w-full max-w-lg').mark('revoke-dialog'):
            ui.label(_('Revoke this permission?')).classes('text-h6')
            self.text = ui.label().classes('text-body2').mark('revoke-text')
            ui.label(_('The organisation will not be able to read this data any more.')).classes('text-body2')
            with ui.row().classes('w-full justify-end'):
                ui.button(_('Keep the permission'), on_click=self.close).props('flat').mark('revoke-cancel')
                ui.button(_('Revoke'), icon='link_off', on_click=self._confirm).props('color=negative').mark(
                    'revoke-confirm'
                )

    def ask(self, permission: PermissionView) -> None:
        self.target = permission
        self.text.set_text(f'{organisation_name(permission)}: {category_names(permission.categories)}')
        self.open()

    async def _confirm(self) -> None:
        if self.target is not None:
            await self.on_confirm(self.target)
        self.target = None
        self.close()


# -- shared with the tracker ----------------------------------------------------------------------------------------


def category_name(code: str) -> str:
    return _(CATEGORIES[code][0]) if code in CATEGORIES else code


def category_names(codes: tuple[str, ...] | list[str]) -> str:
    return ', '.join(category_name(c) for c in codes)


def organisation_name(view: RequestView | PermissionView | permissions.AccessView) -> str:
    if current_language() == 'en' and view.organisation_name_en:
        return view.organisation_name_en
    return view.organisation_name_az


def period(start: date, end: date) -> str:
    return _('From {start} until {end}', start=fmt_date(start), end=fmt_date(end))


def uses(permission: PermissionView) -> str:
    if permission.last_used_at is None:
        return _('Not used yet')
    return _('Uses: {count}, the last on {time}', count=permission.uses, time=fmt_datetime(permission.last_used_at))


def _now() -> datetime:
    return datetime.now(UTC)


def _today() -> date:
    return local_date(_now())
