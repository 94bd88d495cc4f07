"""Login: FIN and password, or the ASAN İmza / SİMA mobile signature with a 4-digit code to compare."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.responses import RedirectResponse
from nicegui import app, ui
from nicegui.events import ValueChangeEventArguments

from portal.components.errors import show_error, show_problem
from portal.components.frame import frame
from portal.components.live import subscribe
from portal.errors import DomainError
from portal.i18n import _
from portal.live import Event
from portal.pages.guard import LANDING, current_actor
from portal.store import auth
from portal.store.auth import LoginMethod


async def login_page() -> RedirectResponse | None:
    actor = await current_actor()
    if actor is not None:
        return RedirectResponse(LANDING[actor.role])
    with frame(_('Log in to the personal cabinet')):
        with ui.card().classes('w-full max-w-md'):
            with ui.tabs().classes('w-full') as tabs:
                password_tab = ui.tab(_('Password')).mark('tab-password')
                asan_tab = ui.tab('ASAN İmza').mark('tab-asan')
                sima_tab = ui.tab('SİMA').mark('tab-sima')
            with ui.tab_panels(tabs, value=password_tab).classes('w-full'):
                with ui.tab_panel(password_tab):
                    _password_form()
                # the mobile-signature forms are built when their tab is first chosen: most visitors log in by
                # password, and every element a connected tab keeps costs the server memory (docs/performance.md)
                later = {
                    tab.props['name']: (ui.tab_panel(tab), method)
                    for tab, method in ((asan_tab, LoginMethod.ASAN), (sima_tab, LoginMethod.SIMA))
                }

        def build(event: ValueChangeEventArguments) -> None:
            if (chosen := later.pop(event.value, None)) is not None:
                panel, method = chosen
                with panel:
                    _signature_form(method)

        tabs.on_value_change(build)
        ui.link(_('Statistics of letters to state organisations'), '/statistics/letters').mark('login-letter-stats')
    return None


def _password_form() -> None:
    storage, address = app.storage.user, _client_address()
    fin = ui.input(_('FIN'), placeholder='5ZK2M7R').props('autocomplete=username maxlength=7').mark('fin')
    password = ui.input(_('Password'), password=True).props('autocomplete=current-password').mark('password')
    error = ui.label().classes('text-negative').mark('login-error')
    error.set_visibility(False)

    async def submit() -> None:
        try:
            grant = await auth.login_with_password(
                fin=fin.value,
                password=password.value,
                address=address,
                now=datetime.now(UTC),
                previous_token=storage.get('session'),
            )
        except DomainError as exc:
            password.value = ''
            show_error(exc, error)
            return
        storage['session'] = grant.token
        ui.navigate.to(LANDING[grant.actor.role])

    password.on('keydown.enter', submit)
    ui.button(_('Log in'), on_click=submit).classes('w-full').mark('login')


def _signature_form(method: LoginMethod) -> None:
    # captured now: the live callback below runs in the context of whoever published the event
    storage = app.storage.user
    fin = ui.input(_('FIN'), placeholder='5ZK2M7R').props('maxlength=7').mark(f'{method}-fin')
    error = ui.label().classes('text-negative').mark(f'{method}-error')
    error.set_visibility(False)
    waiting = ui.column().classes('items-center w-full')
    waiting.set_visibility(False)
    with waiting:
        ui.label(_('Verification code')).classes('text-caption')
        code = ui.label().classes('text-h3 tracking-widest').mark(f'{method}-code')
        ui.label(_('Check that your phone shows the same code, then confirm with your PIN.')).classes('text-center')
        ui.spinner(size='lg')
        remaining = ui.label().classes('text-caption').mark(f'{method}-remaining')

    async def start() -> None:
        error.set_visibility(False)
        try:
            challenge = await auth.start_signature_login(fin=fin.value, method=method, now=datetime.now(UTC))
        except DomainError as exc:
            show_error(exc, error)
            return
        code.set_text(challenge.code)
        waiting.set_visibility(True)
        button.disable()

        async def on_event(event: Event) -> None:
            countdown.cancel()
            waiting.set_visibility(False)
            button.enable()
            if event.kind != 'challenge.signed':
                show_problem(_('The confirmation was refused on the phone.'), error)
                return
            try:
                grant = await auth.complete_signature_login(
                    challenge_id=challenge.id, now=datetime.now(UTC), previous_token=storage.get('session')
                )
            except DomainError as exc:
                show_error(exc, error)
                return
            storage['session'] = grant.token
            ui.navigate.to(LANDING[grant.actor.role])

        def tick() -> None:
            left = int((challenge.expires_at - datetime.now(UTC)).total_seconds())
            remaining.set_text(_('{seconds} s left', seconds=max(left, 0)))
            if left <= 0:
                countdown.cancel()
                waiting.set_visibility(False)
                button.enable()
                show_problem(_('The confirmation request has expired. Start again.'), error)

        subscribe(f'challenge:{challenge.id}', on_event)
        countdown = ui.timer(1, tick)
        tick()

    button = ui.button(_('Send confirmation request'), on_click=start).classes('w-full').mark(f'{method}-start')


def _client_address() -> str:
    request = ui.context.client.request
    return request.client.host if request and request.client else 'unknown'
