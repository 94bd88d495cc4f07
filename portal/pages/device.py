"""The demo phone (demo mode only): shows pending ASAN İmza / SİMA requests (logins and letters to sign) and signs one
after the PIN."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from nicegui import ui

from portal.components.errors import show_error
from portal.components.frame import frame
from portal.errors import DomainError
from portal.i18n import _, fmt_datetime
from portal.pages.guard import use_language
from portal.store import device
from portal.store.auth import ChallengePurpose, ChallengeView

POLL_SECONDS = 2
DIGEST_SHOWN = 16


async def device_page() -> None:
    use_language()
    with frame(_('Demo phone: ASAN İmza / SİMA')):
        ui.label(
            _(
                "This page stands in for the citizen's phone in demo mode. It holds the signing key "
                'and signs a login or a letter once the PIN is entered.'
            )
        ).classes('text-body2')
        owner = ui.input(_('FIN of the phone owner')).props('maxlength=7').mark('device-fin')
        error = ui.label().classes('text-negative').mark('device-error')
        error.set_visibility(False)
        phone: dict[str, str] = {}
        shown: list[ChallengeView] = []

        @ui.refreshable
        def requests() -> None:
            if phone and not shown:
                ui.label(_('No requests waiting.')).mark('device-empty')
            for challenge in shown:
                _request_card(phone['fin'], challenge, error, poll)

        async def poll(force: bool = False) -> None:
            if not phone:
                return
            try:
                pending = await device.pending_on_device(fin=phone['fin'], now=datetime.now(UTC))
            except DomainError as exc:
                phone.clear()
                shown.clear()
                requests.refresh()
                show_error(exc, error)
                return
            # redraw only when the requests change, so a PIN being typed is not wiped
            if force or [c.id for c in pending] != [c.id for c in shown]:
                shown[:] = pending
                requests.refresh()

        async def open_phone() -> None:
            error.set_visibility(False)
            phone['fin'] = owner.value
            await poll(force=True)

        ui.button(_('Open phone'), on_click=open_phone).mark('device-open')
        requests()
        ui.timer(POLL_SECONDS, poll)


def _request_card(fin: str, challenge: ChallengeView, error: ui.label, poll: Callable[..., Awaitable[None]]) -> None:
    method = 'ASAN İmza' if challenge.method == 'asan' else 'SİMA'
    with ui.card().classes('w-full max-w-md').mark('device-request'):
        if challenge.purpose is ChallengePurpose.DOCUMENT:
            # the phone shows what it signs: the start of the letter's SHA-256 digest, to compare with the portal
            ui.label(_('Sign a letter: {method}', method=method)).mark('device-sign-letter')
            digest = (challenge.digest or '')[:DIGEST_SHOWN]
            ui.label(_('Document digest: {digest}…', digest=digest)).classes('font-mono').mark('device-digest')
        else:
            ui.label(_('Login request: {method}', method=method)).mark('device-login')
        ui.label(challenge.code).classes('text-h4 tracking-widest').mark('device-code')
        ui.label(_('Valid until {time}', time=fmt_datetime(challenge.expires_at)))
        pin = ui.input(_('PIN'), password=True).props('maxlength=8 inputmode=numeric').mark('device-pin')

        async def confirm() -> None:
            try:
                await device.confirm_on_device(fin=fin, challenge_id=challenge.id, pin=pin.value, now=datetime.now(UTC))
            except DomainError as exc:
                pin.value = ''
                show_error(exc, error)
                await poll()
                return
            ui.notify(_('Confirmed'), type='positive')
            await poll()

        async def refuse() -> None:
            try:
                await device.refuse_on_device(fin=fin, challenge_id=challenge.id, now=datetime.now(UTC))
            except DomainError as exc:
                show_error(exc, error)
            await poll()

        with ui.row():
            ui.button(_('Confirm'), on_click=confirm).mark('device-confirm')
            ui.button(_('Refuse'), on_click=refuse).props('flat').mark('device-refuse')
