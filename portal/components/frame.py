"""The layout frame of every page: header with the portal name, role navigation, language switch, logout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from nicegui import app, ui

from portal.components.accessible import page_language
from portal.components.letter_nav import letter_nav
from portal.components.live import subscribe
from portal.components.notice_bell import notice_bell
from portal.errors import N_, Unauthorized
from portal.i18n import LANGUAGES, _
from portal.live import Event
from portal.security import LOGGED_OUT_PATH
from portal.store import auth
from portal.store.actors import PersonActor, Role

NAVIGATION: dict[Role, tuple[tuple[str, str], ...]] = {
    Role.CITIZEN: (
        ('/cabinet', N_('Personal cabinet')),
        ('/services', N_('All services')),
        ('/documents', N_('My documents')),
        ('/payments', N_('Payments')),
        ('/history', N_('Operation history')),
        ('/permissions', N_('Permissions')),
        ('/participation', N_('E-participation')),
        ('/reception', N_('Citizen reception')),
        ('/news', N_('News')),
    ),
    Role.AGENCY_OFFICER: (('/desk', N_('Agency desk')), ('/desk/certificates', N_('Issued certificates'))),
    Role.EXECUTIVE_OFFICER: (
        ('/desk', N_('Local executive desk')),
        ('/desk/applications', N_('Applications')),
        ('/desk/participation', N_('E-participation')),
        ('/desk/reception', N_('Citizen reception')),
        ('/desk/news', N_('News')),
    ),
    Role.ADMIN: (('/admin', N_('Administration')),),
}
SESSION_CHECK_SECONDS = 60


@contextmanager
def frame(title: str, actor: PersonActor | None = None) -> Iterator[None]:
    ui.page_title(f'{title} · Kabinet')
    ui.add_css('.kabinet-main { max-width: 72rem; }')
    page_language(app.storage.client.get('lang', 'az'))
    with ui.header(elevated=True).classes('items-center bg-blue-9 px-4 gap-4 flex-wrap'):
        skip = ui.link(_('Skip to main content'), '#').classes('kabinet-skip')  # the first stop of the Tab key
        ui.link('Kabinet', '/').classes('text-h6 text-white no-underline').props('aria-label="Kabinet"')
        if actor is not None:
            for path, label in NAVIGATION[actor.role]:
                ui.link(_(label), path).classes('text-white')
            if actor.role is Role.CITIZEN:
                letter_nav(actor)  # "Letters" with the unread count, read after the frame is built
        ui.space()
        if actor is not None and actor.role is Role.CITIZEN:
            notice_bell(actor)  # the unread notices, live; the newest few in its menu
        if actor is not None:
            ui.label(actor.full_name).classes('text-white').mark('header-name')
        _language_switch()
        if actor is not None:
            ui.button(_('Log out'), icon='logout', on_click=_logout).props('flat color=white').mark('logout')
            _watch_session()
    with ui.column().classes('kabinet-main w-full mx-auto p-4 gap-4').props('role=main tabindex=-1') as main:
        skip.props(f'href=#{main.html_id}')
        ui.label(title).classes('text-h5').props('role=heading aria-level=1')
        yield


def _language_switch() -> None:
    lang = app.storage.client.get('lang', 'az')

    def change(e: object) -> None:
        app.storage.user['lang'] = getattr(e, 'value', 'az')
        ui.navigate.reload()

    ui.select(LANGUAGES, value=lang, on_change=change).props('dense dark borderless options-dense').classes(
        'text-white'
    ).mark('language')


async def _logout() -> None:
    app.storage.client['leaving'] = True  # this tab goes on its own; the live event is for the others
    await auth.logout(token=app.storage.user.pop('session', None), now=datetime.now(UTC))
    ui.navigate.to(LOGGED_OUT_PATH)  # the browser gets a new id there, then the login page


def _watch_session() -> None:
    """End the page when the session ends on the server: at once on logout (in another tab of this browser, too),
    within a minute on the idle or absolute timeout."""
    token = app.storage.user.get('session')

    async def ended(_: Event) -> None:
        if not app.storage.client.get('leaving'):
            ui.navigate.to(LOGGED_OUT_PATH)

    async def check() -> None:
        try:
            await auth.resolve_session(token=token, now=datetime.now(UTC), touch=False)
        except Unauthorized:
            ui.navigate.to('/login')

    ui.timer(SESSION_CHECK_SECONDS, check)
    if token:
        subscribe(auth.session_topic(token), ended)
