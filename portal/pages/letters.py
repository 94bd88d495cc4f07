"""Dövlət qurumlarına rəsmi məktub: the citizen's folders, the compose form, and one letter (citizens and officers)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi.responses import RedirectResponse
from nicegui import ui

from portal.components.frame import frame
from portal.components.letter_actions import letter_actions
from portal.components.letter_compose import letter_compose
from portal.components.letter_folder import letter_folder, load_folder
from portal.components.letter_view import letter_view
from portal.errors import DomainError
from portal.i18n import _, current_language
from portal.pages.guard import require
from portal.store import letters, orgs
from portal.store.actors import PersonActor, Role
from portal.store.letters import Direction, LetterView

READERS = (Role.CITIZEN, Role.AGENCY_OFFICER, Role.EXECUTIVE_OFFICER)


async def letters_page(folder: str = 'sent') -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    sent, inbox = await load_folder(actor, 'sent'), await load_folder(actor, 'inbox')
    organisations = await _organisations()
    with frame(_('Letters'), actor):
        ui.button(_('New letter'), icon='edit', on_click=lambda: ui.navigate.to('/letters/new')).mark('new-letter')
        with ui.tabs().classes('w-full') as tabs:
            ui.tab('sent', _('Sent')).mark('tab-sent')
            ui.tab('inbox', _('Inbox')).mark('tab-inbox')
        with ui.tab_panels(tabs, value='inbox' if folder == 'inbox' else 'sent').classes('w-full bg-transparent'):
            with ui.tab_panel('sent').classes('p-0'):
                letter_folder(actor=actor, folder='sent', first=sent, organisations=organisations)
            with ui.tab_panel('inbox').classes('p-0'):
                letter_folder(actor=actor, folder='inbox', first=inbox, organisations=organisations)
    return None


async def compose_page() -> RedirectResponse | None:
    actor = await require(Role.CITIZEN)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    draft = await letters.open_draft(actor=actor, now=datetime.now(UTC))
    organisations = await _organisations()
    with frame(_('New letter'), actor):
        letter_compose(actor=actor, draft=draft, organisations=organisations)
    return None


async def letter_page(letter_id: str) -> RedirectResponse | None:
    actor = await require(*READERS)
    if isinstance(actor, str):
        return RedirectResponse(actor)
    # everything is read before the frame: the frame's timers let the response go out at the first await after it
    view = await _open(actor, letter_id)
    report = await letters.verify_letter(actor=actor, letter_id=view.id) if view else None
    topic = await _topic(actor) if view else ''
    officer = actor.role is not Role.CITIZEN
    organisations = await _organisations() if view and officer else {}
    with frame(_('Letter'), actor):
        if view is None or report is None:  # missing, malformed or somebody else's: the same answer
            ui.label(_('Letter not found.')).mark('letter-not-found')
            ui.link(_('Back to my letters'), '/desk' if officer else '/letters')
            return None
        above = ui.column().classes('w-full')  # the officer's actions, above the letter
        shown = letter_view(actor=actor, view=view, report=report, topic=topic)
        if officer and view.summary.direction is Direction.INBOUND:  # the organisation's own letters have no moves
            with above:
                actions = letter_actions(actor=actor, view=view, organisations=organisations, on_done=shown.show)
            shown.listeners.append(actions.follow)
    return None


async def _open(actor: PersonActor, letter_id: str) -> LetterView | None:
    """The letter if the actor may read it; a citizen's inbox letter is marked read on opening."""
    now = datetime.now(UTC)
    try:
        view = await letters.get_letter(actor=actor, letter_id=UUID(letter_id), now=now)
        if actor.role is Role.CITIZEN and view.summary.direction is Direction.OUTBOUND and view.read_at is None:
            await letters.mark_read(actor=actor, letter_id=view.id, now=now)
            view = await letters.get_letter(actor=actor, letter_id=view.id, now=now)
    except (ValueError, DomainError):
        return None
    return view


async def _topic(actor: PersonActor) -> str:
    """Where the letter's changes are published for this reader: the citizen's or the organisation's topic."""
    if actor.role is Role.CITIZEN or actor.organisation_id is None:
        return f'citizen:{actor.person_id}'
    return (await orgs.get_organisation_by_id(actor.organisation_id)).topic


async def _organisations() -> dict[str, str]:
    lang = current_language()
    return {o.code: o.display_name(lang) for o in await orgs.list_organisations()}
