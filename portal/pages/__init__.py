"""Pages: thin — guard, load through the store, compose components inside the frame."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import app

from portal import security
from portal.components import accessible
from portal.config import Settings
from portal.pages import (
    admin_consent,
    applications,
    cabinet,
    desk_letters,
    desk_services,
    desks,
    device,
    documents,
    files,
    history,
    letter_stats,
    letters,
    login,
    news,
    notices,
    participation,
    payments,
    permissions,
    reception,
    sandbox_gateway,
    services,
    verify,
)
from portal.pages.guard import LANDING, current_actor
from portal.pages.route import page


def register(settings: Settings) -> None:
    accessible.apply_theme()  # colours with enough contrast and a visible focus ring, on every page
    page('/')(index)  # landing: sends whoever is logged in to their cabinet or desk
    page('/login')(login.login_page)  # FIN + password, ASAN İmza, SİMA
    app.get(security.LOGGED_OUT_PATH)(security.finish_logout)  # after logout: a new browser id, then the login page
    page('/cabinet')(cabinet.cabinet_page)  # Şəxsi kabinet: the citizen's registry data, live
    page('/history')(history.history_page)  # Əməliyyatlar tarixçəsi: filters, pages, CSV
    page('/desk')(desks.desk_page)  # agency or local-executive officer's desk
    page('/desk/letters/new')(desk_letters.new_letter_page)  # the officer writes to a citizen chosen by FIN
    page('/statistics/letters')(letter_stats.letters_overview_page)  # public: letters by organisation, chart
    page('/statistics/letters/{code}')(letter_stats.organisation_letters_page)  # public: one organisation's figures
    page('/admin')(desks.admin_page)  # administration
    page('/payments')(payments.payments_page)  # Ödənişlər: debts to pay, own payments and their receipts
    page('/payments/{payment_id}')(payments.payment_page)  # one payment's result, back from the gateway
    page('/letters')(letters.letters_page)  # Dövlət qurumlarına rəsmi məktub: "Göndərilən" and "Gələn", live
    page('/letters/new')(letters.compose_page)  # Yeni müraciət: the draft, its files, review, signing
    page('/letters/{letter_id}')(letters.letter_page)  # one letter, for its citizen and the officers concerned
    app.get('/files/letters/{letter_id}/{attachment_id}')(files.download_attachment)  # attachment downloads
    services.register(settings)  # Bütün xidmətlər: the catalogue, by agency and category, search; each service's page
    documents.register(settings)  # Sənədlərim: issued certificates and applications, downloads
    verify.register(settings)  # public certificate verification (code, QR link, PDF upload) and the root certificate
    applications.register(settings)  # the citizen's applications to local executives
    desk_services.register(settings)  # officers: applications on the executive's desk, revoking certificates
    notices.register(settings)  # Bildirişlər: the citizen's notices and their settings; the admin's outbox
    admin_consent.register(settings)  # administrators: disputes of data accesses, organisations' webhooks
    permissions.register(settings)  # İcazələrin idarə edilməsi: data requests, permissions; the data tracker
    participation.register(settings)  # E-iştirakçılıq: polls, proposals, results; the executive's moderation desk
    news.register(settings)  # Məlumatlandırma: news feeds, items, Atom/RSS, following; the executive's news desk
    reception.register(settings)  # Vətəndaş qəbulu: meeting requests, live; the executive's reception desk and hours
    if settings.payment_gateway == 'sandbox':
        page('/sandbox-gateway/{token}')(sandbox_gateway.sandbox_gateway_page)  # the sandbox's hosted card page
    if settings.demo:
        page('/device')(device.device_page)  # the demo phone that signs login requests and letters


async def index() -> RedirectResponse:
    actor = await current_actor()
    return RedirectResponse(LANDING[actor.role] if actor else '/login')
