"""Who is looking at a page: the session behind this browser, checked on the server for every page."""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui import app

from portal.errors import Unauthorized
from portal.i18n import DEFAULT_LANGUAGE, LANGUAGES
from portal.store import auth
from portal.store.actors import PersonActor, Role

LANDING: dict[Role, str] = {
    Role.CITIZEN: '/cabinet',
    Role.AGENCY_OFFICER: '/desk',
    Role.EXECUTIVE_OFFICER: '/desk',
    Role.ADMIN: '/admin',
}


def use_language() -> str:
    """Carry the browser's chosen language into this client (read by ``portal.i18n._``)."""
    lang = app.storage.user.get('lang', DEFAULT_LANGUAGE)
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    app.storage.client['lang'] = lang
    return lang


async def current_actor() -> PersonActor | None:
    use_language()
    try:
        return await auth.resolve_session(token=app.storage.user.get('session'), now=datetime.now(UTC))
    except Unauthorized:
        app.storage.user.pop('session', None)
        return None


async def require(*roles: Role) -> PersonActor | str:
    """The actor if allowed here, else the path to send the browser to."""
    actor = await current_actor()
    if actor is None:
        return '/login'
    if actor.role not in roles:
        return LANDING[actor.role]
    return actor
