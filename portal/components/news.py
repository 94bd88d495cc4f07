"""Məlumatlandırma for everyone: the feed (national or one executive's) with search, tag filter and pages, redrawn live
when an item is published, edited or withdrawn; one item; a citizen's follow button and list of followed executives.

A body is shown from its sanitised HTML, sanitised once more on the server before it goes to the browser.
"""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui import ui

from portal.components.errors import show_error
from portal.components.live import FoldedReload, subscribe
from portal.errors import N_, DomainError
from portal.i18n import _, current_language, fmt_datetime
from portal.live import Event
from portal.store.actors import PersonActor, Role
from portal.store.news import content, following, publishing
from portal.store.news.following import Followed
from portal.store.news.models import NewsKind
from portal.store.news.publishing import ExecutiveView, NewsPage, NewsView

KINDS = {
    NewsKind.NEWS: (N_('News'), 'primary'),
    NewsKind.ANNOUNCEMENT: (N_('Announcement'), 'warning'),
    NewsKind.WORK: (N_('Work done'), 'positive'),
}
PAGE_SIZE = 10


def kind_badge(kind: NewsKind) -> None:
    label, color = KINDS[kind]
    ui.badge(_(label), color=color).mark('news-kind', f'news-kind-{kind.value}')


def item_meta(item: NewsView, *, with_executive: bool) -> None:
    with ui.row().classes('items-center gap-2 text-caption text-grey-8'):
        kind_badge(item.kind)
        if with_executive:
            ui.link(item.executive_name, f'/news/{item.executive_code}').mark('news-executive')
        ui.label(fmt_datetime(item.published_at)).mark('news-date')
        if item.location:
            ui.icon('place', size='xs')
            ui.label(item.location).mark('news-location')


class news_feed(ui.column):  # an element-like component
    """A page of items, newest first, with search by words and by tag; live on the feed's topic."""

    def __init__(self, *, executive: ExecutiveView | None, first: NewsPage) -> None:
        super().__init__()
        self.executive, self.data = executive, first
        self.query, self.tagged = '', ''  # not `self.tag`: that is the element's HTML tag
        self.classes('w-full gap-3').mark('news-feed')
        with self:
            with ui.row().classes('w-full items-center gap-2'):
                self.search = ui.input(_('Search the news')).props('clearable dense outlined type=search')
                self.search.classes('grow').mark('news-search')
                self.search.on('keydown.enter', self._search)
                self.search.on('clear', self._search)
                ui.button(_('Search'), icon='search', on_click=self._search).props('outline').mark('news-search-go')
            self.render = ui.refreshable(self._items)
            self.render()
        self.reload = FoldedReload(self._reload)
        subscribe(executive.topic if executive else publishing.NATIONAL_TOPIC, self._on_event)

    def _items(self) -> None:
        if self.tagged:
            with ui.row().classes('items-center gap-2'):
                ui.label(_('Tag:')).classes('text-caption')
                chip = ui.chip(self.tagged, icon='sell', removable=True, on_value_change=self._clear_tag)
                chip.mark('news-tag-filter')
        total = self.data.total
        if not self.data.items:
            text = _('Nothing found.') if self.query or self.tagged else _('No news yet.')
            ui.label(text).classes('text-grey-8').mark('news-empty')
            return
        ui.label(_('{count} items', count=total)).classes('text-caption text-grey-8').mark('news-total')
        for item in self.data.items:
            self._card(item)
        pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
        if pages > 1:
            current = self.data.offset // PAGE_SIZE + 1
            ui.pagination(1, pages, direction_links=True, value=current, on_change=self._page).mark('news-pages')

    def _card(self, item: NewsView) -> None:
        with ui.card().classes('w-full').props('flat bordered').mark('news-item', f'news-item-{item.id}'):
            with ui.row().classes('w-full no-wrap gap-4'):
                if item.image_url:
                    ui.image(item.image_url).classes('w-32 h-24 rounded').props('fit=cover').mark('news-thumb')
                with ui.column().classes('grow gap-1'):
                    ui.link(item.title, f'/news/item/{item.id}').classes('text-subtitle1 text-weight-bold').mark(
                        'news-title'
                    )
                    item_meta(item, with_executive=self.executive is None)
                    ui.label(item.summary).classes('text-body2').mark('news-summary')
                    if item.tags:
                        with ui.row().classes('gap-1'):
                            for tag in item.tags:
                                ui.chip(tag, icon='sell', on_click=lambda t=tag: self._by_tag(t)).props(
                                    'dense outline clickable'
                                ).mark('news-tag')

    async def _search(self) -> None:
        self.query = str(self.search.value or '').strip()
        await self._go(0)

    async def _by_tag(self, tag: str) -> None:
        self.tagged = tag
        await self._go(0)

    async def _clear_tag(self) -> None:
        self.tagged = ''
        await self._go(0)

    async def _page(self, e: object) -> None:
        value = int(getattr(e, 'value', 1) or 1)
        await self._go((value - 1) * PAGE_SIZE)

    async def _go(self, offset: int) -> None:
        try:
            self.data = await load_feed(self.executive, query=self.query, tag=self.tagged, offset=offset)
        except DomainError as exc:
            show_error(exc)
            return
        self.render.refresh()

    async def _reload(self) -> None:
        data = await load_feed(self.executive, query=self.query, tag=self.tagged, offset=self.data.offset)
        if not data.items and data.offset:  # the last page emptied: show the one before
            data = await load_feed(self.executive, query=self.query, tag=self.tagged, offset=data.offset - PAGE_SIZE)
        self.data = data
        if not self.is_deleted:
            self.render.refresh()

    async def _on_event(self, event: Event) -> None:
        if event.kind.startswith('news.'):
            await self.reload()


async def load_feed(executive: ExecutiveView | None, *, query: str = '', tag: str = '', offset: int = 0) -> NewsPage:
    return await publishing.list_news(
        executive_code=executive.code if executive else None,
        query=query,
        tag=tag,
        limit=PAGE_SIZE,
        offset=offset,
    )


def news_item(item: NewsView) -> None:
    """One item in full."""
    with ui.card().classes('w-full').mark('news-page'):
        item_meta(item, with_executive=True)
        if item.updated_at:
            ui.label(_('Updated {time}', time=fmt_datetime(item.updated_at))).classes('text-caption text-grey-8')
        if item.image_url:
            ui.image(item.image_url).classes('w-full max-w-2xl rounded').mark('news-image')
        # the stored HTML is sanitised on the way in; it is sanitised again here, on the server, before it is sent
        ui.html(item.body_html, sanitize=content.sanitise).classes('news-body w-full').mark('news-body')
        if item.tags:
            with ui.row().classes('gap-1'):
                for tag in item.tags:
                    ui.chip(tag, icon='sell').props('dense outline').mark('news-tag')


class follow_button(ui.row):  # an element-like component
    """Follow or stop following an executive: for citizens; others are told who can follow."""

    def __init__(self, *, actor: PersonActor | None, executive: ExecutiveView, following_now: bool) -> None:
        super().__init__()
        self.actor, self.executive, self.following = actor, executive, following_now
        self.classes('items-center gap-2').mark('follow')
        with self:
            self.render = ui.refreshable(self._button)
            self.render()
        if actor is not None and actor.role is Role.CITIZEN:
            subscribe(f'citizen:{actor.person_id}', self._on_event)

    def _button(self) -> None:
        if self.actor is None:
            ui.label(_('Log in to follow this executive and get its news as notices.')).classes(
                'text-caption text-grey-8'
            ).mark('follow-login')
            return
        if self.actor.role is not Role.CITIZEN:
            return
        if self.following:
            ui.button(_('Following'), icon='notifications_active', on_click=self._unfollow).props('outline').mark(
                'follow-stop'
            )
        else:
            ui.button(_('Follow'), icon='notifications', on_click=self._follow).mark('follow-start')

    async def _follow(self) -> None:
        assert self.actor is not None
        try:
            await following.follow(actor=self.actor, executive_code=self.executive.code, now=datetime.now(UTC))
        except DomainError as exc:
            show_error(exc)
            return
        ui.notify(_('You follow this executive: its news will reach you as notices.'), type='positive')
        await self._refresh()

    async def _unfollow(self) -> None:
        assert self.actor is not None
        await following.unfollow(actor=self.actor, executive_code=self.executive.code)
        ui.notify(_('You no longer follow this executive.'))
        await self._refresh()

    async def _refresh(self) -> None:
        assert self.actor is not None
        self.following = await following.is_following(actor=self.actor, executive_code=self.executive.code)
        if not self.is_deleted:
            self.render.refresh()

    async def _on_event(self, event: Event) -> None:
        if event.kind == following.EVENT and event.data.get('executive_id') == str(self.executive.id):
            await self._refresh()


class followed_list(ui.card):  # an element-like component
    """The executives a citizen follows, each with its feed and a way to stop; live."""

    def __init__(self, *, actor: PersonActor, first: list[Followed]) -> None:
        super().__init__()
        self.actor, self.data = actor, first
        self.classes('w-full').mark('followed')
        with self:
            ui.label(_('Executives I follow')).classes('text-h6')
            self.render = ui.refreshable(self._list)
            self.render()
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    def _list(self) -> None:
        if not self.data:
            ui.label(_('You follow no executive yet: open one from a news item and follow it.')).classes(
                'text-grey-8'
            ).mark('followed-empty')
        lang = current_language()
        for followed in self.data:
            with ui.row().classes('w-full items-center gap-2').mark('followed-row'):
                ui.link(followed.display_name(lang), f'/news/{followed.code}').mark('followed-link')
                ui.space()
                ui.button(_('Unfollow'), icon='notifications_off', on_click=lambda f=followed: self._unfollow(f)).props(
                    'flat dense no-caps'
                ).mark('followed-stop')

    async def _unfollow(self, followed: Followed) -> None:
        await following.unfollow(actor=self.actor, executive_code=followed.code)
        await self._reload()

    async def _reload(self) -> None:
        self.data = await following.list_followed(actor=self.actor)
        if not self.is_deleted:
            self.render.refresh()

    async def _on_event(self, event: Event) -> None:
        if event.kind == following.EVENT:
            await self._reload()
