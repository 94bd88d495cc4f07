"""The header's "Letters" entry for citizens, with the number of unread letters in the inbox; live.

The frame is built synchronously, so the count is read right after, in the background, and again whenever a letter
to the citizen arrives or is read (in this tab or another).
"""

from __future__ import annotations

from nicegui import background_tasks, ui

from portal.components.letter_status import reaches_inbox
from portal.components.live import subscribe
from portal.i18n import _
from portal.live import Event
from portal.store import letters
from portal.store.actors import PersonActor


class letter_nav(ui.row):  # an element-like component
    def __init__(self, actor: PersonActor) -> None:
        super().__init__()
        self.actor = actor
        self.classes('items-center gap-1 no-wrap').mark('nav-letters')
        with self:
            self.link = ui.link(_('Letters'), '/letters').classes('text-white')
            self.badge = ui.badge('0', color='red-9').props('rounded').mark('unread-count')
            self.badge.set_visibility(False)
        subscribe(f'citizen:{actor.person_id}', self._on_event)
        background_tasks.create(self.load(), name='unread letters')

    async def load(self) -> None:
        count = await letters.count_unread(actor=self.actor)
        if self.client.is_deleted:
            return
        with self.client:
            self.badge.set_text(str(count))
            self.badge.set_visibility(count > 0)
            self.badge.props['aria-label'] = _('Unread letters: {count}', count=count)
            # with letters waiting, the entry opens the inbox
            self.link.props['href'] = '/letters?folder=inbox' if count else '/letters'

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'letter.updated' and reaches_inbox(event.data):
            await self.load()
