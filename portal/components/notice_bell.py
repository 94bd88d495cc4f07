"""The header's bell for citizens: the number of unread notices, live, and a menu with the newest few.

The frame is built synchronously, so the count is read right after, in the background, and again whenever a notice
arrives or is read (in this tab or another); a burst of notices costs two reads. The newest notices are read when
the menu is opened, not on every page.
"""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui import background_tasks, ui

from portal.components.errors import show_error
from portal.components.live import FoldedReload, subscribe
from portal.components.notice_list import notice_time, safe_link
from portal.errors import DomainError
from portal.i18n import _, current_language
from portal.live import Event
from portal.store.actors import PersonActor
from portal.store.notices import cabinet
from portal.store.notices.cabinet import NoticeView

NEWEST = 5


class notice_bell(ui.button):  # an element-like component
    def __init__(self, actor: PersonActor) -> None:
        super().__init__(icon='notifications', on_click=self._open)
        self.actor = actor
        self.opened = False  # the menu's list is read once it was opened, and kept fresh from then on
        self.props('flat round color=white').mark('notice-bell')
        self._label(0)
        with self:
            self.badge = ui.badge('0', color='red-9').props('floating rounded').mark('notice-count')
            self.badge.set_visibility(False)
            with ui.menu().props('anchor="bottom right" self="top right"').mark('notice-menu') as self.menu:
                self.newest = ui.list().props('dense separator').classes('min-w-72 max-w-sm')
                ui.separator()
                with ui.row().classes('w-full justify-between items-center px-2 py-1 no-wrap'):
                    ui.link(_('All notices'), '/notifications').mark('bell-all')
                    ui.button(_('Mark all as read'), icon='done_all', on_click=self._read_all).props(
                        'flat dense no-caps'
                    ).mark('bell-read-all')
        self.reload = FoldedReload(self.load)
        subscribe(f'citizen:{actor.person_id}', self._on_event)
        background_tasks.create(self.reload(), name='unread notices')

    async def load(self) -> None:
        if self.opened:
            page = await cabinet.list_notices(actor=self.actor, limit=NEWEST)
            count, items = page.unread, page.items
        else:
            count, items = await cabinet.count_unread(actor=self.actor), None
        if self.client.is_deleted:
            return
        with self.client:
            self.badge.set_text(str(count))
            self.badge.set_visibility(count > 0)
            self._label(count)
            if items is not None:
                self._show(items)

    def _label(self, count: int) -> None:
        self.props['aria-label'] = _('Notices, {count} unread', count=count)

    def _show(self, items: list[NoticeView]) -> None:
        self.newest.clear()
        lang = current_language()
        with self.newest:
            if not items:
                with ui.item().mark('bell-empty'):
                    ui.item_label(_('No notices yet.')).classes('text-grey-8')
            for notice in items:
                with ui.item(on_click=lambda n=notice: self._follow(n)).mark('bell-item', f'bell-{notice.id}'):
                    with ui.item_section().props('side'):
                        dot = ui.icon('circle', size='xs', color='primary' if notice.read_at is None else 'grey-4')
                        if notice.read_at is None:
                            unread = _('unread')
                            dot.props(f'aria-label="{unread}"').mark('bell-unread')
                    with ui.item_section():
                        ui.item_label(notice.text(lang)).classes(
                            'text-weight-bold' if notice.read_at is None else ''
                        ).mark('bell-text')
                        ui.item_label(notice_time(notice.created_at)).props('caption')

    async def _open(self) -> None:
        self.opened = True
        await self.reload()

    async def _follow(self, notice: NoticeView) -> None:
        """Opening a notice from the bell reads it, and leads where it points (or to the list)."""
        try:
            if notice.read_at is None:
                await cabinet.mark_read(actor=self.actor, notice_id=notice.id, now=datetime.now(UTC))
        except DomainError as exc:
            show_error(exc)
            return
        ui.navigate.to(safe_link(notice.link) or '/notifications')

    async def _read_all(self) -> None:
        await cabinet.mark_all_read(actor=self.actor, now=datetime.now(UTC))
        self.menu.close()
        await self.reload()

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'notices.changed':
            await self.reload()
