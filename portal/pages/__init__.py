"""Pages: thin — guard, load through the store, compose components inside the frame."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from portal.config import Settings
from portal.pages import cabinet, desks, device, history, login, payments, sandbox_gateway
from portal.pages.guard import LANDING, current_actor


def register(settings: Settings) -> None:
    ui.page('/')(index)  # landing: sends whoever is logged in to their cabinet or desk
    ui.page('/login')(login.login_page)  # FIN + password, ASAN İmza, SİMA
    ui.page('/cabinet')(cabinet.cabinet_page)  # Şəxsi kabinet: the citizen's registry data, live
    ui.page('/history')(history.history_page)  # Əməliyyatlar tarixçəsi: filters, pages, CSV
    ui.page('/desk')(desks.desk_page)  # agency or local-executive officer's desk
    ui.page('/admin')(desks.admin_page)  # administration
    ui.page('/payments')(payments.payments_page)  # Ödənişlər: debts to pay, own payments and their receipts
    ui.page('/payments/{payment_id}')(payments.payment_page)  # one payment's result, back from the gateway
    if settings.payment_gateway == 'sandbox':
        ui.page('/sandbox-gateway/{token}')(sandbox_gateway.sandbox_gateway_page)  # the sandbox's hosted card page
    if settings.demo:
        ui.page('/device')(device.device_page)  # the demo phone that signs login requests


async def index() -> RedirectResponse:
    actor = await current_actor()
    return RedirectResponse(LANDING[actor.role] if actor else '/login')
