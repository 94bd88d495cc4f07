"""Bütün xidmətlər: the service catalogue — search, "Qurumlar üzrə" (by agency) and by category, service lists, and
one service's page: what it does, who provides it, what it needs, how long it takes, and how to use it here.

Everything comes from the catalogue's data and is shown as text; only http(s) addresses become external links.
"""

from __future__ import annotations

from urllib.parse import quote

from nicegui import ui

from portal.components.application_form import application_form
from portal.components.certificate_view import Offer, certificate_offer
from portal.components.errors import show_error
from portal.errors import N_, DomainError
from portal.i18n import _, current_language
from portal.store.actors import PersonActor, Role
from portal.store.services import catalogue
from portal.store.services.catalogue import CATEGORIES, ProviderSummary, ServiceView

WORKING_CHIP = N_('On this portal')
EXTERNAL_CHIP = N_("On the provider's site")


class catalogue_browser(ui.column):  # an element-like component
    """Search on top; below it the catalogue "By agency" or "By category", each entry with its count."""

    def __init__(
        self,
        *,
        providers: list[ProviderSummary],
        categories: dict[str, int],
        working: int,
        total: int,
        query: str = '',
    ) -> None:
        super().__init__()
        self.classes('w-full gap-4').mark('catalogue')
        with self:
            ui.label(_('{total} services, {working} of them available right here', total=total, working=working)).mark(
                'catalogue-counts'
            )
            with ui.row().classes('w-full items-center gap-3 no-wrap'):
                self.query = ui.input(_('Search services'), value=query).props('clearable maxlength=200')
                self.query.classes('grow').mark('catalogue-query').on('keydown.enter', self.search)
                ui.button(_('Search'), icon='search', on_click=self.search).mark('catalogue-search')
            self.error = ui.label().classes('text-negative').mark('catalogue-error')
            self.error.set_visibility(False)
            self.results = ui.column().classes('w-full gap-0').mark('search-results')
            with ui.tabs().classes('w-full') as tabs:
                ui.tab('agency', _('By agency')).mark('tab-agency')
                ui.tab('category', _('By category')).mark('tab-category')
            with ui.tab_panels(tabs, value='agency').classes('w-full bg-transparent'):
                with ui.tab_panel('agency').classes('p-0'):
                    _providers(providers)
                with ui.tab_panel('category').classes('p-0'):
                    _categories(categories)

    async def search(self) -> None:
        self.error.set_visibility(False)
        try:
            found = await catalogue.search_services(query=self.query.value or '')
        except DomainError as exc:
            self.results.clear()
            show_error(exc, self.error)
            return
        self.results.clear()
        with self.results:
            ui.label(_('Services found: {count}', count=len(found))).classes('text-caption').mark('search-total')
            if not found:
                ui.label(_('No service matches your search.')).classes('text-grey-8').mark('search-empty')
            service_list(found)


def service_list(services: list[ServiceView]) -> None:
    """Each service: its title (a link to its page), who provides it, and where it is used."""
    lang = current_language()
    for service in services:
        with ui.row().classes('w-full items-center gap-3 py-2 border-b no-wrap').mark('service-row', service.code):
            with ui.column().classes('gap-0 grow min-w-0'):
                ui.link(service.title(lang), f'/services/{quote(service.code)}').mark('service-link')
                ui.label(provider_name(service)).classes('text-caption text-grey-8')
            if service.kind == 'external':
                ui.chip(_(EXTERNAL_CHIP), icon='open_in_new').props('outline').mark('chip-external')
            else:
                ui.chip(_(WORKING_CHIP), icon='check_circle', color='positive', text_color='white').mark('chip-portal')


def provider_name(service: ServiceView) -> str:
    return _('Your local executive') if service.local else service.provider_name(current_language())


def duration_text(days: int) -> str:
    return _('At once') if days <= 0 else _('{n} working days', n=days)


def service_details(service: ServiceView) -> None:
    """What the service does, who provides it, what it needs and how long it takes."""
    lang = current_language()
    with ui.card().classes('w-full gap-3').mark('service-details'):
        if service.summary(lang):
            ui.label(service.summary(lang)).classes('whitespace-pre-wrap').mark('service-summary')
        with ui.grid(columns='minmax(10rem, auto) 1fr').classes('w-full gap-x-6 gap-y-2'):
            ui.label(_('Provided by')).classes('text-grey-8')
            ui.label(provider_name(service)).mark('service-provider')
            ui.label(_('What you need')).classes('text-grey-8')
            lines = service.requirement_lines(lang)
            with ui.column().classes('gap-1').mark('service-requirements'):
                if not lines:
                    ui.label(_('Nothing: your data is already in the portal.')).mark('service-requirement')
                for line in lines:
                    ui.label(f'• {line}').mark('service-requirement')
            ui.label(_('How long it takes')).classes('text-grey-8')
            ui.label(duration_text(service.duration_days)).mark('service-duration')


async def service_action(actor: PersonActor | None, service: ServiceView, offer: Offer | None = None) -> None:
    """How to use the service: at once here, through a form, in another section of the portal, or on the provider's
    own site."""
    with ui.card().classes('w-full gap-3').mark('service-action'):
        if service.kind == 'certificate':
            if _citizen(actor) and actor is not None and offer is not None:
                certificate_offer(actor, offer)
        elif service.kind == 'application':
            if _citizen(actor) and actor is not None:
                await application_form(actor, service)
        elif service.kind == 'records':
            ui.link(_('See your data in the cabinet'), '/cabinet').mark('service-records')
        elif service.kind == 'payment':
            ui.link(_('See your debts and pay them'), '/payments').mark('service-payment')
        elif service.kind == 'letter':
            code = (service.target or service.provider_code).upper()
            ui.link(_('Write an official letter'), f'/letters/new?to={quote(code)}').mark('service-letter')
        else:
            _external(service)


def _citizen(actor: PersonActor | None) -> bool:
    """True for a citizen; otherwise says who may use the service here."""
    if actor is None:
        ui.label(_('Log in to use this service.')).classes('text-grey-8')
        ui.link(_('Log in'), '/login').mark('service-login')
        return False
    if actor.role is not Role.CITIZEN:
        ui.label(_('This service is for citizens.')).classes('text-grey-8').mark('service-citizens-only')
        return False
    return True


def _external(service: ServiceView) -> None:
    ui.label(_("This service is provided on the provider's own site.")).mark('service-external-note')
    if service.url.startswith(('https://', 'http://')):
        link = ui.link(_("Go to the provider's site"), service.url, new_tab=True)
        link.props('rel="noopener noreferrer"').classes('q-btn q-btn--standard bg-primary text-white px-4 py-2')
        link.classes('no-underline rounded-borders self-start').mark('service-external-link')


def _providers(providers: list[ProviderSummary]) -> None:
    lang = current_language()
    with ui.column().classes('w-full gap-0').mark('agency-list'):
        for provider in providers:
            with ui.row().classes('w-full items-center gap-3 py-2 border-b no-wrap'):
                link = ui.link(provider.name(lang), f'/services/agency/{quote(provider.code)}').classes('grow')
                link.mark('agency-link', f'agency-{provider.code}')
                ui.badge(str(provider.services), color='grey-7').props('rounded')


def _categories(categories: dict[str, int]) -> None:
    with ui.column().classes('w-full gap-0').mark('category-list'):
        for code, label in CATEGORIES.items():
            count = categories.get(code, 0)
            if not count:
                continue
            with ui.row().classes('w-full items-center gap-3 py-2 border-b no-wrap'):
                ui.link(_(label), f'/services/category/{quote(code)}').classes('grow').mark(
                    'category-link', f'category-{code}'
                )
                ui.badge(str(count), color='grey-7').props('rounded')
