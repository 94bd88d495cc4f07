"""Bütün xidmətlər: the public service catalogue — search, "Qurumlar üzrə" and by category — and each service's page."""

from __future__ import annotations

from nicegui import ui

from portal.components.catalogue import catalogue_browser, service_action, service_details, service_list
from portal.components.certificate_view import Offer, load_offer
from portal.components.frame import frame
from portal.config import Settings
from portal.errors import DomainError
from portal.i18n import _, current_language
from portal.pages.guard import current_actor
from portal.pages.route import page
from portal.store.actors import PersonActor, Role
from portal.store.services import catalogue
from portal.store.services.catalogue import CATEGORIES, ServiceView


def register(settings: Settings) -> None:
    page('/services')(services_page)  # the catalogue: search, by agency, by category, with counts
    page('/services/agency/{code}')(agency_page)  # one agency's services
    page('/services/category/{category}')(category_page)  # one category's services
    page('/services/{code}')(service_page)  # one service: what, who, needs, how long, and its action


async def services_page() -> None:
    actor = await current_actor()
    providers = await catalogue.providers_with_services()
    categories = await catalogue.category_counts()
    working, total = await catalogue.count_working(), await catalogue.count_all()
    with frame(_('All services'), actor):
        catalogue_browser(providers=providers, categories=categories, working=working, total=total)


async def agency_page(code: str) -> None:
    actor = await current_actor()
    provider = next((p for p in await catalogue.providers_with_services() if p.code == code.strip().upper()), None)
    found = await catalogue.list_services(provider_code=provider.code) if provider else []
    with frame(provider.name(current_language()) if provider else _('By agency'), actor):
        ui.link(_('All services'), '/services').mark('back-to-catalogue')
        if provider is None:
            ui.label(_('There is no such agency in the catalogue.')).mark('catalogue-not-found')
            return
        service_list(found)


async def category_page(category: str) -> None:
    actor = await current_actor()
    label = CATEGORIES.get(category)
    found = await catalogue.list_services(category=category) if label else []
    with frame(_(label) if label else _('By category'), actor):
        ui.link(_('All services'), '/services').mark('back-to-catalogue')
        if label is None:
            ui.label(_('There is no such category in the catalogue.')).mark('catalogue-not-found')
            return
        service_list(found)


async def service_page(code: str) -> None:
    actor = await current_actor()
    try:
        service = await catalogue.get_service(code=code)
    except DomainError:
        service = None
    offer = await _offer(actor, service)  # read before the frame: its timers let the page go out at the next await
    with frame(service.title(current_language()) if service else _('Service'), actor):
        ui.link(_('All services'), '/services').mark('back-to-catalogue')
        if service is None:
            ui.label(_('There is no such service in the catalogue.')).mark('service-not-found')
            return
        service_details(service)
        await service_action(actor, service, offer)


async def _offer(actor: PersonActor | None, service: ServiceView | None) -> Offer | None:
    """A certificate service's preview for the citizen looking at it."""
    if service is None or service.kind != 'certificate' or actor is None or actor.role is not Role.CITIZEN:
        return None
    return await load_offer(actor, service.target)
