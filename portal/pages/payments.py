"""Ödənişlər: the citizen's debts to pay and own payments, and the result page the gateway sends the browser back to."""

from __future__ import annotations

from uuid import UUID

from fastapi.responses import RedirectResponse
from nicegui import ui

from portal.components.frame import frame
from portal.components.payments import debts_to_pay, payment_result, payments_list
from portal.errors import NotFound
from portal.i18n import _
from portal.pages.guard import require
from portal.store import payments
from portal.store.actors import Role


async def payments_page() -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    debts = await payments.list_unpaid_debts(actor=actor, person_id=actor.person_id)
    items = await payments.list_payments(actor=actor, person_id=actor.person_id)
    with frame(_('Payments'), actor):
        with ui.card().classes('w-full'):
            ui.label(_('Debts to pay')).classes('text-h6')
            debts_to_pay(actor=actor, debts=debts)
        with ui.card().classes('w-full'):
            ui.label(_('My payments')).classes('text-h6')
            payments_list(actor=actor, items=items)
    return None


async def payment_page(payment_id: str) -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    try:
        payment = await payments.get_payment(actor=actor, payment_id=UUID(payment_id))
    except (ValueError, NotFound):  # a malformed id, or somebody else's payment: the same answer
        payment = None
    with frame(_('Payment'), actor):
        if payment is None:
            ui.label(_('Payment not found.')).mark('payment-not-found')
            ui.link(_('My payments'), '/payments')
        else:
            payment_result(actor=actor, payment=payment)
    return None
