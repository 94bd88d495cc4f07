"""E-iştirakçılıq: open polls and citizens' proposals (public; citizens propose, vote and report), one poll's public
results, and the local executive's participation desk."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi.responses import RedirectResponse
from nicegui import ui

from portal.components.frame import frame
from portal.components.participation import (
    desk_board,
    direction_name,
    load_desk,
    load_participation,
    participation_board,
    poll_board,
)
from portal.config import Settings
from portal.errors import NotFound
from portal.i18n import _, current_language
from portal.pages.guard import current_actor, require
from portal.pages.route import page
from portal.store import orgs
from portal.store.actors import Role
from portal.store.orgs import OrgCategory
from portal.store.participation import proposals, voting


def register(settings: Settings) -> None:
    page('/participation')(participation_page)  # public polls by executive; citizens vote, propose, report
    page('/participation/polls/{poll_id}')(poll_page)  # public: one poll and its results, live
    page('/desk/participation')(desk_page)  # executive officers: moderation, new polls, closing early


async def participation_page() -> None:
    actor = await current_actor()
    first = await load_participation(actor)  # read before the frame: its timers let the response go at the next await
    lang = current_language()
    executives = {o.code: o.display_name(lang) for o in await orgs.list_organisations(category=OrgCategory.EXECUTIVE)}
    directions = {code: direction_name(code) for code in proposals.DIRECTIONS}
    with frame(_('E-participation'), actor):
        participation_board(actor=actor, first=first, executives=executives, directions=directions)


async def poll_page(poll_id: str) -> None:
    actor = await current_actor()
    try:
        poll = await voting.get_poll(poll_id=UUID(poll_id))
    except (ValueError, NotFound):
        with frame(_('Not found'), actor):
            ui.label(_('No such poll.')).mark('poll-not-found')
            ui.link(_('E-participation'), '/participation')
        return
    first = await voting.results(poll_id=poll.id, now=datetime.now(UTC))
    with frame(poll.question, actor):
        ui.link(_('All polls'), '/participation').mark('participation-link')
        poll_board(poll=poll, first=first)


async def desk_page() -> RedirectResponse | None:
    actor = await require(Role.EXECUTIVE_OFFICER)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    assert actor.organisation_id is not None
    org = await orgs.get_organisation_by_id(actor.organisation_id)
    first = await load_desk(actor, org.code)
    with frame(_('E-participation'), actor):
        ui.label(org.display_name(current_language())).classes('text-subtitle1').mark('desk-executive')
        desk_board(actor=actor, executive_code=org.code, topic=org.topic, first=first)
    return None
