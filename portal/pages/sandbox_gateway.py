"""The sandbox gateway's hosted payment page (only when PORTAL_PAYMENT_GATEWAY=sandbox): a card form, no real money.

It stands apart from the portal's frame, as a bank's page would. On submit the sandbox signs its verdict and hands
it to the portal's callback use case (the one the HTTP endpoint calls, with the same headers and raw body), then
sends the browser back to the portal's result page.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from babel.numbers import format_currency
from nicegui import ui

from portal.components.accessible import page_language
from portal.components.errors import show_error, show_problem
from portal.errors import DomainError
from portal.i18n import TIMEZONE, _, current_language, fmt_datetime
from portal.pages.guard import use_language
from portal.payments import get_gateway
from portal.payments.sandbox import SandboxGateway, SandboxSession, SessionInvalid, check_card, declined
from portal.store import payments

log = logging.getLogger(__name__)


async def sandbox_gateway_page(token: str) -> None:
    page_language(use_language())
    gateway = get_gateway()
    assert isinstance(gateway, SandboxGateway), 'the page is registered only for the sandbox gateway'
    ui.page_title(_('Sandbox payment gateway'))
    with ui.column().classes('w-full max-w-md mx-auto p-6 gap-4').props('role=main'):
        ui.label(_('Sandbox payment gateway')).classes('text-h5').props('role=heading aria-level=1')
        ui.label(_('A test payment page: no card is charged and no money moves. Card 4000 0000 0000 0002 is declined.'))
        try:
            session = gateway.open_session(token, now=datetime.now(UTC))
        except SessionInvalid:
            ui.label(_('This payment session has expired or is not valid. Start the payment again.')).classes(
                'text-negative'
            ).mark('gateway-invalid')
            ui.link(_('Back to the portal'), '/payments')
            return
        _card_form(gateway, session)


def _card_form(gateway: SandboxGateway, session: SandboxSession) -> None:
    with ui.card().classes('w-full'):
        ui.label(session.merchant).classes('text-subtitle1').mark('gateway-merchant')
        ui.label(session.description).classes('text-grey-8').mark('gateway-description')
        amount = format_currency(session.amount, session.currency, locale=current_language())
        ui.label(amount).classes('text-h5').mark('gateway-amount')
        ui.label(_('Valid until {time}', time=fmt_datetime(session.expires_at))).classes('text-caption')
    number = ui.input(_('Card number'), placeholder='4242 4242 4242 4242').classes('w-full').mark('card-number')
    number.props('inputmode=numeric autocomplete=cc-number maxlength=19')
    with ui.row().classes('w-full no-wrap gap-4'):
        expiry = ui.input(_('Expiry (MM/YY)'), placeholder='12/29').props('autocomplete=cc-exp maxlength=7')
        expiry.classes('grow').mark('card-expiry')
        cvv = ui.input(_('CVV'), password=True).props('inputmode=numeric autocomplete=cc-csc maxlength=3')
        cvv.classes('w-24').mark('card-cvv')
    error = ui.label().classes('text-negative').mark('gateway-error')
    error.set_visibility(False)

    async def finish(*, succeeded: bool, reason: str = '', card_last4: str = '') -> None:
        now = datetime.now(UTC)
        if session.expires_at <= now:
            show_problem(_('This payment session has expired or is not valid. Start the payment again.'), error)
            return
        pay.disable()
        cancel.disable()
        headers, body = gateway.signed_callback(
            session, succeeded=succeeded, now=now, reason=reason, card_last4=card_last4
        )
        try:
            await payments.handle_callback(gateway=gateway, headers=headers, body=body, now=now)
        except DomainError as exc:  # the portal refused the sandbox's own callback: a configuration problem
            log.warning('the portal refused a sandbox callback: %s', exc.code)
            show_error(exc, error)
            return
        ui.navigate.to(session.return_url)

    async def submit() -> None:
        error.set_visibility(False)
        try:
            card = check_card(
                number=number.value, expiry=expiry.value, cvv=cvv.value, today=datetime.now(TIMEZONE).date()
            )
        except DomainError as exc:
            show_error(exc, error)
            return
        refused = declined(card)
        await finish(succeeded=not refused, reason='card_declined' if refused else '', card_last4=card[-4:])

    with ui.row().classes('w-full gap-2'):
        pay = ui.button(_('Pay {amount}', amount=amount), on_click=submit).classes('grow').mark('gateway-pay')
        cancel = ui.button(_('Cancel'), on_click=lambda: finish(succeeded=False, reason='cancelled'))
        cancel.props('flat').mark('gateway-cancel')
