"""The outbox for administrators: deliveries per channel and state, how many are due now, the latest failures with
their reasons (addresses masked: the administrator needs the pattern, not the citizen's contact)."""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui import ui

from portal.components.notice_list import CHANNEL_LABELS, STATE_LABELS
from portal.i18n import _, fmt_datetime
from portal.store.actors import PersonActor
from portal.store.notices import cabinet
from portal.store.notices.cabinet import OutboxStats
from portal.store.notices.models import Channel, DeliveryState

CHANNELS = (Channel.SMS, Channel.EMAIL)


async def load_outbox(actor: PersonActor) -> OutboxStats:
    return await cabinet.outbox_stats(actor=actor, now=datetime.now(UTC))


class outbox_view(ui.column):  # an element-like component
    def __init__(self, *, actor: PersonActor, first: OutboxStats) -> None:
        super().__init__()
        self.actor, self.stats = actor, first
        self.classes('w-full gap-4').mark('outbox')
        with self:
            with ui.row().classes('items-center gap-4'):
                ui.button(_('Refresh'), icon='refresh', on_click=self.refresh).mark('outbox-refresh')
                self.checked = ui.label().classes('text-caption text-grey-8').mark('outbox-checked')
            self.render = ui.refreshable(self._render)
            self.render()

    def _render(self) -> None:
        stats = self.stats
        self.checked.set_text(_('As of {time}', time=fmt_datetime(datetime.now(UTC))))
        with ui.card().classes('w-full'):
            ui.label(_('Deliveries by channel and state')).classes('text-h6')
            ui.label(_('Due now: {count}', count=stats.due)).mark('outbox-due')
            columns = [{'name': 'channel', 'label': _('Channel'), 'field': 'channel', 'align': 'left'}]
            columns += [{'name': s.value, 'label': _(STATE_LABELS[s]), 'field': s.value} for s in DeliveryState]
            rows = [
                {
                    'channel': _(CHANNEL_LABELS[channel]),
                    **{s.value: stats.counts.get((channel.value, s.value), 0) for s in DeliveryState},
                }
                for channel in CHANNELS
            ]
            ui.table(columns=columns, rows=rows, row_key='channel').classes('w-full').mark('outbox-counts')
        with ui.card().classes('w-full'):
            ui.label(_('Latest failures')).classes('text-h6')
            if not stats.failures:
                ui.label(_('No failures.')).classes('text-grey-8').mark('outbox-no-failures')
                return
            ui.table(
                columns=[
                    {'name': 'when', 'label': _('Time'), 'field': 'when', 'align': 'left'},
                    {'name': 'channel', 'label': _('Channel'), 'field': 'channel', 'align': 'left'},
                    {'name': 'address', 'label': _('Address'), 'field': 'address', 'align': 'left'},
                    {'name': 'reason', 'label': _('Reason'), 'field': 'reason', 'align': 'left'},
                ],
                rows=[
                    {
                        'id': i,
                        'when': fmt_datetime(when) if when else '—',
                        'channel': _(CHANNEL_LABELS[Channel(channel)]) if channel in CHANNEL_LABELS else channel,
                        'address': mask_address(address),
                        'reason': reason,
                    }
                    for i, (when, channel, address, reason) in enumerate(stats.failures)
                ],
                row_key='id',
                pagination=10,
            ).classes('w-full').mark('outbox-failures')

    async def refresh(self) -> None:
        self.stats = await load_outbox(self.actor)
        if not self.is_deleted:
            self.render.refresh()


def mask_address(address: str) -> str:
    """``+99450***4567`` for a phone, ``l***@example.az`` for an e-mail address."""
    if '@' in address:
        local, _at, domain = address.rpartition('@')
        return f'{local[:1]}***@{domain}'
    if len(address) > 9:
        return f'{address[:6]}***{address[-4:]}'
    return '***' if address else '—'
