"""The citizen's notices ("bildirişlər"): filters by type and unread, 20 at a time with "more", read marks, and for
each notice where it went — the cabinet, SMS, e-mail — and how far it got; live.

The filters sit outside the refreshed list, so a live update redraws the rows and keeps the citizen's choices.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from nicegui import ui

from portal.components.errors import show_error
from portal.components.live import FoldedReload, subscribe
from portal.errors import N_, DomainError
from portal.i18n import _, current_language, fmt_datetime
from portal.live import Event
from portal.store.actors import PersonActor
from portal.store.notices import cabinet
from portal.store.notices.cabinet import PAGE_MAX, DeliveryView, NoticePage, NoticeView
from portal.store.notices.models import Channel, DeliveryState
from portal.store.notices.outbox import known_types

PAGE = 20
CHANNEL_LABELS = {Channel.CABINET: N_('Cabinet'), Channel.SMS: N_('SMS'), Channel.EMAIL: N_('E-mail')}
STATE_LABELS = {
    DeliveryState.QUEUED: N_('queued'),
    DeliveryState.SENDING: N_('being sent'),
    DeliveryState.SENT: N_('sent'),
    DeliveryState.DELIVERED: N_('delivered'),
    DeliveryState.FAILED: N_('failed'),
    DeliveryState.DIGEST: N_('waiting for the digest'),
    DeliveryState.DIGESTED: N_('sent in the digest'),
}
STATE_COLORS = {
    DeliveryState.DELIVERED: 'positive',
    DeliveryState.FAILED: 'negative',
    DeliveryState.SENT: 'primary',
    DeliveryState.DIGESTED: 'primary',
}


async def load_notices(
    actor: PersonActor, *, type: str | None = None, unread_only: bool = False, count: int = PAGE
) -> NoticePage:
    """The newest ``count`` notices that pass the filters (read in the store's largest pages)."""
    page = await cabinet.list_notices(actor=actor, type=type, unread_only=unread_only, limit=min(count, PAGE_MAX))
    items = list(page.items)
    while len(items) < min(count, page.total):
        more = await cabinet.list_notices(
            actor=actor, type=type, unread_only=unread_only, offset=len(items), limit=min(count - len(items), PAGE_MAX)
        )
        if not more.items:
            break
        items += more.items
    return NoticePage(items, page.total, page.unread)


class notice_list(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, first: NoticePage) -> None:
        super().__init__()
        self.actor, self.result = actor, first
        self.count = PAGE  # how many are shown: "more" adds a page
        self.classes('w-full gap-2').mark('notice-list')
        with self:
            self._filters()
            # per instance: a class-level refreshable would keep every client's targets in one list
            self.render = ui.refreshable(self._render)
            self.render()
        self.reload = FoldedReload(self._reload)
        subscribe(f'citizen:{actor.person_id}', self._on_event)

    def _filters(self) -> None:
        options = {t.code: f'{t.number}. {_(t.title)}' for t in known_types()}
        with ui.row().classes('w-full items-center gap-3'):
            self.type = ui.select(options, label=_('Notice type'), clearable=True, on_change=self._apply)
            self.type.classes('min-w-72').mark('notice-type')
            self.unread_only = ui.switch(_('Unread only'), on_change=self._apply).mark('notice-unread-only')
            ui.space()
            ui.button(_('Mark all as read'), icon='done_all', on_click=self._read_all).props('flat').mark(
                'notice-read-all'
            )
            ui.link(_('Notice settings'), '/notifications/settings').mark('notice-settings-link')

    def _render(self) -> None:
        with ui.row().classes('gap-4'):
            ui.label(_('Notices found: {count}', count=self.result.total)).classes('text-caption').mark('notice-total')
            ui.label(_('Unread: {count}', count=self.result.unread)).classes('text-caption').mark('notice-unread')
        if not self.result.items:
            ui.label(_('No notices here yet.')).classes('text-grey-8').mark('notice-empty')
        lang = current_language()
        for notice in self.result.items:
            self._row(notice, lang)
        if len(self.result.items) < self.result.total:
            ui.button(_('More'), icon='expand_more', on_click=self._more).props('flat').mark('notice-more')

    def _row(self, notice: NoticeView, lang: str) -> None:
        unread = notice.read_at is None
        with ui.card().classes('w-full').props('flat bordered').mark('notice-row', f'notice-{notice.id}'):
            with ui.row().classes('w-full items-start gap-3 no-wrap'):
                with ui.column().classes('gap-1 grow min-w-0'):
                    with ui.row().classes('items-center gap-2'):
                        if unread:
                            ui.badge(_('new'), color='primary').mark('notice-new')
                        ui.label(_(notice.spec.title)).classes('text-caption text-grey-8').mark('notice-type-name')
                    text = ui.label(notice.text(lang)).classes('whitespace-pre-wrap').mark('notice-text')
                    text.classes('text-weight-bold' if unread else '')
                    details = [notice_time(notice.created_at)]
                    organisation = _organisation(notice, lang)
                    if organisation:
                        details.append(organisation)
                    ui.label(' · '.join(details)).classes('text-caption text-grey-8').mark('notice-details')
                    link = safe_link(notice.link)
                    if link:
                        ui.link(_('Go to it'), link).mark('notice-link')
                    with ui.row().classes('items-center gap-1'):
                        delivery_chip(Channel.CABINET, None)
                        for delivery in notice.deliveries:
                            delivery_chip(delivery.channel, delivery)
                if unread:
                    ui.button(_('Mark as read'), icon='done', on_click=lambda n=notice.id: self._read(n)).props(
                        'flat dense no-caps'
                    ).mark('notice-read')

    async def _apply(self) -> None:
        self.count = PAGE
        await self.reload()

    async def _more(self) -> None:
        self.count += PAGE
        await self.reload()

    async def _reload(self) -> None:
        self.result = await load_notices(
            self.actor, type=self.type.value or None, unread_only=bool(self.unread_only.value), count=self.count
        )
        if not self.is_deleted:
            self.render.refresh()

    async def _read(self, notice_id: UUID) -> None:
        try:
            await cabinet.mark_read(actor=self.actor, notice_id=notice_id, now=datetime.now(UTC))
        except DomainError as exc:
            show_error(exc)
        await self.reload()

    async def _read_all(self) -> None:
        await cabinet.mark_all_read(actor=self.actor, now=datetime.now(UTC))
        await self.reload()

    async def _on_event(self, event: Event) -> None:
        if event.kind == 'notices.changed':
            await self.reload()


def delivery_chip(channel: Channel, delivery: DeliveryView | None) -> ui.chip:
    """Where a notice went and how far it got; the cabinet always shows it."""
    if delivery is None:
        state, color = _('shown'), 'positive'
    else:
        state, color = _(STATE_LABELS[delivery.state]), STATE_COLORS.get(delivery.state, 'grey-7')
    text = _('{channel}: {state}', channel=_(CHANNEL_LABELS[channel]), state=state)
    chip = ui.chip(text, color=color, text_color='white').props('dense square')
    chip.mark(
        'delivery', f'delivery-{channel.value}', f'delivery-{channel.value}-{delivery.state if delivery else "shown"}'
    )
    if delivery is not None and delivery.state is DeliveryState.FAILED:
        # the technical reason (servers, addresses) is for administrators; the citizen learns what to do
        with chip:
            ui.tooltip(_(FAILED_HINTS[channel])).mark(f'delivery-{channel.value}-reason')
    return chip


FAILED_HINTS = {
    Channel.SMS: N_('The SMS could not be delivered. Check your mobile number in the notice settings.'),
    Channel.EMAIL: N_('The e-mail could not be delivered. Check your e-mail address in the notice settings.'),
    Channel.CABINET: N_('Not shown.'),
}


def notice_time(value: datetime) -> str:
    return fmt_datetime(value)


def safe_link(link: str) -> str:
    """Only a path inside the portal is followed (the store accepts nothing else; this is the page's own check)."""
    return link if link.startswith('/') and not link.startswith('//') and '\\' not in link else ''


def _organisation(notice: NoticeView, lang: str) -> str:
    if lang == 'en' and notice.organisation_name_en:
        return notice.organisation_name_en
    return notice.organisation_name_az or ''
