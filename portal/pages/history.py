"""Əməliyyatlar tarixçəsi: the citizen's operation history."""

from __future__ import annotations

from fastapi.responses import RedirectResponse

from portal.components.frame import frame
from portal.components.history_list import PAGE, history_list
from portal.i18n import _
from portal.pages.guard import require
from portal.store import audit
from portal.store.actors import Role


async def history_page() -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    first = await audit.page_history(actor=actor, person_id=actor.person_id, limit=PAGE)
    with frame(_('Operation history'), actor):
        history_list(actor=actor, first=first)
    return None
